/** Step 6: the update channel and how machines reboot into updates. */
import { currentAnswers, currentValue, isGiven, setAnswer, type WizardContext } from '../context.js';
import type { RebootStrategy } from '../../answers/types.js';

export async function askUpdates(ctx: WizardContext): Promise<void> {
  if (!isGiven(ctx, 'updates.group')) {
    const group = await ctx.prompts.select<string>({
      message: 'Update channel:',
      choices: ['stable', 'beta', 'alpha', 'lts'].map((g) => ({ name: g, value: g })),
      default: String(currentValue(ctx, 'updates.group') ?? 'stable'),
    });
    setAnswer(ctx, 'updates.group', group);
  }
  if (!isGiven(ctx, 'updates.rebootStrategy')) {
    const hasEtcd = currentAnswers(ctx).preset !== 'laptop';
    const strategy = await ctx.prompts.select<RebootStrategy>({
      message: 'Reboot strategy after an update:',
      choices: [
        ...(hasEtcd ? [{ name: 'etcd-lock', value: 'etcd-lock' as const, description: 'one machine at a time, coordinated through etcd (locksmith)' }] : []),
        { name: 'reboot', value: 'reboot', description: 'each machine reboots as soon as its update is installed' },
        { name: 'off', value: 'off', description: 'never reboot automatically' },
      ],
      default: currentValue(ctx, 'updates.rebootStrategy') as RebootStrategy | undefined,
    });
    setAnswer(ctx, 'updates.rebootStrategy', strategy);
  }
}

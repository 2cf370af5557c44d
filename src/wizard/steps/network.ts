/** Step 3: DHCP or static addresses (network, gateway, DNS, first address, interface). */
import { currentAnswers, currentValue, isGiven, setAnswer, validator, type WizardContext } from '../context.js';
import type { Field } from '../../answers/types.js';

const list = (text: string): string[] => text.split(/[\s,]+/).filter((s) => s !== '');

async function askText(ctx: WizardContext, field: Field, message: string, parse?: (t: string) => unknown): Promise<void> {
  if (isGiven(ctx, field)) return;
  const now = currentValue(ctx, field);
  const text = await ctx.prompts.input({
    message,
    default: Array.isArray(now) ? now.join(',') : now === undefined ? undefined : String(now),
    validate: validator(ctx, field, parse),
  });
  const value = parse ? parse(text) : text.trim();
  if (value !== undefined && (Array.isArray(value) ? value.length > 0 : value !== '')) setAnswer(ctx, field, value);
}

export async function askNetwork(ctx: WizardContext): Promise<void> {
  if (!isGiven(ctx, 'network.dhcp')) {
    const laptop = currentAnswers(ctx).preset === 'laptop';
    const dhcp = await ctx.prompts.select<boolean>({
      message: 'How do the machines get their addresses?',
      choices: [
        { name: 'Static addresses planned by flatcar-architect', value: false, description: 'etcd members need fixed addresses; the static initial cluster uses them' },
        { name: 'DHCP', value: true, description: laptop ? 'usual for a VM on your computer' : 'etcd then needs --discovery (a discovery URL)' },
      ],
      default: Boolean(currentValue(ctx, 'network.dhcp')),
    });
    setAnswer(ctx, 'network.dhcp', dhcp);
  }
  if (currentAnswers(ctx).network?.dhcp) {
    if (currentAnswers(ctx).preset !== 'laptop') {
      await askText(ctx, 'etcd.discovery', 'etcd discovery URL (leave empty: members find each other by host name):', (t) => (t.trim() === '' ? undefined : t.trim()));
    }
    return;
  }
  await askText(ctx, 'network.cidr', 'Network (CIDR):');
  await askText(ctx, 'network.gateway', 'Gateway:');
  await askText(ctx, 'network.dns', 'DNS servers (comma-separated):', list);
  await askText(ctx, 'network.firstAddress', 'First machine address:');
  if (!isGiven(ctx, 'network.macPrefix')) await askText(ctx, 'network.interface', 'Interface name or globs (networkd [Match] Name=):');
}

/** Step 2: how many machines (and etcd members for production), with the fault tolerance as you type. */
import { etcdSizeFor } from '../../answers/presets.js';
import { faultTolerance } from '../../plan/index.js';
import { currentAnswers, currentValue, isGiven, setAnswer, validator, type WizardContext } from '../context.js';

const LIMITS = { laptop: 'exactly 1', small: '3 to 9', dev: '2 or more', production: 'etcd members + at least 1 worker' };

function tolerance(n: number): string {
  const t = faultTolerance(n);
  return `${t} failed member${t === 1 ? '' : 's'}`;
}

export async function askSize(ctx: WizardContext): Promise<void> {
  const preset = currentAnswers(ctx).preset ?? 'production';
  if (preset === 'laptop') return;
  if (!isGiven(ctx, 'size')) {
    const size = await ctx.prompts.input({
      message: `How many machines in all? (${LIMITS[preset]})`,
      default: String(currentValue(ctx, 'size') ?? ''),
      validate: validator(ctx, 'size'),
      transformer: (text) => {
        const n = Number(text);
        if (!/^\d+$/.test(text.trim()) || n < 1) return text;
        const members = etcdSizeFor(preset, n);
        return `${text}  (etcd: ${members} member${members === 1 ? '' : 's'}, tolerates ${tolerance(members)})`;
      },
    });
    setAnswer(ctx, 'size', Number(size.trim()));
  }
  if (preset === 'production' && !isGiven(ctx, 'etcd.size')) {
    const members = await ctx.prompts.select<number>({
      message: 'How many central etcd machines?',
      choices: [3, 5].map((n) => ({ name: `${n} (tolerates ${tolerance(n)})`, value: n })),
      default: Number(currentValue(ctx, 'etcd.size') ?? 3),
    });
    setAnswer(ctx, 'etcd.size', members);
    const problem = validator(ctx, 'size')(String(currentValue(ctx, 'size')));
    if (problem !== true) {
      ctx.print(`${problem}\n`);
      delete ctx.answers.size;
      return askSize(ctx);
    }
  }
}

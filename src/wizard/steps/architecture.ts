/** Architecture and size: which of the four architectures, how many machines, how many etcd members. */
import { etcdSizeFor, loadPreset } from '../../answers/presets.js';
import { PRESETS, type PresetName } from '../../answers/types.js';
import { faultTolerance } from '../../plan/index.js';
import { currentValue, isGiven, problemWith, setAnswer, suggestion, type WizardContext } from '../context.js';
import { presetOf, textQuestion, type Question } from '../question.js';

const SHAPES: Record<PresetName, string> = {
  laptop: '1 machine',
  small: '3-9 machines, etcd on each',
  dev: '1 etcd machine + workers',
  production: '3 or 5 etcd machines + workers',
};

function tolerance(n: number): string {
  const t = faultTolerance(n);
  return `${t} failed member${t === 1 ? '' : 's'}`;
}

const preset: Question = {
  id: 'preset',
  section: 'architecture',
  applies: (ctx) => !isGiven(ctx, 'preset'),
  async ask(ctx) {
    const chosen = await ctx.prompts.select<PresetName>({
      message: 'Which cluster architecture?',
      choices: PRESETS.map((name) => ({ name: `${name.padEnd(10)} ${SHAPES[name]}`, value: name, description: loadPreset(name).description })),
      default: suggestion(ctx, 'preset', [...PRESETS]) as PresetName | undefined,
    });
    setAnswer(ctx, 'preset', chosen);
  },
};

/** The number of etcd members for n machines, as the plan will make them. */
function membersFor(ctx: WizardContext, n: number): number {
  const p = presetOf(ctx);
  const explicit = p === 'production' && (isGiven(ctx, 'etcd.size') || ctx.answers.etcd?.size !== undefined);
  return explicit ? Number(currentValue(ctx, 'etcd.size')) : p ? etcdSizeFor(p, n) : 0;
}

function limits(ctx: WizardContext): string {
  const p = presetOf(ctx);
  if (p === 'small') return '3 to 9';
  if (p === 'dev') return '2 or more';
  const explicit = isGiven(ctx, 'etcd.size') || ctx.answers.etcd?.size !== undefined;
  return explicit ? `${Number(currentValue(ctx, 'etcd.size')) + 1} or more` : '4 or more';
}

const size = textQuestion(
  'size',
  'architecture',
  (ctx) => `How many machines in all? (${limits(ctx)})`,
  'Every machine counts: etcd members and workers. Production uses 5 etcd members from 10 machines on.',
  {
    when: (ctx) => presetOf(ctx) !== undefined && presetOf(ctx) !== 'laptop',
    parse: (t) => (/^\d+$/.test(t.trim()) ? Number(t.trim()) : t.trim() === '' ? undefined : t.trim()),
    extra: (ctx) => {
      const p = presetOf(ctx);
      const etcd = Number(currentValue(ctx, 'etcd.size'));
      return p === 'production' ? [Number.isFinite(etcd) ? etcd + 1 : 4, 4] : p === 'small' ? [3] : [2];
    },
    transformer: (ctx) => (text) => {
      const n = Number(text.trim());
      // A live hint only for an acceptable number: never one the architecture would refuse.
      if (!/^\d+$/.test(text.trim()) || problemWith(ctx, 'size', n) !== undefined) return text;
      const members = membersFor(ctx, n);
      return `${text}  (etcd: ${members} member${members === 1 ? '' : 's'}, tolerates ${tolerance(members)})`;
    },
  },
);

const etcdSize: Question = {
  id: 'etcd.size',
  section: 'architecture',
  applies: (ctx) => !isGiven(ctx, 'etcd.size') && presetOf(ctx) === 'production',
  async ask(ctx) {
    const members = await ctx.prompts.select<number>({
      message: 'How many central etcd machines?',
      choices: [3, 5].map((n) => ({
        name: `${n} (tolerates ${tolerance(n)})`,
        value: n,
        description: n === 5 ? 'needs 6 or more machines; the usual choice from 10 machines on' : 'the usual choice below 10 machines',
      })),
      default: Number(suggestion(ctx, 'etcd.size', [3]) ?? 3),
    });
    setAnswer(ctx, 'etcd.size', members);
  },
};

export const ARCHITECTURE: Question[] = [preset, size, etcdSize];

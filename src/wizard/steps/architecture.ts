/** Architecture and size: which of the four architectures, how many machines, how many etcd members. */
import { loadPreset } from '../../answers/presets.js';
import { PRESETS, type PresetName } from '../../answers/types.js';
import { architectureOf, findArchitecture } from '../../architectures/index.js';
import { faultTolerance } from '../../plan/index.js';
import { currentValue, isGiven, problemWith, setAnswer, suggestion, type WizardContext } from '../context.js';
import { presetOf, textQuestion, type Question } from '../question.js';

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
      choices: PRESETS.map((name) => ({ name: `${name.padEnd(10)} ${architectureOf(name).shape}`, value: name, description: loadPreset(name).description })),
      default: suggestion(ctx, 'preset', [...PRESETS]) as PresetName | undefined,
    });
    setAnswer(ctx, 'preset', chosen);
  },
};

/** The number of etcd members for n machines, as the plan will make them. */
function membersFor(ctx: WizardContext, n: number): number {
  const architecture = findArchitecture(presetOf(ctx));
  const explicit = architecture?.etcdSizeIsAnswer === true && etcdSizeChosen(ctx);
  return explicit ? Number(currentValue(ctx, 'etcd.size')) : architecture ? architecture.etcdSizeFor(n) : 0;
}

/** An etcd size was given or answered (not only derived from the size). */
const etcdSizeChosen = (ctx: WizardContext): boolean => isGiven(ctx, 'etcd.size') || ctx.answers.etcd?.size !== undefined;

function limits(ctx: WizardContext): string {
  const architecture = findArchitecture(presetOf(ctx));
  return architecture ? architecture.sizeHint(etcdSizeChosen(ctx) ? Number(currentValue(ctx, 'etcd.size')) : undefined) : '';
}

const size = textQuestion(
  'size',
  'architecture',
  (ctx) => `How many machines in all? (${limits(ctx)})`,
  'Every machine counts: etcd members and workers. Production uses 5 etcd members from 10 machines on.',
  {
    when: (ctx) => findArchitecture(presetOf(ctx))?.sizeIsFixed === false,
    parse: (t) => (/^\d+$/.test(t.trim()) ? Number(t.trim()) : t.trim() === '' ? undefined : t.trim()),
    extra: (ctx) => findArchitecture(presetOf(ctx))?.suggestedSizes(Number(currentValue(ctx, 'etcd.size'))) ?? [],
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
  applies: (ctx) => !isGiven(ctx, 'etcd.size') && findArchitecture(presetOf(ctx))?.etcdSizeIsAnswer === true,
  async ask(ctx) {
    const choices = findArchitecture(presetOf(ctx))?.etcdSizeChoices ?? [];
    const members = await ctx.prompts.select<number>({
      message: 'How many central etcd machines?',
      choices: choices.map(({ size: n, note }) => ({ name: `${n} (tolerates ${tolerance(n)})`, value: n, description: note })),
      default: Number(suggestion(ctx, 'etcd.size', [choices[0]?.size]) ?? choices[0]?.size),
    });
    setAnswer(ctx, 'etcd.size', members);
  },
};

export const ARCHITECTURE: Question[] = [preset, size, etcdSize];

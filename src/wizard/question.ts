/** One question of the wizard: which section it belongs to, when it applies, and how it is asked. */
import type { Field } from '../answers/types.js';
import { currentAnswers, currentValue, isGiven, setAnswer, suggestion, validator, type WizardContext } from './context.js';

export type Section = 'architecture' | 'network' | 'names' | 'ssh' | 'updates' | 'output';

export interface Question {
  /** The answer it sets (`outDir` for the output directory, which is not an answer). */
  id: Field | 'outDir';
  section: Section;
  /** Asked at all: not given up front and needed by the current choices. */
  applies(ctx: WizardContext): boolean;
  ask(ctx: WizardContext): Promise<void>;
}

export const presetOf = (ctx: WizardContext) => currentAnswers(ctx).preset;
export const isDhcp = (ctx: WizardContext): boolean => Boolean(currentValue(ctx, 'network.dhcp'));

const show = (v: unknown): string | undefined => (v === undefined ? undefined : Array.isArray(v) ? v.join(',') : String(v));

/**
 * A text question for one answer: its default is the current answer (or, when that no longer
 * fits, the derived one), `?` shows the help line, the checks are the flags' (and the cross-field
 * ones this question can fix). Empty text: back to the derived value.
 */
export function textQuestion(
  id: Field,
  section: Section,
  message: string | ((ctx: WizardContext) => string),
  help: string,
  opts: {
    when?: (ctx: WizardContext) => boolean;
    parse?: (text: string) => unknown;
    extra?: (ctx: WizardContext) => unknown[];
    transformer?: (ctx: WizardContext) => (text: string) => string;
  } = {},
): Question {
  const parse = opts.parse ?? ((t: string) => (t.trim() === '' ? undefined : t.trim()));
  return {
    id,
    section,
    applies: (ctx) => !isGiven(ctx, id) && (opts.when?.(ctx) ?? true),
    async ask(ctx) {
      const text = await ctx.prompts.input({
        message: typeof message === 'function' ? message(ctx) : message,
        default: show(suggestion(ctx, id, opts.extra?.(ctx) ?? [])),
        validate: validator(ctx, id, parse, help),
        transformer: opts.transformer?.(ctx),
      });
      setAnswer(ctx, id, parse(text));
    },
  };
}

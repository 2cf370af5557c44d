/** What every wizard step shares: the answers so far, the ones given up front, how to ask and show. */
import { specToAnswers } from '../answers/answers-file.js';
import { mergeAnswers } from '../answers/merge.js';
import { loadPreset } from '../answers/presets.js';
import { resolveSpec } from '../answers/resolve.js';
import { getField, SpecError, type Answers, type Field } from '../answers/types.js';
import type { Prompts } from './prompts.js';

export interface WizardContext {
  /** Answers given on the command line or in an answers file: their questions are not asked. */
  readonly given: Answers;
  /** Answers collected by the wizard. */
  answers: Answers;
  /** Output directory (a flag, not an answer). */
  outDir?: string;
  /** Whether --out was given. */
  readonly outGiven: boolean;
  readonly prompts: Prompts;
  /** Where the wizard writes its summary and notes. */
  readonly print: (text: string) => void;
  /** Home directory, where ~/.ssh/*.pub keys are offered from. */
  readonly home: string;
}

/** Given answers under collected ones: what the pipeline would get right now. */
export function currentAnswers(ctx: WizardContext): Answers {
  return mergeAnswers(ctx.answers, ctx.given);
}

export function isGiven(ctx: WizardContext, field: Field): boolean {
  return getField(ctx.given, field) !== undefined;
}

/** Sets one answer (a dotted field such as `network.gateway`). */
export function setAnswer(ctx: WizardContext, field: Field, value: unknown): void {
  const [section, key] = field.split('.') as [string, string | undefined];
  const answers = ctx.answers as Record<string, unknown>;
  if (key === undefined) answers[section] = value;
  else answers[section] = { ...((answers[section] as Record<string, unknown>) ?? {}), [key]: value };
}

/**
 * Checks one answer with exactly the rules the flags go through: resolve everything known so
 * far with this answer in place, and report the problem (if any) that concerns this field.
 */
export function problemWith(ctx: WizardContext, field: Field, value: unknown): string | undefined {
  const [section, key] = field.split('.') as [string, string | undefined];
  const trial = key === undefined ? { [section]: value } : { [section]: { [key]: value } };
  try {
    resolveSpec(mergeAnswers(ctx.answers, ctx.given, trial as Answers));
    return undefined;
  } catch (e) {
    if (!(e instanceof SpecError)) throw e;
    return e.problems.find((p) => p.field === field)?.message;
  }
}

/** A validator for an input prompt: turns the typed text into the answer and checks it. */
export function validator(ctx: WizardContext, field: Field, parse: (text: string) => unknown = (t) => t.trim()) {
  return (text: string): true | string => problemWith(ctx, field, parse(text)) ?? true;
}

/**
 * The value an answer has now: given, collected, or else the default the pipeline would use
 * (the preset's, or one derived from other answers such as the gateway from the network).
 */
export function currentValue(ctx: WizardContext, field: Field): unknown {
  const answers = currentAnswers(ctx);
  const explicit = getField(answers, field);
  if (explicit !== undefined) return explicit;
  try {
    return getField(specToAnswers(resolveSpec(answers).spec), field);
  } catch (e) {
    if (!(e instanceof SpecError)) throw e;
    return answers.preset ? getField(loadPreset(answers.preset).defaults, field) : undefined;
  }
}

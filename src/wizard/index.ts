/**
 * The interactive wizard: asks only what the chosen architecture needs (skipping what flags or an
 * answers file already said), shows the design, and returns the answers for the same pipeline the
 * flags drive. One state (context.ts), one list of questions (steps/), a review (review.ts).
 *
 * The flow: questions in order; Esc goes back one question; after each answer the cross-field
 * checks whose inputs are all known run, and the question that can fix a problem is asked again
 * (with the other answer named); "Change <section>" asks that section again from the current
 * answers and returns to the review.
 */
import { specToAnswers } from '../answers/answers-file.js';
import { mergeAnswers } from '../answers/merge.js';
import { resolveSpec } from '../answers/resolve.js';
import { PRESETS, type Answers, type Field } from '../answers/types.js';
import { ASKED, currentAnswers, currentOutDir, dueConflicts, outputProblem, QUESTION_NAME, seen, type WizardContext } from './context.js';
import { WizardBack, WizardQuit } from './prompts.js';
import type { Question, Section } from './question.js';
import { review } from './review.js';
import { ARCHITECTURE } from './steps/architecture.js';
import { NAMES } from './steps/names.js';
import { NETWORK } from './steps/network.js';
import { OUTPUT } from './steps/output.js';
import { SSH } from './steps/ssh.js';
import { UPDATES } from './steps/updates.js';
import { wrap } from './text.js';

export { WizardBack, WizardCancelled, WizardQuit, terminalPrompts, type Prompts } from './prompts.js';
export type { WizardContext } from './context.js';
export { precheckGiven, precheckOut } from './precheck.js';

export const QUESTIONS: Question[] = [...ARCHITECTURE, ...NETWORK, ...NAMES, ...SSH, ...UPDATES, ...OUTPUT];

export interface WizardResult {
  answers: Answers;
  outDir: string;
}

/** Asks "Quit without writing?"; yes: WizardQuit (exit 1, nothing written). */
export async function confirmQuit(ctx: WizardContext): Promise<void> {
  let quit: boolean;
  try {
    quit = await ctx.prompts.confirm({ message: 'Quit without writing?', default: false });
  } catch (e) {
    if (e instanceof WizardBack) return; // Esc again: stay
    throw e;
  }
  if (quit) throw new WizardQuit();
}

const columns = (ctx: WizardContext) => ctx.columns ?? process.stdout.columns ?? 80;

/** A given answer the chosen architecture rejects is asked instead (once, with the reason). */
function unGive(ctx: WizardContext, field: Field): void {
  const [section, key] = field.split('.') as [string, string | undefined];
  const given = { ...(ctx.given as Record<string, unknown>) };
  if (key === undefined) delete given[section];
  else given[section] = { ...((given[section] as Record<string, unknown>) ?? {}), [key]: undefined };
  ctx.given = given as Answers;
}

/** Settles the problems whose inputs are all known: asks the question that can fix each (bounded). */
async function settle(ctx: WizardContext, asked: Set<string> = new Set()): Promise<void> {
  for (let round = 0; round < 50; round++) {
    const conflict = dueConflicts(ctx)[0];
    let fixer: Question | undefined;
    if (conflict) {
      ctx.print(wrap(`${QUESTION_NAME[conflict.fixer] ?? conflict.fixer}: ${conflict.message}`, columns(ctx)) + '\n');
      if (ASKED.includes(conflict.fixer) && ctx.given && getGiven(ctx, conflict.fixer)) unGive(ctx, conflict.fixer);
      fixer = QUESTIONS.find((q) => q.id === conflict.fixer && q.applies(ctx));
    } else if (seen(ctx).has('outDir') && !ctx.outGiven) {
      const problem = outputProblem(ctx, currentOutDir(ctx));
      if (!problem) return;
      ctx.print(wrap(`Output directory: ${problem}`, columns(ctx)) + '\n');
      fixer = QUESTIONS.find((q) => q.id === 'outDir');
    } else return;
    if (!fixer) return;
    await fixer.ask(ctx);
    seen(ctx).add(fixer.id);
    asked.add(fixer.id);
  }
}

function getGiven(ctx: WizardContext, field: Field): boolean {
  const [section, key] = field.split('.') as [string, string | undefined];
  const v = (ctx.given as Record<string, unknown>)[section];
  return key === undefined ? v !== undefined : v !== undefined && (v as Record<string, unknown>)[key] !== undefined;
}

/**
 * Asks the questions from `start` up to `end` (exclusive), each followed by the checks it makes
 * due. Esc goes back one question; before the first one it asks whether to quit (the whole
 * wizard) or returns (a section asked again from the review).
 */
async function ask(ctx: WizardContext, start: number, end: number, fromReview: boolean): Promise<void> {
  const history: number[] = [];
  // Questions a check already asked again in this pass are not asked twice going forward.
  const settled = new Set<string>();
  let back = false;
  let i = start;
  while (i < end) {
    const q = QUESTIONS[i]!;
    if (!q.applies(ctx) || (settled.has(q.id) && !back)) {
      i++;
      continue;
    }
    back = false;
    try {
      await q.ask(ctx);
      seen(ctx).add(q.id);
      await settle(ctx, settled);
    } catch (e) {
      if (!(e instanceof WizardBack)) throw e;
      back = true;
      if (history.length) i = history.pop()!;
      else if (fromReview) return;
      else await confirmQuit(ctx);
      continue;
    }
    history.push(i);
    i++;
  }
}

/** How many questions the first pass asks for each architecture still possible: [fewest, most]. */
function questionCount(ctx: WizardContext): [number, number] {
  const presets = ctx.given.preset ? [ctx.given.preset] : PRESETS;
  const counts = presets.map((preset) => {
    const trial: WizardContext = { ...ctx, answers: { ...ctx.answers, preset }, seen: new Set() };
    return QUESTIONS.filter((q) => q.applies(trial)).length;
  });
  return [Math.min(...counts), Math.max(...counts)];
}

export async function runWizard(ctx: WizardContext, color: boolean): Promise<WizardResult> {
  const [few, most] = questionCount(ctx);
  const n = few === most ? `${most} question${most === 1 ? '' : 's'}` : `${few} to ${most} questions (depending on the architecture)`;
  ctx.print(
    wrap(
      `${n} in 6 sections (architecture, network, names, SSH keys, updates, output), then a review before anything is written. ` +
        'Enter takes the answer shown; type ? at a text question for help; Esc goes back one question; Ctrl-C quits without writing.',
      columns(ctx),
    ) + '\n\n',
  );
  await ask(ctx, 0, QUESTIONS.length, false);
  for (;;) {
    // Anything still unsettled (answers given up front, a choice that made another one wrong) is settled before the review.
    for (const f of ASKED) seen(ctx).add(f);
    await settle(ctx);
    let choice;
    try {
      choice = await review(ctx, color, (section) => QUESTIONS.some((q) => q.section === section && q.applies(ctx)));
    } catch (e) {
      if (!(e instanceof WizardBack)) throw e;
      await confirmQuit(ctx);
      continue;
    }
    if (choice.action === 'write') return { answers: finalAnswers(ctx), outDir: currentOutDir(ctx) };
    if (choice.action === 'cancel') throw new WizardQuit();
    if (choice.action === 'full') {
      ctx.fullTable = true;
      continue;
    }
    const section: Section = choice.section;
    const first = QUESTIONS.findIndex((q) => q.section === section);
    const last = QUESTIONS.map((q) => q.section).lastIndexOf(section);
    await ask(ctx, first, last + 1, true);
  }
}

/** Every answer, resolved (so that a layer underneath, such as an answers file, cannot bring back a value the wizard replaced). */
function finalAnswers(ctx: WizardContext): Answers {
  const now = currentAnswers(ctx);
  return mergeAnswers(specToAnswers(resolveSpec(now).spec), now);
}

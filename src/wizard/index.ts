/**
 * The interactive wizard: asks only what the chosen architecture needs (skipping what flags or an
 * answers file already said), shows the design, and returns the answers for the same pipeline
 * the flags drive. One file per step under steps/, a shared context (context.ts).
 */
import type { Answers } from '../answers/types.js';
import { currentAnswers, type WizardContext } from './context.js';
import { WizardCancelled } from './prompts.js';
import { review, type Section } from './review.js';
import { askArchitecture } from './steps/architecture.js';
import { askNames } from './steps/names.js';
import { askNetwork } from './steps/network.js';
import { askOutput } from './steps/output.js';
import { askSize } from './steps/size.js';
import { askSshKeys } from './steps/ssh.js';
import { askUpdates } from './steps/updates.js';

export { WizardCancelled, terminalPrompts, type Prompts } from './prompts.js';
export type { WizardContext } from './context.js';

const STEPS: Record<Section, (ctx: WizardContext, again: boolean) => Promise<void>> = {
  architecture: async (ctx, again) => {
    await askArchitecture(ctx, again);
    await askSize(ctx);
  },
  network: (ctx) => askNetwork(ctx),
  names: (ctx) => askNames(ctx),
  ssh: (ctx) => askSshKeys(ctx),
  updates: (ctx) => askUpdates(ctx),
  output: (ctx) => askOutput(ctx),
};

/** Forgets the collected answers of a section so its questions are asked again. */
function reopen(ctx: WizardContext, section: Section): void {
  const a = ctx.answers as Record<string, unknown>;
  if (section === 'network') delete a.network;
  if (section === 'names') {
    delete a.name;
    delete a.namePrefix;
  }
  if (section === 'ssh') delete a.ssh;
  if (section === 'updates') delete a.updates;
}

export interface WizardResult {
  answers: Answers;
  outDir: string;
}

export async function runWizard(ctx: WizardContext, color: boolean): Promise<WizardResult> {
  for (const section of Object.keys(STEPS) as Section[]) await STEPS[section](ctx, false);
  for (;;) {
    const choice = await review(ctx, color);
    if (choice.action === 'write') return { answers: currentAnswers(ctx), outDir: ctx.outDir! };
    if (choice.action === 'cancel') throw new WizardCancelled();
    reopen(ctx, choice.section);
    await STEPS[choice.section](ctx, true);
  }
}

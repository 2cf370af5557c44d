/** The wizard with scripted answers: a context with a home holding one public key, and what it printed. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Answers } from '../../src/answers/types.js';
import type { WizardContext } from '../../src/wizard/index.js';
import { DONE } from '../../src/wizard/steps/ssh.js';
import { scriptedPrompts } from './scripted-prompts.js';
import { tempDirs } from './tmp.js';

export const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMx7q3Yd0o8Q2pZk1v4cHqR9Wn6yT2eLbF5sJgKaPuXr ops@bastion';
const tmp = tempDirs('wizard-ctx-');
const home = tmp();
mkdirSync(join(home, '.ssh'));
writeFileSync(join(home, '.ssh', 'id_ed25519.pub'), KEY + '\n');

export function context(script: unknown[], given: Answers = {}, outDir?: string, extra: Partial<WizardContext> = {}) {
  const prompts = scriptedPrompts(script);
  const printed: string[] = [];
  const ctx: WizardContext = { given, answers: {}, prompts, print: (t) => printed.push(t), home, cwd: tmp(), columns: 100, outGiven: outDir !== undefined, outDir, ...extra };
  return { ctx, prompts, printed: () => printed.join('') };
}

/** No key: the found one toggled off, Done, then yes to going on without. */
export const NO_KEY = [KEY, DONE, true];

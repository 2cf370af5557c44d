/**
 * Generating into an existing non-empty DIR without --force: in a terminal, show what would change
 * (a coloured diff summary, src/write/diff.ts) and ask; scripts (no terminal, --json) still need
 * --force (the caller refuses with one line, as before).
 */
import { statSync } from 'node:fs';
import { relative } from 'node:path';
import type { GenerateIo } from './generate.js';
import { diffDir, formatDiff, isEmptyDiff } from '../write/diff.js';
import { EXIT } from './errors.js';

/** The generate command's I/O; `prompts` are injected questions (tests), else the terminal's (inquirer, loaded only then). */
export type ReplaceIo = Pick<GenerateIo, 'cwd' | 'stdout' | 'stderr' | 'interactive' | 'color' | 'prompts'>;

/** Whether to show the diff and ask rather than refuse: a terminal (or injected prompts), no --json, DIR a directory. */
export function canAskToReplace(dir: string, flags: { json?: boolean; stdout?: boolean; dryRun?: boolean }, io: ReplaceIo): boolean {
  if (flags.json || flags.stdout || flags.dryRun) return false;
  if (!io.interactive && !io.prompts) return false;
  try {
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
}

async function confirm(io: ReplaceIo, message: string): Promise<boolean | undefined> {
  if (io.prompts) {
    try {
      return await io.prompts.confirm({ message, default: false });
    } catch (e) {
      if ((e as Error)?.name === 'WizardCancelled') return undefined;
      throw e;
    }
  }
  const { confirm: ask } = await import('@inquirer/prompts');
  try {
    return await ask({ message, default: false });
  } catch (e) {
    const name = (e as Error)?.name;
    if (name === 'ExitPromptError' || name === 'AbortPromptError' || name === 'CancelPromptError') return undefined;
    throw e;
  }
}

/**
 * Shows what writing `files` into DIR would change and asks. Undefined: go on and write (replacing
 * DIR); a number: the exit code (nothing written).
 */
export async function askToReplace(dir: string, files: readonly { name: string; contents: string }[], io: ReplaceIo, color: boolean): Promise<number | undefined> {
  const shown = relative(io.cwd, dir) || '.';
  const diff = diffDir(dir, files);
  if (isEmptyDiff(diff)) {
    io.stdout(`${shown}/ already holds exactly these files: nothing to write.\n`);
    return EXIT.ok;
  }
  io.stdout(formatDiff(diff, shown, { color }));
  const yes = await confirm(io, `Replace ${shown}/ with these files?`);
  if (!yes) {
    io.stderr('Cancelled: nothing was written.\n');
    return EXIT.interrupted;
  }
  return undefined;
}

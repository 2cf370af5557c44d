/**
 * Generating into an existing non-empty DIR without --force: in a terminal, show what would change
 * (one line per file with its line counts, kept short enough that the header stays on screen with
 * the question) and ask: no (exit 1, the default), yes, or show the full diff (src/write/diff.ts)
 * and ask again. Ctrl-C: exit 130. Scripts (no terminal, --json) still need --force (the caller
 * refuses with one line, as before).
 */
import { readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { colors } from '../io/color.js';
import type { GenerateIo } from './generate.js';
import { diffDir, formatDiff, isEmptyDiff, type DirDiff } from '../write/diff.js';
import { EXIT, Stopped } from './errors.js';
import { visible, wrap } from '../wizard/text.js';

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

const NO = 'no';
const YES = 'yes';
const FULL = 'full';

/** Asks "Replace DIR/?": no (default), yes, or show the full diff. Undefined: interrupted (Ctrl-C). */
async function choose(io: ReplaceIo, message: string, shown: string): Promise<string | undefined> {
  const choices = [
    { name: 'No: write nothing', value: NO },
    { name: `Yes: replace ${shown}/`, value: YES },
    { name: 'Show the full diff', value: FULL },
  ];
  if (io.prompts) {
    try {
      return await io.prompts.select({ message, choices, default: NO });
    } catch (e) {
      if ((e as Error)?.name === 'WizardCancelled') return undefined;
      if ((e as Error)?.name === 'WizardBack') return NO;
      throw e;
    }
  }
  const { select } = await import('@inquirer/prompts');
  try {
    return await select({ message, choices, default: NO });
  } catch (e) {
    const name = (e as Error)?.name;
    if (name === 'ExitPromptError' || name === 'AbortPromptError' || name === 'CancelPromptError') return undefined;
    throw e;
  }
}

const lineCount = (text: string): number => (text === '' ? 0 : text.split('\n').length - (text.endsWith('\n') ? 1 : 0));

/**
 * One line per file: added and removed with their line counts, changed with the lines added and
 * removed; as many as fit above the question (`rows`), then how many more.
 */
export function formatSummary(d: DirDiff, dir: string, files: readonly { name: string; contents: string }[], shown: string, rows: number, color: boolean, columns = 80): string {
  const c = colors(color);
  const n = (k: number, what: string) => `${k} ${what}${k === 1 ? '' : 's'}`;
  const byName = new Map(files.map((f) => [f.name, f.contents]));
  const entries: string[] = [
    ...d.added.map((name) => c.green(`+ ${name} (new, ${n(lineCount(byName.get(name) ?? ''), 'line')})`)),
    ...d.removed.map((name) => {
      let lines = 0;
      try {
        lines = lineCount(readFileSync(join(dir, name), 'utf8'));
      } catch {
        // unreadable: no count
      }
      return c.red(`- ${name} (removed, ${n(lines, 'line')})`);
    }),
    ...d.changed.map((f) => {
      if (f.binary) return c.yellow(`~ ${f.name} (binary, changed)`);
      const plus = f.lines.filter((l) => l[0] === '+').length;
      const minus = f.lines.filter((l) => l[0] === '-').length;
      return c.yellow(`~ ${f.name} (+${plus} -${minus} lines)`);
    }),
  ];
  const head = wrap(
    `${shown}/ would change: ${n(d.added.length, 'file')} added, ${n(d.removed.length, 'file')} removed, ${n(d.changed.length, 'file')} changed, ${d.unchanged} unchanged`,
    columns,
  );
  // The header, the list and the question (its line, 3 choices and the key hint) stay on one screen.
  const lines = (t: string) => Math.max(1, Math.ceil(visible(t) / columns));
  let room = Math.max(3, rows - head.split('\n').length - 7);
  while (room > 3 && entries.slice(0, room).reduce((k, e) => k + lines(e), 0) > room) room--;
  const list =
    entries.length > room ? [...entries.slice(0, room - 1), c.dim(`  … and ${n(entries.length - room + 1, 'more file')} (Show the full diff lists every change)`)] : entries;
  return [c.bold(head), ...list].join('\n') + '\n';
}

/**
 * Shows what writing `files` into DIR would change and asks. Undefined: go on and write (replacing
 * DIR); a number: the exit code (nothing to write). No and Ctrl-C throw Stopped (nothing written).
 */
export async function askToReplace(dir: string, files: readonly { name: string; contents: string }[], io: ReplaceIo, color: boolean): Promise<number | undefined> {
  const shown = relative(io.cwd, dir) || '.';
  // Per-file counts need every changed line; the full diff is printed only when asked for.
  const full = diffDir(dir, files, { linesPerFile: Number.MAX_SAFE_INTEGER });
  if (isEmptyDiff(full)) {
    io.stdout(`${shown}/ already holds exactly these files: nothing to write.\n`);
    return EXIT.ok;
  }
  const rows = process.stdout.rows ?? 24;
  for (;;) {
    io.stdout(formatSummary(full, dir, files, shown, rows, color, process.stdout.columns ?? 80));
    const answer = await choose(io, `Replace ${shown}/ with these files?`, shown);
    if (answer === FULL) {
      io.stdout(formatDiff(full, shown, { color, maxFiles: Number.MAX_SAFE_INTEGER }));
      continue;
    }
    if (answer === YES) return undefined;
    throw new Stopped(answer === undefined);
  }
}

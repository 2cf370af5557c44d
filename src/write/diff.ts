/**
 * What writing a set of files into an existing directory would change: files added, removed and
 * changed, and for changed text files the changed lines (a unified-style excerpt, capped). Reads the
 * directory; writes nothing. Colours (src/io/color.ts) when asked (plain otherwise: NO_COLOR, --no-color,
 * no terminal).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { colors } from '../io/color.js';

export interface FileChange {
  name: string;
  /** Changed lines: `-old` and `+new` (with a leading ` ` for context), capped. */
  lines: string[];
  /** Changed lines left out by the cap. */
  more: number;
  binary: boolean;
}

export interface DirDiff {
  added: string[];
  removed: string[];
  changed: FileChange[];
  unchanged: number;
}

export interface DiffOptions {
  /** Changed lines shown per file (default 12). */
  linesPerFile?: number;
}

/** Every file below dir, `/`-separated, sorted. */
function listFiles(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...listFiles(dir, rel));
    else out.push(rel);
  }
  return out.sort();
}

/** Lines of a against b as one edit script (LCS; linear fallback for big files), changed lines with 1 line of context. */
function lineChanges(a: string[], b: string[]): string[] {
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const x = a.slice(start, endA);
  const y = b.slice(start, endB);
  const ops: string[] = [];
  if (x.length * y.length > 4_000_000) {
    ops.push(...x.map((l) => `-${l}`), ...y.map((l) => `+${l}`));
  } else {
    // LCS table over the middle part.
    const dp: Uint32Array[] = Array.from({ length: x.length + 1 }, () => new Uint32Array(y.length + 1));
    for (let i = x.length - 1; i >= 0; i--) for (let j = y.length - 1; j >= 0; j--) dp[i]![j] = x[i] === y[j] ? dp[i + 1]![j + 1]! + 1 : Math.max(dp[i + 1]![j]!, dp[i]![j + 1]!);
    let i = 0;
    let j = 0;
    while (i < x.length || j < y.length) {
      if (i < x.length && j < y.length && x[i] === y[j]) {
        ops.push(` ${x[i]}`);
        i++;
        j++;
      } else if (i < x.length && (j >= y.length || dp[i + 1]![j]! >= dp[i]![j + 1]!)) ops.push(`-${x[i++]}`);
      else ops.push(`+${y[j++]}`);
    }
  }
  // Keep changed lines and one line of context around each run.
  const keep = ops.map((op, k) => op[0] !== ' ' || ops[k - 1]?.[0] === '-' || ops[k - 1]?.[0] === '+' || ops[k + 1]?.[0] === '-' || ops[k + 1]?.[0] === '+');
  const out: string[] = [];
  let gap = false;
  ops.forEach((op, k) => {
    if (keep[k]) {
      if (gap && out.length) out.push('@@');
      out.push(op);
      gap = false;
    } else gap = true;
  });
  return out;
}

const isBinary = (text: string): boolean => text.includes('\u0000');

/** The changes that writing `files` into `dir` (an existing directory) would make. */
export function diffDir(dir: string, files: readonly { name: string; contents: string }[], options: DiffOptions = {}): DirDiff {
  const cap = options.linesPerFile ?? 12;
  const existing = new Set(statSync(dir).isDirectory() ? listFiles(dir) : []);
  const diff: DirDiff = { added: [], removed: [], changed: [], unchanged: 0 };
  for (const f of files) {
    if (!existing.has(f.name)) {
      diff.added.push(f.name);
      continue;
    }
    existing.delete(f.name);
    const old = readFileSync(join(dir, f.name), 'utf8');
    if (old === f.contents) {
      diff.unchanged++;
      continue;
    }
    if (isBinary(old) || isBinary(f.contents)) {
      diff.changed.push({ name: f.name, lines: [], more: 0, binary: true });
      continue;
    }
    const all = lineChanges(old.split('\n'), f.contents.split('\n'));
    const shown = all.slice(0, cap);
    const more = all.slice(cap).filter((l) => l[0] === '-' || l[0] === '+').length;
    diff.changed.push({ name: f.name, lines: shown, more, binary: false });
  }
  diff.removed = [...existing].sort();
  diff.added.sort();
  return diff;
}

export const isEmptyDiff = (d: DirDiff): boolean => !d.added.length && !d.removed.length && !d.changed.length;

/** The diff as text: a summary line, then `+ added`, `- removed`, `~ changed` with their lines. */
export function formatDiff(d: DirDiff, shownDir: string, options: { color: boolean; maxFiles?: number }): string {
  const c = colors(options.color);
  const maxFiles = options.maxFiles ?? 20;
  const n = (k: number, what: string) => `${k} ${what}${k === 1 ? '' : 's'}`;
  const out = [
    c.bold(
      `${shownDir}/ would change: ${n(d.added.length, 'file')} added, ${n(d.removed.length, 'file')} removed, ${n(d.changed.length, 'file')} changed, ${d.unchanged} unchanged`,
    ),
  ];
  const list = (names: string[], mark: string, paint: (s: string) => string) => {
    for (const name of names.slice(0, maxFiles)) out.push(paint(`${mark} ${name}`));
    if (names.length > maxFiles) out.push(paint(`${mark} ... and ${names.length - maxFiles} more`));
  };
  list(d.added, '+', c.green);
  list(d.removed, '-', c.red);
  for (const f of d.changed.slice(0, maxFiles)) {
    out.push(c.yellow(`~ ${f.name}${f.binary ? ' (binary)' : ''}`));
    for (const l of f.lines) {
      out.push(l === '@@' ? c.cyan('    @@') : l[0] === '+' ? c.green(`    ${l}`) : l[0] === '-' ? c.red(`    ${l}`) : c.dim(`    ${l}`));
    }
    if (f.more) out.push(c.dim(`    ... ${n(f.more, 'more changed line')}`));
  }
  if (d.changed.length > maxFiles) out.push(c.yellow(`~ ... and ${d.changed.length - maxFiles} more`));
  return out.join('\n') + '\n';
}

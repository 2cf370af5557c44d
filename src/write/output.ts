/**
 * Writing a generated cluster: all files go into a fresh temporary directory next to DIR, which is
 * then renamed to DIR. A failed run leaves nothing behind; an existing non-empty DIR is replaced
 * only with `force`, and only once the new one is complete.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

export interface OutputFile {
  name: string;
  contents: string;
  mode?: number;
}

/** DIR cannot be written (exists and is not empty without force, or is not a directory). */
export class OutputExistsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OutputExistsError';
  }
}

function isEmptyDir(path: string): boolean {
  return statSync(path).isDirectory() && readdirSync(path).length === 0;
}

/** Refuses DIR unless it is absent or empty, or `force` is set; call before any work is done. */
export function checkOutputDir(dir: string, force: boolean): void {
  if (!existsSync(dir)) return;
  if (!statSync(dir).isDirectory()) throw new OutputExistsError(`${dir} exists and is not a directory`);
  if (!force && !isEmptyDir(dir)) throw new OutputExistsError(`${dir} exists and is not empty; use --force to replace it`);
}

export function writeOutputDir(dir: string, files: OutputFile[], options: { force?: boolean } = {}): void {
  const target = resolve(dir);
  checkOutputDir(target, options.force ?? false);
  const parent = dirname(target);
  mkdirSync(parent, { recursive: true });
  const staging = mkdtempSync(join(parent, `.${basename(target)}.new-`));
  let old: string | undefined;
  try {
    chmodSync(staging, 0o755);
    for (const f of files) {
      if (f.name.includes('/') || f.name.startsWith('.')) throw new Error(`internal: bad output file name ${f.name}`);
      writeFileSync(join(staging, f.name), f.contents, { mode: f.mode ?? 0o644, flag: 'wx' });
    }
    if (existsSync(target)) {
      old = `${staging.replace(/\.new-([^/]*)$/, '.old-$1')}`;
      renameSync(target, old);
    }
    try {
      renameSync(staging, target);
    } catch (e) {
      if (old) renameSync(old, target);
      old = undefined;
      throw e;
    }
  } catch (e) {
    rmSync(staging, { recursive: true, force: true });
    throw e;
  }
  if (old) rmSync(old, { recursive: true, force: true });
}

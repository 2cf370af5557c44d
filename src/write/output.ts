/**
 * Writing a generated cluster: all files go into a fresh temporary directory next to DIR, which is
 * then renamed to DIR. A failed run leaves nothing behind; an existing non-empty DIR is replaced
 * only with `force`, and only once the new one is complete. Files may be in subdirectories
 * (`pki/etcd/member/x/server-key.pem`); each file gets its own mode (written with it, no window where
 * it is readable by others) and each subdirectory the mode of its top directory in `dirModes`
 * (default 0755).
 */
import { chmodSync, closeSync, existsSync, fsyncSync, mkdirSync, mkdtempSync, openSync, readdirSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

export interface OutputFile {
  /** Path inside DIR, `/`-separated; no `.`/`..` segments or hidden names. */
  name: string;
  contents: string;
  mode?: number;
}

export interface WriteOptions {
  force?: boolean;
  /** Mode of a top-level subdirectory and everything below it, e.g. `{ pki: 0o700 }`. */
  dirModes?: Readonly<Record<string, number>>;
}

const DEFAULT_DIR_MODE = 0o755;
const DEFAULT_FILE_MODE = 0o644;

function checkName(name: string): string[] {
  const parts = name.split('/');
  if (parts.some((p) => p === '' || p.startsWith('.'))) throw new Error(`internal: bad output file name ${name}`);
  return parts;
}

function writeNew(path: string, contents: string, mode: number): void {
  const fd = openSync(path, 'wx', mode);
  try {
    writeSync(fd, Buffer.from(contents, 'utf8'));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  chmodSync(path, mode); // the umask may have taken bits away
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

export function writeOutputDir(dir: string, files: OutputFile[], options: WriteOptions = {}): void {
  const target = resolve(dir);
  checkOutputDir(target, options.force ?? false);
  const parent = dirname(target);
  mkdirSync(parent, { recursive: true });
  const staging = mkdtempSync(join(parent, `.${basename(target)}.new-`));
  let old: string | undefined;
  try {
    chmodSync(staging, DEFAULT_DIR_MODE);
    for (const f of files) {
      const parts = checkName(f.name);
      const dirMode = options.dirModes?.[parts[0]!] ?? DEFAULT_DIR_MODE;
      let d = staging;
      for (const seg of parts.slice(0, -1)) {
        d = join(d, seg);
        if (!existsSync(d)) {
          mkdirSync(d, { mode: dirMode });
          chmodSync(d, dirMode);
        }
      }
      writeNew(join(staging, ...parts), f.contents, f.mode ?? DEFAULT_FILE_MODE);
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

/** The directories of a generated cluster that hold private keys: 0700. */
export const GENERATED_DIR_MODES: Readonly<Record<string, number>> = { pki: 0o700, 'docker-client': 0o700 };

/**
 * Writes a generated cluster (see src/generate.ts) to DIR, with pki/ and docker-client/ 0700. Refuses
 * a preview (rendered without the PKI it needs): its stand-in certificates cannot work.
 */
export function writeGenerated(dir: string, result: { files: OutputFile[]; preview: boolean }, options: { force?: boolean } = {}): void {
  if (result.preview) throw new Error('internal: a preview (rendered without its PKI) cannot be written; use generateCluster');
  writeOutputDir(dir, result.files, { ...options, dirModes: GENERATED_DIR_MODES });
}

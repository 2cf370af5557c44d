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
  /** Files to fsync (see StagedOutput); default none. */
  sync?: (name: string) => boolean;
}

const DEFAULT_DIR_MODE = 0o755;
const DEFAULT_FILE_MODE = 0o644;

function checkName(name: string): string[] {
  const parts = name.split('/');
  if (parts.some((p) => p === '' || p.startsWith('.'))) throw new Error(`internal: bad output file name ${name}`);
  return parts;
}

function writeNew(path: string, contents: string, mode: number, sync: boolean): void {
  const fd = openSync(path, 'wx', mode);
  try {
    writeSync(fd, contents);
    if (sync) fsyncSync(fd);
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

/**
 * Durability: what makes the output safe for readers is the rename of the whole staging directory:
 * a reader (or a later run) sees the old DIR or the complete new one, never a half-written one.
 * Files are not fsynced (one fsync per file cost more than everything else put together for a large
 * cluster, and a few still doubled a small run's time): like `cp` or `tar`, the data reaches the disk
 * when the kernel writes it back, normally within seconds. A power loss in that window can leave a
 * just-written DIR with empty files; write it again (generating is repeatable: --answers
 * DIR/cluster.yaml --force, and --pki for the CA if it survived). Callers that want more pass `sync`:
 * those files are fsynced, and the parent directory after the rename.
 */
export class StagedOutput {
  readonly target: string;
  private readonly staging: string;
  private readonly made = new Set<string>();
  private done = false;

  constructor(
    dir: string,
    private readonly options: WriteOptions = {},
  ) {
    this.target = resolve(dir);
    checkOutputDir(this.target, options.force ?? false);
    const parent = dirname(this.target);
    mkdirSync(parent, { recursive: true });
    this.staging = mkdtempSync(join(parent, `.${basename(this.target)}.new-`));
    chmodSync(this.staging, DEFAULT_DIR_MODE);
  }

  /** Writes one file into the staging directory (a name may be written once). */
  add(f: OutputFile): void {
    if (this.done) throw new Error('internal: the output directory is already complete');
    const parts = checkName(f.name);
    const dirMode = this.options.dirModes?.[parts[0]!] ?? DEFAULT_DIR_MODE;
    let d = this.staging;
    for (const seg of parts.slice(0, -1)) {
      d = join(d, seg);
      if (!this.made.has(d)) {
        this.made.add(d);
        if (!existsSync(d)) {
          mkdirSync(d, { mode: dirMode });
          chmodSync(d, dirMode);
        }
      }
    }
    writeNew(join(this.staging, ...parts), f.contents, f.mode ?? DEFAULT_FILE_MODE, this.options.sync?.(f.name) ?? false);
  }

  /** Puts the complete directory in DIR's place (an existing DIR only with `force`). */
  commit(): void {
    this.done = true;
    const target = this.target;
    let old: string | undefined;
    try {
      if (existsSync(target)) {
        if (!this.options.force && !isEmptyDir(target)) throw new OutputExistsError(`${target} exists and is not empty; use --force to replace it`);
        old = `${this.staging.replace(/\.new-([^/]*)$/, '.old-$1')}`;
        renameSync(target, old);
      }
      try {
        renameSync(this.staging, target);
      } catch (e) {
        if (old) renameSync(old, target);
        old = undefined;
        throw e;
      }
    } catch (e) {
      rmSync(this.staging, { recursive: true, force: true });
      throw e;
    }
    if (this.options.sync) syncDir(dirname(target));
    if (old) rmSync(old, { recursive: true, force: true });
  }

  /** Removes the staging directory; DIR is untouched. */
  abort(): void {
    this.done = true;
    rmSync(this.staging, { recursive: true, force: true });
  }
}

function syncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Some file systems cannot fsync a directory; the rename has happened either way.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

export function writeOutputDir(dir: string, files: Iterable<OutputFile>, options: WriteOptions = {}): void {
  const out = new StagedOutput(dir, options);
  try {
    for (const f of files) out.add(f);
  } catch (e) {
    out.abort();
    throw e;
  }
  out.commit();
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

/**
 * Writing a generated cluster: all files go into a fresh temporary directory next to DIR, which is
 * then renamed to DIR. A failed run leaves nothing behind; an existing non-empty DIR is replaced
 * only with `force`, and only once the new one is complete. Files may be in subdirectories
 * (`pki/etcd/member/x/server-key.pem`); each file gets its own mode (written with it, no window where
 * it is readable by others) and each subdirectory the mode of its top directory in `dirModes`
 * (default 0755).
 */
import {
  chmodSync,
  closeSync,
  cpSync,
  existsSync,
  fsyncSync,
  linkSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';

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

/** DIR holds something this tool did not write (no cluster.yaml of ours): never replaced, --force or not. */
export class ForeignDirError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ForeignDirError';
  }
}

/** Another run holds DIR's lock. */
export class OutputLockedError extends Error {
  constructor(
    message: string,
    readonly pid: number,
  ) {
    super(message);
    this.name = 'OutputLockedError';
  }
}

function isEmptyDir(path: string): boolean {
  return statSync(path).isDirectory() && readdirSync(path).length === 0;
}

/** What a directory must look like for this tool to replace it. */
export type OutputKind = 'cluster' | 'matchbox';

const ANSWERS_HEADER = '# flatcar-architect answers';

/** A directory this tool wrote: a cluster (cluster.yaml with our header) or a Matchbox tree (only groups/ profiles/ ignition/). */
export function isToolOutput(dir: string, kind: OutputKind): boolean {
  try {
    if (kind === 'matchbox') {
      return readdirSync(dir, { withFileTypes: true }).every((e) => e.isDirectory() && ['groups', 'profiles', 'ignition'].includes(e.name));
    }
    const file = join(dir, 'cluster.yaml');
    if (!lstatSync(file).isFile()) return false;
    const fd = openSync(file, 'r');
    try {
      const head = Buffer.alloc(ANSWERS_HEADER.length);
      readSync(fd, head, 0, head.length, 0);
      return head.toString('utf8') === ANSWERS_HEADER;
    } finally {
      closeSync(fd);
    }
  } catch {
    return false;
  }
}

/**
 * `--out` (or `--matchbox`) as the directory to write: a symbolic link is followed (the directory it
 * points to is replaced, atomically, and the link stays); a link to nothing is refused.
 */
export function resolveOutputDir(dir: string): string {
  const abs = resolve(dir);
  let st;
  try {
    st = lstatSync(abs);
  } catch {
    return abs;
  }
  if (!st.isSymbolicLink()) return abs;
  try {
    return realpathSync(abs);
  } catch {
    throw new OutputExistsError(`${dir} is a symbolic link to a missing directory; create its target or give the directory itself`);
  }
}

/** Refuses DIR unless it is absent or empty, or (with `force`) a directory this tool wrote; call before any work is done. */
export function checkOutputDir(dir: string, force: boolean, kind: OutputKind = 'cluster'): void {
  if (!existsSync(dir)) return;
  if (!statSync(dir).isDirectory()) throw new OutputExistsError(`${dir} exists and is not a directory`);
  if (isEmptyDir(dir)) return;
  if (!isToolOutput(dir, kind)) {
    const what = kind === 'cluster' ? 'no cluster.yaml written by it' : 'it holds more than groups/, profiles/ and ignition/';
    throw new ForeignDirError(`${dir} is not empty and not an output of flatcar-architect (${what}); it is never replaced, even with --force: choose a new or empty directory`);
  }
  if (!force) throw new OutputExistsError(`${dir} exists and is not empty; use --force to replace it`);
}

/** The real path of `p`: its longest existing prefix with every symbolic link resolved, and the rest. */
function canonical(p: string): string {
  let head = resolve(p);
  const rest: string[] = [];
  for (;;) {
    try {
      return join(realpathSync(head), ...rest);
    } catch {
      const up = dirname(head);
      if (up === head) return resolve(p);
      rest.unshift(basename(head));
      head = up;
    }
  }
}

/** `--matchbox` equal to, inside, or around the output directory: one would destroy the other. */
export function overlaps(a: string, b: string): boolean {
  const ra = canonical(a);
  const rb = canonical(b);
  const inside = (x: string, y: string) => x === y || x.startsWith(y.endsWith(sep) ? y : y + sep);
  return inside(ra, rb) || inside(rb, ra);
}

// ---------------------------------------------------------------------------------------------
// Test-only pause points (FLATCAR_ARCHITECT_TEST_PAUSE_AT=<point>, FLATCAR_ARCHITECT_TEST_PAUSE_FILE=
// <marker>): at the point the run writes the marker and waits until it is removed. The fault-injection
// tests (test/cli/faults.test.ts) kill or signal the run while it waits, instead of relying on timing.

export type PausePoint = 'staging' | 'before-commit' | 'between-renames' | 'after-commit' | 'rollback-between-renames' | 'lock-takeover';

/** The points named (comma-separated: a run can pause at several, one after the other). */
function pauseWanted(point: PausePoint): string | undefined {
  if (!(process.env.FLATCAR_ARCHITECT_TEST_PAUSE_AT ?? '').split(',').includes(point)) return undefined;
  const file = process.env.FLATCAR_ARCHITECT_TEST_PAUSE_FILE;
  if (!file) return undefined;
  writeFileSync(file, `${point} ${process.pid}\n`);
  return file;
}

/** Pauses synchronously (signals are handled once the run goes on). */
export function testPause(point: PausePoint): void {
  const file = pauseWanted(point);
  if (!file) return;
  const cell = new Int32Array(new SharedArrayBuffer(4));
  while (existsSync(file)) Atomics.wait(cell, 0, 0, 10);
}

/** Pauses without blocking the event loop: signals are handled while it waits. */
export async function testPauseAsync(point: PausePoint): Promise<void> {
  const file = pauseWanted(point);
  if (!file) return;
  while (existsSync(file)) await new Promise((r) => setTimeout(r, 10));
}

// ---------------------------------------------------------------------------------------------
// The lock: `.<DIR>.lock` beside DIR, holding the pid of the run that writes DIR, for the whole run.

function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const held = new Map<string, number>();

/** The lock file of DIR. */
export const lockPath = (target: string): string => join(dirname(target), `.${basename(target)}.lock`);

/**
 * Takes DIR's lock (re-entrant within this process). A lock of a dead process is taken over; one of
 * a live process is an OutputLockedError naming it. Returns the release function.
 */
export function lockDir(dir: string): () => void {
  const target = resolve(dir);
  const file = lockPath(target);
  const count = held.get(file);
  const release = () => {
    const n = held.get(file) ?? 0;
    if (n > 1) held.set(file, n - 1);
    else if (n === 1) {
      held.delete(file);
      forget(unlockers, release);
      try {
        if (readFileSync(file, 'utf8').trim() === String(process.pid)) unlinkSync(file);
      } catch {
        // gone already
      }
    }
  };
  if (count !== undefined) {
    held.set(file, count + 1);
    return release;
  }
  mkdirSync(dirname(target), { recursive: true });
  removeDeadLockHelpers(file);
  for (let attempt = 0; ; attempt++) {
    if (createLock(file)) {
      held.set(file, 1);
      unlockers.add(release);
      installSignalCleanup();
      return release;
    }
    if (attempt >= 3) throw new OutputLockedError(`${target} is being written by another flatcar-architect run (lock ${file}); wait for it to finish`, NaN);
    let seen: string;
    try {
      seen = readFileSync(file, 'utf8');
    } catch {
      continue; // removed meanwhile: try again
    }
    const pid = Number(seen.trim());
    if (pidAlive(pid) && pid !== process.pid) {
      throw new OutputLockedError(`${target} is being written by another flatcar-architect run (pid ${pid}, lock ${file}); wait for it to finish`, pid);
    }
    testPause('lock-takeover');
    takeOver(file, seen, target);
  }
}

/**
 * Creates the lock file with our pid in it, all at once: written beside it, then hard-linked into
 * place (a link fails if the name exists), so no other run ever reads a lock file still empty. Where
 * the file system has no hard links, an exclusive create.
 */
function createLock(file: string): boolean {
  const mine = `${file}.${process.pid}.tmp`;
  writeFileSync(mine, `${process.pid}\n`, { mode: 0o644 });
  try {
    linkSync(mine, file);
    return true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS' && code !== 'EOPNOTSUPP') throw e;
  } finally {
    rmSync(mine, { force: true });
  }
  try {
    const fd = openSync(file, 'wx', 0o644);
    try {
      writeSync(fd, `${process.pid}\n`);
    } finally {
      closeSync(fd);
    }
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
}

/**
 * Takes a dead run's lock away. Two runs may find the same dead lock at once: each moves the lock
 * file to a name of its own (one rename wins, the other finds nothing), and a run that moved a lock
 * other than the dead one it read (the winner's new lock) puts it back and stops as locked out.
 */
function takeOver(file: string, seen: string, target: string): void {
  const aside = `${file}.${process.pid}.stale`;
  try {
    renameSync(file, aside);
  } catch {
    return; // gone meanwhile: try again
  }
  let moved = '';
  try {
    moved = readFileSync(aside, 'utf8');
  } catch {
    // unreadable: treated as not the one seen
  }
  if (moved === seen) {
    rmSync(aside, { force: true });
    return;
  }
  try {
    linkSync(aside, file);
  } finally {
    rmSync(aside, { force: true });
  }
  const pid = Number(moved.trim());
  throw new OutputLockedError(`${target} is being written by another flatcar-architect run (pid ${pid}, lock ${file}); wait for it to finish`, pid);
}

/** The `.DIR.lock.<pid>.tmp`/`.stale` files a run killed while taking the lock left behind. */
function removeDeadLockHelpers(file: string): void {
  const re = new RegExp(`^${escapeRe(basename(file))}\\.(\\d+)\\.(tmp|stale)$`);
  let entries: string[];
  try {
    entries = readdirSync(dirname(file));
  } catch {
    return;
  }
  for (const e of entries) {
    const m = re.exec(e);
    if (m && Number(m[1]) !== process.pid && !pidAlive(Number(m[1]))) rmSync(join(dirname(file), e), { force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Signals: while a staging directory or a lock exists, SIGINT, SIGTERM and SIGHUP remove them and end
// the run (128 + the signal's number); kill -9 cannot be caught: the next run cleans up (recoverDir).

const stagings = new Set<() => void>();
const unlockers = new Set<() => void>();
let signalsInstalled = false;
const SIGNALS: Record<string, number> = { SIGINT: 2, SIGTERM: 15, SIGHUP: 1 };

const handlers = new Map<string, () => void>();

/** Handlers are there only while something is held (a library caller's process keeps its own behaviour otherwise). */
function forget(set: Set<() => void>, f: () => void): void {
  set.delete(f);
  if (signalsInstalled && stagings.size === 0 && unlockers.size === 0) {
    for (const [sig, h] of handlers) process.removeListener(sig, h);
    handlers.clear();
    signalsInstalled = false;
  }
}

function installSignalCleanup(): void {
  if (signalsInstalled) return;
  signalsInstalled = true;
  for (const [sig, num] of Object.entries(SIGNALS)) {
    handlers.set(sig, onSignal);
    process.on(sig, onSignal);
    function onSignal(): void {
      const had = stagings.size > 0;
      for (const f of [...stagings]) f();
      for (const f of [...unlockers]) f();
      try {
        process.stderr.write(`flatcar-architect: interrupted (${sig})${had ? ': nothing was written' : ''}\n`);
      } catch {
        // stderr closed
      }
      process.exit(128 + num);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Recovery: what an interrupted run (kill -9, power loss) left beside DIR, cleaned up by the next run.

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Under DIR's lock, before anything else: a DIR moved aside by a commit that did not finish (DIR
 * missing, `.DIR.old-*` present) is put back; staging directories (`.DIR.new-<pid>-*`), new trees a
 * rollback had moved aside (`.DIR.new-<pid>-*.rollback`) and old copies of dead runs are removed. Returns one line per thing done, for the user.
 */
export function recoverDir(dir: string): string[] {
  const target = resolve(dir);
  const parent = dirname(target);
  const name = basename(target);
  const re = new RegExp(`^\\.${escapeRe(name)}\\.(new|old)-(?:(\\d+)-)?[A-Za-z0-9]{6}(\\.rollback)?$`);
  let entries: string[];
  try {
    entries = readdirSync(parent);
  } catch {
    return [];
  }
  const found = entries
    .map((e) => ({ e, m: re.exec(e) }))
    // A legacy name (no pid) or the name of a process that is gone; never one of a live run.
    .filter((x) => x.m !== null && (x.m[2] === undefined || (Number(x.m[2]) !== process.pid && !pidAlive(Number(x.m[2])))))
    .map((x) => ({
      path: join(parent, x.e),
      kind: (x.m![3] ? 'rollback' : x.m![1]) as 'new' | 'old' | 'rollback',
      pid: x.m![2] ?? 'unknown',
      mtime: safeMtime(join(parent, x.e)),
    }));
  const notes: string[] = [];
  const shown = (p: string) => basename(p);
  if (!existsSync(target)) {
    const olds = found.filter((f) => f.kind === 'old').sort((a, b) => b.mtime - a.mtime);
    if (olds[0]) {
      renameSync(olds[0].path, target);
      notes.push(`recovered ${name}: an interrupted run (pid ${olds[0].pid}) had moved it aside as ${shown(olds[0].path)}; it is back as it was`);
      olds[0].path = '';
    }
  }
  for (const f of found) {
    if (!f.path) continue;
    try {
      rmSync(f.path, { recursive: true, force: true });
      notes.push(
        f.kind === 'new'
          ? `removed ${shown(f.path)}, the unfinished staging directory of an interrupted run (pid ${f.pid})`
          : f.kind === 'rollback'
            ? `removed ${shown(f.path)}, the new ${name} an interrupted run (pid ${f.pid}) was undoing`
            : `removed ${shown(f.path)}, the previous ${name} an earlier run (pid ${f.pid}) replaced but could not remove`,
      );
    } catch (e) {
      notes.push(`could not remove ${f.path} (${(e as Error).message}); remove it by hand: it may hold private keys`);
    }
  }
  return notes;
}

function safeMtime(p: string): number {
  try {
    return statSync(p).mtimeMs;
  } catch {
    return 0;
  }
}

// ---------------------------------------------------------------------------------------------
// Keeping the previous pki/: a run that would lose any file of DIR/pki/ (another CA, fewer
// certificates, no PKI at all) first copies the whole old pki/ to `<DIR>.previous-pki/<time>/` (0700).

/** `<DIR>.previous-pki`: where replaced PKIs are kept. */
export const previousPkiRoot = (target: string): string => join(dirname(target), `${basename(target)}.previous-pki`);

function filesOf(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string, rel: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(p, r);
      else if (e.isFile()) out.set(r, p);
    }
  };
  walk(dir, '');
  return out;
}

/** Copies DIR/pki to the keep place when the new tree would lose any of its files; returns where, or undefined. */
function keepPreviousPki(target: string, staging: string): string | undefined {
  const oldPki = join(target, 'pki');
  let old: Map<string, string>;
  try {
    if (!lstatSync(oldPki).isDirectory()) return undefined;
    old = filesOf(oldPki);
  } catch {
    return undefined;
  }
  if (old.size === 0) return undefined;
  const newPki = join(staging, 'pki');
  let lost = false;
  for (const [rel, p] of old) {
    const q = join(newPki, ...rel.split('/'));
    try {
      if (!readFileSync(p).equals(readFileSync(q))) lost = true;
    } catch {
      lost = true;
    }
    if (lost) break;
  }
  if (!lost) return undefined;
  const root = previousPkiRoot(target);
  mkdirSync(root, { recursive: true, mode: 0o700 });
  chmodSync(root, 0o700);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  let dest = join(root, stamp);
  for (let i = 1; existsSync(dest); i++) dest = join(root, `${stamp}-${i}`);
  const tmp = mkdtempSync(join(root, '.copy-'));
  cpSync(oldPki, join(tmp, 'pki'), { recursive: true, preserveTimestamps: true });
  chmodSync(join(tmp, 'pki'), 0o700);
  renameSync(join(tmp, 'pki'), dest);
  rmSync(tmp, { recursive: true, force: true });
  return dest;
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
 *
 * Safety: DIR is locked from the constructor to commit/abort (see lockDir; a caller may hold the lock
 * longer); leftovers of interrupted runs are recovered first (recoverDir, notes in `notes`); the
 * staging directory `.DIR.new-<pid>-*` is removed on SIGINT/SIGTERM/SIGHUP; a generated cluster's
 * replaced pki/ is kept (keptPki). The commit is two renames (DIR -> .DIR.old-*, staging -> DIR): a
 * crash between them leaves no DIR, and the next run puts the old one back.
 */
export class StagedOutput {
  private aborted = false;
  readonly target: string;
  private readonly staging: string;
  private readonly made = new Set<string>();
  private done = false;
  private old: string | undefined;
  private readonly release: () => void;
  private readonly cleanup = () => this.abort();
  /** What recovery did before this run started (one line each). */
  readonly notes: string[] = [];
  /** Where the replaced pki/ was kept (after swap), if it was. */
  keptPki: string | undefined;
  /** Problems after a successful commit (the old copy could not be removed): warnings, not failures. */
  readonly warnings: string[] = [];

  constructor(
    dir: string,
    private readonly options: WriteOptions & { kind?: OutputKind; keepPki?: boolean } = {},
  ) {
    this.target = resolveOutputDir(dir);
    const parent = dirname(this.target);
    mkdirSync(parent, { recursive: true });
    this.release = lockDir(this.target);
    try {
      this.notes.push(...recoverDir(this.target));
      checkOutputDir(this.target, options.force ?? false, options.kind ?? 'cluster');
      this.staging = mkdtempSync(join(parent, `.${basename(this.target)}.new-${process.pid}-`));
      stagings.add(this.cleanup);
      installSignalCleanup();
      chmodSync(this.staging, DEFAULT_DIR_MODE);
    } catch (e) {
      this.release();
      throw e;
    }
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

  /**
   * First half of the commit: the complete directory takes DIR's place; the old DIR is kept aside
   * (`.DIR.old-*`) until finish() (or put back by rollback()).
   */
  swap(): void {
    if (this.done) throw new Error('internal: the output directory is already complete');
    this.done = true;
    const target = this.target;
    try {
      if (existsSync(target)) {
        checkOutputDir(target, this.options.force ?? false, this.options.kind ?? 'cluster');
        if (this.options.keepPki) this.keptPki = keepPreviousPki(target, this.staging);
        const old = this.staging.replace(/\.new-([^/]*)$/, '.old-$1');
        renameSync(target, old);
        this.old = old;
        testPause('between-renames');
      }
      try {
        renameSync(this.staging, target);
      } catch (e) {
        if (this.old) renameSync(this.old, target);
        this.old = undefined;
        throw e;
      }
    } catch (e) {
      this.abort();
      throw e;
    }
    forget(stagings, this.cleanup);
    if (this.options.sync) syncDir(dirname(target));
  }

  /** Undoes swap(): the old DIR (or no DIR) again; the new tree is removed. */
  rollback(): void {
    const target = this.target;
    const aside = `${this.staging}.rollback`;
    renameSync(target, aside);
    testPause('rollback-between-renames');
    if (this.old) renameSync(this.old, target);
    this.old = undefined;
    rmSync(aside, { recursive: true, force: true });
    this.release();
  }

  /** Second half of the commit: removes the old DIR; a failure is a warning (the new DIR is in place). */
  finish(): void {
    testPause('after-commit');
    if (this.old) {
      try {
        // Test-only: a removal that fails (the fault-injection tests; root can remove anything else).
        if (process.env.FLATCAR_ARCHITECT_TEST_FAIL_AT === 'remove-old') throw new Error('EBUSY: test-injected failure');
        rmSync(this.old, { recursive: true, force: true });
      } catch (e) {
        this.warnings.push(`could not remove ${this.old}, the previous ${basename(this.target)} (${(e as Error).message}); the next run removes it`);
      }
      this.old = undefined;
    }
    this.release();
  }

  /** Puts the complete directory in DIR's place (an existing DIR only with `force`). */
  commit(): void {
    this.swap();
    this.finish();
  }

  /** Removes the staging directory; DIR is untouched. */
  abort(): void {
    // Once only: a failed swap aborts, and its caller may abort again (the lock is released once).
    if (this.aborted) return;
    this.aborted = true;
    this.done = true;
    forget(stagings, this.cleanup);
    rmSync(this.staging, { recursive: true, force: true });
    this.release();
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

export function writeOutputDir(dir: string, files: Iterable<OutputFile>, options: WriteOptions & { kind?: OutputKind; keepPki?: boolean } = {}): StagedOutput {
  const out = new StagedOutput(dir, options);
  try {
    for (const f of files) out.add(f);
  } catch (e) {
    out.abort();
    throw e;
  }
  out.commit();
  return out;
}

/** The directories of a generated cluster that hold private keys: 0700. */
export const GENERATED_DIR_MODES: Readonly<Record<string, number>> = { pki: 0o700, 'docker-client': 0o700 };

/**
 * Writes a generated cluster (see src/generate.ts) to DIR, with pki/ and docker-client/ 0700. Refuses
 * a preview (rendered without the PKI it needs): its stand-in certificates cannot work.
 */
export function writeGenerated(dir: string, result: { files: OutputFile[]; preview: boolean }, options: { force?: boolean } = {}): StagedOutput {
  if (result.preview) throw new Error('internal: a preview (rendered without its PKI) cannot be written; use generateCluster');
  return writeOutputDir(dir, result.files, { ...options, dirModes: GENERATED_DIR_MODES, keepPki: true });
}

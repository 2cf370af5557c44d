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
  constants,
  cpSync,
  existsSync,
  fstatSync,
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

export type PausePoint =
  | 'staging'
  | 'before-commit'
  | 'between-renames'
  | 'after-commit'
  | 'rollback-between-renames'
  | 'between-trees'
  | 'lock-takeover'
  | 'lock-break'
  | 'lock-wait';

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
// The lock: `.<DIR>.lock` beside DIR, holding `<pid> <start>` of the run that writes DIR, for the
// whole run (`start`: the process's start time, /proc/<pid>/stat field 22, where there is /proc, so a
// pid used again by another process is not taken for the run that wrote the lock).
//
// Rules: a lock that may be live is never renamed or removed. A lock that is a regular file written
// whole (`<pid>[ <start>]\n`) whose process is gone is dead; so is an unparseable one older than
// CREATING_MS (a younger one is being created on a file system without hard links: wait, never take
// it). Only one run at a time removes a dead lock: it first creates the breaker token
// `.DIR.lock.break` exclusively (written whole), reads the lock again under it, removes it only if it
// is still the same dead file, removes the token and tries again to create its own lock. Under the
// token the lock cannot change: nobody removes a lock without the token, and a new lock can only be
// created where there is none. A token whose owner is gone (or an unparseable one older than
// CREATING_MS) is removed, after checking it is still the same file.
//
// What is left: a run killed inside the token window (milliseconds) leaves a token of a dead pid; two
// runs that both find it at the same microsecond may both remove it (the second removing the first's
// new token between its check and its unlink) and then both re-read the same dead lock under "their"
// token; the lock is then removed twice, and one of them may remove the other's new lock. This needs a
// kill -9 inside the token window and then two runs racing within microseconds.

/**
 * Whether `pid` runs (a zombie, killed and not yet reaped, does not) and, when `start` is known on
 * both sides, started at `start`: a pid used again by another process is not the run.
 */
function pidAlive(pid: number, start?: string): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const now = procStat(pid);
  if (now?.state === 'Z') return false;
  return start === undefined || now === undefined || now.start === start;
}

/** A process's state and start time (clock ticks after boot: /proc/<pid>/stat fields 3 and 22), or undefined without /proc. */
function procStat(pid: number): { state: string; start: string } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 2 is the command in parentheses (it may hold spaces and parentheses): count after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const start = fields[19];
    return fields[0] && start && /^\d+$/.test(start) ? { state: fields[0], start } : undefined;
  } catch {
    return undefined;
  }
}

const held = new Map<string, number>();

/** The lock file of DIR. */
export const lockPath = (target: string): string => join(dirname(target), `.${basename(target)}.lock`);

/** A young unparseable lock or token is being written (no hard links: created empty, then written). */
const CREATING_MS = 3000;
/** How long a run waits for a lock being created or a token held by a live run before giving up. */
const WAIT_MS = 6000;

/** What a lock (or token) file holds, read without following links or blocking on a FIFO. */
type Seen =
  | { kind: 'missing' }
  | { kind: 'foreign'; what: string }
  | { kind: 'file'; text: string; ino: number; mtimeMs: number; pid: number | undefined; start: string | undefined };

function readHelper(path: string): Seen {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { kind: 'missing' };
    if (code === 'ELOOP') return { kind: 'foreign', what: 'a symbolic link' };
    throw e;
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return { kind: 'foreign', what: st.isDirectory() ? 'a directory' : st.isFIFO() ? 'a FIFO' : 'not a regular file' };
    const buf = Buffer.alloc(64);
    const n = st.size > 0 ? readSync(fd, buf, 0, buf.length, 0) : 0;
    const text = buf.subarray(0, n).toString('latin1');
    const m = /^(\d{1,10})(?: (\d{1,20}))?\n$/.exec(text);
    return { kind: 'file', text, ino: st.ino, mtimeMs: st.mtimeMs, pid: m ? Number(m[1]) : undefined, start: m?.[2] };
  } finally {
    closeSync(fd);
  }
}

/** This run's lock (and token) contents. */
function myStamp(): string {
  const start = procStat(process.pid)?.start;
  return start === undefined ? `${process.pid}\n` : `${process.pid} ${start}\n`;
}

/** A parsed lock or token of a live run other than this one (this pid without the lock is a previous process with the same pid). */
function liveOwner(s: Extract<Seen, { kind: 'file' }>): boolean {
  return s.pid !== undefined && s.pid !== process.pid && pidAlive(s.pid, s.start);
}

const beingCreated = (s: Extract<Seen, { kind: 'file' }>): boolean => s.pid === undefined && Date.now() - s.mtimeMs < CREATING_MS;

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

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
        const s = readHelper(file);
        if (s.kind === 'file' && s.text === myStamp()) unlinkSync(file);
      } catch {
        // gone already
      }
    }
  };
  if (count !== undefined) {
    held.set(file, count + 1);
    return release;
  }
  const locked = (pid: number, how: string) =>
    new OutputLockedError(`${target} is being written by another flatcar-architect run (${how}lock ${file}); wait for it to finish`, pid);
  mkdirSync(dirname(target), { recursive: true });
  removeDeadLockHelpers(file);
  const deadline = Date.now() + WAIT_MS;
  for (let attempt = 0; ; attempt++) {
    if (createLock(file, target, attempt > 0)) {
      held.set(file, 1);
      unlockers.add(release);
      installSignalCleanup();
      return release;
    }
    if (attempt > 0 && Date.now() > deadline) throw locked(NaN, '');
    let seen: Seen;
    try {
      seen = readHelper(file);
    } catch (e) {
      throw lockFailure(target, file, e);
    }
    if (seen.kind === 'missing') continue; // removed meanwhile: try again
    if (seen.kind === 'foreign') {
      throw new OutputLockedError(`${target} cannot be locked: its lock ${file} is ${seen.what}, not a lock of flatcar-architect; remove it if no run is writing ${target}`, NaN);
    }
    if (liveOwner(seen)) throw locked(seen.pid!, `pid ${seen.pid}, `);
    if (beingCreated(seen)) {
      testPause('lock-wait');
      sleep(20);
      continue;
    }
    testPause('lock-takeover');
    const token = breakDeadLock(file, seen, target);
    if (token !== undefined) {
      if (Date.now() > deadline) throw locked(token, Number.isNaN(token) ? 'another run is taking over a dead lock, ' : `pid ${token} is taking over a dead lock, `);
      sleep(20);
    }
  }
}

/** A failure while reading or taking over a lock: one line naming the lock, never a raw errno. */
function lockFailure(target: string, file: string, e: unknown): OutputLockedError {
  const why = (e as Error).message.replace(/\s+/g, ' ');
  return new OutputLockedError(`${target} cannot be locked (lock ${file}): ${why}; remove the lock if no flatcar-architect run is writing ${target}`, NaN);
}

/** Paths this process made beside an output directory (staging dirs, old copies): recoverDir leaves these alone. */
const madeHere = new Set<string>();

/**
 * Creates `path` with `content`, all at once: written to `<path>.<pid>.tmp` (exclusive create: a
 * planted link there is removed, never followed), then hard-linked into place (a link fails if the
 * name exists), so no other run ever reads it empty. Where the file system has no hard links, an
 * exclusive create and one write (readers wait for an empty one: see CREATING_MS). False if it exists.
 */
function createExclusive(path: string, content: string): boolean {
  const mine = `${path}.${process.pid}.tmp`;
  try {
    unlinkSync(mine); // an earlier process with this pid, or something planted
  } catch {
    // none
  }
  const fd = openSync(mine, 'wx', 0o644);
  try {
    writeSync(fd, content);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(mine, path);
    return true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS' && code !== 'EOPNOTSUPP') throw e;
  } finally {
    rmSync(mine, { force: true });
  }
  let fd2: number;
  try {
    fd2 = openSync(path, 'wx', 0o644);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
  try {
    writeSync(fd2, content);
  } finally {
    closeSync(fd2);
  }
  return true;
}

/** Creates DIR's lock; a failure on the first try (DIR's parent not writable) is the error itself, later (taking over) an OutputLockedError. */
function createLock(file: string, target: string, takingOver: boolean): boolean {
  try {
    return createExclusive(file, myStamp());
  } catch (e) {
    throw takingOver ? lockFailure(target, file, e) : e;
  }
}

/**
 * Removes the dead lock `seen` under the breaker token. Returns undefined when done (or when the lock
 * changed meanwhile: the caller looks again), or the pid of a live run that holds the token.
 */
function breakDeadLock(file: string, seen: Extract<Seen, { kind: 'file' }>, target: string): number | undefined {
  const token = `${file}.break`;
  try {
    if (!createExclusive(token, myStamp())) {
      const t = readHelper(token);
      if (t.kind === 'foreign') throw new Error(`${token} is ${t.what}`);
      if (t.kind === 'missing') return undefined;
      if (liveOwner(t) || beingCreated(t)) return t.pid ?? NaN;
      removeIfSame(token, t);
      return undefined;
    }
  } catch (e) {
    throw lockFailure(target, token, e);
  }
  try {
    testPause('lock-break');
    const now = readHelper(file);
    if (now.kind === 'file' && now.ino === seen.ino && now.text === seen.text) unlinkSync(file);
  } catch (e) {
    throw lockFailure(target, file, e);
  } finally {
    try {
      removeIfSame(token, { text: myStamp() });
    } catch {
      // the next run removes a token of a dead pid
    }
  }
  return undefined;
}

/** Unlinks `path` if it still holds what was read (and is the same file, when `ino` is given). */
function removeIfSame(path: string, was: { text: string; ino?: number }): void {
  const now = readHelper(path);
  if (now.kind === 'file' && now.text === was.text && (was.ino === undefined || now.ino === was.ino)) unlinkSync(path);
}

/** The `.DIR.lock[.break].<pid>.tmp` files and the breaker token a run killed while taking the lock left behind. */
function removeDeadLockHelpers(file: string): void {
  // (`.stale`: a lock an earlier version moved aside while taking over; nothing reads it now.)
  const re = new RegExp(`^${escapeRe(basename(file))}(?:\\.break)?\\.(\\d+)\\.(?:tmp|stale)$`);
  let entries: string[];
  try {
    entries = readdirSync(dirname(file));
  } catch {
    return;
  }
  for (const e of entries) {
    const m = re.exec(e);
    const p = join(dirname(file), e);
    try {
      if (m && Number(m[1]) !== process.pid && !pidAlive(Number(m[1])) && lstatSync(p).isFile()) unlinkSync(p);
    } catch {
      // gone meanwhile
    }
  }
  try {
    const t = readHelper(`${file}.break`);
    if (t.kind === 'file' && !liveOwner(t) && !beingCreated(t)) removeIfSame(`${file}.break`, t);
  } catch {
    // a foreign token: reported when it is needed
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
  const notes: string[] = [];
  if (recoverJournals(target, entries, re, notes)) entries = readdirSync(parent);
  const found = entries
    .map((e) => ({ e, m: re.exec(e) }))
    // A legacy name (no pid) or the name of a process that is gone; never one of a live run, nor one
    // this process made. This pid on a name this process did not make is an earlier process's (a pid
    // used again: in a container the run may always be pid 1).
    .filter((x) => x.m !== null && !madeHere.has(join(parent, x.e)) && (x.m[2] === undefined || Number(x.m[2]) === process.pid || !pidAlive(Number(x.m[2]))))
    .map((x) => ({
      path: join(parent, x.e),
      kind: (x.m![3] ? 'rollback' : x.m![1]) as 'new' | 'old' | 'rollback',
      pid: x.m![2] ?? 'unknown',
      mtime: safeMtime(join(parent, x.e)),
    }));
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

/**
 * A commit of several trees (the cluster and its Matchbox directory) is old or new for all of them:
 * before the first swap a journal `.DIR.commit-<pid>` beside DIR names DIR's staging directory and
 * those of the other trees; it is removed once every tree is swapped. A journal of a dead run whose
 * DIR was swapped (its staging is gone) while another tree's staging is still there (that tree was not
 * swapped): DIR is rolled back (the new tree aside as `.DIR.new-*.rollback`, removed below; the old
 * one back). Left: a run that writes only the other tree and recovers it first removes its staging,
 * the evidence, and so does a failed commit of the other tree (its staging removed) killed before it
 * rolled DIR back (milliseconds): DIR then stays the new one.
 */
function recoverJournals(target: string, entries: string[], re: RegExp, notes: string[]): boolean {
  const parent = dirname(target);
  const name = basename(target);
  const jre = new RegExp(`^\\.${escapeRe(name)}\\.commit-(\\d+)$`);
  let changed = false;
  for (const e of entries) {
    const m = jre.exec(e);
    const path = join(parent, e);
    if (!m || madeHere.has(path)) continue;
    const pid = Number(m[1]);
    if (pid !== process.pid && pidAlive(pid)) continue;
    let lines: string[] = [];
    try {
      if (lstatSync(path).isFile() && statSync(path).size < 65536) lines = readFileSync(path, 'utf8').split('\n').filter(Boolean);
    } catch {
      // unreadable: nothing to roll back
    }
    const [mine, ...others] = lines;
    const otherTreePending = others.some((o) => /\/\.[^/]+\.new-\d+-[A-Za-z0-9]{6}$/.test(o) && existsSync(o));
    if (mine && re.test(mine) && mine.includes('.new-') && !mine.endsWith('.rollback') && !existsSync(join(parent, mine)) && otherTreePending && existsSync(target)) {
      renameSync(target, join(parent, `${mine}.rollback`));
      const old = join(parent, mine.replace(/\.new-/, '.old-'));
      const hadOld = existsSync(old);
      if (hadOld) renameSync(old, target);
      notes.push(
        `rolled back ${name}: an interrupted run (pid ${pid}) had replaced it but not ${others.map((o) => basename(o).replace(/^\.(.*)\.new-.*$/, '$1')).join(', ')} of the same commit; ${hadOld ? `the previous ${name} is back` : `there was no ${name} before it`}`,
      );
      changed = true;
    }
    rmSync(path, { force: true });
    changed = true;
  }
  return changed;
}

/** Open staged outputs of this process (not yet swapped or aborted): a swap while another is open is part of a commit of several trees. */
const openStaged = new Set<StagedOutput>();
/** The trees swapped while others were open, with a journal beside them until those are swapped too (or this tree is finished, rolled back or aborted). */
const journaled = new Set<StagedOutput>();

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
  private journal: string | undefined;
  private waitingFor: Set<StagedOutput> | undefined;
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
      madeHere.add(this.staging);
      stagings.add(this.cleanup);
      openStaged.add(this);
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
    openStaged.delete(this);
    try {
      const others = [...openStaged];
      if (others.length > 0) {
        const journal = join(dirname(target), `.${basename(target)}.commit-${process.pid}`);
        madeHere.add(journal);
        rmSync(journal, { force: true });
        writeNew(journal, `${basename(this.staging)}\n${others.map((o) => o.staging).join('\n')}\n`, 0o644, false);
        this.journal = journal;
        this.waitingFor = new Set(others);
        journaled.add(this);
      }
      if (existsSync(target)) {
        checkOutputDir(target, this.options.force ?? false, this.options.kind ?? 'cluster');
        if (this.options.keepPki) this.keptPki = keepPreviousPki(target, this.staging);
        const old = this.staging.replace(/\.new-([^/]*)$/, '.old-$1');
        madeHere.add(old);
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
    if (this.journal) testPause('between-trees');
    for (const j of [...journaled]) {
      j.waitingFor?.delete(this);
      if (j.waitingFor?.size === 0) j.dropJournal(); // every tree of its commit is in place
    }
    if (this.options.sync) syncDir(dirname(target));
  }

  private dropJournal(): void {
    journaled.delete(this);
    this.waitingFor = undefined;
    if (!this.journal) return;
    rmSync(this.journal, { force: true });
    this.journal = undefined;
  }

  /** Undoes swap(): the old DIR (or no DIR) again; the new tree is removed. */
  rollback(): void {
    const target = this.target;
    const aside = `${this.staging}.rollback`;
    madeHere.add(aside);
    renameSync(target, aside);
    testPause('rollback-between-renames');
    if (this.old) renameSync(this.old, target);
    this.old = undefined;
    this.dropJournal();
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
    this.dropJournal();
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
    openStaged.delete(this);
    rmSync(this.staging, { recursive: true, force: true });
    this.dropJournal();
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

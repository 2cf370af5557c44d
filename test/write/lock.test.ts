/**
 * The output lock (`.DIR.lock`, src/write/output.ts): a dead run's lock is taken over by exactly one
 * run, even when several find it at the same instant; a lock that may be live is never moved or
 * removed (not by a run racing two others, not by a run killed while taking over, not where the file
 * system has no hard links); nothing of the taking is left behind. The runs stop at the test-only
 * pause points (FLATCAR_ARCHITECT_TEST_PAUSE_AT) so nothing depends on timing.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { lockDir, recoverDir, StagedOutput } from '../../src/write/output.js';
import { repoRoot } from '../helpers/paths.js';
import { tempDirs } from '../helpers/tmp.js';

const tmp = tempDirs('fa-lock-');
const output = join(repoRoot, 'dist/src/write/output.js');

/** A run that takes DIR's lock, says `got <pid>` or `<error name> <pid> <message>`, holds the lock until `release` exists. */
const TAKER = `
import { existsSync } from 'node:fs';
const [dist, dir, go, release] = process.argv.slice(1);
const { lockDir } = await import(dist);
while (!existsSync(go)) await new Promise((r) => setTimeout(r, 2));
let done;
try {
  done = lockDir(dir);
  process.stdout.write('got ' + process.pid + '\\n');
} catch (e) {
  process.stdout.write(e.name + ' ' + e.pid + ' ' + e.message + '\\n');
}
while (done && !existsSync(release)) await new Promise((r) => setTimeout(r, 5));
done?.();
`;

/** Loaded with --import: a file system without hard links (link(2) fails with EPERM, as on vfat). */
const NO_LINKS = `
import { createRequire, syncBuiltinESMExports } from 'node:module';
const fs = createRequire(import.meta.url)('node:fs');
fs.linkSync = (a, b) => { const e = new Error('EPERM: operation not permitted, link ' + a + ' -> ' + b); e.code = 'EPERM'; throw e; };
syncBuiltinESMExports();
`;

interface Taker {
  child: ReturnType<typeof spawn>;
  said: () => Promise<string>;
  exit: Promise<void>;
  /** Resolves once the run waits at a pause point (the marker's first word), or fails if it said something first. */
  paused: (point: string) => Promise<void>;
  marker: string;
}

/** Every run a test started: those still running when it ends (a failed test) are killed. */
const started: ReturnType<typeof spawn>[] = [];
afterEach(() => {
  for (const c of started.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

function taker(parent: string, opts: { pauseAt?: string; noLinks?: boolean } = {}): Taker {
  const marker = join(parent, `paused-${Math.random().toString(36).slice(2)}`);
  const pre: string[] = [];
  if (opts.noLinks) {
    const hook = join(parent, 'no-links.mjs');
    if (!existsSync(hook)) writeFileSync(hook, NO_LINKS);
    pre.push('--import', hook);
  }
  const child = spawn(process.execPath, [...pre, '--input-type=module', '-e', TAKER, output, join(parent, 'c'), join(parent, 'go'), join(parent, 'release')], {
    env: { ...process.env, ...(opts.pauseAt ? { FLATCAR_ARCHITECT_TEST_PAUSE_AT: opts.pauseAt, FLATCAR_ARCHITECT_TEST_PAUSE_FILE: marker } : {}) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(child);
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const said = async () => {
    while (!out.includes('\n') && child.exitCode === null) await new Promise((r) => setTimeout(r, 5));
    return out.trim();
  };
  const exit = new Promise<void>((r) => child.on('exit', () => r()));
  const paused = async (point: string) => {
    for (;;) {
      if (existsSync(marker) && readFileSync(marker, 'utf8').startsWith(`${point} `)) return;
      if (out.includes('\n') || child.exitCode !== null) throw new Error(`the run did not stop at ${point}: it said ${JSON.stringify(out.trim())}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  };
  return { child, said, exit, paused, marker };
}

const helpersLeft = (parent: string) => readdirSync(parent).filter((e) => e.startsWith('.c.lock'));
/** The lock holds the pid of `pid` (and its start time, where there is /proc). */
const lockOf = (parent: string) => /^(\d+)(?: \d+)?\n$/.exec(readFileSync(join(parent, '.c.lock'), 'utf8'))?.[1];
const lockedBy = (pid: number | undefined) =>
  new RegExp(`^OutputLockedError ${pid} .* is being written by another flatcar-architect run \\(pid ${pid}, lock .*\\.c\\.lock\\); wait for it to finish$`);
/** This process's start time (/proc/self/stat field 22). */
const ownStart = () => {
  const s = readFileSync('/proc/self/stat', 'utf8');
  return s.slice(s.lastIndexOf(')') + 2).split(' ')[19]!;
};

/**
 * B reads a dead lock and stops; A takes the lock over and holds it; B goes on and stops again
 * holding the breaker token, with A's live lock where it is.
 */
async function tokenOverLiveLock(): Promise<{ parent: string; a: Taker; b: Taker }> {
  const parent = tmp();
  writeFileSync(join(parent, '.c.lock'), '999999999\n');
  writeFileSync(join(parent, 'go'), '');
  const b = taker(parent, { pauseAt: 'lock-takeover,lock-break' });
  await b.paused('lock-takeover');
  const a = taker(parent);
  expect(await a.said()).toBe(`got ${a.child.pid}`);
  rmSync(b.marker);
  await b.paused('lock-break');
  return { parent, a, b };
}

describe('the output lock', () => {
  it("a run that read the dead lock, then finds another run's live lock in its place, leaves that lock alone and is locked out", async () => {
    const parent = tmp();
    writeFileSync(join(parent, '.c.lock'), '999999999\n');
    writeFileSync(join(parent, 'go'), '');
    // B reads the dead pid, then waits just before taking over.
    const b = taker(parent, { pauseAt: 'lock-takeover' });
    await b.paused('lock-takeover');
    // A takes the dead lock over meanwhile and holds it.
    const a = taker(parent);
    expect(await a.said()).toBe(`got ${a.child.pid}`);
    rmSync(b.marker);
    expect(await b.said()).toMatch(lockedBy(a.child.pid));
    expect(lockOf(parent)).toBe(String(a.child.pid));
    writeFileSync(join(parent, 'release'), '');
    await Promise.all([a.exit, b.exit]);
    expect(helpersLeft(parent)).toEqual([]);
  });

  it("three runs: while B checks A's live lock (holding the breaker token), C is refused, and B leaves A's lock alone", async () => {
    const { parent, a, b } = await tokenOverLiveLock();
    // B holds the token: A's lock is still where it was, and a third run finds it.
    expect(lockOf(parent)).toBe(String(a.child.pid));
    const c = taker(parent);
    expect(await c.said()).toMatch(lockedBy(a.child.pid));
    rmSync(b.marker);
    expect(await b.said()).toMatch(lockedBy(a.child.pid));
    expect(lockOf(parent)).toBe(String(a.child.pid));
    writeFileSync(join(parent, 'release'), '');
    await Promise.all([a.exit, b.exit, c.exit]);
    expect(helpersLeft(parent)).toEqual([]);
  });

  it("a run killed while taking over (A's live lock in place) leaves A's lock: the next run is locked out, and takes the lock once A is done", async () => {
    const { parent, a, b } = await tokenOverLiveLock();
    b.child.kill('SIGKILL');
    await b.exit;
    rmSync(b.marker);
    const d = taker(parent);
    expect(await d.said()).toMatch(lockedBy(a.child.pid));
    expect(lockOf(parent)).toBe(String(a.child.pid));
    expect(helpersLeft(parent)).toEqual(['.c.lock']); // B's token, of a dead pid, removed by D
    writeFileSync(join(parent, 'release'), '');
    await Promise.all([a.exit, d.exit]);
    expect(helpersLeft(parent)).toEqual([]);
    const e = taker(parent);
    expect(await e.said()).toBe(`got ${e.child.pid}`);
    await e.exit;
    expect(helpersLeft(parent)).toEqual([]);
  });

  it('a run killed holding the breaker token over a dead lock: the next run removes the token and takes the lock', async () => {
    const parent = tmp();
    writeFileSync(join(parent, '.c.lock'), '999999999\n');
    writeFileSync(join(parent, 'go'), '');
    writeFileSync(join(parent, 'release'), '');
    const b = taker(parent, { pauseAt: 'lock-break' });
    await b.paused('lock-break');
    b.child.kill('SIGKILL');
    await b.exit;
    rmSync(b.marker);
    expect(helpersLeft(parent).sort()).toEqual(['.c.lock', '.c.lock.break']);
    const d = taker(parent);
    expect(await d.said()).toBe(`got ${d.child.pid}`);
    await d.exit;
    expect(helpersLeft(parent)).toEqual([]);
  });

  it('ten runs finding the same dead lock at once: exactly one takes it, each time (with hard links and without)', async () => {
    for (let round = 0; round < 6; round++) {
      const parent = tmp();
      writeFileSync(join(parent, '.c.lock'), '999999999\n');
      const runs = Array.from({ length: 10 }, () => taker(parent, { noLinks: round >= 4 }));
      await new Promise((r) => setTimeout(r, 400)); // all started and polling for go
      writeFileSync(join(parent, 'go'), '');
      const said = await Promise.all(runs.map((r) => r.said()));
      const got = said.filter((s) => s.startsWith('got '));
      expect(got, said.join(', ')).toHaveLength(1);
      const winner = Number(got[0]!.split(' ')[1]);
      expect(
        said.filter((s) => lockedBy(winner).test(s)),
        said.join(', '),
      ).toHaveLength(9);
      writeFileSync(join(parent, 'release'), '');
      await Promise.all(runs.map((r) => r.exit));
      expect(helpersLeft(parent)).toEqual([]);
    }
  }, 30_000);

  it('without hard links: a run that read the dead lock leaves the live lock that replaced it, and the next run is locked out too', async () => {
    const parent = tmp();
    writeFileSync(join(parent, '.c.lock'), '999999999\n');
    writeFileSync(join(parent, 'go'), '');
    const b = taker(parent, { pauseAt: 'lock-takeover', noLinks: true });
    await b.paused('lock-takeover');
    const a = taker(parent, { noLinks: true });
    expect(await a.said()).toBe(`got ${a.child.pid}`);
    rmSync(b.marker);
    expect(await b.said()).toMatch(lockedBy(a.child.pid));
    expect(lockOf(parent)).toBe(String(a.child.pid));
    const d = taker(parent, { noLinks: true });
    expect(await d.said()).toMatch(lockedBy(a.child.pid));
    writeFileSync(join(parent, 'release'), '');
    await Promise.all([a.exit, b.exit, d.exit]);
    expect(helpersLeft(parent)).toEqual([]);
  });

  it('an empty lock just created (no hard links: created, then written) is waited for, never taken over; the pid written into it then locks the run out', async () => {
    const parent = tmp();
    writeFileSync(join(parent, '.c.lock'), '');
    writeFileSync(join(parent, 'go'), '');
    const b = taker(parent, { pauseAt: 'lock-wait' });
    await b.paused('lock-wait');
    writeFileSync(join(parent, '.c.lock'), `${process.pid}\n`); // this test process: alive
    rmSync(b.marker);
    expect(await b.said()).toMatch(lockedBy(process.pid));
    expect(readFileSync(join(parent, '.c.lock'), 'utf8')).toBe(`${process.pid}\n`);
  });

  it('an empty or unreadable lock older than a few seconds is dead and taken over', async () => {
    const parent = tmp();
    writeFileSync(join(parent, '.c.lock'), 'garbage');
    const old = new Date(Date.now() - 60_000);
    utimesSync(join(parent, '.c.lock'), old, old);
    writeFileSync(join(parent, 'go'), '');
    writeFileSync(join(parent, 'release'), '');
    const a = taker(parent);
    expect(await a.said()).toBe(`got ${a.child.pid}`);
    await a.exit;
    expect(helpersLeft(parent)).toEqual([]);
  });

  it("a lock whose pid runs but started at another time (the pid used again) is dead; with this process's start time it is live", async () => {
    const parent = tmp();
    writeFileSync(join(parent, 'go'), '');
    writeFileSync(join(parent, '.c.lock'), `${process.pid} ${ownStart()}\n`);
    const a = taker(parent);
    expect(await a.said()).toMatch(lockedBy(process.pid));
    writeFileSync(join(parent, '.c.lock'), `${process.pid} 1\n`);
    writeFileSync(join(parent, 'release'), '');
    const b = taker(parent);
    expect(await b.said()).toBe(`got ${b.child.pid}`);
    await Promise.all([a.exit, b.exit]);
    expect(helpersLeft(parent)).toEqual([]);
  });

  it('a lock of a process killed and not yet reaped (a zombie) is dead', async () => {
    const parent = tmp();
    // `sleep 0`'s parent becomes `sleep 5` (exec), which never reaps it: a zombie for 5 s.
    const sh = spawn('sh', ['-c', 'sleep 0 & echo $!; exec sleep 5'], { stdio: ['ignore', 'pipe', 'ignore'] });
    started.push(sh);
    const zombie = await new Promise<number>((r) => sh.stdout!.once('data', (d) => r(Number(String(d).trim()))));
    while (!/\) Z /.test(readFileSync(`/proc/${zombie}/stat`, 'utf8'))) await new Promise((r) => setTimeout(r, 5));
    writeFileSync(join(parent, '.c.lock'), `${zombie}\n`);
    writeFileSync(join(parent, 'go'), '');
    writeFileSync(join(parent, 'release'), '');
    const a = taker(parent);
    expect(await a.said()).toBe(`got ${a.child.pid}`);
    await a.exit;
    expect(helpersLeft(parent)).toEqual([]);
  });

  it('a breaker token that is not a file: one line naming it, the dead lock is left as it is', async () => {
    const parent = tmp();
    writeFileSync(join(parent, '.c.lock'), '999999999\n');
    mkdirSync(join(parent, '.c.lock.break'));
    writeFileSync(join(parent, 'go'), '');
    const a = taker(parent);
    const token = join(parent, '.c.lock.break');
    expect(await a.said()).toBe(
      `OutputLockedError NaN ${join(parent, 'c')} cannot be locked (lock ${token}): ${token} is a directory; remove the lock if no flatcar-architect run is writing ${join(parent, 'c')}`,
    );
    await a.exit;
    expect(readFileSync(join(parent, '.c.lock'), 'utf8')).toBe('999999999\n');
  });

  it('the helper files of a run killed while taking the lock are removed by the next run', async () => {
    const parent = tmp();
    writeFileSync(join(parent, '.c.lock'), '999999999\n');
    writeFileSync(join(parent, '.c.lock.999999998.tmp'), '999999998\n');
    writeFileSync(join(parent, '.c.lock.break'), '999999997\n');
    writeFileSync(join(parent, '.c.lock.break.999999996.tmp'), '999999996\n');
    writeFileSync(join(parent, '.c.lock.999999995.stale'), '999999995\n'); // an earlier version's
    writeFileSync(join(parent, 'go'), '');
    writeFileSync(join(parent, 'release'), '');
    const a = taker(parent);
    expect(await a.said()).toBe(`got ${a.child.pid}`);
    await a.exit;
    expect(helpersLeft(parent)).toEqual([]);
  });

  it('a directory named like a helper file is left alone and the lock is taken', async () => {
    const parent = tmp();
    mkdirSync(join(parent, '.c.lock.999999990.tmp'));
    writeFileSync(join(parent, 'go'), '');
    writeFileSync(join(parent, 'release'), '');
    const a = taker(parent);
    expect(await a.said()).toBe(`got ${a.child.pid}`);
    await a.exit;
    expect(helpersLeft(parent)).toEqual(['.c.lock.999999990.tmp']);
  });

  it('a FIFO (or a directory) as the lock is one line naming it, at once: never read, never removed', { timeout: 20_000 }, async () => {
    for (const [make, what] of [
      [(p: string) => execFileSync('mkfifo', [p]), 'a FIFO'],
      [(p: string) => mkdirSync(p), 'a directory'],
    ] as [(p: string) => void, string][]) {
      const parent = tmp();
      make(join(parent, '.c.lock'));
      writeFileSync(join(parent, 'go'), '');
      const a = taker(parent);
      expect(await a.said()).toBe(
        `OutputLockedError NaN ${join(parent, 'c')} cannot be locked: its lock ${join(parent, '.c.lock')} is ${what}, not a lock of flatcar-architect; remove it if no run is writing ${join(parent, 'c')}`,
      );
      await a.exit;
      expect(helpersLeft(parent)).toEqual(['.c.lock']);
    }
  });

  it("a symbolic link planted as this run's helper file is removed, never followed: its target is not written", () => {
    const parent = tmp();
    const victim = join(parent, 'victim');
    writeFileSync(victim, 'precious\n');
    // A dead lock too: the breaker token is made through a helper file of its own.
    writeFileSync(join(parent, '.c.lock'), '999999999\n');
    symlinkSync(victim, join(parent, `.c.lock.${process.pid}.tmp`));
    symlinkSync(victim, join(parent, `.c.lock.break.${process.pid}.tmp`));
    const release = lockDir(join(parent, 'c'));
    try {
      expect(readFileSync(victim, 'utf8')).toBe('precious\n');
      expect(lockOf(parent)).toBe(String(process.pid));
      expect(lstatSync(join(parent, '.c.lock')).isFile()).toBe(true);
    } finally {
      release();
    }
    expect(helpersLeft(parent)).toEqual([]);
  });
});

describe('recovery with a pid used again', () => {
  it("a moved-aside DIR named with this process's pid, which this process did not make, is put back (in a container the run may always be pid 1)", () => {
    const parent = tmp();
    const aside = join(parent, `.c.old-${process.pid}-abcdef`);
    mkdirSync(join(aside, 'pki'), { recursive: true });
    writeFileSync(join(aside, 'cluster.yaml'), '# flatcar-architect answers\n');
    writeFileSync(join(aside, 'pki', 'ca-key.pem'), 'the old key\n');
    writeFileSync(join(parent, `.c.new-${process.pid}-ghijkl`), '');
    const notes = recoverDir(join(parent, 'c'));
    expect(notes).toEqual([
      `recovered c: an interrupted run (pid ${process.pid}) had moved it aside as .c.old-${process.pid}-abcdef; it is back as it was`,
      `removed .c.new-${process.pid}-ghijkl, the unfinished staging directory of an interrupted run (pid ${process.pid})`,
    ]);
    expect(readFileSync(join(parent, 'c', 'pki', 'ca-key.pem'), 'utf8')).toBe('the old key\n');
    expect(readdirSync(parent)).toEqual(['c']);
  });

  it('the staging directory this process made is left alone by recovery', () => {
    const parent = tmp();
    const staged = new StagedOutput(join(parent, 'c'));
    try {
      staged.add({ name: 'cluster.yaml', contents: '# flatcar-architect answers\n' });
      expect(recoverDir(join(parent, 'c'))).toEqual([]);
      staged.commit();
    } catch (e) {
      staged.abort();
      throw e;
    }
    expect(readFileSync(join(parent, 'c', 'cluster.yaml'), 'utf8')).toBe('# flatcar-architect answers\n');
  });
});

describe('a commit of two trees (the cluster and its Matchbox directory)', () => {
  const journals = (parent: string) => readdirSync(parent).filter((e) => e.includes('.commit-'));
  const stage = (dir: string, text: string) => {
    const s = new StagedOutput(dir, { force: true });
    s.add({ name: 'cluster.yaml', contents: `# flatcar-architect answers\n${text}\n` });
    return s;
  };

  it('the journal beside the first tree is there between the two swaps, and gone once the second is swapped', () => {
    const parent = tmp();
    const c = stage(join(parent, 'c'), 'new c');
    const mb = stage(join(parent, 'mb'), 'new mb');
    c.swap();
    expect(journals(parent)).toEqual([`.c.commit-${process.pid}`]);
    mb.swap();
    expect(journals(parent)).toEqual([]);
    c.finish();
    mb.finish();
    expect(readdirSync(parent).sort()).toEqual(['c', 'mb']);
  });

  it('the other tree aborted: finishing (or rolling back) the first removes its journal', () => {
    for (const end of ['finish', 'rollback'] as const) {
      const parent = tmp();
      const c = stage(join(parent, 'c'), 'new c');
      const mb = stage(join(parent, 'mb'), 'new mb');
      c.swap();
      mb.abort();
      expect(journals(parent)).toHaveLength(1);
      c[end]();
      expect(journals(parent)).toEqual([]);
      expect(readdirSync(parent).sort()).toEqual(end === 'finish' ? ['c'] : []);
    }
  });

  it("recovery: a dead run's journal with the first tree swapped and the other's staging still there rolls the first back; with the other swapped it keeps it", () => {
    for (const otherSwapped of [false, true]) {
      const parent = tmp();
      const dead = 999999990;
      mkdirSync(join(parent, 'c'));
      writeFileSync(join(parent, 'c', 'cluster.yaml'), 'new\n');
      mkdirSync(join(parent, `.c.old-${dead}-abcdef`));
      writeFileSync(join(parent, `.c.old-${dead}-abcdef`, 'cluster.yaml'), 'old\n');
      if (!otherSwapped) mkdirSync(join(parent, `.mb.new-${dead}-ghijkl`));
      writeFileSync(join(parent, `.c.commit-${dead}`), `.c.new-${dead}-abcdef\n${join(parent, `.mb.new-${dead}-ghijkl`)}\n`);
      const notes = recoverDir(join(parent, 'c'));
      expect(readFileSync(join(parent, 'c', 'cluster.yaml'), 'utf8')).toBe(otherSwapped ? 'new\n' : 'old\n');
      expect(notes[0]).toBe(
        otherSwapped
          ? `removed .c.old-${dead}-abcdef, the previous c an earlier run (pid ${dead}) replaced but could not remove`
          : `rolled back c: an interrupted run (pid ${dead}) had replaced it but not mb of the same commit; the previous c is back`,
      );
      expect(readdirSync(parent).filter((e) => e.startsWith('.c.'))).toEqual([]);
    }
  });
});

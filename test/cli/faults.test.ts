/**
 * Fault injection (issue 18): kill -9, SIGINT, SIGTERM and SIGHUP at named points of a large run, new
 * DIR and --force over an existing one. The run stops at a point through the test-only hook
 * FLATCAR_ARCHITECT_TEST_PAUSE_AT / _PAUSE_FILE (src/write/output.ts): it writes the marker and waits
 * until the test removes it, so nothing depends on timing. After each fault: DIR is the old tree (or
 * absent when there was none) byte for byte once recovered, no key file is left outside DIR, the CA is
 * unchanged, and the next run succeeds with the same CA.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run.js';
import { cliPath } from '../helpers/paths.js';
import { filesBelow, keysOutside, tempDirs } from '../helpers/tmp.js';

const tmp = tempDirs('fa-faults-');
/** A large run: 60 machines (120 configs, about 125 key files). */
const ARGS = [
  '--preset',
  'production',
  '--size',
  '60',
  '--network',
  '10.0.0.0/16',
  '--ssh-key',
  'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBdFcBl4tZ0nWqfXzXcAxVSBSrGSJq2SXxGZQ2qU0+kL test',
];
const tree = (dir: string) => filesBelow(dir, (b) => b.toString('base64'));

interface Paused {
  child: ChildProcess;
  marker: string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

/** Starts the CLI paused at `point`; resolves once it waits there. */
async function startPaused(cwd: string, args: string[], point: string): Promise<Paused> {
  const marker = join(cwd, `pause-${point}-${Math.random().toString(36).slice(2)}`);
  const child = spawn(process.execPath, [cliPath, ...args], {
    cwd,
    env: { ...process.env, FLATCAR_ARCHITECT_TEST_PAUSE_AT: point, FLATCAR_ARCHITECT_TEST_PAUSE_FILE: marker },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((res) =>
    child.on('exit', (code, signal) => setTimeout(() => res({ code, signal, stdout, stderr }), 50)),
  );
  const deadline = Date.now() + 120_000;
  while (!existsSync(marker)) {
    const done = await Promise.race([exit.then(() => true), new Promise((r) => setTimeout(() => r(false), 20))]);
    if (done) throw new Error(`the run ended before reaching ${point}: ${stderr}`);
    if (Date.now() > deadline) throw new Error(`the run did not reach ${point}`);
  }
  return { child, marker, exit };
}

const leftovers = (parent: string) => readdirSync(parent).filter((e) => /^\.c\.(new|old)-|^\.c\.lock$/.test(e));

describe('fault injection: signals and kill -9 at named points', () => {
  // The old tree, made once; each case works on its own copy.
  const base = tmp();
  const first = runCli([...ARGS, '--out', 'c'], { cwd: base });
  const oldTree = first.status === 0 ? tree(join(base, 'c')) : {};
  const caKey = () => readFileSync(join(base, 'c', 'pki', 'ca-key.pem'), 'utf8');

  function fresh(withOld: boolean): string {
    const parent = tmp();
    if (withOld) cpSync(join(base, 'c'), join(parent, 'c'), { recursive: true, preserveTimestamps: true });
    return parent;
  }

  it('the large first run works', () => {
    expect(first.status, first.stderr).toBe(0);
    expect(Object.keys(oldTree).filter((f) => f.endsWith('-key.pem')).length).toBeGreaterThan(120);
  });

  const catchable: [NodeJS.Signals, number][] = [
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ];
  for (const withOld of [false, true]) {
    const args = withOld ? [...ARGS, '--out', 'c', '--force'] : [...ARGS, '--out', 'c'];
    const label = withOld ? '--force over an existing DIR' : 'a new DIR';
    const signalCases: [string, NodeJS.Signals, number][] = [
      ['staging', 'SIGINT', 130],
      ...catchable.map(([sig, code]) => ['before-commit', sig, code] as [string, NodeJS.Signals, number]),
    ];
    for (const [point, sig, code] of signalCases) {
      it(`${label}: ${sig} at ${point} removes the staging dir; DIR is the old one byte for byte; the next run keeps the CA`, async () => {
        const parent = fresh(withOld);
        const run = await startPaused(parent, args, point);
        run.child.kill(sig);
        rmSync(run.marker, { force: true }); // a synchronous pause goes on; the signal is handled before the commit
        const r = await run.exit;
        expect(r.code, r.stderr).toBe(code);
        expect(r.stderr).toContain(`interrupted (${sig}): nothing was written`);
        expect(leftovers(parent)).toEqual([]);
        if (withOld) expect(tree(join(parent, 'c'))).toEqual(oldTree);
        else expect(existsSync(join(parent, 'c'))).toBe(false);
        expect(keysOutside(parent, join(parent, 'c'))).toEqual([]);
        if (withOld) {
          const next = runCli(args, { cwd: parent });
          expect(next.status, next.stderr).toBe(0);
          expect(readFileSync(join(parent, 'c', 'pki', 'ca-key.pem'), 'utf8')).toBe(caKey());
          expect(tree(join(parent, 'c'))).toEqual(oldTree); // the same answers and CA: the same files
        }
      });
    }
    const killPoints = withOld ? ['staging', 'before-commit', 'between-renames', 'after-commit'] : ['staging', 'before-commit'];
    for (const point of killPoints) {
      it(`${label}: kill -9 at ${point}; the next run recovers first (DIR is the old tree then), says so, and keeps the CA`, async () => {
        const parent = fresh(withOld);
        const run = await startPaused(parent, args, point);
        run.child.kill('SIGKILL');
        const r = await run.exit;
        expect(r.signal).toBe('SIGKILL');
        rmSync(run.marker, { force: true });
        if (point === 'after-commit') expect(tree(join(parent, 'c'))).toEqual(oldTree); // the new tree, the same bytes here
        // The next run stops before its own commit: by then it has recovered and cleaned up.
        const next = await startPaused(parent, args, 'before-commit');
        if (withOld) expect(tree(join(parent, 'c'))).toEqual(oldTree);
        else expect(existsSync(join(parent, 'c'))).toBe(false);
        const stale = readdirSync(parent).filter((e) => e.startsWith('.c.new-') || e.startsWith('.c.old-'));
        expect(
          stale.every((e) => e.startsWith(`.c.new-${next.child.pid}-`)),
          stale.join(' '),
        ).toBe(true);
        rmSync(next.marker);
        const done = await next.exit;
        expect(done.code, done.stderr).toBe(0);
        if (point === 'between-renames') expect(done.stderr).toMatch(/note: recovered c: an interrupted run \(pid \d+\) had moved it aside as \.c\.old-/);
        if (point !== 'after-commit') expect(done.stderr).toMatch(/note: removed \.c\.new-\d+-\w+, the unfinished staging directory of an interrupted run/);
        else expect(done.stderr).toMatch(/note: removed \.c\.old-\d+-\w+, the previous c an earlier run/);
        expect(leftovers(parent)).toEqual([]);
        expect(keysOutside(parent, join(parent, 'c'))).toEqual([]);
        if (withOld) {
          expect(readFileSync(join(parent, 'c', 'pki', 'ca-key.pem'), 'utf8')).toBe(caKey());
          expect(tree(join(parent, 'c'))).toEqual(oldTree);
        }
      });
    }
  }

  it('--rotate-pki --force killed between the renames: the old CA is back, and kept beside DIR once rotation succeeds', async () => {
    const parent = fresh(true);
    const args = [...ARGS, '--out', 'c', '--force', '--rotate-pki'];
    const run = await startPaused(parent, args, 'between-renames');
    run.child.kill('SIGKILL');
    await run.exit;
    expect(existsSync(join(parent, 'c'))).toBe(false);
    const next = runCli(args, { cwd: parent });
    expect(next.status, next.stderr).toBe(0);
    expect(next.stderr).toMatch(/note: recovered c/);
    const kept = /PKI: the previous pki\/ is kept in (c\.previous-pki\/[^/]+)\//.exec(next.stdout);
    expect(kept, next.stdout).not.toBeNull();
    expect(readFileSync(join(parent, kept![1]!, 'ca-key.pem'), 'utf8')).toBe(caKey());
    expect(statSync(join(parent, 'c.previous-pki')).mode & 0o777).toBe(0o700);
    expect(readFileSync(join(parent, 'c', 'pki', 'ca-key.pem'), 'utf8')).not.toBe(caKey());
  });

  it('a second run while the first holds the lock: exit 2 naming the first; the first finishes', async () => {
    const parent = fresh(true);
    const args = [...ARGS, '--out', 'c', '--force'];
    const run = await startPaused(parent, args, 'before-commit');
    const second = runCli(['--preset', 'small', '--out', 'c', '--force'], { cwd: parent });
    expect(second.status).toBe(2);
    expect(second.stderr).toBe(
      `flatcar-architect: --out: ${join(parent, 'c')} is being written by another flatcar-architect run (pid ${run.child.pid}, lock ${join(parent, '.c.lock')}); wait for it to finish\n`,
    );
    const json = runCli(['--preset', 'small', '--out', 'c', '--force', '--json'], { cwd: parent });
    expect(JSON.parse(json.stderr).error.code).toBe('output_locked');
    rmSync(run.marker);
    const r = await run.exit;
    expect(r.code, r.stderr).toBe(0);
    expect(tree(join(parent, 'c'))).toEqual(oldTree);
    expect(leftovers(parent)).toEqual([]);
  });

  it('scale holds the same lock: while another live process holds it, scale exits 2 naming it and writes nothing', () => {
    const parent = fresh(true);
    writeFileSync(join(parent, '.c.lock'), `${process.pid}\n`); // this test process: alive
    const r = runCli(['scale', 'c', '--size', '61'], { cwd: parent });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      `flatcar-architect: c: ${join(parent, 'c')} is being written by another flatcar-architect run (pid ${process.pid}, lock ${join(parent, '.c.lock')}); wait for it to finish\n`,
    );
    expect(tree(join(parent, 'c'))).toEqual(oldTree);
    rmSync(join(parent, '.c.lock'));
    const ok = runCli(['scale', 'c', '--size', '61'], { cwd: parent });
    expect(ok.status, ok.stderr).toBe(0);
    expect(leftovers(parent)).toEqual([]);
  });

  it('a FIFO in place of the lock: generate and scale exit 2 with one line naming it, at once, and write nothing', () => {
    const parent = fresh(true);
    execFileSync('mkfifo', [join(parent, '.c.lock')]);
    const lock = join(parent, '.c.lock');
    const why = `${join(parent, 'c')} cannot be locked: its lock ${lock} is a FIFO, not a lock of flatcar-architect; remove it if no run is writing ${join(parent, 'c')}`;
    const r = runCli(['--preset', 'small', '--out', 'c', '--force'], { cwd: parent });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`flatcar-architect: --out: ${why}\n`);
    const s = runCli(['scale', 'c', '--size', '61'], { cwd: parent });
    expect(s.status).toBe(2);
    expect(s.stderr).toBe(`flatcar-architect: c: ${why}\n`);
    expect(tree(join(parent, 'c'))).toEqual(oldTree);
    expect(readdirSync(parent).sort()).toEqual(['.c.lock', 'c']);
  });

  it('a lock left by a dead run is taken over', () => {
    const parent = fresh(true);
    writeFileSync(join(parent, '.c.lock'), '999999999\n');
    const r = runCli(['--preset', 'small', '--out', 'c2'], { cwd: parent });
    expect(r.status, r.stderr).toBe(0);
    const again = runCli([...ARGS, '--out', 'c', '--force'], { cwd: parent });
    expect(again.status, again.stderr).toBe(0);
    expect(leftovers(parent)).toEqual([]);
  });

  it('a cleanup failure after a successful commit is a warning, exit 0, and the next run removes the leftover', () => {
    const parent = fresh(true);
    const args = [...ARGS, '--out', 'c', '--force'];
    const r = runCli(args, { cwd: parent, env: { FLATCAR_ARCHITECT_TEST_FAIL_AT: 'remove-old' } });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^warning: could not remove .*\.c\.old-\d+-\w+, the previous c \(EBUSY: test-injected failure\); the next run removes it$/m);
    expect(r.stdout).toMatch(/^Wrote the production cluster/);
    expect(readdirSync(parent).filter((e) => e.startsWith('.c.old-'))).toHaveLength(1);
    const next = runCli(args, { cwd: parent });
    expect(next.status, next.stderr).toBe(0);
    expect(leftovers(parent)).toEqual([]);
    expect(keysOutside(parent, join(parent, 'c'))).toEqual([]);
  });

  it('with --json the warning and the recovery notes are in the report, and stderr stays empty', () => {
    const parent = fresh(true);
    const args = [...ARGS, '--out', 'c', '--force', '--json'];
    const r = runCli(args, { cwd: parent, env: { FLATCAR_ARCHITECT_TEST_FAIL_AT: 'remove-old' } });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout).notes).toEqual([
      expect.stringMatching(/^could not remove .*\.c\.old-\d+-\w+, the previous c \(EBUSY: test-injected failure\); the next run removes it$/),
    ]);
    const next = runCli(args, { cwd: parent });
    expect(next.status, next.stderr).toBe(0);
    expect(next.stderr).toBe('');
    expect(JSON.parse(next.stdout).notes).toEqual([expect.stringMatching(/^removed \.c\.old-\d+-\w+, the previous c an earlier run \(pid \d+\) replaced but could not remove$/)]);
    expect(JSON.parse(next.stdout).previousPki).toBeUndefined();
    expect(leftovers(parent)).toEqual([]);
  });

  it('the Matchbox directory cannot be written: exit 1, and the cluster directory is the old one (no new CA)', () => {
    const parent = fresh(true);
    writeFileSync(join(parent, 'blocker'), 'a file, not a directory\n');
    const r = runCli([...ARGS, '--out', 'c', '--force', '--rotate-pki', '--mac-prefix', '52:54:00', '--matchbox', 'blocker/mb'], { cwd: parent });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^flatcar-architect: cannot write .*blocker\/mb/);
    expect(tree(join(parent, 'c'))).toEqual(oldTree);
    expect(leftovers(parent)).toEqual([]);
    expect(existsSync(join(parent, 'c.previous-pki'))).toBe(false);
  });

  const MATCHBOX_ARGS = [...ARGS, '--out', 'c', '--force', '--rotate-pki', '--mac-prefix', '52:54:00', '--matchbox', 'mb'];
  /** A run whose Matchbox commit fails after the cluster is in place: stopped before the commit, mb becomes a directory it cannot replace (not empty, not ours). */
  async function matchboxCommitFails(points: string): Promise<{ parent: string; run: Paused }> {
    const parent = fresh(true);
    mkdirSync(join(parent, 'mb'));
    const run = await startPaused(parent, MATCHBOX_ARGS, points);
    writeFileSync(join(parent, 'mb', 'notes.txt'), 'mine\n');
    rmSync(run.marker);
    return { parent, run };
  }

  it('a Matchbox commit that fails after the cluster is in place puts the old cluster back', async () => {
    const { parent, run } = await matchboxCommitFails('before-commit');
    const r = await run.exit;
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^flatcar-architect: cannot write .*\/mb \(nothing was written, .*\/c neither\): .*mb is not empty and not an output of flatcar-architect/);
    expect(tree(join(parent, 'c'))).toEqual(oldTree);
    expect(readFileSync(join(parent, 'mb', 'notes.txt'), 'utf8')).toBe('mine\n');
    expect(leftovers(parent)).toEqual([]);
    expect(keysOutside(parent, join(parent, 'c')).filter((f) => !f.startsWith('c.previous-pki/'))).toEqual([]);
  });

  for (const withMatchbox of [false, true]) {
    it(`kill -9 after the cluster is swapped but before the Matchbox directory${withMatchbox ? ' (an old one there)' : ''}: the next run rolls the cluster back (old CA), so both trees are old`, async () => {
      const parent = fresh(true);
      if (withMatchbox) {
        const made = runCli(
          MATCHBOX_ARGS.filter((a) => a !== '--rotate-pki'),
          { cwd: parent },
        );
        expect(made.status, made.stderr).toBe(0);
      }
      const oldMb = withMatchbox ? tree(join(parent, 'mb')) : undefined;
      const oldC = tree(join(parent, 'c'));
      const run = await startPaused(parent, MATCHBOX_ARGS, 'between-trees');
      // The cluster is the new one (a new CA) and the Matchbox directory is not yet.
      expect(readFileSync(join(parent, 'c', 'pki', 'ca-key.pem'), 'utf8')).not.toBe(caKey());
      run.child.kill('SIGKILL');
      expect((await run.exit).signal).toBe('SIGKILL');
      rmSync(run.marker, { force: true });
      const next = await startPaused(
        parent,
        MATCHBOX_ARGS.filter((a) => a !== '--rotate-pki'),
        'before-commit',
      );
      expect(tree(join(parent, 'c'))).toEqual(oldC);
      if (oldMb) expect(tree(join(parent, 'mb'))).toEqual(oldMb);
      else expect(existsSync(join(parent, 'mb'))).toBe(false);
      rmSync(next.marker);
      const done = await next.exit;
      expect(done.code, done.stderr).toBe(0);
      expect(done.stderr).toMatch(/note: rolled back c: an interrupted run \(pid \d+\) had replaced it but not mb of the same commit; the previous c is back/);
      expect(readFileSync(join(parent, 'c', 'pki', 'ca-key.pem'), 'utf8')).toBe(caKey());
      expect(readdirSync(parent).filter((e) => /^\.(c|mb)\.(new|old|commit)-|^\.(c|mb)\.lock$/.test(e))).toEqual([]);
      expect(keysOutside(parent, join(parent, 'c')).filter((f) => !f.startsWith('c.previous-pki/') && !f.startsWith('mb/'))).toEqual([]);
    });
  }

  it('kill -9 after both trees are swapped: the next run keeps both new ones', async () => {
    const parent = fresh(true);
    const run = await startPaused(parent, MATCHBOX_ARGS, 'after-commit');
    const newCa = readFileSync(join(parent, 'c', 'pki', 'ca-key.pem'), 'utf8');
    expect(newCa).not.toBe(caKey());
    run.child.kill('SIGKILL');
    await run.exit;
    rmSync(run.marker, { force: true });
    const next = runCli(
      MATCHBOX_ARGS.filter((a) => a !== '--rotate-pki'),
      { cwd: parent },
    );
    expect(next.status, next.stderr).toBe(0);
    expect(next.stderr).not.toMatch(/rolled back/);
    expect(readFileSync(join(parent, 'c', 'pki', 'ca-key.pem'), 'utf8')).toBe(newCa);
    expect(readdirSync(parent).filter((e) => /^\.(c|mb)\.(new|old|commit)-|^\.(c|mb)\.lock$/.test(e))).toEqual([]);
  });

  it('kill -9 while that rollback has the new cluster aside: the next run puts the old one back and removes the new one (keys and all)', async () => {
    const { parent, run } = await matchboxCommitFails('before-commit,rollback-between-renames');
    // The run goes on, the Matchbox commit fails, and the rollback stops with DIR moved aside.
    const deadline = Date.now() + 120_000;
    while (!existsSync(run.marker) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(readFileSync(run.marker, 'utf8')).toMatch(/^rollback-between-renames /);
    expect(readdirSync(parent).filter((e) => /^\.c\.new-\d+-\w+\.rollback$/.test(e))).toHaveLength(1);
    expect(existsSync(join(parent, 'c'))).toBe(false);
    run.child.kill('SIGKILL');
    expect((await run.exit).signal).toBe('SIGKILL');
    rmSync(run.marker, { force: true });
    rmSync(join(parent, 'mb', 'notes.txt'));
    const next = runCli(
      MATCHBOX_ARGS.filter((a) => a !== '--rotate-pki'),
      { cwd: parent },
    );
    expect(next.status, next.stderr).toBe(0);
    expect(next.stderr).toMatch(/note: recovered c: an interrupted run \(pid \d+\) had moved it aside as \.c\.old-/);
    expect(next.stderr).toMatch(/note: removed \.c\.new-\d+-\w+\.rollback, the new c an interrupted run \(pid \d+\) was undoing/);
    expect(leftovers(parent)).toEqual([]);
    expect(readFileSync(join(parent, 'c', 'pki', 'ca-key.pem'), 'utf8')).toBe(caKey());
    expect(keysOutside(parent, join(parent, 'c')).filter((f) => !f.startsWith('c.previous-pki/') && !f.startsWith('mb/'))).toEqual([]);
  });
});

/**
 * The output lock (`.DIR.lock`, src/write/output.ts): a dead run's lock is taken over by exactly one
 * run, even when several find it at the same instant, and nothing of the taking is left behind.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/paths.js';
import { tempDirs } from '../helpers/tmp.js';

const tmp = tempDirs('fa-lock-');
const output = join(repoRoot, 'dist/src/write/output.js');

/** A run that takes DIR's lock, says `got <pid>` or the error's name, holds the lock until `release` exists. */
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
  process.stdout.write(e.name + ' ' + e.pid + '\\n');
}
while (done && !existsSync(release)) await new Promise((r) => setTimeout(r, 5));
done?.();
`;

function taker(parent: string, env: Record<string, string> = {}) {
  const child = spawn(process.execPath, ['--input-type=module', '-e', TAKER, output, join(parent, 'c'), join(parent, 'go'), join(parent, 'release')], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const said = async () => {
    while (!out.includes('\n') && child.exitCode === null) await new Promise((r) => setTimeout(r, 5));
    return out.trim();
  };
  const exit = new Promise<void>((r) => child.on('exit', () => r()));
  return { child, said, exit };
}

const helpersLeft = (parent: string) => readdirSync(parent).filter((e) => e.startsWith('.c.lock.'));

describe('the output lock', () => {
  it("a run that read the dead lock, then finds another run's live lock in its place, leaves that lock alone and is locked out", async () => {
    const parent = tmp();
    writeFileSync(join(parent, '.c.lock'), '999999999\n');
    writeFileSync(join(parent, 'go'), '');
    const marker = join(parent, 'paused');
    // B reads the dead pid, then waits just before taking over.
    const b = taker(parent, { FLATCAR_ARCHITECT_TEST_PAUSE_AT: 'lock-takeover', FLATCAR_ARCHITECT_TEST_PAUSE_FILE: marker });
    while (!existsSync(marker)) await new Promise((r) => setTimeout(r, 5));
    // A takes the dead lock over meanwhile and holds it.
    const a = taker(parent);
    expect(await a.said()).toBe(`got ${a.child.pid}`);
    rmSync(marker);
    expect(await b.said()).toBe(`OutputLockedError ${a.child.pid}`);
    expect(readFileSync(join(parent, '.c.lock'), 'utf8')).toBe(`${a.child.pid}\n`);
    writeFileSync(join(parent, 'release'), '');
    await Promise.all([a.exit, b.exit]);
    expect(existsSync(join(parent, '.c.lock'))).toBe(false);
    expect(helpersLeft(parent)).toEqual([]);
  });

  it('ten runs finding the same dead lock at once: exactly one takes it, each time', async () => {
    for (let round = 0; round < 4; round++) {
      const parent = tmp();
      writeFileSync(join(parent, '.c.lock'), '999999999\n');
      const runs = Array.from({ length: 10 }, () => taker(parent));
      await new Promise((r) => setTimeout(r, 400)); // all started and polling for go
      writeFileSync(join(parent, 'go'), '');
      const said = await Promise.all(runs.map((r) => r.said()));
      expect(said.filter((s) => s.startsWith('got ')), said.join(', ')).toHaveLength(1);
      expect(said.filter((s) => s.startsWith('OutputLockedError '))).toHaveLength(9);
      writeFileSync(join(parent, 'release'), '');
      await Promise.all(runs.map((r) => r.exit));
      expect(readdirSync(parent).filter((e) => e.startsWith('.c.lock'))).toEqual([]);
    }
  });

  it('the helper files of a run killed while taking the lock are removed by the next run', async () => {
    const parent = tmp();
    writeFileSync(join(parent, '.c.lock.999999998.tmp'), '999999998\n');
    writeFileSync(join(parent, '.c.lock.999999997.stale'), '999999997\n');
    writeFileSync(join(parent, 'go'), '');
    writeFileSync(join(parent, 'release'), '');
    const a = taker(parent);
    expect(await a.said()).toBe(`got ${a.child.pid}`);
    await a.exit;
    expect(readdirSync(parent).filter((e) => e.startsWith('.c.lock'))).toEqual([]);
  });
});

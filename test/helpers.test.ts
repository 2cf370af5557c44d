/** The test helpers other tests stand on: temp dirs that are removed, loopback blocks that never overlap. */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loopbackBlock } from './helpers/loopback.js';
import { tempDir } from './helpers/tmp.js';

const made = tempDir('fa-helpers-');

describe('temp dirs', () => {
  it("are made in the run's own TMPDIR (not the system's), and removed after the file", () => {
    expect(process.env.FA_SYSTEM_TMPDIR, 'the global setup ran').toBeDefined();
    expect(tmpdir()).not.toBe(process.env.FA_SYSTEM_TMPDIR);
    expect(made.startsWith(tmpdir())).toBe(true);
    expect(existsSync(made)).toBe(true);
  });
});

describe('loopback blocks', () => {
  // Claims go into a directory of this test's own, so that blocks other test files hold meanwhile do not count.
  const system = process.env.FA_SYSTEM_TMPDIR;
  let dir = '';
  beforeEach(() => {
    dir = tempDir('fa-locks-');
    process.env.FA_SYSTEM_TMPDIR = dir;
  });
  afterEach(() => {
    process.env.FA_SYSTEM_TMPDIR = system;
  });
  const locks = () => readdirSync(dir).filter((f) => f.startsWith('flatcar-architect-loopback-'));

  it('two claims in one process get different addresses and port ranges, clear of the defaults', () => {
    const a = loopbackBlock();
    const b = loopbackBlock();
    expect(a.memberBase).not.toBe(b.memberBase);
    expect(a.machineBase).not.toBe(b.machineBase);
    expect(Math.abs(a.portBase - b.portBase)).toBeGreaterThanOrEqual(400);
    for (const x of [a, b]) {
      expect(x.memberBase).toMatch(/^127\.0\.(1[0-5]\d)\.11$/);
      expect(x.portBase + 400).toBeLessThanOrEqual(22379);
      expect(x.member(2)).toBe(x.memberBase.replace(/\.11$/, '.13'));
    }
  });

  it('a block held by a live process is skipped; one whose process is gone is taken over', () => {
    const sleeper = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      // Every block but the 8th is held by the sleeper; the 8th by a pid that does not exist.
      for (let k = 0; k < 30; k++) writeFileSync(join(dir, `flatcar-architect-loopback-block-${k}.lock`), k === 7 ? '2147483646\n' : `${sleeper.pid}\n`);
      const block = loopbackBlock();
      expect(block.portBase).toBe(10_000 + 400 * 7);
      expect(block.memberBase).toBe('127.0.114.11');
      expect(readFileSync(join(dir, 'flatcar-architect-loopback-block-7.lock'), 'utf8')).toBe(`${process.pid}\n`);
      expect(() => loopbackBlock()).toThrow(/all 30 loopback blocks are held/);
    } finally {
      sleeper.kill();
    }
    expect(locks()).toHaveLength(30);
  });
});

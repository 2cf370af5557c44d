/**
 * Loopback addresses and ports for tests that run real etcd, so that test files running at the same
 * time (in this run, or in another checkout's run on the same machine) never collide.
 *
 * - `loopbackBlock()`: a block of its own for a test file: member and machine base addresses
 *   (127.0.100.0/24 to 127.0.159.0/24, two /24s a block) and a port base (10000 + 400 a block), clear
 *   of the rehearsal's defaults (127.0.0.11, 127.0.1.x, ports from 22379). Pass them to `rehearse`.
 * - `holdDefaultLoopback()`: for tests of the CLI, which always uses the defaults: the describe
 *   block waits until no other test holds them, and holds them until it is done.
 *
 * A claim is a file `flatcar-architect-loopback-<block>.lock` holding the claiming process's pid in
 * the system's temp dir (the one before the run's own TMPDIR, test/helpers/global-setup.ts); it is
 * removed after the test file, and a claim whose process is gone is taken over.
 */
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';

const BLOCKS = 30;
const PORTS_PER_BLOCK = 400;
const FIRST_PORT = 10_000;
const lockDir = (): string => process.env.FA_SYSTEM_TMPDIR ?? tmpdir();
const lockFile = (name: string): string => join(lockDir(), `flatcar-architect-loopback-${name}.lock`);

const held = new Set<string>();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the claim `name` if it is free (or its holder is gone); true when this process holds it now. */
function tryClaim(name: string): boolean {
  const file = lockFile(name);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o644);
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      held.add(file);
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    let pid = NaN;
    try {
      pid = Number(readFileSync(file, 'utf8').trim());
    } catch {
      continue; // released meanwhile: try again
    }
    if (Number.isInteger(pid) && pid > 0 && alive(pid)) return false;
    try {
      unlinkSync(file); // its process is gone
    } catch {
      // someone else took it over first
    }
  }
  return false;
}

function release(file: string): void {
  try {
    if (Number(readFileSync(file, 'utf8').trim()) === process.pid) unlinkSync(file);
  } catch {
    // gone already
  }
  held.delete(file);
}

afterAll(() => [...held].forEach(release));
process.once('exit', () => [...held].forEach(release));

export interface LoopbackBlock {
  /** First etcd member's address: the members get it and the next ones (rehearse's memberBase). */
  memberBase: string;
  /** First machine's address for proxies (rehearse's machineBase). */
  machineBase: string;
  /** First port of the ports layout (rehearse's portBase); the block has 400. */
  portBase: number;
  /** The address of member i (0-based) and of machine i. */
  member(i: number): string;
  machine(i: number): string;
}

/** A block of addresses and ports no other test holds, for this test file. */
export function loopbackBlock(): LoopbackBlock {
  for (let k = 0; k < BLOCKS; k++) {
    if (!tryClaim(`block-${k}`)) continue;
    const members = `127.0.${100 + 2 * k}`;
    const machines = `127.0.${101 + 2 * k}`;
    return {
      memberBase: `${members}.11`,
      machineBase: `${machines}.1`,
      portBase: FIRST_PORT + PORTS_PER_BLOCK * k,
      member: (i) => `${members}.${11 + i}`,
      machine: (i) => `${machines}.${1 + i}`,
    };
  }
  throw new Error(`all ${BLOCKS} loopback blocks are held by running tests (see ${lockDir()}/flatcar-architect-loopback-*.lock)`);
}

/** The rehearsal's defaults: members from 127.0.0.11, proxies from 127.0.1.1, the ports layout from 22379. */
const DEFAULTS: [string, number][] = [
  ...[11, 12, 13].flatMap((h): [string, number][] => [
    [`127.0.0.${h}`, 2379],
    [`127.0.0.${h}`, 2380],
  ]),
  ['127.0.1.1', 2379],
  ['127.0.1.2', 2379],
  ['127.0.0.1', 22379],
  ['127.0.0.1', 22380],
];

/** True when nothing listens on host:port (a test of this checkout or anything else on the machine). */
function free(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

/**
 * In a describe block: its tests use the rehearsal's default addresses and ports (the CLI's). Waits
 * (at most `waitMs`) until no other test holds them and nothing listens there, and holds them until
 * the block's tests are done.
 */
export function holdDefaultLoopback(waitMs = 600_000): void {
  beforeAll(async () => {
    const until = Date.now() + waitMs;
    for (;;) {
      if (tryClaim('defaults')) {
        if ((await Promise.all(DEFAULTS.map(([h, p]) => free(h, p)))).every(Boolean)) return;
        release(lockFile('defaults'));
      }
      if (Date.now() > until) throw new Error(`the rehearsal's default loopback addresses stayed in use for ${waitMs / 1000}s`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }, waitMs + 10_000);
  afterAll(() => release(lockFile('defaults')));
}

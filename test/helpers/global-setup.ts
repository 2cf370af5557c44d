/**
 * Once per `vitest run`: every temporary file of the run (tests, their helpers, the CLI and tools
 * they spawn) goes into one directory of its own, named by TMPDIR, which is removed at the end.
 * Whatever a test leaves there is named on standard error, so a leak is seen, and the system's temp
 * dir stays clean even when a worker crashes.
 */
import { chmodSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const before = process.env.TMPDIR;
  // Claims that must be seen across runs (test/helpers/loopback.ts) stay in the system's temp dir.
  process.env.FA_SYSTEM_TMPDIR = tmpdir();
  const root = mkdtempSync(join(tmpdir(), 'fa-tests-'));
  // As the system's temp dir: other users (Ignition applies SSH keys as core) reach and use it.
  chmodSync(root, 0o1777);
  process.env.TMPDIR = root;
  return () => {
    let left: string[] = [];
    try {
      left = readdirSync(root);
    } catch {
      // already gone
    }
    if (left.length) process.stderr.write(`test temp dirs left behind by their tests (removed now): ${left.sort().join(', ')}\n`);
    rmSync(root, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
    delete process.env.FA_SYSTEM_TMPDIR;
    if (before === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = before;
  };
}

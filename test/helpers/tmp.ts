/** Temporary directories a test file makes, removed after its tests; and reading back a directory tree. */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll } from 'vitest';

/*
 * Every temporary directory of a test goes through here. This module is evaluated once per test file
 * (vitest isolates test files), so one afterAll removes what that file (or a helper it called) made,
 * whether its tests passed or failed. test/helpers/global-setup.ts points TMPDIR at a directory of
 * the run's own, removed at the end, so even a crashed worker or a spawned process leaves nothing in
 * the system's temp dir.
 */
const made: string[] = [];
afterAll(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh directory named `<prefix>XXXXXX` in the temp dir, removed once the test file is done. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** A maker of fresh directories named `<prefix>XXXXXX`, all removed once the file's tests are done. */
export function tempDirs(prefix: string): () => string {
  return () => tempDir(prefix);
}

/** Every regular file below dir (subdirectories too), by relative path, mapped through `read`. */
export function filesBelow<T>(dir: string, read: (bytes: Buffer) => T): Record<string, T> {
  return Object.fromEntries(
    (readdirSync(dir, { recursive: true }) as string[])
      .sort()
      .filter((f) => statSync(join(dir, f)).isFile())
      .map((f) => [f, read(readFileSync(join(dir, f)))]),
  );
}

/** Every file below `root`, outside `dir`, that holds a private key (path relative to `root`). */
export function keysOutside(root: string, dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (p === dir) continue;
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && (e.name.endsWith('-key.pem') || readFileSync(p, 'utf8').includes('PRIVATE KEY'))) out.push(relative(root, p));
    }
  };
  walk(root);
  return out;
}

/** Temporary directories a test file makes, removed after its tests; and reading back a directory tree. */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

/** A maker of fresh directories named `<prefix>XXXXXX`, all removed once the file's tests are done. */
export function tempDirs(prefix: string): () => string {
  const made: string[] = [];
  afterAll(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })));
  return () => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    made.push(dir);
    return dir;
  };
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

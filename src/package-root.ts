/**
 * The installed package's root directory (the one holding package.json, presets/ and templates/),
 * found from this module's own location so that it never depends on the current directory. Works
 * both from the sources (src/) and from the build (dist/src/).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;
let version = '';

export function packageRoot(): string {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    const found = existsSync(manifest) ? (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string; version?: string }) : null;
    if (found?.name === 'flatcar-architect') {
      version = found.version ?? '';
      cached = dir;
      return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('flatcar-architect: cannot find the package root (package.json) above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
}

/** package.json's version. */
export function packageVersion(): string {
  packageRoot();
  return version;
}

export const presetsDir = (): string => join(packageRoot(), 'presets');
export const templatesDir = (): string => join(packageRoot(), 'templates');

/**
 * The build's inputs, hashed: every file under src/, bench/, scripts/, templates/, presets/, schema/,
 * tsconfig.json, package.json and package-lock.json, plus the Node running the build (dist/bin/cli.cache
 * is that Node's). `npm run build` ends by writing the hash to dist/.build-inputs (writeBuildStamp);
 * scripts/build-if-stale.mjs and bin/flatcar-architect.js compare against it.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const stampFile = join(root, 'dist', '.build-inputs');

function* files(dir) {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* files(path);
    else if (entry.isFile()) yield path;
  }
}

export function buildInputsHash() {
  const hash = createHash('sha256').update(`${process.version} ${process.arch}\n`);
  const inputs = [
    ...['src', 'bench', 'scripts', 'templates', 'presets', 'schema'].flatMap((d) => [...files(join(root, d))]),
    ...['tsconfig.json', 'package.json', 'package-lock.json'].map((f) => join(root, f)),
  ];
  for (const file of inputs) {
    if (!existsSync(file)) continue;
    hash
      .update(`${relative(root, file)}\n`)
      .update(readFileSync(file))
      .update('\n');
  }
  return hash.digest('hex');
}

export function writeBuildStamp(hash = buildInputsHash()) {
  writeFileSync(stampFile, `${hash}\n`);
}

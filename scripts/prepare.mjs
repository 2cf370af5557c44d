/**
 * npm's `prepare` (run by `npm install` in a clone, by `npm pack`/`npm publish`, and by npx when it
 * links a clone into its cache): builds dist/ unless it is already the build of exactly these inputs.
 * So `npm install && npx flatcar-architect ...` in a fresh clone builds once, not twice (npx links the
 * clone and runs its `prepare` again: that second run finds dist/ current and returns at once).
 * The inputs: every file under src/, bench/, scripts/, templates/, presets/, schema/, tsconfig.json,
 * package.json and package-lock.json, plus the Node running the build (dist/bin/cli.cache is that
 * Node's). `npm run build` always builds.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const stampFile = join(root, 'dist', '.build-inputs');

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
  const inputs = [...['src', 'bench', 'scripts', 'templates', 'presets', 'schema'].flatMap((d) => [...files(join(root, d))]), ...['tsconfig.json', 'package.json', 'package-lock.json'].map((f) => join(root, f))];
  for (const file of inputs) {
    if (!existsSync(file)) continue;
    hash.update(`${relative(root, file)}\n`).update(readFileSync(file)).update('\n');
  }
  return hash.digest('hex');
}

const want = buildInputsHash();
const have = existsSync(stampFile) ? readFileSync(stampFile, 'utf8').trim() : '';
if (have === want && existsSync(join(root, 'dist', 'bin', 'flatcar-architect.js'))) {
  process.stdout.write('flatcar-architect: dist/ is already built from these sources\n');
} else {
  const npm = process.env.npm_execpath;
  const r = npm
    ? spawnSync(process.execPath, [npm, 'run', 'build'], { cwd: root, stdio: 'inherit' })
    : spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
  writeFileSync(stampFile, `${want}\n`);
}

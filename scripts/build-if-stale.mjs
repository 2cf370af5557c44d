/**
 * Builds dist/ unless it is already the build of exactly these inputs; always leaves dist/.build-inputs
 * freshly touched. Run by npm's `prepack` (`npm pack`, `npm publish`) and by bin/flatcar-architect.js
 * in a clone whose dist/ is missing or older than a source file: so `npm install && npx
 * flatcar-architect ...` in a fresh clone builds exactly once (npm install builds nothing: a
 * `prepare` script would make npm warn every consumer of the package about an install script).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildInputsHash, root, stampFile, writeBuildStamp } from './build-inputs.mjs';

const want = buildInputsHash();
const have = existsSync(stampFile) ? readFileSync(stampFile, 'utf8').trim() : '';
if (have === want && existsSync(join(root, 'dist', 'bin', 'flatcar-architect.js'))) {
  writeBuildStamp(want); // touched: bin/flatcar-architect.js compares its time
} else {
  const npm = /npm-cli\.js$/.test(process.env.npm_execpath ?? '') ? process.env.npm_execpath : undefined;
  const r = npm ? spawnSync(process.execPath, [npm, 'run', 'build'], { cwd: root, stdio: 'inherit' }) : spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

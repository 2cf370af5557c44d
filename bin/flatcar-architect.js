#!/usr/bin/env node
'use strict';
// flatcar-architect's command (package.json "bin"). In an installed package it runs the built command
// line, dist/bin/flatcar-architect.js (scripts/loader.cjs). In a clone (src/ is there), where no npm
// lifecycle script builds (none is declared but `prepack`: npm would warn every consumer about an
// install script), it first builds dist/ when dist/ is missing or older than a source file: once, by
// scripts/build-if-stale.mjs, so that `npm install && npx flatcar-architect ...` builds exactly once.
const { existsSync, readdirSync, statSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const loader = join(root, 'dist', 'bin', 'flatcar-architect.js');

/** The newest modification time below the build's inputs (a few hundred stat calls). */
function newestInput() {
  let newest = 0;
  const visit = (path) => {
    let st;
    try {
      st = statSync(path);
    } catch {
      return;
    }
    if (st.isDirectory()) for (const name of readdirSync(path)) visit(join(path, name));
    else if (st.mtimeMs > newest) newest = st.mtimeMs;
  };
  for (const input of ['src', 'bench', 'scripts', 'templates', 'presets', 'schema', 'tsconfig.json', 'package.json', 'package-lock.json']) visit(join(root, input));
  return newest;
}

if (existsSync(join(root, 'src')) && existsSync(join(root, 'scripts', 'build-if-stale.mjs'))) {
  const stamp = join(root, 'dist', '.build-inputs');
  const built = existsSync(loader) && existsSync(stamp) ? statSync(stamp).mtimeMs : 0;
  if (built === 0 || newestInput() > built) {
    if (built === 0) process.stderr.write('flatcar-architect: building dist/ in this clone (once)...\n');
    const { spawnSync } = require('node:child_process');
    const r = spawnSync(process.execPath, [join(root, 'scripts', 'build-if-stale.mjs')], { cwd: root, stdio: ['ignore', 2, 2] });
    if (r.status !== 0) {
      process.stderr.write('flatcar-architect: the build failed (npm install first, then npm run build)\n');
      process.exit(r.status === null ? 1 : r.status);
    }
  }
}
require(loader);

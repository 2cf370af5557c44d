/**
 * The shipped command line (package.json "bin"): dist/bin/flatcar-architect.js, one ESM bundle of
 * dist/src/cli/main.js and its dependencies, split so that each command still loads only what it uses
 * (the wizard, rehearse, the schema are chunks loaded on demand). Loading one file instead of some
 * hundreds of modules (and their package.json files) is most of a small run's start-up time.
 * dist/src stays as it is: the library API (package.json "exports") and the tests use it.
 * Presets and templates are found from the package root (src/package-root.ts walks up to package.json).
 */
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist', 'bin');
rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: { 'flatcar-architect': join(root, 'dist', 'src', 'cli', 'main.js') },
  outdir,
  bundle: true,
  splitting: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  minify: true,
  chunkNames: 'chunks/[name]-[hash]',
  // Bundled CommonJS packages (commander, handlebars, yaml...) call require() for Node's modules.
  banner: { js: "import { createRequire as __faCreateRequire } from 'node:module'; const require = __faCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});

/**
 * The shipped command line (package.json "bin" = dist/bin/flatcar-architect.js):
 *   dist/bin/cli.cjs              one CommonJS bundle of dist/src/cli/main.js and its dependencies
 *                                 (the wizard, rehearse, ajv... are in it but only run when needed);
 *   dist/bin/cli-<hash>.cache     V8's code cache for that bundle, made here by a training run;
 *   dist/bin/flatcar-architect.js the loader: compiles the bundle with the cache (scripts/loader.cjs).
 * Compiling about a megabyte of JavaScript on every run was most of a small run's start-up time; with
 * the cache, V8 deserialises the bytecode of the functions a typical run uses instead. A cache that
 * V8 rejects (another Node version, other V8 flags) is ignored and the bundle compiles as usual.
 * dist/src stays as it is: the library API (package.json "exports") and the tests use it.
 * Presets and templates are found from the package root (src/package-root.ts walks up to package.json).
 * FA_NO_MINIFY=1 keeps names readable, for `node --cpu-prof` of the bin.
 */
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, copyFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist', 'bin');
const bundle = join(outdir, 'cli.cjs');
rmSync(outdir, { recursive: true, force: true });

/**
 * commander requires node:child_process (and so node:net) when it loads, for executable subcommands,
 * which this CLI has none of; loading it only when spawn is called saves every run a few ms.
 */
const lazyChildProcess = {
  name: 'lazy-child-process',
  setup(b) {
    b.onLoad({ filter: /commander[\\/]lib[\\/]command\.js$/ }, (args) => {
      const eager = "const childProcess = require('node:child_process');";
      const text = readFileSync(args.path, 'utf8');
      if (!text.includes(eager)) throw new Error(`${args.path}: commander changed; update scripts/bundle.mjs`);
      const lazy = "const childProcess = { spawn: (...a) => require('node:child_process').spawn(...a) };";
      return { contents: text.replace(eager, lazy), loader: 'js' };
    });
  },
};

await build({
  plugins: [lazyChildProcess],
  entryPoints: [join(root, 'dist', 'src', 'cli', 'main.js')],
  outfile: bundle,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  minify: process.env.FA_NO_MINIFY !== "1",
  // The sources are ESM: import.meta.url is the bundle's own URL (createRequire, the package root).
  define: { 'import.meta.url': '__faBundleUrl' },
  banner: { js: 'var __faBundleUrl=require("node:url").pathToFileURL(__filename).href;' },
  logLevel: 'warning',
});

// The loader wraps the bundle in CommonJS's function header itself: no shebang may stay in it.
const source = readFileSync(bundle, 'utf8').replace(/^#!.*\n/, '');
writeFileSync(bundle, source);
const hash = createHash('sha256').update(source).digest('hex').slice(0, 16);
const cacheName = `cli-${hash}.cache`;

// The loader is CommonJS (dist/bin/package.json says so), and names the cache of this very bundle.
writeFileSync(join(outdir, 'package.json'), '{ "type": "commonjs" }\n');
const loader = join(outdir, 'flatcar-architect.js');
copyFileSync(join(root, 'scripts', 'loader.cjs'), loader);
writeFileSync(loader, readFileSync(loader, 'utf8').replaceAll('@CACHE_NAME@', cacheName));
chmodSync(loader, 0o755);

// Training run: a 5-machine production cluster with TLS, the run the start-up benchmark measures.
const scratch = mkdtempSync(join(tmpdir(), 'fa-code-cache-'));
try {
  const run = spawnSync(process.execPath, [loader, '--preset', 'production', '--size', '5', '--out', join(scratch, 'out')], {
    env: { ...process.env, FLATCAR_ARCHITECT_WRITE_CODE_CACHE: '1' },
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`code cache training run failed (exit ${run.status}): ${run.stderr}`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
readFileSync(join(outdir, cacheName)); // the training run must have written it

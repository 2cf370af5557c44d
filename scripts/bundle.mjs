/**
 * The shipped command line (package.json "bin" = dist/bin/flatcar-architect.js):
 *   dist/bin/cli.cjs              one CommonJS bundle of dist/src/cli/main.js (our code only: the
 *                                 dependencies stay external and are installed by npm, once);
 *   dist/bin/cli.cache            V8's code cache for that bundle, made here by a training run, for
 *                                 Node releases without module.enableCompileCache (Node 20); it starts
 *                                 with the key it was made for (Node version, arch, V8 flags);
 *   dist/bin/deps.cache           the same for the dependencies the run required from node_modules,
 *                                 each by the SHA-256 of its source (scripts/loader.cjs);
 *   dist/bin/flatcar-architect.js the loader (scripts/loader.cjs).
 * The loader uses Node's own compile cache (module.enableCompileCache, Node >= 22.1) where there is one:
 * Node keys it itself and it covers the dependencies too. Otherwise it uses cli.cache only when its key
 * is exactly the running Node's, and plain require() on any mismatch: a cache made by one Node is
 * never handed to another (issue 13: Node 20.18 crashed on a 20.20 cache).
 * Nothing here writes a path of the build machine into dist/bin (checked by test/cli/pack.test.ts).
 * FA_NO_MINIFY=1 keeps names readable, for `node --cpu-prof` of the bin.
 */
import { build } from 'esbuild';
import { writeBuildStamp } from './build-inputs.mjs';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, copyFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist', 'bin');
const bundle = join(outdir, 'cli.cjs');
rmSync(outdir, { recursive: true, force: true });

await build({
  entryPoints: [join(root, 'dist', 'src', 'cli', 'main.js')],
  outfile: bundle,
  bundle: true,
  packages: 'external',
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  // import() of a dependency becomes require(): the vm path needs no dynamic-import callback.
  supported: { 'dynamic-import': false },
  minify: process.env.FA_NO_MINIFY !== '1',
  // The sources are ESM: import.meta.url is the bundle's own URL (the package root is found from it).
  define: { 'import.meta.url': '__faBundleUrl' },
  banner: { js: 'var __faBundleUrl=require("node:url").pathToFileURL(__filename).href;' },
  logLevel: 'warning',
});

// The loader may wrap the bundle in CommonJS's function header itself: no shebang may stay in it.
writeFileSync(bundle, readFileSync(bundle, 'utf8').replace(/^#!.*\n/, ''));
writeFileSync(join(outdir, 'package.json'), '{ "type": "commonjs" }\n');
const loader = join(outdir, 'flatcar-architect.js');
copyFileSync(join(root, 'scripts', 'loader.cjs'), loader);
chmodSync(loader, 0o755);

// Training run (a 5-machine production cluster with TLS, the run the start-up benchmark measures):
// writes cli.cache and deps.cache for this Node.
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

// The last step of `npm run build`: dist/ is the build of these inputs (scripts/build-inputs.mjs).
writeBuildStamp();

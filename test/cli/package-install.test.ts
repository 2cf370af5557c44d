/**
 * The package as users get it: `npm pack` (scripts skipped: `pretest` has built dist/), unpacked into
 * a temporary node_modules as npm would install it, its dependencies linked from this repository's
 * node_modules (no registry needed). Then, from another directory: the installed bin (the bundle)
 * writes every preset, finds its presets and templates from the package root, compiles a --templates
 * override, and the library entry (package.json "exports") imports.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createRequire } from 'node:module';
import { repoRoot } from '../helpers/paths.js';

const hasCompileCache = typeof (createRequire(import.meta.url)('node:module') as { enableCompileCache?: unknown }).enableCompileCache === 'function';

const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
  bin: Record<string, string>;
  dependencies: Record<string, string>;
};

let work: string;
let installed: string;
let elsewhere: string;

function run(args: string[], cwd = elsewhere) {
  return spawnSync(process.execPath, [join(installed, manifest.bin['flatcar-architect']!), ...args], { cwd, encoding: 'utf8', timeout: 60_000 });
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'fa-install-'));
  const packed = spawnSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: repoRoot, encoding: 'utf8', timeout: 120_000 });
  expect(packed.status, packed.stderr).toBe(0);
  const tarball = join(work, (JSON.parse(packed.stdout) as { filename: string }[])[0]!.filename);
  const modules = join(work, 'prefix', 'node_modules');
  installed = join(modules, 'flatcar-architect');
  mkdirSync(installed, { recursive: true });
  const untar = spawnSync('tar', ['xzf', tarball, '-C', installed, '--strip-components=1'], { encoding: 'utf8' });
  expect(untar.status, untar.stderr).toBe(0);
  // The dependencies, where npm would have put them (hoisted next to the package).
  for (const dep of readdirSync(join(repoRoot, 'node_modules'))) {
    if (dep.startsWith('.')) continue;
    const from = join(repoRoot, 'node_modules', dep);
    if (dep.startsWith('@')) {
      mkdirSync(join(modules, dep), { recursive: true });
      for (const sub of readdirSync(from)) if (!existsSync(join(modules, dep, sub))) symlinkSync(join(from, sub), join(modules, dep, sub));
    } else if (!existsSync(join(modules, dep))) {
      symlinkSync(from, join(modules, dep));
    }
  }
  elsewhere = join(work, 'somewhere-else');
  mkdirSync(elsewhere);
}, 180_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the packed and installed package', () => {
  test('ships the bundled bin, the library, presets and templates, not the sources or tests', () => {
    expect(existsSync(join(installed, manifest.bin['flatcar-architect']!))).toBe(true);
    expect(existsSync(join(installed, 'dist', 'src', 'index.js'))).toBe(true);
    expect(existsSync(join(installed, 'dist', 'src', 'render', 'templates.precompiled.json'))).toBe(true);
    expect(readdirSync(join(installed, 'presets')).sort()).toEqual(readdirSync(join(repoRoot, 'presets')).sort());
    expect(readdirSync(join(installed, 'templates')).sort()).toEqual(readdirSync(join(repoRoot, 'templates')).sort());
    expect(existsSync(join(installed, 'src'))).toBe(false);
    expect(existsSync(join(installed, 'test'))).toBe(false);
  });

  test.each(['laptop', 'small', 'dev', 'production'])('the installed bin writes the %s preset from another directory', (preset) => {
    const r = run(['--preset', preset, '--out', `out-${preset}`]);
    expect(r.status, r.stderr).toBe(0);
    const files = readdirSync(join(elsewhere, `out-${preset}`));
    expect(files).toContain('cluster.yaml');
    expect(files).toContain('SUMMARY.md');
    const ign = files.filter((f) => f.endsWith('.ign'));
    expect(ign.length).toBeGreaterThan(0);
    for (const f of ign) JSON.parse(readFileSync(join(elsewhere, `out-${preset}`, f), 'utf8'));
    expect(files.filter((f) => f.endsWith('.bu'))).toHaveLength(ign.length);
  });

  test('an answers file (validated with ajv, loaded on demand) writes the same cluster again', () => {
    const first = run(['--preset', 'small', '--size', '3', '--insecure', '--out', 'out-answers']);
    expect(first.status, first.stderr).toBe(0);
    const again = run(['--answers', 'out-answers/cluster.yaml', '--out', 'out-answers-again']);
    expect(again.status, again.stderr).toBe(0);
    for (const f of ['small-node-1.ign', 'small-node-3.bu', 'cluster.yaml']) {
      expect(readFileSync(join(elsewhere, 'out-answers-again', f), 'utf8'), f).toBe(readFileSync(join(elsewhere, 'out-answers', f), 'utf8'));
    }
    const wrong = run(['--answers', 'out-answers/SUMMARY.md', '--out', 'out-wrong']);
    expect(wrong.status).toBe(2);
  });

  test('a --templates override is compiled at run time (not the precompiled built-in)', () => {
    const dir = join(elsewhere, 'my-templates');
    mkdirSync(dir);
    cpSync(join(installed, 'templates', 'hostname.hbs'), join(dir, 'hostname.hbs'));
    const original = readFileSync(join(dir, 'hostname.hbs'), 'utf8');
    const marked = `{{!-- overridden --}}\n${original}`;
    writeFileSync(join(dir, 'hostname.hbs'), marked);
    const r = run(['--preset', 'dev', '--size', '2', '--templates', 'my-templates', '--insecure', '--out', 'out-templates']);
    expect(r.status, r.stderr).toBe(0);
    const bad = join(elsewhere, 'bad-templates');
    mkdirSync(bad);
    writeFileSync(join(bad, 'hostname.hbs'), '{{oops}}\n');
    const refused = run(['--preset', 'dev', '--size', '2', '--templates', 'bad-templates', '--insecure', '--out', 'out-bad']);
    expect(refused.status).not.toBe(0);
    expect(refused.stderr + refused.stdout).toMatch(/hostname\.hbs/);
  });

  test("the bin uses its V8 code cache only for the exact Node that made it (else Node's compile cache, or none), and runs the same without it", () => {
    const bin = join(installed, 'dist', 'bin');
    const cacheFile = join(bin, 'cli.cache');
    const runWith = (out: string, env: NodeJS.ProcessEnv = {}) => {
      const r = spawnSync(process.execPath, [join(installed, manifest.bin['flatcar-architect']!), '--preset', 'production', '--size', '5', '--insecure', '--out', out], {
        cwd: elsewhere,
        encoding: 'utf8',
        timeout: 60_000,
        env: { ...process.env, NODE_OPTIONS: '', FLATCAR_ARCHITECT_DEBUG_CODE_CACHE: '1', ...env },
      });
      expect(r.status, r.stderr).toBe(0);
      return {
        status: /code cache: (?!dependencies)(.+)/.exec(r.stderr)?.[1],
        deps: /code cache: dependencies: (\d+) used, (\d+) rejected, (\d+) without data/.exec(r.stderr)?.slice(1).map(Number),
        ign: readFileSync(join(elsewhere, out, 'production-worker-1.ign'), 'utf8'),
      };
    };
    const used = runWith('out-cache-used');
    expect(used.status).toBe('used');
    // The dependencies (installed in node_modules, not bundled) compile from deps.cache too.
    expect(used.deps![0]).toBeGreaterThan(50);
    expect(used.deps!.slice(1)).toEqual([0, 0]);
    const depsFile = join(bin, 'deps.cache');
    const goodDeps = readFileSync(depsFile);
    expect(goodDeps.includes(Buffer.from(repoRoot))).toBe(false);
    try {
      // The right key and index but data V8 cannot use: each rejected and compiled as usual.
      const indexEnd = goodDeps.indexOf(10, goodDeps.indexOf(10) + 1);
      writeFileSync(depsFile, Buffer.concat([goodDeps.subarray(0, indexEnd + 1), Buffer.alloc(goodDeps.length - indexEnd - 1, 7)]));
      const rejected = runWith('out-deps-rejected');
      expect(rejected.deps).toEqual([0, used.deps![0], 0]);
      // Another Node's deps.cache: none used.
      writeFileSync(depsFile, Buffer.from(goodDeps.toString('latin1').replace(process.version, 'v0.0.0'), 'latin1'));
      const other = runWith('out-deps-other');
      expect(other.deps).toEqual([0, 0, used.deps![0]]);
      for (const r of [rejected, other]) expect(r.ign).toBe(used.ign);
    } finally {
      writeFileSync(depsFile, goodDeps);
    }
    const good = readFileSync(cacheFile);
    const newline = good.indexOf(10);
    expect(good.subarray(0, newline).toString()).toContain(process.version);
    expect(good.includes(Buffer.from(repoRoot))).toBe(false);
    try {
      // Another Node's cache (the key names another version): not handed to V8 at all.
      writeFileSync(cacheFile, Buffer.from(good.toString('latin1').replace(process.version, 'v0.0.0'), 'latin1'));
      const other = runWith('out-cache-other');
      expect(other.status).toMatch(hasCompileCache ? /^node compile cache \(on; cli.cache: mismatch\)$/ : /^mismatch$/);
      // Other V8 flags: the same.
      writeFileSync(cacheFile, good);
      const flags = runWith('out-cache-flags', { NODE_OPTIONS: '--max-old-space-size=300' });
      expect(flags.status).toMatch(/mismatch\)?$/);
      // The right key but bytes V8 cannot use: rejected by V8, compiled as usual.
      writeFileSync(cacheFile, Buffer.concat([good.subarray(0, newline + 1), Buffer.alloc(good.length - newline - 1, 7)]));
      const rejected = runWith('out-cache-rejected');
      expect(rejected.status).toBe('rejected');
      rmSync(cacheFile);
      const missing = runWith('out-cache-missing');
      expect(missing.status).toMatch(/missing\)?$/);
      for (const r of [other, flags, rejected, missing]) expect(r.ign).toBe(used.ign);
    } finally {
      writeFileSync(cacheFile, good);
    }
  });

  test('the library entry imports from the installed package', () => {
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', "const m = await import('flatcar-architect'); console.log(typeof m.generateCluster)"], {
      cwd: join(work, 'prefix'),
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe('function');
  });
});

/**
 * What `npm pack` ships (issue 13): LICENSE (the Apache-2.0 text package.json names), README, the bin
 * and the library; no tests, no TypeScript sources, no build scripts, no sources of commands the
 * library never loads (the bin has them in its bundle); no path of the build machine in any file;
 * the dependencies installed, not bundled too; exports reaching ./package.json and the answers
 * schema. The size is printed (and bounded, as a guard against shipping node_modules or the like).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { beforeAll, expect, test } from 'vitest';
import { repoRoot } from '../helpers/paths.js';
import { tempDirs } from '../helpers/tmp.js';

const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
  license: string;
  repository: { url: string };
  homepage: string;
  bugs: { url: string };
  keywords: string[];
  dependencies: Record<string, string>;
  exports: Record<string, unknown>;
};
const tmp = tempDirs('fa-pack-');
let dry: { size: number; unpackedSize: number; files: { path: string }[] };
let unpacked: string;

beforeAll(() => {
  const r = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: repoRoot, encoding: 'utf8', timeout: 120_000 });
  expect(r.status, r.stderr).toBe(0);
  dry = (JSON.parse(r.stdout) as (typeof dry)[])[0]!;
  const work = tmp();
  const packed = spawnSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], { cwd: repoRoot, encoding: 'utf8', timeout: 120_000 });
  expect(packed.status, packed.stderr).toBe(0);
  unpacked = join(work, 'node_modules', 'flatcar-architect');
  mkdirSync(unpacked, { recursive: true });
  execFileSync('tar', ['xzf', join(work, (JSON.parse(packed.stdout) as { filename: string }[])[0]!.filename), '-C', unpacked, '--strip-components=1']);
}, 180_000);

test('npm pack --dry-run: LICENSE, no tests, no sources; the size', () => {
  const files = dry.files.map((f) => f.path);
  console.log(`npm pack: ${files.length} files, ${(dry.size / 1024).toFixed(0)} KB packed, ${(dry.unpackedSize / 1024).toFixed(0)} KB unpacked`);
  expect(files).toContain('LICENSE');
  expect(files).toContain('README.md');
  expect(files).toContain('package.json');
  expect(files).toContain('bin/flatcar-architect.js');
  expect(files).toContain('dist/bin/flatcar-architect.js');
  expect(files).toContain('dist/bin/cli.cjs');
  expect(files).toContain('dist/src/index.js');
  expect(files).toContain('schema/answers.schema.json');
  for (const f of files) {
    expect(f, f).not.toMatch(/^(test|src|scripts|bench|docs|examples|node_modules|\.ci)\//);
    expect(f, f).not.toMatch(/\.test\.|\.ts$(?<!\.d\.ts)|\.tgz$/);
    expect(f, f).not.toMatch(/^dist\/(bench|src\/(cli|wizard|rehearse))\//);
  }
  expect(dry.unpackedSize).toBeLessThan(3 * 1024 * 1024);
});

test('LICENSE is the Apache-2.0 text package.json names; the metadata is there', () => {
  expect(manifest.license).toBe('Apache-2.0');
  const license = readFileSync(join(unpacked, 'LICENSE'), 'utf8');
  expect(license).toMatch(/^\s*Apache License\s+Version 2\.0, January 2004/);
  expect(license).toContain('TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION');
  expect(manifest.repository.url).toMatch(/^git\+https:\/\/github\.com\/flatcar-architect\/flatcar-architect\.git$/);
  expect(manifest.homepage).toMatch(/^https:\/\/github\.com\//);
  expect(manifest.bugs.url).toMatch(/\/issues$/);
  expect(manifest.keywords).toEqual(expect.arrayContaining(['flatcar', 'butane', 'ignition']));
});

test('no file holds a path of the build machine', () => {
  const walk = (dir: string): string[] => readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? walk(join(dir, n)) : [join(dir, n)]));
  for (const file of walk(unpacked)) {
    const bytes = readFileSync(file);
    expect(bytes.includes(Buffer.from(repoRoot)), file).toBe(false);
    expect(bytes.includes(Buffer.from('/work/')), file).toBe(false);
  }
});

test('the bin requires its dependencies (installed), it does not bundle them; every dependency is used', () => {
  const bundle = readFileSync(join(unpacked, 'dist', 'bin', 'cli.cjs'), 'utf8');
  const required = new Set(
    [...bundle.matchAll(/require\("([^".][^"]*)"\)|\(__faBundleUrl\)\("([^".][^"]*)"\)/g)]
      .map((m) => m[1] ?? m[2]!)
      .filter((s) => !s.startsWith('node:'))
      .map((s) => (s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : s.split('/')[0]!)),
  );
  for (const dep of required) expect(Object.keys(manifest.dependencies), dep).toContain(dep);
  for (const dep of Object.keys(manifest.dependencies)) expect([...required], dep).toContain(dep);
  // No copy of a dependency inside: e.g. commander's and yaml's own error texts.
  expect(bundle).not.toContain('too many arguments');
  expect(bundle).not.toContain('Implicit keys of flow sequence pairs');
});

test('exports reach the library, ./package.json and the answers schema', () => {
  const req = createRequire(join(unpacked, '..', '..', 'x.js'));
  expect(req.resolve('flatcar-architect/package.json')).toBe(join(unpacked, 'package.json'));
  expect(req.resolve('flatcar-architect/answers.schema.json')).toBe(join(unpacked, 'schema', 'answers.schema.json'));
  expect((req('flatcar-architect/answers.schema.json') as { $schema: string }).$schema).toMatch(/json-schema/);
  expect(Object.keys(manifest.exports)).toEqual(['.', './package.json', './answers.schema.json', './schema/answers.schema.json']);
});

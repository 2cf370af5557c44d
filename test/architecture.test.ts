/**
 * Issue 16: a one-way pipeline. Every module of src/ has a place in STAGES; a module imports only
 * its own stage and earlier ones (answers -> plan -> render -> butane -> write, with the smaller
 * modules in between). The command line, the wizard and the library entry may import anything.
 * Imports are read with TypeScript's own pre-processor (static, `export ... from`, `import type`
 * and dynamic `import()` alike).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './helpers/paths.js';

/** Earliest first. A file `src/x.ts` is module `x`; `src/x/...` is module `x`. */
const STAGES = [
  'package-root', // where the installed presets and templates are
  'io', // small file-system helpers
  'net', // IPv4 math
  'answers', // answers, their definition, limits, patterns, presets -> ClusterSpec
  'pki', // certificates and keys (types, issuing, store)
  'snippets', // Butane fragments merged into configs
  'plan', // ClusterSpec -> machines, addresses, etcd topology, boot order
  'customise', // pins, snippets, etcdMembership applied to a plan
  'render', // plan -> Butane per machine (templates)
  'butane', // Butane -> Ignition (stands alone)
  'generate', // the library's whole pipeline in memory
  'write', // staged atomic output
  'matchbox', // a Matchbox tree of the output
  'scale', // grows or shrinks a written cluster
  'rehearse', // runs a written cluster's etcd topology here
];
/** May import anything. */
const FREE = ['cli', 'wizard', 'index'];

const SRC = join(repoRoot, 'src');

const moduleOf = (file: string): string => relative(SRC, file).split('/')[0]!.replace(/\.ts$/, '');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

interface Edge {
  from: string;
  to: string;
}

/** The imports between modules of src/ (relative specifiers only: packages are not stages). */
function edges(): Edge[] {
  return sources(SRC).flatMap((file) =>
    ts
      .preProcessFile(readFileSync(file, 'utf8'), true, true)
      .importedFiles.map((f) => f.fileName)
      .filter((spec) => spec.startsWith('.'))
      .map((spec) => ({ from: relative(repoRoot, file), to: relative(repoRoot, resolve(dirname(file), spec).replace(/\.js$/, '.ts')) })),
  );
}

/** The imports that go against the pipeline, as `from -> to` lines. */
function violations(list: Edge[]): string[] {
  const rank = (file: string) => STAGES.indexOf(moduleOf(join(repoRoot, file)));
  return list
    .filter((e) => !FREE.includes(moduleOf(join(repoRoot, e.from))) && moduleOf(join(repoRoot, e.from)) !== moduleOf(join(repoRoot, e.to)))
    .filter((e) => rank(e.to) > rank(e.from) || rank(e.to) < 0)
    .map((e) => `${e.from} -> ${e.to}`);
}

describe('the pipeline runs one way', () => {
  const all = edges();

  it('every module of src/ has a stage (or may import anything)', () => {
    const modules = new Set(sources(SRC).map(moduleOf));
    const unplaced = [...modules].filter((m) => !STAGES.includes(m) && !FREE.includes(m));
    expect(unplaced, 'add new modules to STAGES in test/architecture.test.ts').toEqual([]);
    expect(all.length).toBeGreaterThan(100);
  });

  it('no stage imports a later one', () => {
    expect(violations(all)).toEqual([]);
  });

  it('the check sees a later-stage import, a dynamic one, and an import of a module with no stage', () => {
    expect(violations([{ from: 'src/answers/resolve.ts', to: 'src/plan/ipv4.ts' }])).toEqual(['src/answers/resolve.ts -> src/plan/ipv4.ts']);
    expect(violations([{ from: 'src/render/index.ts', to: 'src/write/output.ts' }])).toHaveLength(1);
    expect(violations([{ from: 'src/plan/index.ts', to: 'src/somewhere/new.ts' }])).toHaveLength(1);
    expect(violations([{ from: 'src/cli/main.ts', to: 'src/rehearse/index.ts' }, { from: 'src/plan/etcd.ts', to: 'src/answers/types.ts' }])).toEqual([]);
    const dynamic = ts.preProcessFile("const m = await import('../pki/plan.js');", true, true).importedFiles.map((f) => f.fileName);
    expect(dynamic).toEqual(['../pki/plan.js']);
  });
});

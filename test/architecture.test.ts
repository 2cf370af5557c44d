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
  'architectures', // laptop, small, dev, production: each one's facts and rules (asked, never compared by name)
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
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
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

  it('the architectures sit before the answers: answers, plan and render ask them; they import none of those', () => {
    expect(
      violations([
        { from: 'src/answers/resolve.ts', to: 'src/architectures/index.ts' },
        { from: 'src/render/summary.ts', to: 'src/architectures/index.ts' },
      ]),
    ).toEqual([]);
    for (const later of ['src/answers/types.ts', 'src/plan/index.ts', 'src/render/summary.ts', 'src/cli/main.ts']) {
      expect(violations([{ from: 'src/architectures/small.ts', to: later }])).toHaveLength(1);
    }
  });

  it('the check sees a later-stage import, a dynamic one, and an import of a module with no stage', () => {
    expect(violations([{ from: 'src/answers/resolve.ts', to: 'src/plan/ipv4.ts' }])).toEqual(['src/answers/resolve.ts -> src/plan/ipv4.ts']);
    expect(violations([{ from: 'src/render/index.ts', to: 'src/write/output.ts' }])).toHaveLength(1);
    expect(violations([{ from: 'src/plan/index.ts', to: 'src/somewhere/new.ts' }])).toHaveLength(1);
    expect(
      violations([
        { from: 'src/cli/main.ts', to: 'src/rehearse/index.ts' },
        { from: 'src/plan/etcd.ts', to: 'src/answers/types.ts' },
      ]),
    ).toEqual([]);
    const dynamic = ts.preProcessFile("const m = await import('../pki/plan.js');", true, true).importedFiles.map((f) => f.fileName);
    expect(dynamic).toEqual(['../pki/plan.js']);
  });
});

/**
 * Issue 16: what an architecture allows is asked of it (src/architectures/), never decided by
 * comparing its name. Found with TypeScript's type checker, so renaming a variable does not hide
 * one: an `===`/`!===`/`==`/`!=` or a `case` between a preset name ('laptop', 'small', 'dev',
 * 'production') and a value that may hold preset names (its type is text, or a union of literals all
 * of which are preset names). A machine's role (`m.role === 'laptop'`, the type 'etcd' | 'worker' |
 * 'laptop') is not a preset.
 */
const PRESET_NAMES: readonly string[] = ['laptop', 'small', 'dev', 'production'];

function presetComparisons(files: string[], options: ts.CompilerOptions, host?: ts.CompilerHost): string[] {
  const program = ts.createProgram(files, options, host);
  const checker = program.getTypeChecker();
  const holdsPresets = (node: ts.Expression): boolean => {
    const type = checker.getTypeAtLocation(node);
    const parts = (type.isUnion() ? type.types : [type]).filter((t) => !(t.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Null)));
    if (parts.some((t) => t.flags & (ts.TypeFlags.String | ts.TypeFlags.Any | ts.TypeFlags.Unknown))) return true;
    const literals = parts.filter((t): t is ts.StringLiteralType => t.isStringLiteral()).map((t) => t.value);
    return literals.length > 0 && literals.length === parts.length && literals.every((v) => PRESET_NAMES.includes(v));
  };
  const isPresetName = (node: ts.Expression): boolean => ts.isStringLiteralLike(node) && PRESET_NAMES.includes(node.text);
  const found: string[] = [];
  const where = (sf: ts.SourceFile, node: ts.Node) => `${relative(repoRoot, sf.fileName)}:${sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1}: ${node.getText(sf)}`;
  const EQUALITY = [ts.SyntaxKind.EqualsEqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsEqualsToken, ts.SyntaxKind.EqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsToken];
  for (const sf of program.getSourceFiles().filter((f) => files.includes(f.fileName))) {
    const visit = (node: ts.Node): void => {
      if (ts.isBinaryExpression(node) && EQUALITY.includes(node.operatorToken.kind)) {
        if ((isPresetName(node.right) && holdsPresets(node.left)) || (isPresetName(node.left) && holdsPresets(node.right))) found.push(where(sf, node));
      }
      if (ts.isCaseClause(node) && isPresetName(node.expression) && holdsPresets(node.parent.parent.expression)) found.push(where(sf, node));
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  return found;
}

describe('architectures are asked, not compared by name', () => {
  const config = ts.getParsedCommandLineOfConfigFile(join(repoRoot, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} })!;

  it('no preset name is compared with === / !== / case outside src/architectures/', () => {
    const architectures = join(SRC, 'architectures');
    const files = sources(SRC).filter((f) => !f.startsWith(architectures + '/'));
    expect(files.length).toBeGreaterThan(100);
    expect(presetComparisons(files, config.options)).toEqual([]);
  });

  it('the check sees a comparison, a switch and a narrowed name, and lets roles and other text alone', () => {
    const file = join(repoRoot, 'src', 'virtual-preset-check.ts');
    const text = [
      "type PresetName = 'laptop' | 'small' | 'dev' | 'production';",
      "type Role = 'etcd' | 'worker' | 'laptop';",
      'declare const spec: { preset: PresetName; name: string };',
      'declare const p: PresetName | undefined;',
      'declare const m: { role: Role };',
      'declare const flag: string;',
      "export const a = spec.preset === 'laptop';",
      "export const b = 'small' !== p;",
      "export function c() { switch (spec.preset) { case 'dev': return 1; default: return 2; } }",
      "export function d() { if (spec.preset === 'laptop' || spec.preset === 'small') return 0; return spec.preset === 'production' ? 1 : 2; }",
      "export const e = flag == 'production';",
      "export const f = m.role === 'laptop';",
      "export const g = m.role !== 'etcd' && spec.name === 'etcd';",
    ].join('\n');
    const base = ts.createCompilerHost(config.options);
    const host: ts.CompilerHost = {
      ...base,
      fileExists: (f) => f === file || base.fileExists(f),
      readFile: (f) => (f === file ? text : base.readFile(f)),
      getSourceFile: (f, v, onError, create) => (f === file ? ts.createSourceFile(f, text, v) : base.getSourceFile(f, v, onError, create)),
    };
    const found = presetComparisons([file], config.options, host).map((line) => line.replace(/^src\/virtual-preset-check\.ts:/, ''));
    expect(found).toEqual([
      "7: spec.preset === 'laptop'",
      "8: 'small' !== p",
      "9: case 'dev': return 1;",
      "10: spec.preset === 'laptop'",
      "10: spec.preset === 'small'",
      "10: spec.preset === 'production'",
      "11: flag == 'production'",
    ]);
  });
});

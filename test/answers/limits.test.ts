/**
 * Issue 16: the limits of every answer are the same for the flags (and the wizard, which checks with
 * the same resolveSpec) and for the answers file (the published schema), so a cluster the flags
 * accept is one its own cluster.yaml accepts. The answers with limits are found by walking the
 * definition: a new limit without a case here fails the first test instead of drifting unseen.
 */
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { AnswersError, readAnswersText } from '../../src/answers/answers-source.js';
import { Command } from 'commander';
import { answersSchema, definitionAt } from '../../src/answers/definition.js';
import { specToAnswers } from '../../src/answers/answers-file.js';
import { resolveSpec } from '../../src/answers/resolve.js';
import { FIELDS, FLAG_OF, SpecError, type Answers, type Field } from '../../src/answers/types.js';
import { flagsToAnswers, type GenerateFlags } from '../../src/cli/generate.js';
import { UsageError } from '../../src/cli/errors.js';
import { addGenerateOptions } from '../../src/cli/options.js';
import { KEY } from '../helpers/generator.js';

type Bound = { kind: 'minimum' | 'maximum' | 'maxLength'; limit: number };
type Node = Record<string, unknown>;

/** The limits the published schema gives an answer (a list's limits are its items'). */
function boundsOf(field: Field): Bound[] {
  let node: Node = answersSchema();
  for (const key of field.split('.')) node = (node.properties as Record<string, Node>)[key]!;
  if (node.type === 'array') node = node.items as Node;
  return (['minimum', 'maximum', 'maxLength'] as const).filter((k) => typeof node[k] === 'number').map((kind) => ({ kind, limit: node[kind] as number }));
}

/** A domain name of exactly n characters (labels of at most 63). */
function domainOf(n: number): string {
  const labels: string[] = [];
  let left = n;
  while (left > 0) {
    const take = Math.min(63, left === 64 ? 62 : left);
    labels.push('a'.repeat(take));
    left -= take + 1;
  }
  const d = labels.join('.');
  return d.length === n ? d : d + 'a'.repeat(n - d.length);
}

const base: GenerateFlags = { preset: 'dev', size: '2', sshKey: [KEY] };
const BASE = ['--preset', 'dev', '--size', '2', '--ssh-key', KEY];

/**
 * The text of the answer's own flag at `v` (a number, or a length), and the other flags that make a
 * cluster where nothing else is wrong. The answer's flag is FLAG_OF's (read off the definition).
 */
const CASES: Record<string, (v: number) => { value: string; with?: string[] }> = {
  size: (v) => ({ value: String(v), with: ['--preset', v <= 1 ? 'laptop' : 'production', '--network', '10.8.0.0/16'] }),
  'etcd.size': (v) => ({ value: String(v), with: v <= 1 ? [] : ['--preset', 'small', '--size', String(Math.min(v, 9))] }),
  'etcd.discovery': (n) => ({ value: 'https://discovery.example/' + 'a'.repeat(n - 'https://discovery.example/'.length) }),
  'network.domains': (n) => ({ value: domainOf(n) }),
  'network.interface': (n) => ({ value: 'e'.repeat(n) }),
  templates: (n) => ({ value: '/' + 'a'.repeat(n - 1) }),
  'etcd.image': (n) => ({ value: 'registry.example.com/' + 'a'.repeat(n - 'registry.example.com/'.length) }),
  'network.ntp': (n) => ({ value: domainOf(n) }),
  'updates.server': (n) => ({ value: 'https://update.example/' + 'a'.repeat(n - 'https://update.example/'.length) }),
};

/** The flags of the default command (commander, as main.ts adds them) for `field` at `v`. */
function flagsAt(field: Field, v: number): GenerateFlags {
  const c = CASES[field]!(v);
  const program = addGenerateOptions(new Command().exitOverride());
  program.parse([...BASE, ...(c.with ?? []), FLAG_OF[field], c.value], { from: 'user' });
  return program.opts() as GenerateFlags;
}

/** The answers as a file holds them: whole numbers as numbers, nothing left undefined. */
function asFile(answers: Answers): string {
  const walk = (v: unknown, path: string[]): unknown => {
    const def = definitionAt(path);
    if (def?.kind === 'whole' && typeof v === 'string') return Number(v);
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const entries = Object.entries(v)
        .filter(([, x]) => x !== undefined)
        .map(([k, x]) => [k, walk(x, [...path, k])]);
      return entries.length ? Object.fromEntries(entries.filter(([, x]) => x !== undefined)) : undefined;
    }
    return v;
  };
  return stringify(walk(answers, []) ?? {});
}

/** The fields the flags refuse (resolveSpec, as the CLI runs it after flagsToAnswers). */
function flagProblems(flags: GenerateFlags): string[] {
  try {
    resolveSpec(flagsToAnswers(flags, '/tmp'));
    return [];
  } catch (e) {
    if (e instanceof SpecError) return e.problems.map((p) => p.field);
    // A flag refused while it is read (an --ssh-key line is decoded there): one problem, its answer named.
    if (e instanceof UsageError) return [e.field ?? 'usage'];
    throw e;
  }
}

/** The fields the answers file refuses: the schema first (readAnswersText, the CLI's reader), then resolveSpec. */
function fileProblems(text: string): string[] {
  try {
    resolveSpec(readAnswersText(text, 'cluster.yaml', '/tmp').answers);
    return [];
  } catch (e) {
    if (e instanceof AnswersError) return e.problems.map((p) => (p.field ?? '').replace(/\[\d+\]$/, ''));
    if (e instanceof SpecError) return e.problems.map((p) => p.field);
    throw e;
  }
}

/** Every answer (FIELDS, read off the definition) with a limit in the published schema. */
const limited = FIELDS.map((field) => ({ field, bounds: boundsOf(field) })).filter((x) => x.bounds.length > 0);

describe('every limit of an answer is the same for the flags and for the answers file', () => {
  it('finds the limited answers in the definition, and has a case for each', () => {
    expect(limited.map((x) => x.field).sort()).toEqual(Object.keys(CASES).sort());
    expect(limited.find((x) => x.field === 'size')?.bounds).toContainEqual({ kind: 'maximum', limit: 10_000 });
  });

  for (const { field, bounds } of limited) {
    for (const b of bounds) {
      const inside = b.limit;
      const outside = b.kind === 'minimum' ? b.limit - 1 : b.limit + 1;
      it(`${field}: ${b.kind} ${b.limit} is accepted by both, ${outside} refused by both`, () => {
        const ok = flagsAt(field, inside);
        expect(flagProblems(ok), 'flags at the limit').toEqual([]);
        expect(fileProblems(asFile(flagsToAnswers(ok, '/tmp'))), 'file at the limit').toEqual([]);
        const bad = flagsAt(field, outside);
        expect(flagProblems(bad), 'flags past the limit').toContain(field);
        expect(fileProblems(asFile(flagsToAnswers(bad, '/tmp'))), 'file past the limit').toContain(field);
      });
    }
  }
});

describe('values the flags and cluster.yaml used to get wrong', () => {
  it('--preset production --size 1001: accepted by both (the schema capped size at 1000)', () => {
    const flags: GenerateFlags = { preset: 'production', size: '1001', network: '10.8.0.0/16' };
    expect(flagProblems(flags)).toEqual([]);
    expect(fileProblems(asFile(flagsToAnswers(flags, '/tmp')))).toEqual([]);
  });

  it('a cluster name of 40 characters: accepted by both, with its default name prefix (the name and a dash) in cluster.yaml', () => {
    const flags: GenerateFlags = { ...base, name: 'n'.repeat(40) };
    expect(flagProblems(flags)).toEqual([]);
    const { spec } = resolveSpec(flagsToAnswers(flags, '/tmp'));
    expect(spec.namePrefix).toBe(`${'n'.repeat(40)}-`);
    expect(fileProblems(asFile(specToAnswers(spec)))).toEqual([]);
  });

  it('an SSH key line with options before the key type, and a discovery URL like https:a//x: refused by both', () => {
    const cases: [GenerateFlags, Answers][] = [
      [
        { ...base, sshKey: [`no-pty ${KEY}`] },
        { preset: 'dev', size: 2, ssh: { keys: [`no-pty ${KEY}`] } },
      ],
      [{ ...base, discovery: 'https:a//discovery.example/abc' }, flagsToAnswers({ ...base, discovery: 'https:a//discovery.example/abc' }, '/tmp')],
    ];
    for (const [flags, answers] of cases) {
      expect(flagProblems(flags), JSON.stringify(flags)).toHaveLength(1);
      expect(fileProblems(asFile(answers)), JSON.stringify(flags)).toHaveLength(1);
    }
  });
});

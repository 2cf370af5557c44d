/**
 * Issue 16: each answer is defined once (src/answers/definition.ts) and everything else is read off
 * that definition: the Field list, FLAG_OF, the JSON Schema, the commander options, flagsToAnswers,
 * the resolver's checks and static defaults, the wizard's names. These tests fail when an answer is
 * added (or changed) in one place only.
 */
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { ANSWER_ENTRIES, answersSchema, checkOf, defaultOf, definedLeaves, definitionAt, wizardOf, type AnswerField } from '../../src/answers/definition.js';
import * as check from '../../src/answers/checks.js';
import { resolveSpec } from '../../src/answers/resolve.js';
import { FIELDS, FLAG_OF, getField, type Answers, type ClusterSpec, type Field } from '../../src/answers/types.js';
import { flagsToAnswers, type GenerateFlags } from '../../src/cli/generate.js';
import { addGenerateOptions } from '../../src/cli/options.js';
import { ASKED, QUESTION_NAME } from '../../src/wizard/context.js';
import { QUESTIONS } from '../../src/wizard/index.js';
import { KEY } from '../helpers/generator.js';
import { resolverProblems } from '../helpers/plan.js';

/** Keys only an answers file holds (no flag): written by the generator and `scale`, or editors' $schema. */
const FILE_ONLY = ['$schema', 'machines', 'snippets', 'etcdMembership'];
/** The default command's flags that are not answers. */
const NOT_ANSWERS = ['--out', '--force', '--pki', '--rotate-pki', '--answers', '--no-color'];

/** The default command's options, as main.ts builds them (without the scripting flags). */
const generateCommand = () => addGenerateOptions(new Command().exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} }));

/** What commander and flagsToAnswers make of these arguments. */
function answersOf(argv: string[]): Answers {
  const program = generateCommand();
  program.parse(argv, { from: 'user' });
  return flagsToAnswers(program.opts() as GenerateFlags, '/work');
}

/** The schema node at a dotted path, or undefined. */
function schemaAt(field: string): Record<string, unknown> | undefined {
  let node: Record<string, unknown> | undefined = answersSchema();
  for (const key of field.split('.')) node = (node?.properties as Record<string, Record<string, unknown>> | undefined)?.[key];
  return node;
}

/** A value each answer's flag takes (a test of its own for each: a new answer needs a line here). */
const SAMPLE: Record<Field, string | undefined> = {
  preset: 'dev',
  name: 'edge',
  namePrefix: 'e-',
  size: '3',
  'etcd.size': '1',
  'etcd.version': 'v3.5.16',
  'etcd.discovery': 'https://discovery.example/abc',
  'etcd.token': 'tok',
  'etcd.image': 'registry.example.com/coreos/etcd',
  'network.dhcp': undefined,
  'network.cidr': '10.9.0.0/24',
  'network.gateway': '10.9.0.1',
  'network.firstAddress': '10.9.0.50',
  'network.dns': '1.1.1.1,9.9.9.9',
  'network.domains': 'example.com',
  'network.interface': 'eth0',
  'network.macPrefix': '52:54:00',
  'network.ntp': 'ntp.example.com',
  'ssh.keys': KEY,
  'updates.group': 'beta',
  'updates.rebootStrategy': 'off',
  'updates.rebootWindowStart': 'Thu 04:00',
  'updates.rebootWindowLength': '1h',
  'updates.server': 'https://nebraska.example.com/v1/update/',
  'security.etcdTls': undefined,
  'security.dockerTls': undefined,
  'security.secrets': 'ssh',
  templates: 'my-templates',
};

describe('one definition per answer', () => {
  it('the Field list is every defined leaf but the answers-file-only keys, in the definition order', () => {
    expect(FIELDS).toEqual(definedLeaves().filter((leaf) => !FILE_ONLY.includes(leaf)));
    expect(FIELDS.length).toBe(28);
  });

  it('every answers-file-only key is a list or $schema, and has no flag (so it is no Field)', () => {
    for (const key of FILE_ONLY) {
      const def = definitionAt([key])!;
      expect(def.flag, key).toBeUndefined();
      expect(key === '$schema' || def.kind === 'list', key).toBe(true);
    }
  });

  it('every Field has exactly one schema node, and every schema leaf is a Field or answers-file only', () => {
    for (const f of FIELDS) expect(schemaAt(f), f).toBeDefined();
    const leaves = (node: Record<string, unknown>, prefix: string): string[] =>
      node.type === 'object' ? Object.entries(node.properties as Record<string, Record<string, unknown>>).flatMap(([k, n]) => leaves(n, prefix ? `${prefix}.${k}` : k)) : [prefix];
    expect(leaves(answersSchema(), '').sort()).toEqual([...FIELDS, ...FILE_ONLY].sort());
  });

  it('every Field has exactly one flag of the default command, and every other flag there is a hand-written non-answer', () => {
    const options = generateCommand().options;
    for (const f of FIELDS)
      expect(
        options.filter((o) => o.long === FLAG_OF[f]),
        f,
      ).toHaveLength(1);
    const answerFlags = FIELDS.map((f) => FLAG_OF[f]);
    expect(new Set(answerFlags).size).toBe(FIELDS.length);
    expect(
      options
        .map((o) => o.long!)
        .filter((l) => !answerFlags.includes(l))
        .sort(),
    ).toEqual([...NOT_ANSWERS].sort());
  });

  it('has a sample for every answer (and no other)', () => {
    expect(Object.keys(SAMPLE).sort()).toEqual([...FIELDS].sort());
  });

  it.each(FIELDS)('%s: its flag, through commander and flagsToAnswers, gives that answer and no other', (field) => {
    const flag = FLAG_OF[field];
    const sample = SAMPLE[field];
    const answers = answersOf(sample === undefined ? [flag] : [flag, sample]);
    const given = FIELDS.filter((f) => getField(answers, f) !== undefined);
    expect(given).toEqual([field]);
    const value = getField(answers, field);
    const def = definitionAt(field.split('.'))!;
    if (def.kind === 'flag') expect(typeof value).toBe('boolean');
    else if (def.kind === 'list') expect(Array.isArray(value)).toBe(true);
    else expect(typeof value).toBe('string');
  });

  it('a switch sets true, --insecure and --docker-insecure set false; lists split at commas; --templates becomes a path; --ssh-key repeats', () => {
    expect(answersOf(['--dhcp']).network?.dhcp).toBe(true);
    expect(answersOf(['--insecure']).security?.etcdTls).toBe(false);
    expect(answersOf(['--docker-insecure']).security?.dockerTls).toBe(false);
    expect(answersOf(['--dns', '1.1.1.1, 9.9.9.9']).network?.dns).toEqual(['1.1.1.1', '9.9.9.9']);
    expect(answersOf(['--templates', 't']).templates).toBe('/work/t');
    expect(answersOf(['--ssh-key', KEY, '--ssh-key', KEY]).ssh?.keys).toEqual([KEY, KEY]);
    expect(() => answersOf(['--secrets', 'elsewhere'])).toThrow(/Allowed choices are inline, ssh/);
  });

  it("every sample value passes its answer's check, and the check refuses a value of the wrong shape", () => {
    for (const f of FIELDS) {
      const valid = checkOf(f);
      const sample = SAMPLE[f];
      if (!valid || sample === undefined) continue;
      const items = definitionAt(f.split('.'))!.kind === 'list' ? sample.split(',') : [sample];
      for (const item of items) expect(valid(item), `${f} ${item}`).toBeUndefined();
      expect(valid('x\ny'), f).toMatch(/./);
    }
  });

  it('a whole number answer is checked against the same minimum and maximum the schema publishes', () => {
    for (const f of ['size', 'etcd.size'] as AnswerField[]) {
      const node = schemaAt(f)!;
      expect(checkOf(f)!(String(node.maximum))).toBeUndefined();
      expect(checkOf(f)!(String(node.minimum))).toBeUndefined();
      expect(checkOf(f)!(String((node.maximum as number) + 1))).toMatch(new RegExp(`must be ${String(node.minimum)} to ${String(node.maximum)} `));
      expect(checkOf(f)!(String((node.minimum as number) - 1))).toMatch(/must be/);
    }
  });

  it("the resolver refuses a value with the message of the answer's own check (checks.ts), named by its field", () => {
    const problems = resolverProblems;
    expect(problems({ preset: 'dev', name: 'Bad Name' })).toEqual([{ field: 'name', message: check.clusterName('Bad Name') }]);
    expect(problems({ preset: 'dev', network: { dns: ['1.1.1.1', '127.0.0.1'] } })).toEqual([{ field: 'network.dns', message: check.dnsServer('127.0.0.1') }]);
    expect(problems({ preset: 'dev', security: { secrets: 'usb' as never } })).toEqual([{ field: 'security.secrets', message: 'must be one of inline, ssh (got "usb")' }]);
  });
});

describe("static defaults are the definition's", () => {
  /** Where each answer with a static default ends up in the spec, for answers whose preset leaves it out. */
  const WHERE: Partial<Record<Field, { answers: Answers; value: (spec: ClusterSpec) => unknown }>> = {
    'etcd.image': { answers: { preset: 'dev' }, value: (s) => s.etcd?.image },
    'network.cidr': { answers: { preset: 'laptop', network: { dhcp: false } }, value: (s) => !s.network.dhcp && s.network.cidr },
    'network.interface': { answers: { preset: 'dev' }, value: (s) => !s.network.dhcp && 'interface' in s.network.match && s.network.match.interface },
    'network.domains': { answers: { preset: 'dev' }, value: (s) => !s.network.dhcp && s.network.domains },
    'network.ntp': { answers: { preset: 'dev' }, value: (s) => s.ntp },
    'ssh.keys': { answers: { preset: 'dev' }, value: (s) => s.ssh.keys },
    'security.etcdTls': { answers: { preset: 'dev' }, value: (s) => s.security.etcdTls },
    'security.dockerTls': { answers: { preset: 'laptop' }, value: (s) => s.security.dockerTls },
    'security.secrets': { answers: { preset: 'dev' }, value: (s) => s.security.secrets },
  };
  // Every preset sets network.dhcp itself, so its static default (false) is never what a spec shows.
  const UNSEEN: Field[] = ['network.dhcp'];

  it('knows where every static default shows', () => {
    expect(FIELDS.filter((f) => defaultOf(f) !== undefined).sort()).toEqual([...Object.keys(WHERE), ...UNSEEN].sort());
  });

  it.each(Object.entries(WHERE))("%s: an answer left out resolves to the definition's default", (field, { answers, value }) => {
    expect(getField(answers, field as Field)).toBeUndefined();
    expect(value(resolveSpec(answers).spec)).toEqual(defaultOf(field as Field));
  });

  it("a default list is a new list each time (the definition's stays as it is)", () => {
    const a = defaultOf('ssh.keys') as string[];
    a.push('x');
    expect(defaultOf('ssh.keys')).toEqual([]);
  });
});

describe('the wizard reads its names off the definition', () => {
  it('asks exactly the answers with a question name, and names each one', () => {
    expect(ASKED.length).toBeGreaterThan(0);
    expect([...ASKED].sort()).toEqual(Object.keys(QUESTION_NAME).sort());
    for (const f of ASKED) expect(QUESTION_NAME[f]).toBe(ANSWER_ENTRIES.find((e) => e.field === f)!.def.wizard!.question);
  });

  it('has a question in src/wizard/steps for every answer it asks (or asks it inside the question its definition names), and no other', () => {
    const ids = QUESTIONS.map((q) => q.id).filter((id) => id !== 'outDir');
    expect(new Set(ids).size).toBe(ids.length);
    const own = ASKED.filter((f) => wizardOf(f).within === undefined);
    expect([...ids].sort()).toEqual([...own].sort());
    for (const f of ASKED.filter((f) => wizardOf(f).within !== undefined)) expect(ids, f).toContain(wizardOf(f).within);
  });
});

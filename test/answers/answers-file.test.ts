/** Issue 7: one definition of answers -> the published JSON Schema, structural checks with positions. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { AnswersError, formatField, parseField, readAnswersText } from '../../src/answers/answers-source.js';
import { answersSchema, answersSchemaText, definedLeaves } from '../../src/answers/definition.js';
import { resolveSpec } from '../../src/answers/resolve.js';
import { formatAnswersFile } from '../../src/answers/answers-file.js';
import { FIELDS } from '../../src/answers/types.js';
import { repoRoot } from '../helpers/paths.js';

const problemsOf = (text: string): string[] => {
  try {
    readAnswersText(text, 'answers.yaml', '/tmp');
  } catch (e) {
    if (e instanceof AnswersError) return e.message.split('\n');
    throw e;
  }
  throw new Error('expected an AnswersError');
};

describe('the definition and the published schema', () => {
  it('schema/answers.schema.json is exactly what the definition produces (regenerate: npm run schema)', () => {
    expect(readFileSync(join(repoRoot, 'schema', 'answers.schema.json'), 'utf8')).toBe(answersSchemaText());
  });

  it('defines every answer of the Answers type (src/answers/types.ts FIELDS), and machines and snippets', () => {
    const leaves = definedLeaves();
    for (const f of FIELDS) expect(leaves).toContain(f);
    expect(leaves).toEqual(expect.arrayContaining(['machines', 'snippets', 'security.etcdTls', 'security.dockerTls']));
  });

  it('is a valid draft-07 schema that a real ajv compiles in strict mode', () => {
    const ajv = new Ajv({ strict: true });
    expect(ajv.validateSchema(answersSchema())).toBe(true);
    expect(() => ajv.compile(answersSchema())).not.toThrow();
  });

  it('accepts every cluster.yaml the generator writes', () => {
    const validate = new Ajv().compile(answersSchema());
    for (const answers of [
      { preset: 'laptop' },
      { preset: 'small', size: 5 },
      { preset: 'dev', network: { macPrefix: '52:54:00' } },
      { preset: 'production', size: 10, network: { dhcp: true } },
    ] as const) {
      const doc = parse(formatAnswersFile(resolveSpec(answers).spec));
      expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
    }
  });
});

describe('examples/*.yaml', () => {
  const files = readdirSync(join(repoRoot, 'examples')).filter((f) => f.endsWith('.yaml'));
  const schema = JSON.parse(readFileSync(join(repoRoot, 'schema', 'answers.schema.json'), 'utf8')) as object;
  const validate = new Ajv({ allErrors: true, strict: true }).compile(schema);

  it('there is one per preset at least', () => {
    const presets = files.map((f) => (parse(readFileSync(join(repoRoot, 'examples', f), 'utf8')) as { preset: string }).preset);
    expect(new Set(presets)).toEqual(new Set(['laptop', 'small', 'dev', 'production']));
  });

  it.each(files)('%s validates against the published schema (ajv)', (f) => {
    const data = parse(readFileSync(join(repoRoot, 'examples', f), 'utf8')) as unknown;
    expect(validate(data), JSON.stringify(validate.errors)).toBe(true);
  });

  it.each(files)('%s resolves to a cluster', (f) => {
    const source = readAnswersText(readFileSync(join(repoRoot, 'examples', f), 'utf8'), f, join(repoRoot, 'examples'));
    expect(() => resolveSpec(source.answers)).not.toThrow();
  });
});

describe('reading answers files: file:line:col key.path: message', () => {
  it('the example of the issue', () => {
    const text = 'preset: dev\nname: lab\nsize: 3\netcd:\n  version: v3.5.16\nnetwork:\n  gateway: 10.0.0.300\n';
    expect(problemsOf(text)).toEqual(['answers.yaml:7:3 network.gateway: 10.0.0.300 is not an IPv4 address']);
  });

  it('every problem, in file order, with list indices and suggestions for typos', () => {
    const text = ['preset: big', 'sise: 3', 'network:', '  dns: [1.1.1.1, nope]', '  dhcp: yes', 'size: "3"', 'machines:', '  - planned: a', '  - name: b'].join('\n');
    expect(problemsOf(text)).toEqual([
      'answers.yaml:1:1 preset: must be one of laptop, small, dev, production (got big)',
      'answers.yaml:2:1 sise: unknown key; did you mean size?',
      'answers.yaml:4:18 network.dns[1]: nope is not an IPv4 address',
      'answers.yaml:5:3 network.dhcp: must be true or false (got "yes")',
      'answers.yaml:6:1 size: must be a whole number (got "3")',
      'answers.yaml:8:5 machines[0]: pins nothing: give name, address or mac',
      'answers.yaml:9:5 machines[1].planned: required',
    ]);
  });

  it('YAML syntax errors and a file that is not a mapping', () => {
    expect(problemsOf('preset: [dev\n')[0]).toMatch(/^answers.yaml:\d+:\d+ not YAML: /);
    expect(problemsOf('- dev\n')).toEqual(['answers.yaml:1:1 an answers file is a mapping of answers like "preset: production"']);
    expect(problemsOf('preset: dev\npreset: small\n')[0]).toMatch(/^answers.yaml:2:1 not YAML: .*unique/i);
  });

  it('JSON works too, and $schema is allowed and dropped', () => {
    const s = readAnswersText('{"$schema": "./answers.schema.json", "preset": "dev", "size": 2}', 'a.json', '/tmp');
    expect(s.answers).toEqual({ preset: 'dev', size: 2 });
  });

  it('locates any answer for later (semantic) problems: the key, or the list item', () => {
    const s = readAnswersText('preset: production\nsize: 5\netcd:\n  size: 4\nmachines:\n  - planned: x\n    mac: "02:00:00:00:00:01"\n', 'a.yaml', '/tmp');
    expect(s.locate('etcd.size')).toEqual({ line: 4, col: 3 });
    expect(s.locate('machines[0].mac')).toEqual({ line: 7, col: 5 });
    expect(s.locate(['machines', 0])).toEqual({ line: 6, col: 5 });
    expect(s.locate('network.gateway')).toEqual({ line: 1, col: 1 });
  });

  it('key paths', () => {
    expect(formatField(['machines', 0, 'address'])).toBe('machines[0].address');
    expect(parseField('machines[0].address')).toEqual(['machines', 0, 'address']);
    expect(parseField('network.dns.1')).toEqual(['network', 'dns', 1]);
  });
});

/**
 * The YAML layer's pre- and post-processing around the `yaml` package, each step with the answer
 * the real Butane (go-yaml v3) gives for the same text (checked against Butane v0.19.0).
 */
import { describe, expect, it } from 'vitest';
import { transpile, TranspileError } from '../../src/butane/index.js';
import { bytesOf, bytesToText, parseYaml, quotedValue, type YNode } from '../../src/butane/yaml.js';

const HEAD = 'variant: flatcar\nversion: 1.1.0\n';

/** The value of `k` in a one-key document. */
function valueOfK(text: string): string {
  const root = parseYaml(text) as Extract<YNode, { kind: 'map' }>;
  const v = root.entries.find((e) => e.key === 'k')!.value;
  if (v.kind !== 'scalar') throw new Error('not a scalar');
  return v.text;
}

function yamlError(text: string | Uint8Array): string {
  try {
    parseYaml(text);
  } catch (e) {
    if (e instanceof TranspileError && e.stage === 'yaml') return e.message;
    throw e;
  }
  throw new Error('parsed');
}

describe('quoted scalars are decoded here, with go-yaml escapes and folding', () => {
  it.each([
    ['"a\\x41\\u00e9\\U0001F600"', 'aAé😀'],
    ['"\\N\\_\\L\\P\\e\\0"', '\u0085\u00a0\u2028\u2029\u001b\u0000'],
    ['"tab\\there\\\tx"', 'tab\there\tx'],
    ["'it''s'", "it's"],
    ['"a\n  b"', 'a b'],
    ['"a\n\n  b"', 'a\nb'],
    ['"roo\\\n\n   t"', 'roo\nt'],
    ['"/etc/a\\\n\t  b"', '/etc/ab'],
    ['"a\u2028b"', 'a\u2028b'],
    ['"a\u0085b"', 'a b'],
    // Runs of ordinary characters (taken a run at a time) between escapes, quotes, blanks and breaks.
    ["'don''t stop ''here'' x'", "don't stop 'here' x"],
    [`'a\\b "c"'`, `a\\b "c"`],
    [String.raw`"ab\\cd\"ef\\\\gh\x41ij \t\tkl"`, 'ab\\cd"ef\\\\ghAij \t\tkl'],
    [String.raw`"één😀 x\u00e9y\r\nz"`, 'één😀 xéy\r\nz'],
    [`"${'x'.repeat(300)}\\n${'y'.repeat(300)}"`, `${'x'.repeat(300)}\n${'y'.repeat(300)}`],
  ])('%j -> %j', (src, want) => {
    expect(quotedValue(src, { line: 1, col: 1 })).toBe(want);
  });

  it.each([
    ['"\\/"', 'found unknown escape character'],
    ['"\\ud83d\\ude00"', 'found invalid Unicode character escape code'],
    ['"\\x4"', ''],
  ])('%j is refused: %s', (src, message) => {
    expect(yamlError(`k: ${src}\n`)).toContain(message);
  });

  it('continuation lines of a quoted scalar may have any indentation (or tabs), as in go-yaml', () => {
    expect(valueOfK('s:\n  k: 1\nk: "/a\nb"\n')).toBe('/a b');
    expect(valueOfK('k: "/a\n\t b"\n')).toBe('/a b');
  });
});

describe('YAML 1.1 reading', () => {
  it('NEL, LS, PS and a lone CR end lines', () => {
    expect(valueOfK('k: false\u0085')).toBe('false');
    expect(valueOfK('k: /etc/a\u2028')).toBe('/etc/a');
    expect(valueOfK('x: 1\rk: quiet\r')).toBe('quiet');
  });

  it('a block scalar ending the file without a line break has none', () => {
    expect(valueOfK('k: |\n  [Unit]')).toBe('[Unit]');
    expect(valueOfK('k: |\n  [Unit]\n')).toBe('[Unit]\n');
  });

  it('!!binary is raw bytes; bytes that are not UTF-8 survive as themselves', () => {
    const text = valueOfK('k: !!binary /wA=\n');
    expect([...bytesOf(text)]).toEqual([0xff, 0x00]);
    const bytes = Buffer.from([0x61, 0xc3, 0xa9, 0xff, 0xe2, 0x82, 0x00]);
    expect(bytesOf(bytesToText(bytes))).toEqual(bytes);
    expect(yamlError('k: !!binary "***"\n')).toContain('invalid base64');
  });

  it('only %YAML 1.1 is accepted', () => {
    expect(valueOfK('%YAML 1.1\n---\nk: v\n')).toBe('v');
    expect(yamlError('%YAML 1.2\n---\nk: v\n')).toContain('found incompatible YAML document');
  });

  it('tabs: in indentation refused, after a key or inside a line accepted', () => {
    expect(yamlError('a:\n  b: 1\n\t# c\n')).toContain('found a tab character that violates indentation');
    expect(yamlError('a:\n  -\tb\n')).toContain('tab character');
    expect(valueOfK('k:\tv\n')).toBe('v');
  });

  it('unknown aliases are errors; a flow plain scalar with "?" does not parse', () => {
    expect(yamlError('k: *nosuch\n')).toContain("unknown anchor 'nosuch' referenced");
    expect(yamlError('k: {a: b?c}\n')).toContain("did not find expected ',' or '}'");
  });

  it('only the first document is read, and text after a root flow collection is not', () => {
    expect(valueOfK('k: v\n---\n: [ broken\n')).toBe('v');
    expect(valueOfK('{k: v}\n<<: [broken\n')).toBe('v');
    expect(yamlError('{k: v, s: {a: 1}\n')).toContain('YAML');
  });

  it('control characters and U+FFFE are refused; a leading BOM is not content', () => {
    expect(yamlError('k: a\u0007\n')).toContain('control characters are not allowed');
    expect(yamlError('k: a\ufffe\n')).toContain('control characters are not allowed');
    expect(valueOfK('\ufeffk: v\n')).toBe('v');
    expect(valueOfK(Buffer.from('\ufeffk: v\n'))).toBe('v');
  });
});

describe('decoding into the schema, as go-yaml decodes into Butane structs', () => {
  const out = (body: string) => transpile(HEAD + body).ignition;

  it('floats truncate into int fields; integers beyond 2^53 stay exact', () => {
    expect(out('storage:\n  files:\n    - path: /a\n      mode: 420.9\n')).toContain('"mode":420');
    expect(out('passwd:\n  users:\n    - name: a\n      uid: 9007199254740993\n')).toContain('"uid":9007199254740993');
  });

  it('null items are dropped from lists', () => {
    expect(out('kernel_arguments:\n  should_exist: [a, ~, b, null]\n')).toContain('"shouldExist":["a","b"]');
  });

  it('explicit tags: !!int "12" is an int, !!str 12 is not; unknown tags read as text', () => {
    expect(out('passwd: {users: [{name: a, uid: !!int "12"}]}\n')).toContain('"uid":12');
    expect(() => out('passwd: {users: [{name: a, uid: !!str 12}]}\n')).toThrow(TranspileError);
    expect(out('passwd: {users: [{name: !foo bar}]}\n')).toContain('"name":"bar"');
    expect(out('storage:\n  files:\n    - !!set\n      path: /etc/a\n')).toContain('"path":"/etc/a"');
  });

  it('duplicate keys: an error in a decoded mapping, ignored in an unknown section', () => {
    expect(() => out('storage:\n  files:\n    - path: /a\n      x: 1\n      x: 2\n')).toThrow(/already defined/);
    expect(transpile(HEAD + 'extra:\n  k: 1\n  k: 2\n').warnings.map((w) => w.message)).toEqual(['Unused key extra']);
  });

  it('merge keys merge and are reported as an unused key <<', () => {
    const r = transpile(HEAD + 'storage:\n  files:\n    - path: /a\n      <<: {path: /b, mode: 0644, bogus: 1}\n');
    expect(r.ignition).toContain('{"path":"/a","mode":420}');
    expect(r.warnings.map((w) => w.message)).toEqual(['Unused key <<']);
  });

  it('"context tree does not match content tree": aliased maps, null sections, null struct items', () => {
    const paths = (body: string) =>
      transpile(HEAD + body)
        .warnings.filter((w) => w.message.startsWith('context tree'))
        .map((w) => w.path!.join('.'));
    expect(paths('storage: ~\n')).toEqual(['storage']);
    expect(paths('storage:\n')).toEqual(['storage']);
    expect(paths('storage: &e\n')).toEqual(['storage']);
    expect(paths('s: &s {inline: x}\nstorage: {files: [{path: /a, contents: *s}]}\n')).toEqual(['storage.files.0.contents']);
    expect(paths('storage:\n  files:\n    - ~\n    - path: /a\n')).toEqual(['storage.files.0']);
    expect(paths('s: &s [{path: /a}]\nstorage: {files: *s}\n')).toEqual([]);
  });
});

/**
 * Random Butane configs (variant flatcar, 1.0.0 and 1.1.0) for differential tests against the real
 * Butane: a value tree drawn from the whole schema (src/butane/schema.ts) with realistic and hostile
 * values per field, written as YAML in random styles (block and flow, every scalar style, anchors
 * and aliases, merge keys, tags, comments), then mutated: wrong types, unknown keys, nulls, bad
 * paths and URLs, and YAML oddities (tabs, YAML 1.1 line breaks, escapes, directives, documents).
 * Deterministic for a seed.
 */
import { VERSIONS, type FieldType, type Schema, type StructName } from '../../../src/butane/schema.js';

/** mulberry32: small, fast, good enough for test generation. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Value = string | number | boolean | null | Value[] | { [k: string]: Value } | Raw;
/** A scalar written exactly as given (for plain scalars the generator wants verbatim). */
class Raw {
  constructor(readonly text: string) {}
}

const HEX = '0123456789abcdef';

export class Gen {
  readonly r: () => number;
  constructor(seed: number) {
    this.r = rng(seed);
  }
  int(n: number): number {
    return Math.floor(this.r() * n);
  }
  chance(p: number): boolean {
    return this.r() < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
  hex(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += HEX[this.int(16)];
    return s;
  }
}

const PATHS = ['/etc/a', '/etc/hosts', '/opt/bin/tool', '/var/lib/data', '/home/core/.ssh/x', '/etc/systemd/system/a.service', '/x', '/etc/motd'];
const BAD_PATHS = ['relative/path', '/etc/../etc/x', '/etc/a/', '', '/etc//x', '/etc/./a', 'C:\\x'];
const URLS = [
  'https://example.com/a',
  'http://example.com/x.ign',
  's3://bucket/key',
  'tftp://host/f',
  'gs://b/o',
  'data:,hello',
  'data:;base64,aGVsbG8=',
  'arn:aws:s3:::bucket/key',
  'arn:aws:s3:us-east-1:123:accesspoint/ap/object/k',
  'http://[::1]:80/x',
];
const BAD_URLS = [
  'ftp://x/y',
  'https://exa mple.com',
  '',
  'relative',
  's3://b/k?versionId=',
  'data:text/plain,bad%zz',
  'http://a:b/',
  'http://a/%zz',
  'data:;base64,***',
  'mailto:x',
];
const UNIT_NAMES = ['a.service', 'b.timer', 'c.mount', 'foo@.service', 'foo@x.service', 'x.socket', 'var-data.mount', 'y.path', 'z.target'];
const BAD_UNIT_NAMES = ['bad', '.service', 'a.conf', '', 'a.Service'];
const UNIT_CONTENTS = [
  '[Unit]\nDescription=x\n[Service]\nExecStart=/bin/true\n[Install]\nWantedBy=multi-user.target\n',
  '[Service]\nExecStart=/bin/true\n',
  '[Unit]\nDescription=no install\n',
  '[Mount]\nWhat=/dev/vdb\nWhere=/var/data\n[Install]\nWantedBy=local-fs.target\n',
  '',
  'garbage without section\n',
  '[Unit\nbad',
  '[Service]\nExecStart=/bin/sh -c "echo \\\nmore"\n',
  '# comment\n[Service]\nEnvironment=A=1\n',
];
const DEVICES = ['/dev/sda', '/dev/vdb', '/dev/vdc', '/dev/disk/by-label/x', '/dev/md/r'];
const FORMATS = ['ext4', 'xfs', 'btrfs', 'vfat', 'swap', 'none'];
const LOCALS = ['a.txt', 'bin.dat', 'big.txt', 'tree/etc/motd', 'missing', '../escape', '/abs', 'tree'];
const TREES = ['tree', 'tree/etc', 'a.txt', 'missing', '../x', 'linkroot'];
const TEXTS = ['hello\n', '', 'x', 'héllo ✓\n', 'a'.repeat(300), 'line1\nline2\n', 'key=value # not a comment', '%', '#!/bin/sh\necho hi\n'];

function modeValue(g: Gen): Value {
  return g.pick<Value>([
    new Raw('0644'),
    new Raw('0755'),
    420,
    493,
    new Raw('0600'),
    644,
    755,
    4755,
    new Raw('04755'),
    new Raw('0o644'),
    new Raw('0x1ed'),
    10000,
    -1,
    420.9,
    new Raw('1e3'),
    new Raw('0'),
    new Raw('01777'),
  ]);
}

function intValue(g: Gen): Value {
  return g.pick<Value>([
    0,
    1,
    5,
    1000,
    -5,
    65535,
    new Raw('9007199254740993'),
    new Raw('0x10'),
    new Raw('1_000'),
    3.7,
    new Raw('.inf'),
    new Raw('-.inf'),
    new Raw('.nan'),
    new Raw('18446744073709551616'),
    new Raw('0b101'),
    new Raw('+12'),
    new Raw('012'),
  ]);
}

function boolValue(g: Gen): Value {
  return g.pick<Value>([true, false, true, false, new Raw('yes'), new Raw('no'), new Raw('on'), new Raw('Off'), new Raw('True'), new Raw('y'), 'maybe', 1]);
}

/** A plausible string for a field, by its key (sometimes a hostile one). */
function stringFor(g: Gen, key: string, struct: StructName): Value {
  const bad = g.chance(0.06);
  switch (key) {
    case 'path':
      if (struct === 'Tree') return g.pick(['/', '/opt', '/etc/x', 'rel', '']);
      if (struct === 'Filesystem') return g.pick(['/var/data', '/srv', '/var/data', 'rel', '']);
      return bad ? g.pick(BAD_PATHS) : g.pick(PATHS);
    case 'target':
      return g.pick(['/etc/hosts', '/bin/true', 'relative', '', '/x']);
    case 'source':
      return bad ? g.pick(BAD_URLS) : g.pick(URLS);
    case 'compression':
      return g.pick(['', 'gzip', 'gzip', 'bzip2']);
    case 'hash':
      return g.pick([`sha512-${g.hex(128)}`, `sha256-${g.hex(64)}`, 'md5-abc', 'sha512-short', 'nohash']);
    case 'inline':
      return g.pick(TEXTS);
    case 'local':
      return struct === 'Tree' ? g.pick(TREES) : g.pick(LOCALS);
    case 'contents_local':
      return g.pick(['unit.service', 'missing', 'a.txt']);
    case 'ssh_authorized_keys_local':
      return g.pick(['keys.pub', 'missing']);
    case 'name':
      if (struct === 'Unit') return bad ? g.pick(BAD_UNIT_NAMES) : g.pick(UNIT_NAMES);
      if (struct === 'Dropin') return g.pick(['a.conf', '10-x.conf', 'b.txt', '.conf', '']);
      if (struct === 'HTTPHeader') return g.pick(['Authorization', 'X-A', '', 'A']);
      if (struct === 'Luks') return g.pick(['data', 'root', 'a/b', '']);
      if (struct === 'Raid') return g.pick(['md0', 'data', '']);
      return g.pick(['core', 'alice', 'root', '', 'svc']);
    case 'value':
      return g.pick(['Bearer x', '', 'v']);
    case 'contents':
      return g.pick(UNIT_CONTENTS);
    case 'device':
      return bad ? g.pick(['sdb', '', '/dev/../x']) : g.pick(DEVICES);
    case 'devices':
      return g.pick(DEVICES);
    case 'format':
      return bad ? g.pick(['ntfs', '']) : g.pick(FORMATS);
    case 'label':
      return g.pick(['data', 'x'.repeat(20), 'y'.repeat(50), '', 'ROOT']);
    case 'uuid':
    case 'guid':
    case 'type_guid':
      return bad ? 'not-a-guid' : `${g.hex(8)}-${g.hex(4)}-${g.hex(4)}-${g.hex(4)}-${g.hex(12)}`;
    case 'level':
      return g.pick(['raid0', 'raid1', 'linear', 'raid5', 'raid10', 'bogus']);
    case 'http_proxy':
    case 'https_proxy':
      return g.pick(['http://proxy:3128', 'https://proxy', 'socks5://p', '', 'http://a b']);
    case 'no_proxy':
      return g.pick(['localhost', '.example.com', '10.0.0.0/8']);
    case 'url':
      return g.pick(['http://tang.example', 'https://t', 'bad url']);
    case 'thumbprint':
      return g.pick(['abc', 'x'.repeat(43)]);
    case 'advertisement':
      return g.pick(['{"payload": "x"}', 'not json', '']);
    case 'pin':
      return g.pick(['tpm2', 'tang', 'sss', '']);
    case 'config':
      return g.pick(['{}', '{"t":1}']);
    case 'password_hash':
      return g.pick(['$6$x$y', '']);
    case 'shell':
    case 'home_dir':
      return g.pick(['/bin/bash', '/home/x', '']);
    case 'ssh_authorized_keys':
      return g.pick(['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEx x@y', 'ssh-rsa AAAAB3 x', '']);
    case 'should_exist':
    case 'should_not_exist':
      return g.pick(['quiet', 'console=ttyS0', 'a=b', 'quiet', '']);
    case 'groups':
      return g.pick(['sudo', 'docker', 'wheel']);
    case 'options':
    case 'mount_options':
    case 'open_options':
      return g.pick(['-E', 'noatime', '--allow-discards', '-L x']);
    default:
      return g.pick(['x', 'value', '', 'a b']);
  }
}

export class ConfigGen {
  readonly g: Gen;
  constructor(seed: number) {
    this.g = new Gen(seed);
  }

  value(type: FieldType, key: string, struct: StructName, schema: Schema, depth: number): Value {
    const g = this.g;
    if (typeof type === 'string') {
      if (type === 'string') return stringFor(g, key, struct);
      if (type === 'int') return key === 'mode' ? modeValue(g) : intValue(g);
      return boolValue(g);
    }
    if ('list' in type) {
      const n = g.pick([0, 1, 1, 2, 2, 3]);
      const out: Value[] = [];
      for (let i = 0; i < n; i++) out.push(this.value(type.list, key, struct, schema, depth + 1));
      return out;
    }
    return this.struct(type.struct, schema, depth + 1);
  }

  struct(name: StructName, schema: Schema, depth: number): { [k: string]: Value } {
    const g = this.g;
    const fields = schema[name];
    const out: { [k: string]: Value } = {};
    const p = depth <= 1 ? 0.35 : 0.45;
    for (const f of fields) {
      if (!g.chance(p) && !(f.key === 'name' || f.key === 'path' || f.key === 'device')) continue;
      if (depth > 5 && typeof f.type !== 'string') continue;
      out[f.key] = this.value(f.type, f.key, name, schema, depth);
    }
    return out;
  }

  config(): { version: string; tree: { [k: string]: Value } } {
    const g = this.g;
    const info = g.pick(VERSIONS);
    const body = this.struct('Config', info.schema, 0);
    // Keep most configs small enough to read when they disagree.
    return { version: info.version, tree: { variant: 'flatcar', version: info.version, ...body } };
  }
}

// ---------------------------------------------------------------------------------------------
// YAML writer with random styles.

const PLAIN_SAFE = /^[A-Za-z/_.][A-Za-z0-9/_.@=,+ -]*$/;

export class YamlWriter {
  private anchors: string[] = [];
  private anchorCount = 0;
  constructor(private readonly g: Gen) {}

  scalar(v: Exclude<Value, Value[] | { [k: string]: Value }>, indent: number, flow: boolean): string {
    const g = this.g;
    if (v instanceof Raw) return v.text;
    if (v === null) return g.pick(['null', '~', '']);
    if (typeof v === 'boolean' || typeof v === 'number') return String(v);
    const s = v;
    const multi = s.includes('\n');
    const style = g.int(10);
    if (multi && style < 5 && !flow) {
      const pad = ' '.repeat(indent + 2);
      const chomp = s.endsWith('\n') ? (s.endsWith('\n\n') ? '+' : '') : '-';
      const body = s
        .replace(/\n$/, '')
        .split('\n')
        .map((l) => (l === '' ? '' : pad + l))
        .join('\n');
      return `|${chomp}\n${body}`;
    }
    if (style < 3 && PLAIN_SAFE.test(s) && !/ $/.test(s) && !/^(y|n|yes|no|on|off|true|false|null)$/i.test(s)) return s;
    if (style < 6 && !multi) return `'${s.replace(/'/g, "''")}'`;
    return JSON.stringify(s).replace(/[\u007f-\uffff]/g, (c) => (g.chance(0.5) ? c : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
  }

  write(v: Value, indent: number, flow: boolean): string {
    const g = this.g;
    if (Array.isArray(v)) {
      if (v.length === 0) return '[]';
      if (flow || g.chance(0.2)) return `[${v.map((x) => this.write(x, indent, true)).join(', ')}]`;
      const pad = ' '.repeat(indent);
      return '\n' + v.map((x) => `${pad}- ${this.write(x, indent + 2, false).replace(/^\n\s*/, '')}`).join('\n');
    }
    if (v !== null && typeof v === 'object' && !(v instanceof Raw)) {
      const entries = Object.entries(v);
      if (entries.length === 0) return '{}';
      if (this.anchors.length > 0 && g.chance(0.05)) return `*${g.pick(this.anchors)}`;
      let prefix = '';
      if (!flow && g.chance(0.06)) {
        const name = `a${this.anchorCount++}`;
        prefix = `&${name} `;
        this.anchors.push(name);
      }
      if (flow || g.chance(0.15)) {
        return prefix + `{${entries.map(([k, x]) => `${k}: ${this.write(x, indent, true)}`).join(', ')}}`;
      }
      const pad = ' '.repeat(indent);
      const lines = entries.map(([k, x]) => {
        const inner = this.write(x, indent + 2, false);
        const sep = inner.startsWith('\n') || inner === '' ? ':' : ': ';
        const comment = g.chance(0.03) ? ' # note' : '';
        return `${pad}${k}${sep}${inner}${inner.startsWith('|') ? '' : comment}`;
      });
      return (prefix ? prefix.trimEnd() : '') + '\n' + lines.join('\n');
    }
    return this.scalar(v, indent, flow);
  }
}

// ---------------------------------------------------------------------------------------------
// Mutations.

function mutateTree(g: Gen, tree: { [k: string]: Value }): void {
  // Walk to a random map and change one thing in it.
  const maps: { [k: string]: Value }[] = [];
  const visit = (v: Value) => {
    if (Array.isArray(v)) v.forEach(visit);
    else if (v && typeof v === 'object' && !(v instanceof Raw)) {
      maps.push(v);
      Object.values(v).forEach(visit);
    }
  };
  visit(tree);
  const m = g.pick(maps);
  const keys = Object.keys(m);
  const key = keys.length ? g.pick(keys) : 'storage';
  switch (g.int(9)) {
    case 0:
      m[key] = g.pick<Value>([[1, 2], { a: 1 }, 'text', 5, true, null, new Raw('!!binary aGVsbG8='), []]);
      break;
    case 1:
      m[g.pick(['bogus', 'Path', 'extra', 'storage_', '<<'])] = g.pick<Value>([1, 'x', { k: 1 }]);
      break;
    case 2:
      m[key] = null;
      break;
    case 3:
      if (Array.isArray(m[key])) (m[key] as Value[]).push(null);
      else m[key] = [null, m[key] ?? 'x'];
      break;
    case 4:
      m[key] = new Raw(
        g.pick([
          '!!str 12',
          '!!int "12"',
          '!!int abc',
          '!!float 1',
          '!!bool yes',
          '!!null ""',
          '!foo bar',
          '!!binary /wA=',
          '!!binary "aGk="',
          '!!binary |\n  aGVs\n  bG8=',
          '"\\x41\\u00e9"',
          '"a\\/b"',
          '"\\ud83d\\ude00"',
          '"\\U0001F600"',
          "'it''s'",
          '"tab\\there"',
          '"\\N\\_\\L\\P"',
        ]),
      );
      break;
    case 5:
      m.version = g.pick<Value>(['1.0.0', '1.1.0', '1.01.0', '1.2.0', '9.9.9', 1.1, new Raw('"1.1.0"'), '1.1', 'v1.1.0', '1.1.0-experimental']);
      break;
    case 6:
      // Other real variants (fcos, openshift, r4e, fiot) are out of scope: only names Butane has no translator for.
      m.variant = g.pick<Value>(['flatcar', 'coreos', 'Flatcar', '', null]);
      break;
    case 7:
      if (typeof m[key] === 'string') m[key] = (m[key] as string) + g.pick(['\u2028', '\u0085', ' ', '\t', '#', ' #x', ': ', '\u00e9', '\ufeff']);
      break;
    default:
      m[key] = g.pick<Value>([
        new Raw('[a, b'),
        new Raw('{a: 1'),
        new Raw('"unterminated'),
        new Raw('*nosuch'),
        new Raw('&anch'),
        new Raw('a?b'),
        new Raw('@x'),
        new Raw('`x'),
        new Raw('%x'),
        new Raw('- x'),
      ]);
  }
}

function mutateText(g: Gen, text: string): string {
  const lines = text.split('\n');
  const i = 2 + g.int(Math.max(1, lines.length - 2));
  switch (g.int(16)) {
    case 0:
      return text + '---\nfoo: bar\n';
    case 1:
      return '%YAML 1.1\n---\n' + text;
    case 2:
      return '%YAML 1.2\n---\n' + text;
    case 3:
      return text.replace(/\n/g, '\r\n');
    case 4:
      return '\ufeff' + text;
    case 5:
      if (lines[i] !== undefined) lines[i] = lines[i]!.replace(/^( *)/, (m) => m.slice(0, Math.max(0, m.length - 2)) + '\t');
      return lines.join('\n');
    case 6:
      if (lines[i] !== undefined) lines[i] = lines[i] + '\t';
      return lines.join('\n');
    case 7:
      return text.replace(/\n$/, '');
    case 8:
      if (lines[i] !== undefined) lines.splice(i, 0, g.pick(['# comment', '', '  ', '\t# tab comment', '...', '---']));
      return lines.join('\n');
    case 9:
      return text + g.pick(['x: *a0\n', 'y: &z {a: 1}\nz: *z\n', 'storage:\n  <<: {files: [{path: /m}]}\n', '<<: {kernel_arguments: {should_exist: [m]}}\n']);
    case 10:
      if (lines[i] !== undefined) lines[i] = lines[i]!.replace(/: (\S)/, ':\t$1');
      return lines.join('\n');
    case 11: {
      // Duplicate a line (duplicate keys).
      if (lines[i] !== undefined && /^\s*\w+: \S/.test(lines[i]!)) lines.splice(i, 0, lines[i]!);
      return lines.join('\n');
    }
    case 12:
      if (lines[i] !== undefined) lines[i] = lines[i]!.replace(/\n?$/, g.pick(['\u0085', '\u2028', '\r']));
      return lines.join('\n');
    case 13:
      return text.replace(/"([^"\n]*)"/, (_m, s: string) => `"${s}\\\n   ${g.pick(['', 'more', '\t x'])}"`);
    case 14:
      return text.replace(/'([^'\n]*)'/, (_m, s: string) => `'${s}\n${g.pick(['', '  ', '\t'])}folded'`);
    default:
      return text + g.pick(['\n', '\n\n', '# end', 'extra: [1, 2, 3]\n']);
  }
}

/** Configs of one seed: index i is the same for every run of the same seed. */
export function generateConfig(seed: number, index: number): string {
  const cg = new ConfigGen((seed * 1_000_003 + index * 7919) >>> 0);
  const g = cg.g;
  const { tree } = cg.config();
  const mutations = g.chance(0.35) ? 1 + g.int(2) : 0;
  for (let k = 0; k < mutations; k++) if (g.chance(0.6)) mutateTree(g, tree);
  const writer = new YamlWriter(g);
  let text = writer.write(tree, 0, false).replace(/^\n/, '') + '\n';
  if (mutations > 0 && g.chance(0.5)) text = mutateText(g, text);
  return text;
}

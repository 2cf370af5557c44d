/**
 * Issue 6, "Hostile input": random hostile strings (quotes, backslashes, newlines, `{{`, YAML
 * indicators, control characters, line separators, astral characters, RTL marks, lone surrogates,
 * very long text) through every free-text answer of `generate()`. For each value exactly one of:
 * - rejected: a SpecError (SnippetError for a snippet) whose problems all name that answer, each
 *   message one line without raw control characters, the value shown JSON-quoted when shown;
 * - accepted: every file reads back the same when written as UTF-8, every machine's Butane parses to
 *   the structure a plain value gives, transpiles, and the value is exactly where it belongs (decoded
 *   from the Ignition config: file contents from data URLs, units' Environment= as systemd reads it).
 * Plus the file modes of a secure cluster's machine configs, where other tests leave gaps.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { decodeDataUrl, transpile } from '../../src/butane/index.js';
import { generate, PRIVATE_FILE_MODE, PUBLIC_FILE_MODE, type GenerateResult } from '../../src/generate.js';
import { SnippetError } from '../../src/snippets/index.js';
import { parseAnswersFile } from '../../src/answers/answers-file.js';
import { CONTROL, show } from '../../src/answers/checks.js';
import { resolveSpec } from '../../src/answers/resolve.js';
import { SpecError, type Answers } from '../../src/answers/types.js';
import { environment, KEY } from '../helpers/generator.js';

const made: string[] = [];
afterAll(() =>
  made.forEach((d) => {
    rmSync(d, { recursive: true, force: true });
  }),
);
const tmp = mkdtempSync(join(tmpdir(), 'fa-hostile-'));
made.push(tmp);
const SNIPPET = join(tmp, 'extra.bu');
writeFileSync(SNIPPET, 'variant: flatcar\nversion: 1.0.0\nstorage:\n  files:\n    - path: /etc/extra\n      contents:\n        inline: extra\n');

// ---------------------------------------------------------------------------------------------
// Hostile strings

/** Pieces that mean something to YAML, Handlebars, systemd, shells, terminals or Unicode. */
const PIECES = [
  "'",
  '"',
  '`',
  '\\',
  '\\\\',
  '\\n',
  '\n',
  '\r',
  '\r\n',
  '\t',
  '\v',
  '\f',
  ': ',
  ':',
  '#',
  ' #',
  '{{',
  '}}',
  '{{machine.name}}',
  '{{> header}}',
  '{{{x}}}',
  '- ',
  '-',
  '&a',
  '*a',
  '!',
  '!!str',
  '%',
  '%%',
  '%n',
  '@',
  '|',
  '>',
  '[',
  ']',
  '{',
  '}',
  ',',
  '?',
  '---',
  '...',
  '=',
  ';',
  '$',
  '${X}',
  '$(id)',
  '/',
  '.',
  ' ',
  '  ',
  '\u00a0',
  '\u0000',
  '\u0001',
  '\u001b[31m',
  '\u007f',
  '\u0085',
  '\u009b',
  '\u2028',
  '\u2029',
  '\ufeff',
  '\u200b',
  '\u200e',
  '\u200f',
  '\u202e',
  '\u2066',
  'é',
  'ß',
  '☃',
  '😀',
  '👩‍👩‍👧',
  '𝔘',
  '\ud800',
  '\udfff',
  'ssh-ed25519 ',
  'http://',
  'https://',
  '10.0.0.1',
  'v3.5.16',
];
const word = fc.stringMatching(/^[A-Za-z0-9]{1,6}$/);
const mix = fc
  .array(fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...PIECES) }, { weight: 2, arbitrary: word }, { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 3 }) }), {
    minLength: 1,
    maxLength: 10,
  })
  .map((a) => a.join(''));
const long = fc.tuple(mix, fc.integer({ min: 9_000, max: 11_000 })).map(([s, n]) => (s || 'x').repeat(Math.ceil(n / (s.length || 1))).slice(0, n));

/** Hostile text, much of it near `seed` (a valid value) so that the accepting paths are explored too. */
function hostile(seed: string): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 3, arbitrary: mix },
    { weight: 2, arbitrary: mix.map((m) => seed + m) },
    { weight: 2, arbitrary: mix.map((m) => m + seed) },
    { weight: 2, arbitrary: fc.tuple(mix, fc.nat(seed.length)).map(([m, i]) => seed.slice(0, i) + m + seed.slice(i)) },
    // Benign edits (letters, digits): valid more often, so that accepted values are checked too.
    { weight: 2, arbitrary: fc.tuple(word, fc.nat(seed.length)).map(([w, i]) => seed.slice(0, i) + w + seed.slice(i)) },
    { weight: 1, arbitrary: fc.constantFrom(' ', '\t', '\n', '\u00a0', '\ufeff', '\u2028').map((w) => `${w}${seed}${w}`) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 30 }) },
    { weight: 1, arbitrary: long },
    { weight: 1, arbitrary: long.map((l) => seed + l) },
  );
}

// ---------------------------------------------------------------------------------------------
// Reading a result back

interface IgnFile {
  path: string;
  mode?: number;
  user?: { name: string };
  contents: string;
}
interface IgnUnit {
  name: string;
  contents?: string;
  dropins?: { name: string; contents: string }[];
}
interface Ign {
  files: Record<string, IgnFile>;
  units: Record<string, IgnUnit>;
  keys: string[][];
  directories: { path: string; mode?: number }[];
}

/** An Ignition config as the machine would read it: files decoded (gunzipped), units by name. */
function readIgnition(text: string): Ign {
  const c = JSON.parse(text) as {
    storage?: {
      files?: { path: string; mode?: number; user?: { name: string }; contents: { source: string; compression?: string } }[];
      directories?: { path: string; mode?: number }[];
    };
    systemd?: { units?: IgnUnit[] };
    passwd?: { users?: { sshAuthorizedKeys?: string[] }[] };
  };
  const files = Object.fromEntries(
    (c.storage?.files ?? []).map((f) => {
      const bytes = decodeDataUrl(f.contents.source);
      const contents = (f.contents.compression === 'gzip' ? gunzipSync(bytes) : bytes).toString('utf8');
      return [f.path, { path: f.path, mode: f.mode, user: f.user, contents }];
    }),
  );
  const units = Object.fromEntries((c.systemd?.units ?? []).map((u) => [u.name, u]));
  return { files, units, keys: (c.passwd?.users ?? []).map((u) => u.sshAuthorizedKeys ?? []), directories: c.storage?.directories ?? [] };
}

/** The document's shape: keys and list lengths, without the values. */
function shape(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(shape);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, shape(x)]));
  return typeof v;
}

/** Lines `KEY=value` of a file (a .network or update.conf), by key; repeated keys collect. */
function settings(text: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const l of text.split('\n')) {
    const i = l.indexOf('=');
    if (i > 0) {
      const key = l.slice(0, i);
      out[key] ??= [];
      out[key].push(l.slice(i + 1));
    }
  }
  return out;
}

/** As written to disk: UTF-8 bytes, read back. A lone surrogate would come back as U+FFFD. */
const asWritten = (text: string): string => Buffer.from(text, 'utf8').toString('utf8');

interface Machine {
  name: string;
  role: string;
  butane: unknown;
  ign: Ign;
}

/** Checks that hold for any accepted result, then the machines read back from what would be written. */
function readBack(result: GenerateResult, baseline: GenerateResult): Machine[] {
  for (const f of result.files) expect(asWritten(f.contents), `${f.name} is not well-formed Unicode`).toBe(f.contents);
  expect(result.machines.map((m) => m.role)).toEqual(baseline.machines.map((m) => m.role));
  expect(result.files.map((f) => f.mode)).toEqual(baseline.files.map((f) => f.mode));
  return result.machines.map((m, i) => {
    const doc = parse(asWritten(m.butane)) as Record<string, unknown>;
    const base = parse(baseline.machines[i]!.butane) as Record<string, unknown>;
    expect(Object.keys(doc)).toEqual(Object.keys(base));
    expect(shape(doc)).toEqual(shape(base));
    // Our transpiler accepts the document as written (generate did too, strictly).
    const ignition = transpile(asWritten(m.butane), { strict: true }).ignition;
    const ign = readIgnition(ignition);
    const baseIgn = readIgnition(baseline.machines[i]!.ignition);
    expect(Object.keys(ign.files).length).toBe(Object.keys(baseIgn.files).length);
    expect(Object.keys(ign.units).sort()).toEqual(Object.keys(baseIgn.units).sort());
    expect(Object.values(ign.files).map((f) => f.mode)).toEqual(Object.values(baseIgn.files).map((f) => f.mode));
    expect(ign.directories).toEqual(baseIgn.directories);
    expect(readIgnition(m.ignition)).toEqual(ign);
    return { name: m.name, role: m.role, butane: doc, ign };
  });
}

const fileOf = (m: Machine, path: string): string => {
  const f = m.ign.files[path];
  expect(f, `${m.name}: ${path}`).toBeDefined();
  return f!.contents;
};
const networkOf = (m: Machine): Record<string, string[]> => {
  const path = Object.keys(m.ign.files).find((p) => p.startsWith('/etc/systemd/network/'));
  expect(path, `${m.name} has a .network file`).toBeDefined();
  return settings(fileOf(m, path!));
};
const updateConf = (m: Machine): Record<string, string[]> => settings(fileOf(m, '/etc/flatcar/update.conf'));
/** The Environment= settings of a unit and its drop-ins, as systemd reads them. */
const envOf = (m: Machine, unit: string): Record<string, string> => {
  const u = m.ign.units[unit];
  expect(u, `${m.name}: ${unit}`).toBeDefined();
  return Object.assign({}, environment(u!.contents ?? ''), ...(u!.dropins ?? []).map((d) => environment(d.contents)));
};
const members = (ms: Machine[]) => ms.filter((m) => m.role === 'etcd');

// ---------------------------------------------------------------------------------------------
// The answers

/** A valid static dev cluster: hc-etcd-1 (10.0.0.101) and hc-worker-1 (10.0.0.102), TLS on (preview). */
const base = (): Answers => ({
  preset: 'dev',
  name: 'hc',
  size: 2,
  ssh: { keys: [KEY] },
  network: { cidr: '10.0.0.0/24' },
  updates: { group: 'stable', rebootStrategy: 'reboot' },
});

/** `answers` with `path` (dotted) set to `value`. */
function set(answers: Answers, path: string, value: unknown): Answers {
  const out = structuredClone(answers) as Record<string, unknown>;
  const keys = path.split('.');
  let at = out;
  for (const k of keys.slice(0, -1)) {
    at[k] ??= {};
    at = at[k] as Record<string, unknown>;
  }
  at[keys.at(-1)!] = value;
  return out as Answers;
}

interface Case {
  /** The problem's field when the value is rejected. */
  field: string;
  /** A valid value, for the baseline and to seed near-valid hostile values. */
  seed: string;
  answers: (v: string) => Answers;
  /** Where an accepted value must be found, exactly. */
  placed: (ms: Machine[], v: string, r: GenerateResult) => void;
  /** The error class of a rejection (default SpecError). */
  rejectedWith?: typeof SpecError | typeof SnippetError;
  runs?: number;
  /** Other answers a valid value of this one can make impossible (a network where the gateway no longer fits). */
  alsoBlames?: string[];
  /** The answers a plain cluster of the same shape has, when a valid value changes the shape (size). */
  sameShape?: (r: GenerateResult) => Answers;
}

const text = (field: string, seed: string, placed: Case['placed'], answers?: (v: string) => Answers): Case => ({
  field,
  seed,
  answers: answers ?? ((v) => set(base(), field, v)),
  placed,
});

const CASES: Case[] = [
  text('preset', 'dev', (_ms, v, r) => expect(r.spec.preset).toBe(v)),
  text('name', 'hc', (ms, v, r) => {
    expect(r.spec.name).toBe(v);
    for (const m of ms) expect(fileOf(m, '/etc/hostname')).toBe(m.name);
    expect(ms.map((m) => m.name)).toEqual([`${v}-etcd-1`, `${v}-worker-1`]);
    expect(envOf(ms[0]!, 'etcd-member.service').ETCD_INITIAL_CLUSTER_TOKEN).toBe(v);
  }),
  text('namePrefix', 'hc-', (ms, v) => {
    expect(ms.map((m) => fileOf(m, '/etc/hostname'))).toEqual([`${v}etcd-1`, `${v}worker-1`]);
    expect(envOf(ms[0]!, 'etcd-member.service').ETCD_NAME).toBe(`${v}etcd-1`);
  }),
  {
    ...text('size', '2', (ms, v, r) => {
      expect(r.spec.size).toBe(Number(v.trim()));
      expect(ms).toHaveLength(r.spec.size);
    }),
    sameShape: (r) => set(base(), 'size', r.spec.size),
  },
  text(
    'etcd.size',
    '3',
    (ms, v) => expect(members(ms)).toHaveLength(Number(v.trim())),
    (v) => set({ ...base(), preset: 'production', size: 4 }, 'etcd.size', v),
  ),
  text('etcd.version', 'v3.5.16', (ms, v) => {
    for (const m of members(ms)) expect(envOf(m, 'etcd-member.service').ETCD_IMAGE_TAG).toBe(v);
  }),
  text('etcd.discovery', 'https://discovery.etcd.io/3e86b59982e49066c5d813af1c2e2579cbf573de', (ms, v) => {
    for (const m of members(ms)) {
      const env = envOf(m, 'etcd-member.service');
      expect(env.ETCD_DISCOVERY).toBe(v);
      expect(env.ETCD_INITIAL_CLUSTER).toBeUndefined();
    }
  }),
  text('etcd.token', 'hc-token', (ms, v) => {
    for (const m of members(ms)) expect(envOf(m, 'etcd-member.service').ETCD_INITIAL_CLUSTER_TOKEN).toBe(v);
  }),
  {
    ...text(
      'network.cidr',
      '10.0.0.0/24',
      (ms, v, r) => {
        expect(r.spec.network).toMatchObject({ cidr: v });
        for (const m of ms) expect(networkOf(m).Address![0]).toMatch(new RegExp(`/${v.split('/')[1]}$`));
      },
      (v) => set({ ...base(), network: { cidr: v, gateway: '10.0.0.1', firstAddress: '10.0.0.101' } }, 'network.cidr', v),
    ),
    alsoBlames: ['network.gateway', 'network.firstAddress', 'size'],
  },
  text('network.gateway', '10.0.0.254', (ms, v) => {
    for (const m of ms) expect(networkOf(m).Gateway).toEqual([v]);
  }),
  text('network.firstAddress', '10.0.0.50', (ms, v) => expect(networkOf(ms[0]!).Address).toEqual([`${v}/24`])),
  text(
    'network.dns',
    '1.1.1.1',
    (ms, v) => {
      for (const m of ms) expect(networkOf(m).DNS).toEqual([v]);
    },
    (v) => set(base(), 'network.dns', [v]),
  ),
  text(
    'network.domains',
    'example.com',
    (ms, v) => {
      for (const m of ms) expect(networkOf(m).Domains).toEqual([v]);
    },
    (v) => set(base(), 'network.domains', [v]),
  ),
  text('network.interface', 'en* eth*', (ms, v) => {
    for (const m of ms) expect(networkOf(m).Name).toEqual([v]);
  }),
  text('network.macPrefix', '52:54:00', (ms, v) => {
    for (const m of ms) expect(networkOf(m).MACAddress![0]!.startsWith(`${v.toLowerCase()}:`)).toBe(true);
  }),
  text(
    'ssh.keys',
    `${KEY} hostile`,
    (ms, v) => {
      for (const m of ms) expect(m.ign.keys).toEqual([[v]]);
    },
    (v) => set(base(), 'ssh.keys', [v]),
  ),
  text('updates.group', 'stable', (ms, v) => {
    for (const m of ms) expect(updateConf(m).GROUP).toEqual([v]);
  }),
  text('updates.rebootStrategy', 'reboot', (ms, v) => {
    for (const m of ms) expect(updateConf(m).REBOOT_STRATEGY).toEqual([v]);
  }),
  text(
    'updates.rebootWindowStart',
    'Thu 04:00',
    (ms, v) => {
      for (const m of ms) expect(updateConf(m).LOCKSMITHD_REBOOT_WINDOW_START).toEqual([v]);
    },
    (v) => set(set(base(), 'updates.rebootWindowLength', '1h'), 'updates.rebootWindowStart', v),
  ),
  text(
    'updates.rebootWindowLength',
    '1h30m',
    (ms, v) => {
      for (const m of ms) expect(updateConf(m).LOCKSMITHD_REBOOT_WINDOW_LENGTH).toEqual([v]);
    },
    (v) => set(set(base(), 'updates.rebootWindowStart', '04:00'), 'updates.rebootWindowLength', v),
  ),
  // No directory has such a name here, so every value is refused; the message must still be clear.
  { ...text('templates', join(tmp, 'no-such-templates'), (_ms, v, r) => expect(r.spec.templates).toBe(v)), runs: 40 },
  // Pins of one machine (answers file only).
  // etcdMembership (written by `scale`): the settings of machines made for another etcd membership.
  text(
    'etcdMembership[0].clientEndpoints',
    'https://10.0.0.101:2379',
    (ms, v) => {
      const proxy = ms[1]!.ign.units['etcd-grpc-proxy.service']!.contents ?? '';
      expect(proxy).toContain(` --endpoints=${v} `);
    },
    (v) => ({ ...base(), etcdMembership: [{ machines: ['hc-worker-1'], clientEndpoints: [v] }] }),
  ),
  text(
    'etcdMembership[0].initialCluster',
    'hc-etcd-1=https://10.0.0.101:2380',
    (ms, v) => {
      expect(envOf(ms[0]!, 'etcd-member.service').ETCD_INITIAL_CLUSTER).toBe(v);
    },
    (v) => ({ ...base(), etcdMembership: [{ machines: ['hc-etcd-1'], initialCluster: v }] }),
  ),
  text(
    'etcdMembership[0].state',
    'existing',
    (ms, v) => {
      expect(envOf(ms[0]!, 'etcd-member.service').ETCD_INITIAL_CLUSTER_STATE).toBe(v);
    },
    (v) => ({ ...base(), etcdMembership: [{ machines: ['hc-etcd-1'], state: v as 'new' }] }),
  ),
  text(
    'etcdMembership[0].machines',
    'hc-etcd-1',
    (ms) => {
      expect(envOf(ms[0]!, 'etcd-member.service').ETCD_INITIAL_CLUSTER_STATE).toBe('existing');
    },
    (v) => ({ ...base(), etcdMembership: [{ machines: [v], state: 'existing' }] }),
  ),
  text(
    'machines[0].planned',
    'hc-worker-1',
    (ms) => expect(ms[1]!.name).toBe('hc-worker-7'),
    (v) => ({ ...base(), machines: [{ planned: v, name: 'hc-worker-7' }] }),
  ),
  text(
    'machines[0].name',
    'hc-w7',
    (ms, v) => expect(fileOf(ms[1]!, '/etc/hostname')).toBe(v),
    (v) => ({ ...base(), machines: [{ planned: 'hc-worker-1', name: v }] }),
  ),
  text(
    'machines[0].address',
    '10.0.0.150',
    (ms, v) => expect(networkOf(ms[1]!).Address).toEqual([`${v}/24`]),
    (v) => ({
      ...base(),
      machines: [{ planned: 'hc-worker-1', address: v }],
    }),
  ),
  text(
    'machines[0].mac',
    '52:54:00:aa:bb:cc',
    (ms, v) => expect(networkOf(ms[1]!).MACAddress).toEqual([v.toLowerCase()]),
    (v) => ({
      ...set(base(), 'network.macPrefix', '52:54:00'),
      machines: [{ planned: 'hc-worker-1', mac: v }],
    }),
  ),
  // Snippets (answers file only): a target that is no machine or group, a file that does not exist.
  {
    ...text(
      'snippets[0].target',
      'all',
      (ms) => {
        for (const m of ms) expect(fileOf(m, '/etc/extra')).toBe('extra');
      },
      (v) => ({ ...base(), snippets: [{ target: v, file: SNIPPET }] }) as Answers,
    ),
    rejectedWith: SnippetError,
  },
  {
    ...text(
      'snippets[0].file',
      SNIPPET,
      (ms) => {
        for (const m of ms) expect(fileOf(m, '/etc/extra')).toBe('extra');
      },
      (v) => ({ ...base(), snippets: [{ target: 'all', file: v }] }) as Answers,
    ),
    rejectedWith: SnippetError,
    runs: 40,
  },
  // Text where true or false belongs.
  text(
    'network.dhcp',
    'x',
    () => expect.unreachable('text is not a flag'),
    (v) => ({ ...base(), network: { dhcp: v as unknown as boolean } }),
  ),
  text(
    'security.etcdTls',
    'x',
    () => expect.unreachable('text is not a flag'),
    (v) => ({ ...base(), security: { etcdTls: v as unknown as boolean } }),
  ),
  text(
    'security.dockerTls',
    'x',
    () => expect.unreachable('text is not a flag'),
    (v) => ({ preset: 'laptop', security: { dockerTls: v as unknown as boolean } }),
  ),
];

// ---------------------------------------------------------------------------------------------
// The property

/** Text a message may show as it is: nothing in it could be misread. */
const PLAIN = /^[A-Za-z0-9_.:/@+,=*-]*$/;

/** A rejection: every problem names the answer; each message is one clear line. */
function expectClearRejection(c: Case, v: string, e: unknown): void {
  const wanted = c.rejectedWith ?? SpecError;
  if (!(e instanceof wanted)) throw e;
  const messages = e instanceof SpecError ? e.problems.map((p) => p.message) : [e.message];
  if (e instanceof SpecError) {
    expect(e.problems.length).toBeGreaterThan(0);
    const blamed = [c.field, ...(c.alsoBlames ?? [])];
    for (const p of e.problems) expect(blamed, `${p.field}: ${p.message}`).toContain(p.field);
    expect(e.message.split('\n')).toHaveLength(e.problems.length);
  }
  for (const m of messages) {
    expect(CONTROL.test(m), `raw control character or newline in ${JSON.stringify(m)}`).toBe(false);
    expect(/\p{Cs}/u.test(m), `lone surrogate in ${JSON.stringify(m)}`).toBe(false);
    // A value with spaces, quotes or other doubt in it is shown JSON-quoted, never raw.
    if (!PLAIN.test(v) && m.includes(v)) expect(m, 'the value is shown JSON-quoted').toContain(show(v));
  }
}

function check(c: Case, baseline: GenerateResult, v: string): 'accepted' | 'rejected' {
  let result: GenerateResult;
  try {
    result = generate(c.answers(v));
  } catch (e) {
    expectClearRejection(c, v, e);
    return 'rejected';
  }
  const ms = readBack(result, c.sameShape ? generate(c.sameShape(result)) : baseline);
  c.placed(ms, v, result);
  // cluster.yaml records the answer so that it resolves to the same spec again.
  const clusterYaml = result.files.find((f) => f.name === 'cluster.yaml')!.contents;
  if (!clusterYaml.includes('\nmachines:') && !clusterYaml.includes('\nsnippets:') && !clusterYaml.includes('\netcdMembership:')) {
    expect(resolveSpec(parseAnswersFile(asWritten(clusterYaml), 'cluster.yaml')).spec).toEqual(result.spec);
  }
  return 'accepted';
}

const RUNS = 60;
/** Answers no random text can satisfy here: only their rejections are checked. */
const NEVER_ACCEPTED = ['templates', 'network.dhcp', 'security.etcdTls', 'security.dockerTls'];
const tally: Record<string, { accepted: number; rejected: number }> = {};
afterAll(() => {
  if (process.env.HOSTILE_TALLY) console.log(JSON.stringify(tally, null, 1));
});

describe('hostile text in every free-text answer: valid Butane with the value exactly in place, or a clear rejection', () => {
  for (const c of CASES) {
    it(`${c.field}`, () => {
      const never = NEVER_ACCEPTED.includes(c.field);
      const baseline = generate(never ? base() : c.answers(c.seed));
      tally[c.field] = { accepted: 0, rejected: 0 };
      // The seed itself is accepted and in place (the property's accepting side is not vacuous).
      if (!never) expect(check(c, baseline, c.seed)).toBe('accepted');
      fc.assert(
        fc.property(hostile(c.seed), (v) => {
          tally[c.field]![check(c, baseline, v)]++;
        }),
        { numRuns: c.runs ?? RUNS },
      );
    });
  }
});

// ---------------------------------------------------------------------------------------------
// Counterexamples the properties found (and neighbours of them), fixed

const caseOf = (field: string): Case => CASES.find((c) => c.field === field)!;
function outcome(field: string, v: string): { result: 'accepted' | 'rejected'; messages: string[] } {
  const c = caseOf(field);
  const result = check(c, generate(NEVER_ACCEPTED.includes(field) ? base() : c.answers(c.seed)), v);
  let messages: string[] = [];
  if (result === 'rejected') {
    try {
      generate(c.answers(v));
    } catch (e) {
      messages = e instanceof SpecError ? e.problems.map((p) => p.message) : [(e as Error).message];
    }
  }
  return { result, messages };
}

describe('hostile answers found by the properties', () => {
  it('a discovery URL too long for a unit line is refused, not a "check the templates" failure; the longest one works', () => {
    // Was: GenerateError "hc-etcd-1.bu is not valid Butane (check the templates): ... line too long (max 2048 bytes)".
    const long = `https://discovery.etcd.io/3e86b59982e49066c5d813af1c2e2579cbf573de${'10.0.0.1'.repeat(300)}`;
    expect(outcome('etcd.discovery', long)).toEqual({ result: 'rejected', messages: ['must be an etcd discovery URL of at most 1000 bytes (got 2466)'] });
    // At the limit, every `%` doubled for systemd, the line still fits.
    const prefix = 'https://d.example/';
    expect(outcome('etcd.discovery', prefix + '%'.repeat(1000 - prefix.length)).result).toBe('accepted');
    expect(outcome('etcd.discovery', prefix + '%'.repeat(1001 - prefix.length)).result).toBe('rejected');
    expect(outcome('etcd.discovery', `${prefix}${'é'.repeat(492)}`).result).toBe('rejected');
  });

  it('half a surrogate pair is refused: written as UTF-8 it would come back as U+FFFD', () => {
    // Was: accepted; the .bu on disk held U+FFFD instead of the URL, the key's comment changed on the machine.
    for (const [field, v] of [
      ['etcd.discovery', 'https://d.example/\ud800'],
      ['ssh.keys', `${KEY} \udfff`],
      ['templates', '/tmp/x\ud800'],
    ] as const) {
      const { result, messages } = outcome(field, v);
      expect(result, field).toBe('rejected');
      expect(messages.join(''), field).toContain('\\ud');
    }
  });

  it('values in messages are JSON-quoted when they are not plain, so a message stays one clear line', () => {
    // Was: raw values (a newline split the message; quotes and spaces were ambiguous).
    for (const [field, v, shownAs] of [
      ['network.cidr', "'10.0.0.0/24", `"'10.0.0.0/24"`],
      ['network.cidr', '10.0.0.0/24\n- x', '"10.0.0.0/24\\n- x"'],
      ['machines[0].planned', "'hc-worker-1", `"'hc-worker-1"`],
      ['machines[0].name', 'hc-w7\nroot', '"hc-w7\\nroot"'],
      ['machines[0].address', '10.0.0.150\r', '"10.0.0.150\\r"'],
      ['machines[0].mac', "'52:54:00:aa:bb:cc", `"'52:54:00:aa:bb:cc"`],
      ['templates', `${join(tmp, 'no-such-templates')}'`, JSON.stringify(`${join(tmp, 'no-such-templates')}'`)],
      ['snippets[0].target', "all'", `"all'"`],
      ['snippets[0].file', ' \u0085', '" \\u0085"'],
    ] as const) {
      const { result, messages } = outcome(field, v);
      expect(result, field).toBe('rejected');
      expect(messages.join('\n'), field).toContain(shownAs);
    }
    // Plain values read as before.
    expect(outcome('machines[0].name', 'A0hc-w7').messages).toEqual(['A0hc-w7 is not a host name (1 to 63 lowercase letters, digits and dashes)']);
    expect(outcome('network.cidr', '10.0.0.1/24').messages).toEqual(['10.0.0.1/24 has host bits set; the network is 10.0.0.0/24']);
  });
});

// ---------------------------------------------------------------------------------------------
// File modes of machine configs (the written files' modes on disk: test/generator-tls.test.ts)

describe('file modes', () => {
  const modes = (r: GenerateResult) => Object.fromEntries(r.files.map((f) => [f.name, f.mode]));

  it('production: every private key a machine gets is 0600 in its Ignition, in a 0700 directory; its .bu and .ign are 0600', () => {
    const r = generate({ ...base(), preset: 'production', size: 4, updates: { group: 'stable', rebootStrategy: 'etcd-lock' } });
    for (const m of r.machines) {
      const ign = readIgnition(m.ignition);
      const keys = Object.values(ign.files).filter((f) => f.path.endsWith('key.pem'));
      expect(keys.length, m.name).toBeGreaterThan(0);
      for (const f of Object.values(ign.files)) expect(f.mode, `${m.name}: ${f.path}`).toBe(f.path.endsWith('key.pem') ? 0o600 : 0o644);
      for (const f of Object.values(ign.files).filter((f) => f.path.startsWith('/etc/ssl/etcd/'))) expect(f.user, f.path).toEqual({ name: 'etcd' });
      const dirs = new Set(keys.map((f) => f.path.slice(0, f.path.lastIndexOf('/'))));
      for (const d of dirs) expect(ign.directories.find((x) => x.path === d)?.mode, `${m.name}: ${d}`).toBe(0o700);
      expect(m.holdsKeys).toBe(true);
      expect([modes(r)[`${m.name}.bu`], modes(r)[`${m.name}.ign`]]).toEqual([PRIVATE_FILE_MODE, PRIVATE_FILE_MODE]);
    }
    for (const f of r.files.filter((f) => !/\.(bu|ign)$/.test(f.name))) expect(f.mode, f.name).toBe(PUBLIC_FILE_MODE);
  });

  it('--insecure: no keys in any config, and every config is 0644', () => {
    const r = generate({ ...base(), security: { etcdTls: false } });
    for (const m of r.machines) {
      expect(Object.keys(readIgnition(m.ignition).files).filter((p) => p.endsWith('.pem'))).toEqual([]);
      expect(m.holdsKeys).toBe(false);
    }
    expect(new Set(r.files.map((f) => f.mode))).toEqual(new Set([PUBLIC_FILE_MODE]));
  });
});

import { mkdtempSync as mkdtemp, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { transpile } from '../../src/butane/index.js';
import type { Plan } from '../../src/plan/index.js';
import { loadTemplates, machineRenderer, systemdEnv, TemplateError, yamlQuote, type TemplateSet } from '../../src/render/index.js';
import { SpecError } from '../../src/answers/types.js';
import { butaneFiles, butaneUnits, environment, KEY, withKey } from '../helpers/generator.js';
import { planOf } from '../helpers/plan.js';

const templates = loadTemplates();
const made: string[] = [];
const mkdtempSync = (prefix: string): string => {
  const dir = mkdtemp(prefix);
  made.push(dir);
  return dir;
};
afterAll(() =>
  made.forEach((d) => {
    rmSync(d, { recursive: true, force: true });
  }),
);
const renderMachines = (p: Plan, set: TemplateSet) => p.machines.map((machine) => ({ machine, butane: machineRenderer(p, set)(machine) }));

/** The document's shape: keys and list lengths, without the values. */
function shape(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(shape);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, shape(x)]));
  return typeof v;
}

const HOSTILE = [
  'a: b',
  'x # not a comment',
  '"double" and \'single\' quotes',
  '{{machine.name}} {{> header}}',
  '- item',
  '&anchor *alias !tag',
  '| > [flow] {map}',
  '%TAG ! tag:x',
  '--- ...',
  'back\\slash',
  'unicode é ☃ \u0085 \u2028 \u2029 \ufeff \u007f',
];

describe("quoting: answers cannot change a document's structure", () => {
  it('YAML scalars ({{q}}) hold any text exactly, newlines included', () => {
    const benign = planOf(withKey({ preset: 'laptop' }));
    const hostile = structuredClone(benign);
    hostile.spec.ssh.keys = [...HOSTILE, 'two\nlines: here\n- name: root', '\t\r\n\u0000'];
    benign.spec.ssh.keys = hostile.spec.ssh.keys.map(() => KEY);
    hostile.machines[0]!.name = 'evil: {{x}} # "q"\n- name: root\n  ssh_authorized_keys: [x]';
    const [good] = renderMachines(benign, templates);
    const [bad] = renderMachines(hostile, templates);
    const doc = parse(bad!.butane);
    expect(shape(doc)).toEqual(shape(parse(good!.butane)));
    expect(doc.passwd.users).toHaveLength(1);
    expect(doc.passwd.users[0].ssh_authorized_keys).toEqual(hostile.spec.ssh.keys);
    expect(butaneFiles(bad!.butane)['/etc/hostname']!.contents.inline).toBe(hostile.machines[0]!.name);
    // Our transpiler reads it the same way.
    const ign = JSON.parse(transpile(bad!.butane).ignition);
    expect(ign.passwd.users[0].sshAuthorizedKeys).toEqual(hostile.spec.ssh.keys);
  });

  it('lines in files ({{line}}) keep `: `, `#`, quotes and `{{` as text', () => {
    const p = planOf(withKey({ preset: 'dev', size: 2 }));
    p.spec.updates.group = 'stable: x # {{y}} "z" \'w\'';
    const [etcd] = renderMachines(p, templates);
    const conf = butaneFiles(etcd!.butane)['/etc/flatcar/update.conf']!.contents.inline;
    expect(conf.split('\n')).toContain('GROUP=stable: x # {{y}} "z" \'w\'');
    expect(shape(parse(etcd!.butane))).toEqual(shape(parse(renderMachines(planOf(withKey({ preset: 'dev', size: 2 })), templates)[0]!.butane)));
  });

  it('a newline or control character for a line of a file is refused, naming the template and line', () => {
    for (const bad of ['stable\nSERVER=https://evil', 'stable\rX', 'a\u0000b', 'a\u2028b']) {
      const p = planOf(withKey({ preset: 'dev', size: 2 }));
      p.spec.updates.group = bad;
      expect(() => renderMachines(p, templates)).toThrow(TemplateError);
      expect(() => renderMachines(p, templates)).toThrow(/^template templates\/updates.hbs, line \d+: line: .* newline or control character/);
    }
  });

  it('Environment= values ({{env}}) are quoted for systemd and read back exactly', () => {
    const p = planOf(withKey({ preset: 'dev', size: 2 }));
    const tricky = 'https://d.example/a%20b?x="y"&z=\\w #{{t}}';
    p.etcd!.discovery = tricky;
    const [etcd] = renderMachines(p, templates);
    const dropin = butaneUnits(etcd!.butane)['etcd-member.service']!.dropins!.find((d) => d.name === '20-cluster.conf')!;
    expect(environment(dropin.contents).ETCD_DISCOVERY).toBe(tricky);
    expect(systemdEnv('A', '50%')).toBe('"A=50%%"');
    expect(() => systemdEnv('A', 'x\ny')).toThrow(/newline/);
  });

  it('yamlQuote round-trips any string through a YAML parser', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (s) => {
        expect(parse(`k: ${yamlQuote(s)}\n`)).toEqual({ k: s });
      }),
      { numRuns: 300 },
    );
  });
});

function templatesWith(files: Record<string, string>): { dir: string; set: TemplateSet } {
  const dir = mkdtempSync(join(tmpdir(), 'fa-templates-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return { dir, set: loadTemplates(dir) };
}

describe('templates', () => {
  it('a missing value names the template file, the line and the value', () => {
    const { dir, set } = templatesWith({
      'hostname.hbs': '- path: /etc/hostname\n  mode: 0644\n  contents:\n    inline: {{q machine.nmae}}\n',
    });
    expect(() => renderMachines(planOf({ preset: 'laptop' }), set)).toThrow(`template ${dir}/hostname.hbs, line 4: missing value "machine.nmae" in {{q machine.nmae}}`);
    const second = templatesWith({ 'locksmith.hbs': '- name: x\n  contents: |\n    A={{line (join etcd.endpoints ",")}}\n' });
    expect(() => renderMachines(planOf({ preset: 'small' }), second.set)).toThrow(
      `template ${second.dir}/locksmith.hbs, line 3: missing value "etcd.endpoints" in (join etcd.endpoints ",")`,
    );
    const third = templatesWith({ 'header.hbs': 'variant: flatcar\nversion: 1.0.0\n{{#if cluster.nope.deeper}}x{{/if}}\n' });
    expect(() => renderMachines(planOf({ preset: 'laptop' }), third.set)).toThrow(
      new RegExp(`^template ${third.dir}/header.hbs, line 3: missing value before ".deeper" in \\{\\{#if cluster.nope.deeper\\}\\}$`),
    );
  });

  it('a value written without a quoting helper is refused on loading', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fa-templates-'));
    writeFileSync(join(dir, 'hostname.hbs'), '- path: /etc/hostname\n  contents:\n    inline: {{machine.name}}\n');
    expect(() => loadTemplates(dir)).toThrow(new RegExp(`^template ${dir}/hostname.hbs, line 3: every value must go through a quoting helper`));
    writeFileSync(join(dir, 'hostname.hbs'), 'x: {{{q machine.name}}} {{join ssh.keys ","}}\n');
    expect(() => loadTemplates(dir)).toThrow(/line 1: every value must go through a quoting helper.*\{\{join/);
  });

  it('a syntax error names the template and line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fa-templates-'));
    writeFileSync(join(dir, 'updates.hbs'), 'a\nb\n{{#if x}}\n');
    expect(() => loadTemplates(dir)).toThrow(new RegExp(`^template ${dir}/updates.hbs`));
  });

  it('--templates replaces built-in templates by file name, and only those', () => {
    const { set } = templatesWith({
      'docker-socket.hbs': '- name: docker-tcp.socket\n  enabled: false\n  contents: |\n    [Socket]\n    ListenStream={{line docker.port}}\n',
    });
    const [laptop] = renderMachines(planOf({ preset: 'laptop' }), set);
    expect(butaneUnits(laptop!.butane)['docker-tcp.socket']).toMatchObject({ enabled: false, contents: '[Socket]\nListenStream=2376\n' });
    const dir = mkdtempSync(join(tmpdir(), 'fa-templates-'));
    writeFileSync(join(dir, 'hostnme.hbs'), 'x');
    expect(() => loadTemplates(dir)).toThrow(SpecError);
    expect(() => loadTemplates(dir)).toThrow(/hostnme.hbs does not replace a built-in template; the names are: .*hostname.hbs/);
    expect(() => loadTemplates(join(dir, 'nope'))).toThrow(/is not a directory/);
  });

  it('every built-in template is loaded from the package, not the current directory', () => {
    const names = [...templates.keys()];
    expect(names).toEqual(
      expect.arrayContaining(['etcd.bu.hbs', 'worker.bu.hbs', 'laptop.bu.hbs', 'networkd.hbs', 'docker-socket.hbs', 'ssh-keys.hbs', 'hostname.hbs', 'updates.hbs']),
    );
    expect(templates.get('etcd.bu.hbs')!.file).toBe('templates/etcd.bu.hbs');
  });
});

describe('what each role gets', () => {
  it('etcd members: etcd-member.service enabled with ETCD_* settings and TLS; locksmith at the members with its certificate', () => {
    const [etcd1] = renderMachines(planOf(withKey({ preset: 'production', size: 4 })), templates);
    const units = butaneUnits(etcd1!.butane);
    const member = units['etcd-member.service']!;
    expect(member.enabled).toBe(true);
    expect(member.contents).toBeUndefined();
    expect(member.dropins!.map((d) => d.name)).toEqual(['10-image.conf', '20-cluster.conf', '25-maintenance.conf', '30-tls.conf']);
    const env = environment(member.dropins!.map((d) => d.contents).join('\n'));
    expect(env).toEqual({
      ETCD_IMAGE_TAG: 'v3.5.16',
      ETCD_NAME: 'production-etcd-1',
      ETCD_DATA_DIR: '/var/lib/etcd',
      ETCD_LISTEN_PEER_URLS: 'https://10.0.0.101:2380',
      ETCD_LISTEN_CLIENT_URLS: 'https://10.0.0.101:2379',
      ETCD_INITIAL_ADVERTISE_PEER_URLS: 'https://10.0.0.101:2380',
      ETCD_ADVERTISE_CLIENT_URLS: 'https://10.0.0.101:2379',
      ETCD_INITIAL_CLUSTER: 'production-etcd-1=https://10.0.0.101:2380,production-etcd-2=https://10.0.0.102:2380,production-etcd-3=https://10.0.0.103:2380',
      ETCD_INITIAL_CLUSTER_TOKEN: 'production',
      ETCD_INITIAL_CLUSTER_STATE: 'new',
      ETCD_ENABLE_V2: 'true',
      ETCD_AUTO_COMPACTION_MODE: 'periodic',
      ETCD_AUTO_COMPACTION_RETENTION: '1h',
      ETCD_QUOTA_BACKEND_BYTES: '4294967296',
      ETCD_SSL_DIR: '/etc/ssl/etcd',
      ETCD_TRUSTED_CA_FILE: '/etc/ssl/certs/ca.pem',
      ETCD_CERT_FILE: '/etc/ssl/certs/server.pem',
      ETCD_KEY_FILE: '/etc/ssl/certs/server-key.pem',
      ETCD_CLIENT_CERT_AUTH: 'true',
      ETCD_PEER_TRUSTED_CA_FILE: '/etc/ssl/certs/ca.pem',
      ETCD_PEER_CERT_FILE: '/etc/ssl/certs/peer.pem',
      ETCD_PEER_KEY_FILE: '/etc/ssl/certs/peer-key.pem',
      ETCD_PEER_CLIENT_CERT_AUTH: 'true',
      ETCD_PEER_CERT_ALLOWED_CN: 'etcd-peer',
    });
    expect(environment(units['locksmithd.service']!.dropins![0]!.contents)).toEqual({
      LOCKSMITHD_ENDPOINT: 'https://10.0.0.101:2379,https://10.0.0.102:2379,https://10.0.0.103:2379',
      LOCKSMITHD_ETCD_CAFILE: '/etc/ssl/locksmith/ca.pem',
      LOCKSMITHD_ETCD_CERTFILE: '/etc/ssl/locksmith/client.pem',
      LOCKSMITHD_ETCD_KEYFILE: '/etc/ssl/locksmith/client-key.pem',
    });
    // Without a PKI the certificates are stand-ins (a preview); the files, owners and modes are real.
    const files = butaneFiles(etcd1!.butane) as Record<string, { mode: number; user?: { name: string }; contents: { inline: string } }>;
    const tlsFiles = Object.keys(files).filter((f) => f.startsWith('/etc/ssl/'));
    expect(tlsFiles).toEqual([
      '/etc/ssl/etcd/ca.pem',
      '/etc/ssl/etcd/server.pem',
      '/etc/ssl/etcd/server-key.pem',
      '/etc/ssl/etcd/peer.pem',
      '/etc/ssl/etcd/peer-key.pem',
      '/etc/ssl/locksmith/ca.pem',
      '/etc/ssl/locksmith/client.pem',
      '/etc/ssl/locksmith/client-key.pem',
    ]);
    for (const f of tlsFiles) {
      // The `yaml` package reads Butane's 0600 as the YAML 1.2 number 600; the transpiler reads it as octal.
      expect(files[f]!.mode, f).toBe(f.endsWith('-key.pem') ? 600 : 644);
      expect(files[f]!.user?.name, f).toBe(f.startsWith('/etc/ssl/etcd/') ? 'etcd' : undefined);
      expect(files[f]!.contents.inline, f).toMatch(/^-----BEGIN (CERTIFICATE|PRIVATE KEY)-----\nPREVIEW /);
    }
    expect(parse(etcd1!.butane).storage.directories).toEqual([
      { path: '/etc/ssl/etcd', mode: 700, user: { name: 'etcd' }, group: { name: 'etcd' } },
      { path: '/etc/ssl/locksmith', mode: 700 },
    ]);
  });

  it('--insecure: plain http URLs, no TLS settings, no certificate files', () => {
    const p = planOf(withKey({ preset: 'production', size: 4, security: { etcdTls: false } }));
    const [etcd1, , , worker] = renderMachines(p, templates);
    const units = butaneUnits(etcd1!.butane);
    const env = environment(units['etcd-member.service']!.dropins!.map((d) => d.contents).join('\n'));
    expect(env.ETCD_LISTEN_CLIENT_URLS).toBe('http://10.0.0.101:2379');
    expect(Object.keys(env).filter((k) => /SSL|CERT|TRUSTED|KEY/.test(k))).toEqual([]);
    expect(environment(units['locksmithd.service']!.dropins![0]!.contents)).toEqual({
      LOCKSMITHD_ENDPOINT: 'http://10.0.0.101:2379,http://10.0.0.102:2379,http://10.0.0.103:2379',
    });
    for (const m of [etcd1!, worker!]) {
      expect(Object.keys(butaneFiles(m.butane)).filter((f) => f.includes('ssl'))).toEqual([]);
      expect(parse(m.butane).storage.directories).toBeUndefined();
    }
    expect(butaneUnits(worker!.butane)['etcd-grpc-proxy.service']!.contents).not.toMatch(/--cert|-v /);
  });

  it('discovery replaces the static initial cluster', () => {
    const [etcd1] = renderMachines(planOf({ preset: 'small', etcd: { discovery: 'https://discovery.etcd.io/0123' } }), templates);
    const env = environment(
      butaneUnits(etcd1!.butane)
        ['etcd-member.service']!.dropins!.map((d) => d.contents)
        .join('\n'),
    );
    expect(env.ETCD_DISCOVERY).toBe('https://discovery.etcd.io/0123');
    expect(env).not.toHaveProperty('ETCD_INITIAL_CLUSTER');
    expect(env).not.toHaveProperty('ETCD_INITIAL_CLUSTER_STATE');
  });

  it('workers: a grpc-proxy unit of their own on 127.0.0.1:2379 (not Type=notify), no etcd member', () => {
    const rendered = renderMachines(planOf({ preset: 'dev', size: 2 }), templates);
    const units = butaneUnits(rendered[1]!.butane);
    expect(Object.keys(units)).toEqual(['etcd-grpc-proxy.service']);
    const proxy = units['etcd-grpc-proxy.service']!;
    expect(proxy.enabled).toBe(true);
    expect(proxy.contents).not.toMatch(/Type=notify/);
    const exec = /^ExecStart=(.*)$/m.exec(proxy.contents!)![1]!;
    expect(exec.split(' ').slice(exec.split(' ').indexOf('grpc-proxy'))).toEqual([
      'grpc-proxy',
      'start',
      '--endpoints=https://10.0.0.101:2379',
      '--listen-addr=127.0.0.1:2379',
      '--cert=/etc/ssl/certs/client.pem',
      '--key=/etc/ssl/certs/client-key.pem',
      '--cacert=/etc/ssl/certs/ca.pem',
    ]);
    expect(exec).toContain(' -v /etc/ssl/etcd:/etc/ssl/certs:ro quay.io/coreos/etcd:v3.5.16 ');
    expect(Object.keys(butaneFiles(rendered[1]!.butane)).filter((f) => f.startsWith('/etc/ssl/'))).toEqual([
      '/etc/ssl/etcd/ca.pem',
      '/etc/ssl/etcd/client.pem',
      '/etc/ssl/etcd/client-key.pem',
    ]);
  });

  it('networkd: address, gateway, one DNS= per server, domains, match by name or MAC', () => {
    const p = planOf({ preset: 'dev', size: 2, network: { cidr: '192.168.1.0/24', dns: ['1.1.1.1', '9.9.9.9'], domains: ['lab.example', 'example'], interface: 'eth0' } });
    const net = butaneFiles(renderMachines(p, templates)[1]!.butane)['/etc/systemd/network/00-eth0.network']!;
    expect(net.contents.inline).toBe('[Match]\nName=eth0\n\n[Network]\nAddress=192.168.1.102/24\nGateway=192.168.1.1\nDNS=1.1.1.1\nDNS=9.9.9.9\nDomains=lab.example example\n');
    const byMac = planOf({ preset: 'dev', size: 2, network: { macPrefix: '52:54:00' } });
    const file = butaneFiles(renderMachines(byMac, templates)[0]!.butane)['/etc/systemd/network/00-static.network']!;
    expect(file.contents.inline).toMatch(/^\[Match\]\nMACAddress=52:54:00:00:00:65\n/);
  });

  it('DHCP: no .network file (the image does DHCP)', () => {
    const [m] = renderMachines(planOf({ preset: 'laptop' }), templates);
    expect(Object.keys(butaneFiles(m!.butane)).filter((f) => !f.startsWith('/etc/docker/'))).toEqual(['/etc/hostname', '/etc/flatcar/update.conf']);
  });

  it('updates: group, strategy and window in update.conf', () => {
    const p = planOf({ preset: 'small', updates: { group: 'beta', rebootWindowStart: 'Thu 04:00', rebootWindowLength: '1h30m' } });
    const conf = butaneFiles(renderMachines(p, templates)[0]!.butane)['/etc/flatcar/update.conf']!.contents.inline;
    expect(conf).toBe('GROUP=beta\nREBOOT_STRATEGY=etcd-lock\nLOCKSMITHD_REBOOT_WINDOW_START=Thu 04:00\nLOCKSMITHD_REBOOT_WINDOW_LENGTH=1h30m\n');
  });

  it('laptop: docker-tls-tcp.socket on 2376 and dockerd with TLS by default; no SSH key means no passwd section', () => {
    const [m] = renderMachines(planOf({ preset: 'laptop' }), templates);
    const units = butaneUnits(m!.butane);
    expect(Object.keys(units)).toEqual(['docker-tls-tcp.socket', 'docker.service']);
    const socket = units['docker-tls-tcp.socket']!;
    expect(socket.enabled).toBe(true);
    expect(socket.contents).toMatch(/^ListenStream=2376$/m);
    expect(socket.contents).toMatch(/^Service=docker.service$/m);
    expect(units['docker.service']!.dropins!.map((d) => d.name)).toEqual(['10-tls.conf']);
    expect(environment(units['docker.service']!.dropins![0]!.contents).DOCKER_OPTS!.split(' ')).toEqual([
      '--tlsverify',
      '--tlscacert=/etc/docker/ca.pem',
      '--tlscert=/etc/docker/server.pem',
      '--tlskey=/etc/docker/server-key.pem',
    ]);
    const files = butaneFiles(m!.butane);
    expect(['/etc/docker/ca.pem', '/etc/docker/server.pem', '/etc/docker/server-key.pem'].map((f) => files[f]?.mode)).toEqual([644, 644, 600]);
    expect(parse(m!.butane).passwd).toBeUndefined();
    const [plain] = renderMachines(planOf({ preset: 'laptop', security: { dockerTls: false } }), templates);
    const plainUnits = butaneUnits(plain!.butane);
    expect(Object.keys(plainUnits)).toEqual(['docker-tcp.socket']);
    expect(plainUnits['docker-tcp.socket']!.contents).toMatch(/^ListenStream=2375$/m);
    expect(Object.keys(butaneFiles(plain!.butane)).filter((f) => f.startsWith('/etc/docker/'))).toEqual([]);
    const [withKeys] = renderMachines(planOf(withKey({ preset: 'laptop' })), templates);
    expect(parse(withKeys!.butane).passwd).toEqual({ users: [{ name: 'core', ssh_authorized_keys: [KEY] }] });
  });
});

/** Issue 7: machine pins, snippet merging and the Matchbox tree, as pure functions. */
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { transpile } from '../../src/butane/index.js';
import { generate } from '../../src/generate.js';
import { matchboxTree, matchboxWarnings, MatchboxError } from '../../src/matchbox/index.js';
import { decodeDataUrl } from '../../src/butane/index.js';
import { gunzipSync } from 'node:zlib';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pinMachines } from '../../src/plan/pins.js';
import { checkTargets, mergeSnippets, parseSnippet, snippetsFor, SnippetError } from '../../src/snippets/index.js';
import { parseSnippetFlag } from '../../src/snippets/index.js';
import { SpecError, type Answers } from '../../src/answers/types.js';
import { butaneFiles, butaneUnits, KEY } from '../helpers/generator.js';
import { tempDir } from '../helpers/tmp.js';
import { planOf } from '../helpers/plan.js';

const pinProblems = (answers: Answers, pins: Parameters<typeof pinMachines>[1]): string[] => {
  try {
    pinMachines(planOf(answers), pins);
  } catch (e) {
    if (e instanceof SpecError) return e.problems.map((p) => `${p.field}: ${p.message}`);
    throw e;
  }
  throw new Error('expected a SpecError');
};

describe('machines: pins by planned name', () => {
  const answers: Answers = { preset: 'production', size: 5, name: 'p', network: { macPrefix: '52:54:00' }, security: { etcdTls: false } };

  it('renames, readdresses and re-MACs a machine; etcd topology and boot order follow', () => {
    const pinned = pinMachines(planOf(answers), [
      { planned: 'p-etcd-1', name: 'db-a', address: '10.0.0.10' },
      { planned: 'p-worker-2', mac: '02:00:00:aa:bb:cc' },
    ]);
    expect(pinned.machines.map((m) => [m.name, m.address, m.mac])).toEqual([
      ['db-a', '10.0.0.10', '52:54:00:00:00:0a'],
      ['p-etcd-2', '10.0.0.102', '52:54:00:00:00:66'],
      ['p-etcd-3', '10.0.0.103', '52:54:00:00:00:67'],
      ['p-worker-1', '10.0.0.104', '52:54:00:00:00:68'],
      ['p-worker-2', '10.0.0.105', '02:00:00:aa:bb:cc'],
    ]);
    expect(pinned.etcd!.initialCluster).toContain('db-a=http://10.0.0.10:2380');
    expect(pinned.etcd!.clientEndpoints[0]).toBe('http://10.0.0.10:2379');
    expect(pinned.bootOrder[0]!.machines).toEqual(['db-a', 'p-etcd-2', 'p-etcd-3']);
  });

  it('goes through generate: names, files, .network MAC match and cluster.yaml', () => {
    const result = generate({ ...answers, machines: [{ planned: 'p-worker-2', name: 'gpu-1', mac: '02:00:00:aa:bb:cc' }] });
    expect(result.files.map((f) => f.name)).toContain('gpu-1.ign');
    const network = Object.values(butaneFiles(result.machines.find((m) => m.name === 'gpu-1')!.butane)).find((f) => f.contents.inline.includes('[Match]'))!;
    expect(network.contents.inline).toContain('MACAddress=02:00:00:aa:bb:cc');
    const cluster = result.files.find((f) => f.name === 'cluster.yaml')!.contents;
    expect(parse(cluster).machines).toEqual([{ planned: 'p-worker-2', name: 'gpu-1', mac: '02:00:00:aa:bb:cc' }]);
  });

  it('refuses what cannot be: unknown or twice-pinned machines, clashes, addresses outside the network or with DHCP', () => {
    expect(pinProblems(answers, [{ planned: 'p-worker-9', name: 'x' }])[0]).toMatch(
      /^machines\[0\]\.planned: no planned machine is called p-worker-9; the planned names are p-etcd-1, /,
    );
    expect(
      pinProblems(answers, [
        { planned: 'p-etcd-1', name: 'a' },
        { planned: 'p-etcd-1', name: 'b' },
      ]),
    ).toEqual(['machines[1].planned: p-etcd-1 is pinned already by machines[0]; pin each machine once']);
    expect(pinProblems(answers, [{ planned: 'p-worker-1', address: '10.0.0.102' }])).toEqual([
      'machines[0].address: 10.0.0.102 would be the address of both p-etcd-2 and p-worker-1; every machine needs its own',
    ]);
    expect(pinProblems(answers, [{ planned: 'p-worker-1', name: 'p-etcd-3' }])[0]).toMatch(/^machines\[0\]\.name: p-etcd-3 would be the name of both/);
    expect(pinProblems(answers, [{ planned: 'p-worker-1', address: '10.0.1.5' }])).toEqual(['machines[0].address: 10.0.1.5 is not a host address of 10.0.0.0/24']);
    expect(pinProblems(answers, [{ planned: 'p-worker-1', address: '10.0.0.1' }])).toEqual(['machines[0].address: 10.0.0.1 is the gateway']);
    expect(pinProblems(answers, [{ planned: 'p-worker-1', mac: '01:00:00:00:00:01' }])[0]).toMatch(/multicast/);
    expect(pinProblems(answers, [{ planned: 'p-worker-1', name: 'worker' }])[0]).toMatch(/names a group of machines/);
    expect(pinProblems({ preset: 'dev', name: 'd', network: { dhcp: true } }, [{ planned: 'd-etcd-1', address: '10.0.0.5' }])).toEqual([
      'machines[0].address: not with DHCP: DHCP gives the machines their addresses',
    ]);
  });
});

const BASE = 'variant: flatcar\nversion: 1.0.0\n';
const snippet = (text: string, target = 'worker', label = 'extra.bu') => parseSnippet(BASE + text, label, target);
const generated = () => generate({ preset: 'dev', name: 'd', size: 2, ssh: { keys: [KEY] }, updates: { rebootStrategy: 'etcd-lock' }, security: { etcdTls: false } });

describe('snippets: merged into generated Butane', () => {
  it('appends files, directories, links, units, drop-ins to a generated unit, users and keys of core', () => {
    const worker = generated().machines.find((m) => m.role === 'worker')!;
    const s = snippet(
      [
        'storage:',
        '  files:',
        '    - path: /etc/motd.d/x.conf',
        '      mode: 0644',
        '      contents: { inline: "hi" }',
        '  directories: [{ path: /opt/tools }]',
        '  links: [{ path: /opt/bin/tool, target: /opt/tools/tool }]',
        'systemd:',
        '  units:',
        '    - name: hello.service',
        '      enabled: true',
        '      contents: "[Service]\\nExecStart=/usr/bin/true\\n[Install]\\nWantedBy=multi-user.target\\n"',
        '    - name: locksmithd.service',
        '      dropins: [{ name: 50-mine.conf, contents: "[Service]\\nNice=5\\n" }]',
        'passwd:',
        '  users:',
        '    - name: core',
        '      ssh_authorized_keys: ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBBBB other@host"]',
        '    - name: ops',
        '      groups: [sudo]',
      ].join('\n'),
    );
    const merged = mergeSnippets(worker.butane, worker.name, [s]);
    const files = butaneFiles(merged);
    expect(files['/etc/motd.d/x.conf']).toBeDefined();
    expect(merged).toContain('mode: 0644'); // as written: Butane reads it as octal
    const units = butaneUnits(merged);
    expect(Object.keys(units)).toEqual(expect.arrayContaining(['etcd-grpc-proxy.service', 'locksmithd.service', 'hello.service']));
    expect(units['locksmithd.service']!.dropins!.map((d) => d.name)).toEqual(['20-etcd-endpoints.conf', '50-mine.conf']);
    const users = (parse(merged) as { passwd: { users: { name: string; ssh_authorized_keys?: string[] }[] } }).passwd.users;
    expect(users.map((u) => u.name)).toEqual(['core', 'ops']);
    expect(users[0]!.ssh_authorized_keys).toHaveLength(2);
    const ignition = JSON.parse(transpile(merged, { strict: true }).ignition) as { storage: { files: { path: string; mode: number }[]; links: unknown[] } };
    expect(ignition.storage.files.find((f) => f.path === '/etc/motd.d/x.conf')!.mode).toBe(0o644);
  });

  it('merging nothing leaves the generated config as it is; merging something keeps the rest equal', () => {
    const worker = generated().machines.find((m) => m.role === 'worker')!;
    expect(mergeSnippets(worker.butane, worker.name, [])).toBe(worker.butane);
    const merged = mergeSnippets(worker.butane, worker.name, [snippet('storage:\n  directories: [{ path: /opt/x }]\n')]);
    const before = JSON.parse(transpile(worker.butane).ignition) as { storage: { directories?: unknown[] } };
    const after = JSON.parse(transpile(merged).ignition) as { storage: { directories?: unknown[] } };
    expect({ ...after, storage: { ...after.storage, directories: undefined } }).toEqual({ ...before, storage: { ...before.storage, directories: undefined } });
  });

  it('a clash with a generated path, unit, drop-in or user is an error naming both', () => {
    const worker = generated().machines.find((m) => m.role === 'worker')!;
    const clash = (text: string) => () => mergeSnippets(worker.butane, worker.name, [snippet(text)]);
    expect(clash('storage:\n  files:\n    - path: /etc/hostname\n      contents: { inline: x }\n')).toThrow(
      'snippet extra.bu:5:7 storage.files[0]: path /etc/hostname clashes with the generated d-worker-1.bu, which writes it too',
    );
    expect(clash('systemd:\n  units:\n    - name: etcd-grpc-proxy.service\n      enabled: false\n')).toThrow(
      /storage|systemd.units\[0\]: unit etcd-grpc-proxy.service clashes with the generated d-worker-1.bu/,
    );
    expect(clash('systemd:\n  units:\n    - name: locksmithd.service\n      dropins: [{ name: 20-etcd-endpoints.conf }]\n')).toThrow(
      /systemd.units\[0\].dropins\[0\]: drop-in 20-etcd-endpoints.conf of locksmithd.service clashes with the generated d-worker-1.bu/,
    );
    expect(clash('passwd:\n  users:\n    - name: core\n      groups: [docker]\n')).toThrow(/passwd.users\[0\]: user core clashes with the generated d-worker-1.bu/);
    const two = () =>
      mergeSnippets(worker.butane, worker.name, [
        snippet('storage:\n  directories: [{ path: /opt/x }]\n', 'worker', 'a.bu'),
        snippet('storage:\n  directories: [{ path: /opt/x }]\n', 'all', 'b.bu'),
      ]);
    expect(two).toThrow('snippet b.bu:4:17 storage.directories[0]: path /opt/x clashes with snippet a.bu:4:17, which writes it too');
  });

  it('refuses snippets that are not flatcar 1.0.0 Butane or hold what cannot be merged', () => {
    expect(() => parseSnippet('variant: fcos\nversion: 1.0.0\n', 'x.bu', 'all')).toThrow(/x.bu:1:10 variant must be flatcar/);
    expect(() => parseSnippet('variant: flatcar\nversion: 1.1.0\n', 'x.bu', 'all')).toThrow(/version must be 1.0.0/);
    expect(() => parseSnippet(BASE + 'kernel_arguments:\n  should_exist: [x]\n', 'x.bu', 'all')).toThrow(/x.bu:3:1 kernel_arguments: not merged/);
    expect(() => parseSnippet(BASE + 'storage:\n  disks: []\n', 'x.bu', 'all')).toThrow(/storage.disks: not merged/);
    expect(() => parseSnippet(BASE + 'storage:\n  files:\n    - mode: 0644\n', 'x.bu', 'all')).toThrow(/storage.files\[0\]: needs a path/);
    expect(() => parseSnippet(BASE + 'storage: [\n', 'x.bu', 'all')).toThrow(SnippetError);
  });

  it('targets: roles, all, machine names; an unknown target is an error', () => {
    const all = [snippet('', 'worker'), snippet('', 'all'), snippet('', 'd-etcd-1'), snippet('', 'etcd')];
    expect(snippetsFor({ name: 'd-etcd-1', role: 'etcd' }, all).map((s) => s.target)).toEqual(['all', 'd-etcd-1', 'etcd']);
    expect(() => checkTargets([snippet('', 'workers')], ['d-etcd-1', 'd-worker-1'])).toThrow(/no machine or role is called workers/);
    expect(parseSnippetFlag('worker=extra.bu')).toEqual({ target: 'worker', file: 'extra.bu' });
    expect(() => parseSnippetFlag('extra.bu')).toThrow(/is not TARGET=FILE/);
  });

  it('through generate: the snippet ends up in the Ignition of its role only', () => {
    const s = snippet('storage:\n  directories: [{ path: /opt/only-workers }]\n');
    const result = generate({ preset: 'dev', name: 'd', size: 3, security: { etcdTls: false } }, { snippets: [s] });
    for (const m of result.machines) {
      expect(m.ignition.includes('/opt/only-workers'), m.name).toBe(m.role === 'worker');
    }
  });
});

describe('the Matchbox tree', () => {
  const machines = [
    { name: 'p-etcd-1', role: 'etcd', mac: '52:54:00:00:00:65', ignition: '{"ignition":{"version":"3.3.0"}}\n' },
    { name: 'p-worker-1', role: 'worker', mac: '52:54:00:00:00:66', ignition: '{}\n' },
  ];

  it('two stages per machine: an install profile and group by MAC, then its own config for os=installed', () => {
    const files = matchboxTree('p', machines, {
      url: 'http://mb.lan:8080/',
      channel: 'beta',
      sshKeys: ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMx7q3Yd0o8Q2pZk1v4cHqR9Wn6yT2eLbF5sJgKaPuXr a@b'],
    });
    expect(files.map((f) => f.name)).toEqual([
      'profiles/p-etcd-1-install.json',
      'groups/p-etcd-1-install.json',
      'ignition/p-etcd-1-install.ign',
      'profiles/p-etcd-1.json',
      'groups/p-etcd-1.json',
      'ignition/p-etcd-1.ign',
      'profiles/p-worker-1-install.json',
      'groups/p-worker-1-install.json',
      'ignition/p-worker-1-install.ign',
      'profiles/p-worker-1.json',
      'groups/p-worker-1.json',
      'ignition/p-worker-1.ign',
    ]);
    const byName = (n: string) => files.find((f) => f.name === n)!.contents;
    const install = JSON.parse(byName('profiles/p-etcd-1-install.json')) as { id: string; ignition_id: string; boot: { kernel: string; initrd: string[]; args: string[] } };
    expect(install.id).toBe('p-etcd-1-install');
    expect(install.ignition_id).toBe('p-etcd-1-install.ign');
    expect(install.boot.kernel).toBe('/assets/flatcar/current/flatcar_production_pxe.vmlinuz');
    expect(install.boot.args).toContain('ignition.config.url=http://mb.lan:8080/ignition?uuid=${uuid}&mac=${mac:hexhyp}');
    expect(JSON.parse(byName('groups/p-etcd-1-install.json'))).toEqual({
      id: 'p-etcd-1-install',
      name: 'p: p-etcd-1, install stage',
      profile: 'p-etcd-1-install',
      selector: { mac: '52:54:00:00:00:65' },
      metadata: { cluster: 'p', role: 'etcd' },
    });
    expect(JSON.parse(byName('profiles/p-etcd-1.json'))).toEqual({ id: 'p-etcd-1', name: 'p: p-etcd-1 (etcd), installed', ignition_id: 'p-etcd-1.ign' });
    expect(JSON.parse(byName('groups/p-etcd-1.json'))).toEqual({
      id: 'p-etcd-1',
      name: 'p: p-etcd-1',
      profile: 'p-etcd-1',
      selector: { mac: '52:54:00:00:00:65', os: 'installed' },
      metadata: { cluster: 'p', role: 'etcd' },
    });
    expect(byName('ignition/p-etcd-1.ign')).toBe(machines[0]!.ignition);
    // Matchbox's documented keys only (profiles: id, name, boot, ignition_id; groups: id, name, profile, selector, metadata).
    for (const f of files.filter((f) => f.name.startsWith('profiles/')))
      for (const k of Object.keys(JSON.parse(f.contents))) expect(['id', 'name', 'boot', 'ignition_id']).toContain(k);
    for (const f of files.filter((f) => f.name.startsWith('groups/')))
      for (const k of Object.keys(JSON.parse(f.contents))) expect(['id', 'name', 'profile', 'selector', 'metadata']).toContain(k);
    // The install config: a oneshot fetching the machine's own config (os=installed), flatcar-install to the disk, reboot.
    const ign = JSON.parse(byName('ignition/p-etcd-1-install.ign')) as {
      ignition: { version: string };
      storage: { files: { path: string; mode: number; contents: { source: string } }[] };
      systemd: { units: { name: string; enabled: boolean }[] };
      passwd: { users: { name: string }[] };
    };
    expect(ign.ignition.version).toBe('3.3.0');
    expect(ign.systemd.units[0]).toMatchObject({ name: 'flatcar-architect-install.service', enabled: true });
    expect(ign.passwd.users[0]!.name).toBe('core');
    const file = ign.storage.files[0]! as { contents: { source: string; compression?: string } };
    const bytes = decodeDataUrl(file.contents.source);
    const script = (file.contents.compression === 'gzip' ? gunzipSync(bytes) : bytes).toString('utf8');
    // The real ignition-validate accepts it.
    const dir = mkdtempSync(join(tmpdir(), 'fa-mb-install-'));
    writeFileSync(join(dir, 'install.ign'), byName('ignition/p-etcd-1-install.ign'));
    const validated = spawnSync('ignition-validate', [join(dir, 'install.ign')], { encoding: 'utf8' });
    rmSync(dir, { recursive: true, force: true });
    expect(validated.stdout + validated.stderr).toBe('');
    expect(validated.status).toBe(0);
    expect(script).toContain("curl --fail --silent --show-error --retry 10 --retry-delay 5 -o /tmp/ignition.json 'http://mb.lan:8080/ignition?mac=52:54:00:00:00:65&os=installed'");
    expect(script).toContain("flatcar-install -d '/dev/sda' -C 'beta' -i /tmp/ignition.json");
    expect(script).toMatch(/systemctl reboot\n$/);
    expect(ign.storage.files[0]!.mode).toBe(0o500);
  });

  it('warns loudly when configs with private keys would be served (over plain HTTP); not without keys', () => {
    const keyed = [{ ...machines[0]!, holdsKeys: true }, machines[1]!];
    expect(matchboxWarnings(keyed, 'http://mb.lan:8080')[0]).toMatchObject({ code: 'matchbox-serves-keys', loud: true });
    expect(matchboxWarnings(keyed, 'http://mb.lan:8080')[0]!.text).toMatch(
      /^--matchbox: the Ignition configs of 1 machine hold private keys, and Matchbox serves them to anyone who asks over plain HTTP: .*--secrets ssh/,
    );
    expect(matchboxWarnings(keyed, 'https://mb.lan')[0]!.text).not.toMatch(/plain HTTP/);
    expect(matchboxWarnings(machines, 'http://mb.lan:8080')).toEqual([]);
  });

  it('says clearly which MACs are unknown', () => {
    expect(() => matchboxTree('p', [{ ...machines[0]!, mac: null }, machines[1]!])).toThrow(MatchboxError);
    expect(() => matchboxTree('p', [{ ...machines[0]!, mac: null }])).toThrow(
      "--matchbox: groups select machines by MAC, and the MACs of p-etcd-1 are unknown; give --mac-prefix, or pin each machine's mac under machines: in the answers file",
    );
  });
});

describe('matchbox files on disk', () => {
  it('an Ignition config that holds private keys is written 0600, the others 0644', async () => {
    const { statSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { writeMatchboxDir } = await import('../../src/matchbox/index.js');
    const machines = [
      { name: 'k-etcd-1', role: 'etcd', mac: '52:54:00:00:00:01', ignition: '{}', holdsKeys: true },
      { name: 'k-worker-1', role: 'worker', mac: '52:54:00:00:00:02', ignition: '{}', holdsKeys: false },
    ];
    const dir = join(tempDir('matchbox-'), 'mb');
    writeMatchboxDir(dir, matchboxTree('k', machines));
    expect(statSync(join(dir, 'ignition', 'k-etcd-1.ign')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'ignition', 'k-worker-1.ign')).mode & 0o777).toBe(0o644);
    expect(statSync(join(dir, 'groups', 'k-etcd-1.json')).mode & 0o777).toBe(0o644);
  });
});

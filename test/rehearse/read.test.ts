/** The rehearsal's reader: systemd syntax, and etcd roles from hand-written Ignition configs. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { readClusterDir, readMachine, RehearseUsageError } from '../../src/rehearse/index.js';
import { commandWords, directives, environmentAssignments, environmentFile, expandSpecifiers } from '../../src/rehearse/systemd.js';
import { dockerMounts } from '../../src/rehearse/read-ignition.js';
import { clusterConfigs, file, memberIgnition, proxyUnit, staticCluster, writeClusterDir, type Ign } from '../helpers/rehearse-fixtures.js';

describe('systemd syntax', () => {
  test('Environment= values: quotes, escapes, several assignments, invalid words skipped', () => {
    expect(environmentAssignments('"A=1 2" B=3 \'C=x"y\' "D=a\\"b\\\\c" notanassignment')).toEqual([
      ['A', '1 2'],
      ['B', '3'],
      ['C', 'x"y'],
      ['D', 'a"b\\c'],
    ]);
  });

  test('specifiers: %% is a percent sign, %n/%N/%H resolve, unknown ones are kept and reported', () => {
    const unresolved = new Set<string>();
    expect(expandSpecifiers('100%% %n %N %H %m', { unit: 'etcd-member.service', hostname: 'node-1', unresolved })).toBe('100% etcd-member.service etcd-member node-1 %m');
    expect([...unresolved]).toEqual(['%m']);
  });

  test('directives: sections, comments, continuation lines', () => {
    const d = directives('[Unit]\n# comment\nDescription=x\n\n[Service]\nExecStart=/bin/a \\\n  --flag=1\n; other comment\nEnvironment=A=1\n');
    expect(d).toEqual([
      { section: 'Unit', key: 'Description', value: 'x' },
      { section: 'Service', key: 'ExecStart', value: '/bin/a    --flag=1' },
      { section: 'Service', key: 'Environment', value: 'A=1' },
    ]);
  });

  test('command lines: prefixes dropped, quotes removed, $VAR split and ${VAR} substituted', () => {
    expect(commandWords('-/usr/bin/docker run "a b" $OPTS x${V}y', { OPTS: '--one  --two', V: '=' })).toEqual(['/usr/bin/docker', 'run', 'a b', '--one', '--two', 'x=y']);
  });

  test('environment files: KEY=value lines, quotes, comments', () => {
    expect(environmentFile('# c\nA=1\nexport B="two words"\nC=\'x\'\n')).toEqual([
      ['A', '1'],
      ['B', 'two words'],
      ['C', 'x'],
    ]);
  });

  test('docker bind mounts: -v, --volume=, --mount type=bind', () => {
    expect(
      dockerMounts(['--rm', '-v', '/etc/ssl/etcd:/etc/ssl/certs:ro', '--volume=/a:/b', '--mount', 'type=bind,source=/c,target=/d', '--mount=type=volume,source=v,target=/e']),
    ).toEqual([
      { host: '/etc/ssl/etcd', container: '/etc/ssl/certs' },
      { host: '/a', container: '/b' },
      { host: '/c', container: '/d' },
    ]);
  });
});

describe('reading machines', () => {
  const cluster = staticCluster('prod', 3, 2);
  const configs = clusterConfigs(cluster);

  test('a member: the ETCD_* environment of every drop-in, in order', () => {
    const m = readMachine('prod-etcd-2', configs['prod-etcd-2']);
    expect(m.hostname).toBe('prod-etcd-2');
    expect(m.proxies).toEqual([]);
    expect(m.member).toEqual({
      unit: 'etcd-member.service',
      enabled: true,
      env: {
        ETCD_IMAGE_TAG: 'v3.5.16',
        ETCD_NAME: 'prod-etcd-2',
        ETCD_DATA_DIR: '/var/lib/etcd',
        ETCD_LISTEN_PEER_URLS: 'http://10.0.0.102:2380',
        ETCD_LISTEN_CLIENT_URLS: 'http://10.0.0.102:2379',
        ETCD_INITIAL_ADVERTISE_PEER_URLS: 'http://10.0.0.102:2380',
        ETCD_ADVERTISE_CLIENT_URLS: 'http://10.0.0.102:2379',
        ETCD_INITIAL_CLUSTER: 'prod-etcd-1=http://10.0.0.101:2380,prod-etcd-2=http://10.0.0.102:2380,prod-etcd-3=http://10.0.0.103:2380',
        ETCD_INITIAL_CLUSTER_TOKEN: 'prod',
        ETCD_INITIAL_CLUSTER_STATE: 'new',
        ETCD_ENABLE_V2: 'true',
      },
      mounts: [{ host: '/etc/ssl/certs', container: '/etc/ssl/certs' }],
    });
    expect(m.notes).toEqual([]);
  });

  test('a later drop-in (by file name, as systemd reads them) overrides an earlier one; ETCD_SSL_DIR sets the mount', () => {
    const self = cluster.members[0]!;
    const config = memberIgnition(self, cluster, [
      { name: '30-override.conf', contents: '[Service]\nEnvironment="ETCD_INITIAL_CLUSTER_STATE=existing" "ETCD_SSL_DIR=/etc/ssl/etcd"\n' },
      { name: '05-early.conf', contents: '[Service]\nEnvironment=ETCD_NAME=early ETCD_SNAPSHOT_COUNT=100\n' },
    ]);
    const m = readMachine(self.name, config).member!;
    expect(m.env.ETCD_INITIAL_CLUSTER_STATE).toBe('existing');
    expect(m.env.ETCD_NAME).toBe('prod-etcd-1');
    expect(m.env.ETCD_SNAPSHOT_COUNT).toBe('100');
    expect(Object.keys(m.env).at(-1)).toBe('ETCD_SSL_DIR');
    expect(m.mounts).toEqual([{ host: '/etc/ssl/etcd', container: '/etc/ssl/certs' }]);
  });

  test('a worker: the grpc-proxy arguments after `grpc-proxy start`, and no member', () => {
    const w = readMachine('prod-worker-1', configs['prod-worker-1']);
    expect(w.member).toBeNull();
    expect(w.proxies).toEqual([
      {
        unit: 'etcd-grpc-proxy.service',
        enabled: true,
        args: ['--endpoints=http://10.0.0.101:2379,http://10.0.0.102:2379,http://10.0.0.103:2379', '--listen-addr=127.0.0.1:2379'],
        mounts: [],
      },
    ]);
  });

  test('a proxy in Docker sees the files its -v options mount', () => {
    const config: Ign = {
      ignition: { version: '3.3.0' },
      systemd: { units: [{ name: 'etcd-grpc-proxy.service', enabled: true, contents: proxyUnit(['https://10.0.0.101:2379'], '-v /etc/ssl/etcd:/etc/ssl/certs:ro ') }] },
    };
    expect(readMachine('w', config).proxies[0]!.mounts).toEqual([{ host: '/etc/ssl/etcd', container: '/etc/ssl/certs' }]);
  });

  test('files: data URLs decoded, gzip unpacked, modes kept, remote sources noted', () => {
    const config: Ign = {
      ignition: { version: '3.3.0' },
      storage: {
        files: [
          file('/etc/ssl/etcd/server.key', '-----BEGIN KEY-----\nsecret\n', { mode: 384, gzip: true }),
          file('/etc/hostname', 'n1'),
          { path: '/opt/remote', contents: { source: 'https://example.com/x' } },
        ],
      },
    };
    const m = readMachine('n1', config);
    expect(m.files.get('/etc/ssl/etcd/server.key')).toEqual({ path: '/etc/ssl/etcd/server.key', contents: Buffer.from('-----BEGIN KEY-----\nsecret\n'), mode: 384 });
    expect(m.files.get('/etc/hostname')!.contents.toString()).toBe('n1');
    expect(m.files.has('/opt/remote')).toBe(false);
    expect(m.notes).toEqual(['/opt/remote: contents come from https:, not from the config; not available to the rehearsal']);
  });

  test('a disabled or masked unit: noted, or not read at all', () => {
    const config = structuredClone(configs['prod-etcd-1']);
    config.systemd.units[0].enabled = false;
    expect(readMachine('x', config).notes).toEqual(['etcd-member.service is not enabled: it would not start at boot']);
    config.systemd.units[0].mask = true;
    expect(readMachine('x', config).member).toBeNull();
  });
});

describe('reading a directory', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  test('every .ign file, sorted by name; other files ignored', () => {
    const dir = writeClusterDir(clusterConfigs(staticCluster('small', 3, 0)));
    dirs.push(dir);
    writeFileSync(join(dir, 'SUMMARY.md'), '# x\n');
    expect(readClusterDir(dir).map((m) => m.machine)).toEqual(['small-etcd-1', 'small-etcd-2', 'small-etcd-3']);
  });

  test('a missing DIR, an empty DIR and bad JSON are usage errors with one clear line', () => {
    expect(() => readClusterDir('/nonexistent/cluster')).toThrow(new RehearseUsageError('cannot read /nonexistent/cluster: no such directory'));
    const empty = mkdtempSync(join(tmpdir(), 'rehearse-empty-'));
    dirs.push(empty);
    expect(() => readClusterDir(empty)).toThrow(/holds no \.ign files/);
    writeFileSync(join(empty, 'm.ign'), '{not json');
    expect(() => readClusterDir(empty)).toThrow(/m\.ign is not Ignition JSON/);
  });
});

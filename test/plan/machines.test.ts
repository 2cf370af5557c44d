/**
 * Generated configs applied by the real Ignition (../shared/tools/ignition-apply) and checked on disk:
 * files and modes, units, drop-ins, presets (enabled units), the core user's keys. Then every unit
 * and drop-in passes `systemd-analyze verify --root`: the root holds the applied config, stand-ins of
 * the Flatcar units we add drop-ins to (test/fixtures/flatcar-units), this machine's standard targets
 * and empty executables at the Flatcar paths the units run (/usr/bin/docker, etcd-wrapper, ...), so
 * the check is about our units, not about what this machine has installed.
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateCluster, type GeneratedMachine } from '../../src/generate.js';
import type { Answers } from '../../src/answers/types.js';
import { checkOnDisk } from '../helpers/apply.js';
import { addFlatcarBase, applyIgnition, verifyUnits } from '../helpers/flatcar-root.js';
import { environment, KEY, withKey } from '../helpers/generator.js';

const made: string[] = [];
afterAll(() =>
  made.forEach((d) => {
    rmSync(d, { recursive: true, force: true });
  }),
);

function apply(m: GeneratedMachine): string {
  const dir = mkdtempSync(join(tmpdir(), 'fa-ign-'));
  const file = join(dir, `${m.name}.ign`);
  writeFileSync(file, m.ignition);
  const { root } = applyIgnition(file);
  made.push(dir, join(root, '..'));
  expect(checkOnDisk(JSON.parse(m.ignition), root), m.name).toEqual([]);
  return root;
}

const read = (root: string, path: string) => readFileSync(join(root, path), 'utf8');
const mode = (root: string, path: string) => (statSync(join(root, path)).mode & 0o7777).toString(8);
const unitNames = (m: GeneratedMachine): string[] => (JSON.parse(m.ignition) as { systemd: { units: { name: string }[] } }).systemd.units.map((u) => u.name);

const CLUSTERS: [string, Answers][] = [
  ['production', withKey({ preset: 'production', size: 4, network: { interface: 'eth0' } })],
  ['dev', withKey({ preset: 'dev', size: 2, network: { macPrefix: '52:54:00' } })],
  ['small-dhcp', withKey({ preset: 'small', size: 3, network: { dhcp: true } })],
  ['laptop', { preset: 'laptop' }],
  ['production-insecure', withKey({ preset: 'production', size: 4, security: { etcdTls: false } })],
  ['laptop-docker-insecure', { preset: 'laptop', security: { dockerTls: false } }],
];
// Real output: with a fresh PKI (generateCluster), as the command line writes it.
const generated = new Map<string, Awaited<ReturnType<typeof generateCluster>>>();
for (const [name, answers] of CLUSTERS) generated.set(name, await generateCluster(answers));

describe('applied with the real Ignition', () => {
  const production = generated.get('production')!;

  it('an etcd member: hostname, network, update.conf, etcd-member drop-ins, locksmith, SSH key', () => {
    const root = apply(production.machines[0]!);
    expect(read(root, 'etc/hostname')).toBe('production-etcd-1');
    expect(mode(root, 'etc/hostname')).toBe('644');
    expect(read(root, 'etc/systemd/network/00-eth0.network')).toContain('Name=eth0\n\n[Network]\nAddress=10.0.0.101/24\nGateway=10.0.0.1\nDNS=10.0.0.1\n');
    expect(read(root, 'etc/flatcar/update.conf')).toBe('GROUP=stable\nREBOOT_STRATEGY=etcd-lock\n');
    const env = environment(read(root, 'etc/systemd/system/etcd-member.service.d/20-cluster.conf'));
    expect(env).toMatchObject({ ETCD_NAME: 'production-etcd-1', ETCD_INITIAL_CLUSTER_STATE: 'new', ETCD_ENABLE_V2: 'true' });
    expect(read(root, 'etc/systemd/system/etcd-member.service.d/10-image.conf')).toBe('[Service]\nEnvironment="ETCD_IMAGE_TAG=v3.5.16"\n');
    expect(mode(root, 'etc/systemd/system/etcd-member.service.d/20-cluster.conf')).toBe('644');
    expect(environment(read(root, 'etc/systemd/system/locksmithd.service.d/20-etcd-endpoints.conf'))).toEqual({
      LOCKSMITHD_ENDPOINT: 'https://10.0.0.101:2379,https://10.0.0.102:2379,https://10.0.0.103:2379',
      LOCKSMITHD_ETCD_CAFILE: '/etc/ssl/locksmith/ca.pem',
      LOCKSMITHD_ETCD_CERTFILE: '/etc/ssl/locksmith/client.pem',
      LOCKSMITHD_ETCD_KEYFILE: '/etc/ssl/locksmith/client-key.pem',
    });
    const tls = environment(read(root, 'etc/systemd/system/etcd-member.service.d/30-tls.conf'));
    expect(tls).toMatchObject({ ETCD_SSL_DIR: '/etc/ssl/etcd', ETCD_KEY_FILE: '/etc/ssl/certs/server-key.pem', ETCD_PEER_CERT_ALLOWED_CN: 'etcd-peer' });
    // etcd (uid 232 in the container) reads its keys; nobody else does.
    for (const f of ['server-key.pem', 'peer-key.pem']) {
      const st = statSync(join(root, 'etc/ssl/etcd', f));
      expect([st.uid, st.gid, (st.mode & 0o777).toString(8)], f).toEqual([232, 232, '600']);
    }
    expect(mode(root, 'etc/ssl/etcd/server.pem')).toBe('644');
    const dir = statSync(join(root, 'etc/ssl/etcd'));
    expect([dir.uid, dir.gid, (dir.mode & 0o777).toString(8)]).toEqual([232, 232, '700']);
    expect(read(root, 'etc/ssl/etcd/server-key.pem')).toBe(production.files.find((f) => f.name === 'pki/etcd/member/production-etcd-1/server-key.pem')!.contents);
    const lock = statSync(join(root, 'etc/ssl/locksmith/client-key.pem'));
    expect([lock.uid, (lock.mode & 0o777).toString(8)]).toEqual([0, '600']);
    expect(mode(root, 'etc/ssl/locksmith')).toBe('700');
    expect(read(root, 'etc/systemd/system-preset/20-ignition.preset').split('\n').sort().filter(Boolean)).toEqual(['enable etcd-member.service', 'enable locksmithd.service']);
    expect(read(root, 'home/core/.ssh/authorized_keys.d/ignition').trim()).toBe(KEY);
    expect(statSync(join(root, 'home/core/.ssh/authorized_keys.d/ignition')).uid).toBe(500);
  });

  it('a worker: the grpc-proxy unit, enabled, and locksmith at the members', () => {
    const root = apply(production.machines[3]!);
    const unit = read(root, 'etc/systemd/system/etcd-grpc-proxy.service');
    expect(mode(root, 'etc/systemd/system/etcd-grpc-proxy.service')).toBe('644');
    expect(unit).toMatch(
      /^ExecStart=\/usr\/bin\/docker run .* -v \/etc\/ssl\/etcd:\/etc\/ssl\/certs:ro .* grpc-proxy start --endpoints=https:\/\/10.0.0.101:2379,https:\/\/10.0.0.102:2379,https:\/\/10.0.0.103:2379 --listen-addr=127.0.0.1:2379 --cert=\/etc\/ssl\/certs\/client.pem --key=\/etc\/ssl\/certs\/client-key.pem --cacert=\/etc\/ssl\/certs\/ca.pem$/m,
    );
    expect(mode(root, 'etc/ssl/etcd/client-key.pem')).toBe('600');
    expect(read(root, 'etc/systemd/system-preset/20-ignition.preset')).toContain('enable etcd-grpc-proxy.service');
    expect(read(root, 'etc/systemd/system/locksmithd.service.d/20-etcd-endpoints.conf')).toContain('https://10.0.0.101:2379');
  });

  it('the laptop: docker-tls-tcp.socket on 2376 enabled, dockerd with TLS flags and its key 0600, no .network file, no SSH keys', () => {
    const root = apply(generated.get('laptop')!.machines[0]!);
    expect(read(root, 'etc/systemd/system/docker-tls-tcp.socket')).toMatch(/^ListenStream=2376$/m);
    expect(read(root, 'etc/systemd/system-preset/20-ignition.preset').trim()).toBe('enable docker-tls-tcp.socket');
    const opts = environment(read(root, 'etc/systemd/system/docker.service.d/10-tls.conf')).DOCKER_OPTS!.split(' ');
    expect(opts).toEqual(['--tlsverify', '--tlscacert=/etc/docker/ca.pem', '--tlscert=/etc/docker/server.pem', '--tlskey=/etc/docker/server-key.pem']);
    for (const o of opts.slice(1)) expect(statSync(join(root, o.split('=')[1]!)).isFile(), o).toBe(true);
    expect(mode(root, 'etc/docker/server-key.pem')).toBe('600');
    expect(statSync(join(root, 'etc/docker/server-key.pem')).uid).toBe(0);
    expect(mode(root, 'etc/docker/server.pem')).toBe('644');
    expect(() => statSync(join(root, 'etc/systemd/system/docker-tcp.socket'))).toThrow();
    expect(() => statSync(join(root, 'etc/systemd/network'))).toThrow();
    expect(() => statSync(join(root, 'home/core/.ssh'))).toThrow();
  });

  it('--docker-insecure: the plain docker-tcp.socket on 2375 and nothing of TLS', () => {
    const root = apply(generated.get('laptop-docker-insecure')!.machines[0]!);
    expect(read(root, 'etc/systemd/system/docker-tcp.socket')).toMatch(/^ListenStream=2375$/m);
    expect(() => statSync(join(root, 'etc/docker'))).toThrow();
    expect(() => statSync(join(root, 'etc/systemd/system/docker.service.d'))).toThrow();
  });

  it('--insecure: plain http, no certificate files on members or workers', () => {
    const insecure = generated.get('production-insecure')!;
    for (const m of [insecure.machines[0]!, insecure.machines[3]!]) {
      const root = apply(m);
      expect(() => statSync(join(root, 'etc/ssl'))).toThrow();
    }
    expect(insecure.machines[0]!.ignition).toContain('http://10.0.0.101:2379');
    expect(insecure.machines[0]!.ignition).not.toContain('https://');
  });
});

describe.each(CLUSTERS)('systemd-analyze verify: %s', (name) => {
  it('every unit and drop-in of every role', () => {
    const seen = new Set<string>();
    for (const m of generated.get(name)!.machines) {
      if (seen.has(m.role)) continue;
      seen.add(m.role);
      const root = apply(m);
      addFlatcarBase(root);
      const result = verifyUnits(root, unitNames(m));
      expect(result.output, `${m.name}: ${unitNames(m).join(' ')}`).toBe('');
      expect(result.status).toBe(0);
    }
  });
});

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
import { generate, type GeneratedMachine } from '../src/generate.js';
import type { Answers } from '../src/spec/types.js';
import { addFlatcarBase, applyIgnition, verifyUnits } from './helpers/flatcar-root.js';
import { environment, KEY, withKey } from './helpers/generator.js';

const made: string[] = [];
afterAll(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })));

function apply(m: GeneratedMachine): string {
  const dir = mkdtempSync(join(tmpdir(), 'fa-ign-'));
  const file = join(dir, `${m.name}.ign`);
  writeFileSync(file, m.ignition);
  const { root } = applyIgnition(file);
  made.push(dir, join(root, '..'));
  return root;
}

const read = (root: string, path: string) => readFileSync(join(root, path), 'utf8');
const mode = (root: string, path: string) => (statSync(join(root, path)).mode & 0o7777).toString(8);
const unitNames = (m: GeneratedMachine): string[] =>
  (JSON.parse(m.ignition) as { systemd: { units: { name: string }[] } }).systemd.units.map((u) => u.name);

const CLUSTERS: [string, Answers][] = [
  ['production', withKey({ preset: 'production', size: 4, network: { interface: 'eth0' } })],
  ['dev', withKey({ preset: 'dev', size: 2, network: { macPrefix: '52:54:00' } })],
  ['small-dhcp', withKey({ preset: 'small', size: 3, network: { dhcp: true } })],
  ['laptop', { preset: 'laptop' }],
];

describe('applied with the real Ignition', () => {
  const production = generate(CLUSTERS[0]![1]);

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
    expect(environment(read(root, 'etc/systemd/system/locksmithd.service.d/20-etcd-endpoints.conf')).LOCKSMITHD_ENDPOINT).toBe(
      'http://10.0.0.101:2379,http://10.0.0.102:2379,http://10.0.0.103:2379',
    );
    expect(read(root, 'etc/systemd/system-preset/20-ignition.preset').split('\n').sort().filter(Boolean)).toEqual([
      'enable etcd-member.service',
      'enable locksmithd.service',
    ]);
    expect(read(root, 'home/core/.ssh/authorized_keys.d/ignition').trim()).toBe(KEY);
    expect(statSync(join(root, 'home/core/.ssh/authorized_keys.d/ignition')).uid).toBe(500);
  });

  it('a worker: the grpc-proxy unit, enabled, and locksmith at the members', () => {
    const root = apply(production.machines[3]!);
    const unit = read(root, 'etc/systemd/system/etcd-grpc-proxy.service');
    expect(mode(root, 'etc/systemd/system/etcd-grpc-proxy.service')).toBe('644');
    expect(unit).toMatch(/^ExecStart=\/usr\/bin\/docker run .* grpc-proxy start --endpoints=http:\/\/10.0.0.101:2379,http:\/\/10.0.0.102:2379,http:\/\/10.0.0.103:2379 --listen-addr=127.0.0.1:2379$/m);
    expect(read(root, 'etc/systemd/system-preset/20-ignition.preset')).toContain('enable etcd-grpc-proxy.service');
    expect(read(root, 'etc/systemd/system/locksmithd.service.d/20-etcd-endpoints.conf')).toContain('http://10.0.0.101:2379');
  });

  it('the laptop: docker-tcp.socket enabled, no .network file, no keys', () => {
    const root = apply(generate(CLUSTERS[3]![1]).machines[0]!);
    expect(read(root, 'etc/systemd/system/docker-tcp.socket')).toMatch(/^ListenStream=2375$/m);
    expect(read(root, 'etc/systemd/system-preset/20-ignition.preset').trim()).toBe('enable docker-tcp.socket');
    expect(() => statSync(join(root, 'etc/systemd/network'))).toThrow();
    expect(() => statSync(join(root, 'home/core/.ssh'))).toThrow();
  });
});

describe.each(CLUSTERS)('systemd-analyze verify: %s', (_, answers) => {
  it('every unit and drop-in of every role', () => {
    const seen = new Set<string>();
    for (const m of generate(answers).machines) {
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

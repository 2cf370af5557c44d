import { describe, expect, it } from 'vitest';
import { faultTolerance, machineEntries, needsPki, secretsRequest } from '../../src/plan/index.js';
import { macFor } from '../../src/plan/addresses.js';
import { formatIPv4, parseCidr, parseIPv4 } from '../../src/net/ipv4.js';
import { SpecError, type Answers } from '../../src/answers/types.js';
import { planOf } from '../helpers/plan.js';

function planProblem(answers: Answers): string {
  try {
    planOf(answers);
  } catch (e) {
    if (e instanceof SpecError) return e.problems.map((p) => `${p.field}: ${p.message}`).join('\n');
    throw e;
  }
  throw new Error('expected a SpecError');
}

describe('IPv4', () => {
  it('parses strict dotted quads only', () => {
    expect(parseIPv4('10.0.0.101')).toBe(0x0a000065);
    for (const bad of ['10.0.0', '10.0.0.256', '010.0.0.1', '1.2.3.4 ', 'a.b.c.d', '1.2.3.4.5']) expect(parseIPv4(bad)).toBeUndefined();
    expect(formatIPv4(0xffffffff)).toBe('255.255.255.255');
  });
  it('parses networks', () => {
    expect(parseCidr('10.0.0.0/24')).toEqual({ base: 0x0a000000, prefixLength: 24, broadcast: 0x0a0000ff });
    expect(parseCidr('10.0.0.0/8')).toMatchObject({ broadcast: 0x0affffff });
    expect(parseCidr('10.0.0.1/24')).toHaveProperty('error');
  });
});

describe('planning machines', () => {
  it('production 5: 3 etcd machines, 2 workers, addresses from .101 in order', () => {
    const p = planOf({ preset: 'production', size: 5 });
    expect(p.machines.map((m) => [m.name, m.role, m.address])).toEqual([
      ['production-etcd-1', 'etcd', '10.0.0.101'],
      ['production-etcd-2', 'etcd', '10.0.0.102'],
      ['production-etcd-3', 'etcd', '10.0.0.103'],
      ['production-worker-1', 'worker', '10.0.0.104'],
      ['production-worker-2', 'worker', '10.0.0.105'],
    ]);
    expect(p.etcd).toMatchObject({
      faultTolerance: 1,
      quorum: 2,
      enableV2: true,
      image: 'quay.io/coreos/etcd:v3.5.16',
      tls: true,
      clientEndpoints: ['https://10.0.0.101:2379', 'https://10.0.0.102:2379', 'https://10.0.0.103:2379'],
      initialCluster: 'production-etcd-1=https://10.0.0.101:2380,production-etcd-2=https://10.0.0.102:2380,production-etcd-3=https://10.0.0.103:2380',
    });
    expect(p.bootOrder.map((s) => s.machines.length)).toEqual([3, 2]);
    const insecure = planOf({ preset: 'production', size: 5, security: { etcdTls: false } });
    expect(insecure.etcd).toMatchObject({ tls: false, clientEndpoints: ['http://10.0.0.101:2379', 'http://10.0.0.102:2379', 'http://10.0.0.103:2379'] });
  });

  it('the certificates each machine gets (src/plan/secrets.ts)', () => {
    const p = planOf({ preset: 'production', size: 4 });
    expect(p.machines.map((m) => machineEntries(p, m))).toEqual([
      ['etcd/member/production-etcd-1/server', 'etcd/member/production-etcd-1/peer', 'etcd/locksmith/production-etcd-1/client'],
      ['etcd/member/production-etcd-2/server', 'etcd/member/production-etcd-2/peer', 'etcd/locksmith/production-etcd-2/client'],
      ['etcd/member/production-etcd-3/server', 'etcd/member/production-etcd-3/peer', 'etcd/locksmith/production-etcd-3/client'],
      ['etcd/proxy/production-worker-1/client', 'etcd/locksmith/production-worker-1/client'],
    ]);
    const request = secretsRequest(p);
    expect(Object.keys(request.certs).sort()).toEqual(p.machines.flatMap((m) => machineEntries(p, m)).sort());
    expect(request.certs['etcd/member/production-etcd-1/server']).toMatchObject({ kind: 'server+client', ipAddresses: ['127.0.0.1', '10.0.0.101'] });
    const dev = planOf({ preset: 'dev', size: 2 });
    expect(dev.machines.map((m) => machineEntries(dev, m))).toEqual([['etcd/member/dev-etcd-1/server', 'etcd/member/dev-etcd-1/peer'], ['etcd/proxy/dev-worker-1/client']]);
    const laptop = planOf({ preset: 'laptop' });
    expect(machineEntries(laptop, laptop.machines[0]!)).toEqual(['docker/server']);
    expect(Object.keys(secretsRequest(laptop).certs).sort()).toEqual(['docker/client', 'docker/server']);
    for (const insecure of [planOf({ preset: 'small', security: { etcdTls: false } }), planOf({ preset: 'laptop', security: { dockerTls: false } })]) {
      expect(needsPki(insecure)).toBe(false);
      expect(insecure.machines.flatMap((m) => machineEntries(insecure, m))).toEqual([]);
    }
  });

  it('production 12: 5 etcd members tolerate 2 failures', () => {
    const p = planOf({ preset: 'production', size: 12 });
    expect(p.machines.filter((m) => m.role === 'etcd')).toHaveLength(5);
    expect(p.etcd).toMatchObject({ faultTolerance: 2, quorum: 3 });
  });

  it('small: every machine is a member; dev: one member, the rest workers; laptop: one VM', () => {
    expect(planOf({ preset: 'small', size: 5 }).machines.every((m) => m.role === 'etcd')).toBe(true);
    const dev = planOf({ preset: 'dev', size: 4 });
    expect(dev.machines.map((m) => m.role)).toEqual(['etcd', 'worker', 'worker', 'worker']);
    expect(dev.etcd).toMatchObject({ faultTolerance: 0, enableV2: false });
    expect(dev.bootOrder[0]!.machines).toEqual(['dev-etcd-1']);
    const laptop = planOf({ preset: 'laptop' });
    expect(laptop.machines).toEqual([{ name: 'laptop-node-1', role: 'laptop', address: null, mac: null }]);
    expect(laptop.etcd).toBeNull();
  });

  it('fault tolerance is floor((n-1)/2)', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9].map(faultTolerance)).toEqual([0, 0, 1, 1, 2, 2, 3, 3, 4]);
  });

  it('names use the prefix', () => {
    expect(planOf({ preset: 'dev', size: 2, name: 'lab', namePrefix: 'x' }).machines.map((m) => m.name)).toEqual(['xetcd-1', 'xworker-1']);
    expect(planOf({ preset: 'dev', size: 2, name: 'lab' }).machines.map((m) => m.name)).toEqual(['lab-etcd-1', 'lab-worker-1']);
  });

  it('skips the gateway and DNS servers when they fall among the addresses', () => {
    const p = planOf({ preset: 'small', size: 4, network: { firstAddress: '10.0.0.9', gateway: '10.0.0.10', dns: ['10.0.0.12'] } });
    expect(p.machines.map((m) => m.address)).toEqual(['10.0.0.9', '10.0.0.11', '10.0.0.13', '10.0.0.14']);
  });

  it('crosses octet boundaries in larger networks', () => {
    const p = planOf({ preset: 'production', size: 6, network: { cidr: '10.1.0.0/16', firstAddress: '10.1.0.253' } });
    expect(p.machines.map((m) => m.address)).toEqual(['10.1.0.253', '10.1.0.254', '10.1.0.255', '10.1.1.0', '10.1.1.1', '10.1.1.2']);
  });

  it('refuses when the machines do not fit', () => {
    expect(planProblem({ preset: 'production', size: 10, network: { firstAddress: '10.0.0.250' } })).toMatch(
      /^size: 10 machines from 10.0.0.250 do not fit in 10.0.0.0\/24 \(last host address 10.0.0.254/,
    );
    expect(planProblem({ preset: 'small', size: 9, network: { cidr: '10.0.0.0/29' } })).toMatch(/do not fit in 10.0.0.0\/29/);
  });

  it('MACs: the prefix followed by the last octets of the address, unique', () => {
    expect(macFor('52:54:00', '10.0.0.101')).toBe('52:54:00:00:00:65');
    expect(macFor('52:54:00:ab:cd', '10.0.1.101')).toBe('52:54:00:ab:cd:65');
    expect(macFor('02:00', '10.1.2.3')).toBe('02:00:0a:01:02:03');
    const p = planOf({ preset: 'dev', size: 2, network: { macPrefix: '52:54:00' } });
    expect(p.machines.map((m) => m.mac)).toEqual(['52:54:00:00:00:65', '52:54:00:00:00:66']);
    expect(planProblem({ preset: 'production', size: 260, network: { cidr: '10.0.0.0/16', macPrefix: '52:54:00:00:00' } })).toBe(
      'network.macPrefix: production-etcd-1 and production-worker-252 would both get MAC 52:54:00:00:00:65; use a shorter prefix so more address octets fit',
    );
  });

  it('with DHCP, members are reached by host name and listen on every address', () => {
    const p = planOf({ preset: 'small', size: 3, network: { dhcp: true } });
    expect(p.machines.every((m) => m.address === null)).toBe(true);
    expect(p.etcd!.members[0]).toEqual({
      name: 'small-node-1',
      host: 'small-node-1',
      peerUrl: 'https://small-node-1:2380',
      clientUrl: 'https://small-node-1:2379',
      listenPeerUrls: 'https://0.0.0.0:2380',
      listenClientUrls: 'https://0.0.0.0:2379',
    });
  });

  it('machine names stay host names: the prefix is limited to 41 characters (the longest cluster name and a dash)', () => {
    const p = planOf({ preset: 'production', size: 10_000, namePrefix: 'a'.repeat(41), network: { cidr: '10.0.0.0/16' } });
    expect(Math.max(...p.machines.map((m) => m.name.length))).toBeLessThanOrEqual(63);
    expect(() => planOf({ preset: 'dev', namePrefix: 'a'.repeat(42) })).toThrow(/namePrefix: must be up to 41/);
  });
});

/** planSecrets (reuse, reissue, rotate), the cluster request and the per-machine helpers. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  certFacts,
  CLIENT_AUTH,
  clusterSecretsRequest,
  dockerClientFiles,
  dockerServerSecrets,
  entryNames,
  etcdMemberSecrets,
  etcdProxySecrets,
  isIssuedBy,
  locksmithSecrets,
  machineSecrets,
  mentionsCaKey,
  planSecrets,
  SERVER_AUTH,
} from '../../src/pki/index.js';
import type { ClusterSecretsInput, SecretsPlan } from '../../src/pki/index.js';

const NOW = new Date('2030-01-01T00:00:00Z');
const input: ClusterSecretsInput = {
  clusterName: 'prod',
  etcdMembers: [
    { name: 'etcd-1', address: '10.0.0.101' },
    { name: 'etcd-2', address: '10.0.0.102' },
    { name: 'etcd-3', address: '10.0.0.103' },
  ],
  etcdProxies: ['worker-1', 'worker-2'],
  locksmiths: ['etcd-1', 'worker-1'],
  now: NOW,
};

let first: SecretsPlan;
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'secrets-plan-'));
  first = await planSecrets(clusterSecretsRequest(input));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('clusterSecretsRequest', () => {
  test('names every entry and its kind', () => {
    const req = clusterSecretsRequest({ ...input, docker: { name: 'laptop', address: null } });
    expect(Object.keys(req.certs).sort()).toEqual([
      'docker/client',
      'docker/server',
      'etcd/locksmith/etcd-1/client',
      'etcd/locksmith/worker-1/client',
      'etcd/member/etcd-1/peer',
      'etcd/member/etcd-1/server',
      'etcd/member/etcd-2/peer',
      'etcd/member/etcd-2/server',
      'etcd/member/etcd-3/peer',
      'etcd/member/etcd-3/server',
      'etcd/proxy/worker-1/client',
      'etcd/proxy/worker-2/client',
    ]);
    expect(req.ca.commonName).toBe('prod CA');
    expect(req.certs['etcd/member/etcd-1/server']).toMatchObject({ commonName: 'etcd-1', kind: 'server+client' });
    expect(req.certs['etcd/member/etcd-1/peer']).toMatchObject({ commonName: 'etcd-peer', kind: 'peer' });
    expect(req.certs['etcd/proxy/worker-1/client']).toMatchObject({ commonName: '', organization: 'etcd-proxy', kind: 'client', dnsNames: ['worker-1'] });
    expect(req.certs['etcd/locksmith/worker-1/client']).toMatchObject({ commonName: 'locksmith-worker-1', kind: 'client' });
    expect(req.certs['docker/server']).toMatchObject({ kind: 'server', dnsNames: ['laptop', 'localhost'], ipAddresses: ['127.0.0.1'] });
  });

  test('a member address that is a host name goes to the DNS SANs; long names are cut to 64', () => {
    const req = clusterSecretsRequest({ clusterName: 'c'.repeat(100), etcdMembers: [{ name: 'm', address: 'm.example.com' }], locksmiths: ['w'.repeat(63)] });
    expect(req.certs['etcd/member/m/server']).toMatchObject({ dnsNames: ['m', 'localhost', 'm.example.com'], ipAddresses: ['127.0.0.1'] });
    expect(req.ca.commonName.length).toBeLessThanOrEqual(64);
    expect(req.certs[entryNames.locksmithClient('w'.repeat(63))]!.commonName.length).toBe(64);
  });
});

describe('planSecrets', () => {
  test('a first plan creates the CA and issues everything', () => {
    expect(first.caCreated).toBe(true);
    expect(first.reused).toEqual([]);
    expect(first.issued).toEqual(Object.keys(first.bundle.certs));
    expect(first.issued).toHaveLength(10);
    expect(Object.keys(first.bundle.certs)).toEqual([...Object.keys(first.bundle.certs)].sort());
  });

  test("members' certificates hold their address, name and 127.0.0.1, and openssl verifies them", () => {
    writeFileSync(join(dir, 'ca.pem'), first.bundle.ca.certPem);
    for (const m of ['etcd-1', 'etcd-2', 'etcd-3']) {
      const { server, peer } = etcdMemberSecrets(first.bundle, m);
      for (const pair of [server, peer]) {
        const f = join(dir, `${m}.pem`);
        writeFileSync(f, pair.certPem);
        const v = spawnSync('openssl', ['verify', '-attime', String(NOW.getTime() / 1000), '-CAfile', join(dir, 'ca.pem'), f], { encoding: 'utf8' });
        expect(v.status, v.stderr).toBe(0);
        const san = spawnSync('openssl', ['x509', '-noout', '-ext', 'subjectAltName', '-in', f], { encoding: 'utf8' }).stdout;
        const ip = `10.0.0.10${m.slice(-1)}`;
        expect(san).toContain(`IP Address:${ip}`);
        expect(san).toContain(`DNS:${m}`);
        expect(san).toContain('IP Address:127.0.0.1');
      }
      expect(certFacts(server.certPem).extKeyUsages).toEqual([SERVER_AUTH, CLIENT_AUTH]);
      expect(certFacts(peer.certPem).commonName).toBe('etcd-peer');
    }
  });

  test('a re-plan of the same request reuses everything byte-for-byte', async () => {
    const again = await planSecrets(clusterSecretsRequest({ ...input, now: new Date('2031-06-01T00:00:00Z') }), first.bundle);
    expect(again.caCreated).toBe(false);
    expect(again.issued).toEqual([]);
    expect(again.reused).toEqual(Object.keys(first.bundle.certs));
    expect(again.bundle).toEqual(first.bundle);
    expect(again.bundle.ca.keyPem).toBe(first.bundle.ca.keyPem);
  });

  test('adding a machine issues only its certificates under the same CA', async () => {
    const more = { ...input, etcdProxies: [...input.etcdProxies!, 'worker-3'] };
    const p = await planSecrets(clusterSecretsRequest(more), first.bundle);
    expect(p.issued).toEqual(['etcd/proxy/worker-3/client']);
    expect(p.reused).toHaveLength(10);
    expect(p.bundle.ca).toEqual(first.bundle.ca);
    expect(isIssuedBy(p.bundle.certs['etcd/proxy/worker-3/client']!.certPem, first.bundle.ca.certPem)).toBe(true);
  });

  test("a member's changed address reissues its server and peer certificates only", async () => {
    const moved = { ...input, etcdMembers: input.etcdMembers!.map((m) => (m.name === 'etcd-2' ? { ...m, address: '10.0.0.42' } : m)) };
    const p = await planSecrets(clusterSecretsRequest(moved), first.bundle);
    expect(p.issued).toEqual(['etcd/member/etcd-2/peer', 'etcd/member/etcd-2/server']);
    const server = p.bundle.certs['etcd/member/etcd-2/server']!;
    expect(server.certPem).not.toBe(first.bundle.certs['etcd/member/etcd-2/server']!.certPem);
    expect(server.keyPem).not.toBe(first.bundle.certs['etcd/member/etcd-2/server']!.keyPem);
    expect(certFacts(server.certPem).ipAddresses).toEqual(['10.0.0.42', '127.0.0.1']);
    expect(p.bundle.certs['etcd/member/etcd-1/server']).toBe(first.bundle.certs['etcd/member/etcd-1/server']);
  });

  test('a changed kind or common name reissues; SAN order and case do not', async () => {
    const req = clusterSecretsRequest(input);
    const name = 'etcd/member/etcd-1/server';
    const r = req.certs[name]!;
    const reordered = { ...req, certs: { ...req.certs, [name]: { ...r, dnsNames: [...r.dnsNames!].reverse().map((d) => d.toUpperCase()) } } };
    expect((await planSecrets(reordered, first.bundle)).issued).toEqual([]);
    const kind = { ...req, certs: { ...req.certs, [name]: { ...r, kind: 'server' as const } } };
    expect((await planSecrets(kind, first.bundle)).issued).toEqual([name]);
    const cn = { ...req, certs: { ...req.certs, [name]: { ...r, commonName: 'renamed' } } };
    expect((await planSecrets(cn, first.bundle)).issued).toEqual([name]);
  });

  test('removed machines are dropped', async () => {
    const p = await planSecrets(clusterSecretsRequest({ ...input, etcdProxies: ['worker-1'] }), first.bundle);
    expect(p.dropped).toEqual(['etcd/proxy/worker-2/client']);
    expect(p.bundle.certs['etcd/proxy/worker-2/client']).toBeUndefined();
  });

  test('rotate makes a new CA and new certificates for everything', async () => {
    const p = await planSecrets({ ...clusterSecretsRequest(input), rotate: true }, first.bundle);
    expect(p.caCreated).toBe(true);
    expect(p.reused).toEqual([]);
    expect(p.bundle.ca.certPem).not.toBe(first.bundle.ca.certPem);
    expect(p.bundle.ca.keyPem).not.toBe(first.bundle.ca.keyPem);
    for (const [name, pair] of Object.entries(p.bundle.certs)) {
      expect(pair.certPem).not.toBe(first.bundle.certs[name]!.certPem);
      expect(isIssuedBy(pair.certPem, p.bundle.ca.certPem)).toBe(true);
      expect(isIssuedBy(pair.certPem, first.bundle.ca.certPem)).toBe(false);
    }
  });

  test('certificates close to expiry are renewed; an expiring CA asks for a rotation', async () => {
    const req = clusterSecretsRequest({ ...input, certValidityDays: 100 });
    const short = await planSecrets(req, null);
    const later = await planSecrets({ ...req, now: new Date(NOW.getTime() + 80 * 86_400_000) }, short.bundle);
    expect(later.issued).toHaveLength(10);
    expect(later.caCreated).toBe(false);
    const oldCa = await planSecrets({ ...req, ca: { ...req.ca, validityDays: 40 } }, null);
    await expect(planSecrets({ ...req, now: new Date(NOW.getTime() + 20 * 86_400_000) }, oldCa.bundle)).rejects.toThrow(/the existing CA expires on .*rotate/);
  });

  test('an expired CA says "expired", a CA valid only in the future is refused; both ask for a rotation', async () => {
    const req = clusterSecretsRequest({ ...input, certValidityDays: 100 });
    const oldCa = await planSecrets({ ...req, ca: { ...req.ca, validityDays: 40 } }, null);
    await expect(planSecrets({ ...req, now: new Date(NOW.getTime() + 50 * 86_400_000) }, oldCa.bundle)).rejects.toThrow(
      /^the existing CA expired on .*; make a new PKI on purpose \(rotate\)$/,
    );
    const future = await planSecrets({ ...req, now: new Date(NOW.getTime() + 30 * 86_400_000) }, null);
    await expect(planSecrets(req, future.bundle)).rejects.toThrow(
      /^the existing CA is not valid before 2030-01-30T23:00:00.000Z \(is this computer's clock right\?\); .*\(rotate\)$/,
    );
  });

  test('a certificate of another CA or with a foreign key is not reused', async () => {
    const other = await planSecrets(clusterSecretsRequest(input));
    const name = 'etcd/member/etcd-1/peer';
    const mixed = { ca: first.bundle.ca, certs: { ...first.bundle.certs, [name]: other.bundle.certs[name]! } };
    expect((await planSecrets(clusterSecretsRequest(input), mixed)).issued).toEqual([name]);
    const badKey = { ca: first.bundle.ca, certs: { ...first.bundle.certs, [name]: { ...first.bundle.certs[name]!, keyPem: other.bundle.certs[name]!.keyPem } } };
    expect((await planSecrets(clusterSecretsRequest(input), badKey)).issued).toEqual([name]);
  });

  test('a bad request fails before anything is issued, naming the entry', async () => {
    const req = clusterSecretsRequest(input);
    await expect(planSecrets({ ...req, certs: { ...req.certs, 'etcd/x': { commonName: 'x', kind: 'server', dnsNames: ['a b'] } } })).rejects.toThrow(
      /certificate etcd\/x: not a valid DNS name/,
    );
    await expect(planSecrets({ ...req, certs: { '../escape': { commonName: 'x', kind: 'client' } } })).rejects.toThrow(/not a valid certificate entry name/);
    await expect(planSecrets({ ...req, certs: { ca: { commonName: 'x', kind: 'client' } } })).rejects.toThrow(/entry name/);
  });
});

describe('what goes to machines', () => {
  test('member, proxy, locksmith and docker shares hold the CA certificate and their own pairs only', async () => {
    const { bundle } = await planSecrets(clusterSecretsRequest({ ...input, docker: { name: 'laptop', address: '192.168.122.5' } }));
    const member = etcdMemberSecrets(bundle, 'etcd-1');
    expect(Object.keys(member).sort()).toEqual(['caCertPem', 'peer', 'server']);
    expect(member.caCertPem).toBe(bundle.ca.certPem);
    expect(etcdProxySecrets(bundle, 'worker-2').client).toBe(bundle.certs['etcd/proxy/worker-2/client']);
    expect(locksmithSecrets(bundle, 'etcd-1').client).toBe(bundle.certs['etcd/locksmith/etcd-1/client']);
    expect(dockerServerSecrets(bundle).server).toBe(bundle.certs['docker/server']);
    expect(machineSecrets(bundle, ['etcd/proxy/worker-1/client', 'etcd/locksmith/worker-1/client']).certs).toHaveProperty(['etcd/proxy/worker-1/client']);
    expect(() => etcdMemberSecrets(bundle, 'worker-1')).toThrow(/no certificate etcd\/member\/worker-1\/server/);
    for (const share of [member, etcdProxySecrets(bundle, 'worker-1'), dockerServerSecrets(bundle)]) {
      expect(mentionsCaKey(bundle, JSON.stringify(share))).toBe(false);
    }
    const files = dockerClientFiles(bundle);
    expect(files.map((f) => [f.name, f.mode])).toEqual([
      ['ca.pem', 0o644],
      ['cert.pem', 0o644],
      ['key.pem', 0o600],
    ]);
    expect(certFacts(files[1]!.contents).extKeyUsages).toEqual([CLIENT_AUTH]);
    expect(certFacts(dockerServerSecrets(bundle).server.certPem).ipAddresses).toEqual(['127.0.0.1', '192.168.122.5']);
  });

  test('mentionsCaKey finds the CA key, whole or one line of it, e.g. in YAML', () => {
    const key = first.bundle.ca.keyPem;
    expect(mentionsCaKey(first.bundle, key)).toBe(true);
    const line = key.split('\n')[2]!;
    expect(mentionsCaKey(first.bundle, `contents:\n  inline: |\n    ${line}\n`)).toBe(true);
    expect(mentionsCaKey(first.bundle, first.bundle.certs['etcd/member/etcd-1/server']!.keyPem)).toBe(false);
  });
});

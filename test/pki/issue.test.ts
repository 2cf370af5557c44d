/** createCa / issueCert, checked with the real openssl. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { certFacts, createCa, issueCert, isIssuedBy, keyMatchesCert, SecretsError } from '../../src/pki/index.js';
import type { CaPair, CertKind, LeafPair } from '../../src/pki/index.js';

let dir: string;
let n = 0;
function file(text: string): string {
  const p = join(dir, `f${n++}.pem`);
  writeFileSync(p, text);
  return p;
}
function openssl(...args: string[]) {
  const r = spawnSync('openssl', args, { encoding: 'utf8', timeout: 20_000 });
  return { ok: r.status === 0, out: `${r.stdout}${r.stderr}` };
}
function text(certPem: string): string {
  return openssl('x509', '-noout', '-text', '-in', file(certPem)).out;
}
function ext(certPem: string, name: string): string {
  return openssl('x509', '-noout', '-ext', name, '-in', file(certPem)).out;
}

const NOW = new Date('2030-01-01T00:00:00Z');
let ca: CaPair;
let otherCa: CaPair;
const leaves = {} as Record<CertKind, LeafPair>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'secrets-issue-'));
  ca = await createCa({ commonName: 'test cluster CA', validityDays: 3650 });
  otherCa = await createCa({ commonName: 'test cluster CA' });
  for (const kind of ['server', 'client', 'peer', 'server+client'] as CertKind[]) {
    leaves[kind] = await issueCert(ca, {
      commonName: `node1-${kind}`,
      kind,
      dnsNames: kind === 'client' ? [] : ['node1', 'localhost'],
      ipAddresses: kind === 'client' ? [] : ['10.0.0.101', '127.0.0.1'],
    });
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the CA', () => {
  test('is a CA with keyCertSign, cRLSign and a subject key identifier, self-signed, P-256/SHA-256', () => {
    const t = text(ca.certPem);
    expect(t).toMatch(/Basic Constraints: critical\s+CA:TRUE/);
    expect(t).toMatch(/Key Usage: critical\s+Certificate Sign, CRL Sign/);
    expect(t).toMatch(/Subject Key Identifier/);
    expect(t).toMatch(/Signature Algorithm: ecdsa-with-SHA256/);
    expect(t).toMatch(/NIST CURVE: P-256/);
    expect(t).toMatch(/Issuer: CN\s*=\s*test cluster CA/);
    expect(openssl('verify', '-CAfile', file(ca.certPem), file(ca.certPem)).ok).toBe(true);
  });

  test('its key is P-256 and fits it', () => {
    expect(openssl('pkey', '-noout', '-text', '-in', file(ca.keyPem)).out).toMatch(/NIST CURVE: P-256/);
    const fromKey = openssl('pkey', '-pubout', '-in', file(ca.keyPem)).out;
    const fromCert = openssl('x509', '-noout', '-pubkey', '-in', file(ca.certPem)).out;
    expect(fromKey).toContain('BEGIN PUBLIC KEY');
    expect(fromKey).toBe(fromCert);
  });

  test('validity: notBefore an hour before now, notAfter validityDays later', async () => {
    const c = await createCa({ commonName: 'x', validityDays: 10, now: NOW });
    const f = certFacts(c.certPem);
    expect(f.notBefore.toISOString()).toBe('2029-12-31T23:00:00.000Z');
    expect(f.notAfter.toISOString()).toBe('2030-01-11T00:00:00.000Z');
  });
});

describe('leaf certificates', () => {
  test('openssl verify passes against the CA for every kind', () => {
    const caFile = file(ca.certPem);
    for (const kind of Object.keys(leaves) as CertKind[]) {
      const r = openssl('verify', '-CAfile', caFile, file(leaves[kind].certPem));
      expect(r.out, kind).toMatch(/: OK/);
      expect(r.ok, kind).toBe(true);
    }
  });

  test('openssl verify fails for a certificate of another CA (same CA name)', async () => {
    const foreign = await issueCert(otherCa, { commonName: 'node1', kind: 'server', dnsNames: ['node1'] });
    const r = openssl('verify', '-CAfile', file(ca.certPem), file(foreign.certPem));
    expect(r.ok).toBe(false);
    expect(r.out).toMatch(/signature failure|unable to get local issuer/i);
    expect(isIssuedBy(foreign.certPem, ca.certPem)).toBe(false);
    expect(isIssuedBy(foreign.certPem, otherCa.certPem)).toBe(true);
  });

  test('SANs hold the requested DNS names and IPs', () => {
    const san = ext(leaves.server.certPem, 'subjectAltName');
    for (const want of ['DNS:node1', 'DNS:localhost', 'IP Address:10.0.0.101', 'IP Address:127.0.0.1']) expect(san).toContain(want);
    expect(ext(leaves.client.certPem, 'subjectAltName')).not.toContain('DNS:');
  });

  test('IPv6 SANs are accepted and normalised', async () => {
    const c = await issueCert(ca, { commonName: 'v6', kind: 'server', ipAddresses: ['2001:DB8:0::1', '::1'] });
    expect(ext(c.certPem, 'subjectAltName')).toMatch(/IP Address:2001:DB8:0:0:0:0:0:1/i);
    expect(certFacts(c.certPem).ipAddresses).toEqual(['2001:db8::1', '::1']);
  });

  test('extKeyUsage matches the kind', () => {
    const eku = (k: CertKind) => ext(leaves[k].certPem, 'extendedKeyUsage');
    expect(eku('server')).toContain('TLS Web Server Authentication');
    expect(eku('server')).not.toContain('Client Authentication');
    expect(eku('client')).toContain('TLS Web Client Authentication');
    expect(eku('client')).not.toContain('Server Authentication');
    for (const k of ['peer', 'server+client'] as CertKind[]) {
      expect(eku(k)).toContain('TLS Web Server Authentication');
      expect(eku(k)).toContain('TLS Web Client Authentication');
    }
    // openssl's own purpose checks agree
    const caFile = file(ca.certPem);
    expect(openssl('verify', '-CAfile', caFile, '-purpose', 'sslserver', file(leaves.server.certPem)).ok).toBe(true);
    expect(openssl('verify', '-CAfile', caFile, '-purpose', 'sslclient', file(leaves.server.certPem)).ok).toBe(false);
    expect(openssl('verify', '-CAfile', caFile, '-purpose', 'sslclient', file(leaves.client.certPem)).ok).toBe(true);
    expect(openssl('verify', '-CAfile', caFile, '-purpose', 'sslserver', file(leaves.client.certPem)).ok).toBe(false);
    expect(openssl('verify', '-CAfile', caFile, '-purpose', 'sslclient', file(leaves.peer.certPem)).ok).toBe(true);
    expect(openssl('verify', '-CAfile', caFile, '-purpose', 'sslserver', file(leaves.peer.certPem)).ok).toBe(true);
  });

  test('not a CA, digitalSignature only, authority key id = the CA subject key id', () => {
    const t = text(leaves.peer.certPem);
    expect(t).toMatch(/Basic Constraints: critical\s+CA:FALSE/);
    expect(t).toMatch(/Key Usage: critical\s+Digital Signature\s/);
    const caSki = /Subject Key Identifier:\s*\n\s*([0-9A-F:]+)/.exec(text(ca.certPem))![1];
    const aki = /Authority Key Identifier:\s*\n\s*(?:keyid:)?([0-9A-F:]+)/.exec(t)![1];
    expect(aki).toBe(caSki);
  });

  test('keys are P-256 and each key fits its certificate, not another one', () => {
    for (const kind of Object.keys(leaves) as CertKind[]) {
      const { certPem, keyPem } = leaves[kind];
      expect(openssl('pkey', '-noout', '-text', '-in', file(keyPem)).out).toMatch(/NIST CURVE: P-256/);
      expect(openssl('pkey', '-pubout', '-in', file(keyPem)).out).toBe(openssl('x509', '-noout', '-pubkey', '-in', file(certPem)).out);
      expect(keyMatchesCert(certPem, keyPem)).toBe(true);
    }
    expect(keyMatchesCert(leaves.server.certPem, leaves.client.keyPem)).toBe(false);
  });

  test('serials are random and positive', () => {
    const serials = Object.values(leaves).map((l) => /Serial Number:\s*\n?\s*([0-9a-f:]+)/i.exec(text(l.certPem))![1]);
    expect(new Set(serials).size).toBe(serials.length);
    for (const s of serials) expect(s.replace(/:/g, '').length).toBe(32);
  });

  test('a subject with O and no CN (what etcd grpc-proxy wants), and neither is refused', async () => {
    const c = await issueCert(ca, { commonName: '', organization: 'etcd-proxy', kind: 'client', dnsNames: ['worker-1'] });
    const subject = openssl('x509', '-noout', '-subject', '-in', file(c.certPem)).out;
    expect(subject.trim()).toMatch(/^subject=O\s*=\s*etcd-proxy$/);
    expect(certFacts(c.certPem)).toMatchObject({ commonName: '', organization: 'etcd-proxy', dnsNames: ['worker-1'] });
    expect(openssl('verify', '-CAfile', file(ca.certPem), file(c.certPem)).ok).toBe(true);
    await expect(issueCert(ca, { commonName: '', kind: 'client' })).rejects.toThrow(/needs a common name or an organization/);
  });

  test('a leaf never outlives its CA', async () => {
    const shortCa = await createCa({ commonName: 'short', validityDays: 30, now: NOW });
    const leaf = await issueCert(shortCa, { commonName: 'x', kind: 'client', validityDays: 3650, now: NOW });
    expect(certFacts(leaf.certPem).notAfter.getTime()).toBe(certFacts(shortCa.certPem).notAfter.getTime());
  });

  test('bad requests are refused with a clear message', async () => {
    const bad = async (req: object) => issueCert(ca, { commonName: 'x', kind: 'server', ...req } as never);
    await expect(bad({ dnsNames: ['bad name'] })).rejects.toThrow(/not a valid DNS name for a certificate: "bad name"/);
    await expect(bad({ dnsNames: ['*.example.com'] })).rejects.toThrow(SecretsError);
    await expect(bad({ dnsNames: ['a\nb'] })).rejects.toThrow(SecretsError);
    await expect(bad({ ipAddresses: ['10.0.0.300'] })).rejects.toThrow(/not an IP address: "10.0.0.300"/);
    await expect(bad({ kind: 'root' })).rejects.toThrow(/kind must be one of/);
    await expect(bad({ commonName: 'x'.repeat(65) })).rejects.toThrow(/1 to 64 printable ASCII/);
    await expect(bad({ commonName: 'a{{b}}\u0000' })).rejects.toThrow(SecretsError);
    await expect(bad({ validityDays: 0 })).rejects.toThrow(/validity/);
    await expect(issueCert({ certPem: 'junk', keyPem: 'junk' } as never, { commonName: 'x', kind: 'client' })).rejects.toThrow(/cannot use the CA/);
  });
});

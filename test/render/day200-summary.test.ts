/**
 * Issue 15 in SUMMARY.md, --json and the library: etcd maintenance and day-2 guidance, each
 * certificate's expiry, the warning for kept certificates that expire within 90 days, and the
 * library reusing a PKI loaded from a directory (same answers and bundle: identical configs).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import * as lib from '../../src/index.js';
import { reportOf } from '../../src/cli/report.js';
import { withKey } from '../helpers/generator.js';

const made: string[] = [];
afterAll(() =>
  made.forEach((d) => {
    rmSync(d, { recursive: true, force: true });
  }),
);
const summaryOf = (r: lib.GenerateResult) => r.files.find((f) => f.name === 'SUMMARY.md')!.contents;

describe('SUMMARY.md: maintenance, day 2, certificates', async () => {
  const result = await lib.generateCluster(withKey({ preset: 'production', size: 4, network: { interface: 'eth0' } }));
  const summary = summaryOf(result);

  it('says how to check the database size and defragment, with the stated quota and compaction', () => {
    expect(summary).toContain('## etcd maintenance');
    expect(summary).toMatch(/ETCD_AUTO_COMPACTION_MODE=periodic.*ETCD_AUTO_COMPACTION_RETENTION=1h/);
    expect(summary).toContain('quota of 4 GiB');
    expect(summary).toContain('etcdctl endpoint status --write-out=json');
    for (const m of result.plan.etcd!.members) expect(summary).toContain(`etcdctl defrag --endpoints=${m.clientUrl}`);
    expect(summary).toContain('etcdctl alarm disarm');
  });

  it('has a day-2 section on replace, add and remove', () => {
    expect(summary).toContain('## Day 2: replacing, adding and removing machines');
    expect(summary).toMatch(/flatcar-architect replace DIR MACHINE/);
    expect(summary).toMatch(/flatcar-architect scale DIR --size N\b/);
    expect(summary).toMatch(/scale DIR --size N --force/);
  });

  it('lists every certificate with its expiry (from the certificate itself), in SUMMARY and --json', () => {
    const pem = (name: string) => result.files.find((f) => f.name === `pki/${name}.pem`)!.contents;
    const leaves = result.files.filter((f) => f.name.startsWith('pki/') && f.name.endsWith('.pem') && !f.name.endsWith('-key.pem') && f.name !== 'pki/ca.pem');
    expect(result.certificates.length).toBe(leaves.length + 1);
    expect(result.certificates[0]!.name).toBe('ca');
    for (const c of result.certificates) {
      const expected = new Date(new X509Certificate(pem(c.name)).validTo).toISOString();
      expect(c.expires).toBe(expected);
      expect(summary).toContain(`| ${c.name} | ${expected.slice(0, 10)} |`);
    }
    expect(result.certificates.map((c) => c.name)).toEqual(expect.arrayContaining(['etcd/member/production-etcd-1/server', 'etcd/proxy/production-worker-1/client']));
    const report = reportOf(result, '/out', false, null);
    expect(report.certificates).toEqual(result.certificates);
    expect(summary).toMatch(/The first certificate to expire is .*, on \d{4}-\d\d-\d\d/);
  });

  it('without TLS: no certificate section', async () => {
    const plain = await lib.generateCluster(withKey({ preset: 'dev', size: 2, security: { etcdTls: false } }));
    expect(plain.certificates).toEqual([]);
    expect(summaryOf(plain)).not.toContain('## Certificate expiry');
  });
});

describe('kept certificates that expire soon', () => {
  it('a run 4.9 years on, keeping 5-year certificates, warns with what to do; a fresh run does not', async () => {
    const answers = withKey({ preset: 'dev', size: 2, network: { interface: 'eth0' } });
    const first = await lib.generateCluster(answers, { now: new Date('2026-01-01T00:00:00Z') });
    expect(first.warnings.map((w) => w.code)).not.toContain('certificates-expiring');
    const dir = mkdtempSync(join(tmpdir(), 'fa-expiry-'));
    made.push(dir);
    lib.writeOutputDir(dir, first.files);
    const existing = lib.loadBundle(lib.pkiDir(dir))!;
    // Leaves last 5 years: 60 days before their end they are kept (the renewal margin is 30 days) and warned about.
    const leafEnd = Date.parse(first.certificates.find((c) => c.name !== 'ca')!.expires);
    const later = await lib.generateCluster(answers, { existing, now: new Date(leafEnd - 60 * 86_400_000) });
    expect(later.pki!.reused.length).toBeGreaterThan(0);
    const warning = later.warnings.find((w) => w.code === 'certificates-expiring')?.text;
    expect(warning).toMatch(
      /^kept from the existing PKI, \d+ certificates expire, the first \(.*\) on \d{4}-\d\d-\d\d, within 90 days: renew now: generate again with --rotate-pki/,
    );
    expect(warning).toMatch(/re-provision; etcd members one at a time with `flatcar-architect replace`/);
    expect(summaryOf(later)).toContain(warning!);
  });
});

describe('the library reuses a PKI loaded from a directory', () => {
  it('exports loadBundle and pkiDir; two runs with the same answers and bundle give identical files', async () => {
    const answers = withKey({ preset: 'production', size: 5, network: { interface: 'eth0' } });
    const first = await lib.generateCluster(answers);
    const dir = mkdtempSync(join(tmpdir(), 'fa-lib-'));
    made.push(dir);
    lib.writeOutputDir(dir, first.files);
    const existing: lib.SecretsBundle | null = lib.loadBundle(lib.pkiDir(dir));
    expect(existing).not.toBeNull();
    const a = await lib.generateCluster(answers, { existing });
    const b = await lib.generateCluster(answers, { existing });
    expect(a.pki!.issued).toEqual([]);
    expect(a.files.map((f) => [f.name, f.contents])).toEqual(b.files.map((f) => [f.name, f.contents]));
    // And the same as the first run's files: the configs do not change when the PKI is reused.
    expect(a.files.map((f) => [f.name, f.contents])).toEqual(first.files.map((f) => [f.name, f.contents]));
  });
});

describe('--secrets ssh in SUMMARY.md', () => {
  it('says the configs hold no private key and how to deliver them', async () => {
    const r = await lib.generateCluster(withKey({ preset: 'dev', size: 2, network: { interface: 'eth0' }, security: { secrets: 'ssh' } }));
    const summary = summaryOf(r);
    expect(summary).toContain('`--secrets ssh`: the configs hold certificates but no private key');
    expect(summary).toContain('`flatcar-architect deliver DIR`');
    expect(summary).not.toContain('readable by you only');
  });
});

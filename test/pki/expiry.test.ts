/**
 * certificateExpiry answers from what this process signed (no X509Certificate parse per certificate of
 * every machine) exactly as parsing the certificate answers: whole seconds, UTCTime and GeneralizedTime.
 */
import { X509Certificate } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { certificateExpiry } from '../../src/pki/expiry.js';
import { createCa, issueCert } from '../../src/pki/index.js';

const parsed = (pem: string) => new Date(new X509Certificate(pem).validTo).toISOString();

describe('certificateExpiry', () => {
  // Milliseconds that round up and down, a notAfter in 2049 (UTCTime) and past 2050 (GeneralizedTime),
  // a leaf cut to its CA's notAfter.
  const cases: [string, number, number][] = [
    ['2026-12-06T13:45:59.999Z', 3650, 365],
    ['2026-12-06T13:45:00.001Z', 1, 1],
    ['2024-02-29T23:59:59.500Z', 9131, 9131],
    ['2030-01-01T00:00:00.000Z', 36500, 30000],
  ];
  test.each(cases)('now %s, CA %i days, leaf %i days: the same date as the parsed certificate', async (now, caDays, leafDays) => {
    const ca = await createCa({ commonName: 'expiry-ca', now: new Date(now), validityDays: caDays });
    const leaf = await issueCert(ca, { commonName: 'leaf', kind: 'server', dnsNames: ['leaf.example'], now: new Date(now), validityDays: leafDays });
    for (const pem of [ca.certPem, leaf.certPem]) {
      expect(certificateExpiry(pem)).toBe(parsed(pem));
      expect(certificateExpiry(pem)).toMatch(/\.000Z$/);
    }
  });

  test('a certificate this process did not sign is parsed', async () => {
    const ca = await createCa({ commonName: 'expiry-other', now: new Date('2026-03-01T10:00:00.750Z'), validityDays: 30 });
    const crlf = ca.certPem.replace(/\n/g, '\r\n'); // another text of the same certificate: not remembered
    expect(certificateExpiry(crlf)).toBe('2026-03-31T10:00:00.000Z');
  });
});

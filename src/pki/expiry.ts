/** Certificates' expiry dates without the X.509 library (generate.ts loads this for every run). */
import { X509Certificate } from 'node:crypto';

/**
 * notAfter of the certificates this process signed, by PEM, so that reading a run's expiries does not
 * parse each certificate again (X509Certificate costs about 0.3 ms, per certificate of every machine).
 * Only UTCTime dates (before 2050: whole seconds, the milliseconds dropped, as written) are kept; a
 * GeneralizedTime or an unknown PEM is parsed. Bounded: the oldest entries go first.
 */
const signedExpiries = new Map<string, number>();
const MAX_REMEMBERED_EXPIRIES = 100_000;
export function rememberExpiry(pem: string, notAfter: Date): void {
  if (notAfter.getUTCFullYear() >= 2050 || notAfter.getUTCFullYear() < 1950) return;
  if (signedExpiries.size >= MAX_REMEMBERED_EXPIRIES) signedExpiries.delete(signedExpiries.keys().next().value!);
  signedExpiries.set(pem, Math.floor(notAfter.getTime() / 1000) * 1000);
}

/** A certificate's notAfter as an ISO 8601 string (whole seconds, as X509Certificate's validTo). */
export function certificateExpiry(pem: string): string {
  const known = signedExpiries.get(pem);
  return new Date(known ?? new X509Certificate(pem).validTo).toISOString();
}

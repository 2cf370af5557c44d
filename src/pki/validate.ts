/** Checking and normalising what goes into a certificate: names, SANs, validity. */
import { isIP } from 'node:net';
import { MAX_DNS_NAME } from '../answers/limits.js';
import { HOST_NAME } from '../answers/patterns.js';
import { SecretsError } from './types.js';
import type { CertKind } from './types.js';

const KINDS: readonly CertKind[] = ['server', 'client', 'peer', 'server+client'];
const MAX_DAYS = 36_500;

export function checkKind(kind: unknown): CertKind {
  if (typeof kind !== 'string' || !(KINDS as readonly string[]).includes(kind)) {
    throw new SecretsError(`certificate kind must be one of ${KINDS.join(', ')}, not ${JSON.stringify(kind)}`);
  }
  return kind as CertKind;
}

/**
 * A subject attribute (CN or O): X.509's upper bound is 64 characters; printable ASCII keeps every
 * tool happy. '' means "none" where `allowEmpty`.
 */
export function checkNameAttribute(value: unknown, what: string, allowEmpty = false): string {
  if (allowEmpty && value === '') return '';
  if (typeof value !== 'string' || value.length === 0 || value.length > 64 || !/^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/.test(value)) {
    throw new SecretsError(`${what} must be 1 to 64 printable ASCII characters without leading or trailing spaces, not ${JSON.stringify(value)}`);
  }
  return value;
}

export function checkCommonName(cn: unknown, allowEmpty = false): string {
  return checkNameAttribute(cn, 'common name', allowEmpty);
}

/** An RFC 1123 host name, lower-cased; no wildcards. */
export function normalizeDnsName(name: unknown): string {
  if (typeof name !== 'string') throw new SecretsError(`DNS name must be a string, not ${JSON.stringify(name)}`);
  const lower = name.toLowerCase();
  if (lower.length === 0 || lower.length > MAX_DNS_NAME || isIP(lower) !== 0 || !lower.split('.').every((l) => HOST_NAME.test(l))) {
    throw new SecretsError(`not a valid DNS name for a certificate: ${JSON.stringify(name)}`);
  }
  return lower;
}

/** An IPv4 or IPv6 address in its canonical text form (so requests and certificates compare equal). */
export function normalizeIp(ip: unknown): string {
  if (typeof ip !== 'string' || isIP(ip) === 0) throw new SecretsError(`not an IP address: ${JSON.stringify(ip)}`);
  if (isIP(ip) === 4) return ip;
  return new URL(`http://[${ip}]/`).hostname.slice(1, -1);
}

export function checkValidityDays(days: unknown, what: string): number {
  if (typeof days !== 'number' || !Number.isInteger(days) || days < 1 || days > MAX_DAYS) {
    throw new SecretsError(`${what} validity must be a whole number of days from 1 to ${MAX_DAYS}, not ${JSON.stringify(days)}`);
  }
  return days;
}

export function checkNow(now: unknown): Date {
  if (!(now instanceof Date) || Number.isNaN(now.getTime())) throw new SecretsError(`"now" must be a valid Date`);
  return now;
}

const SEGMENT = /^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,62})$/;

/**
 * A bundle entry name: `/`-separated segments of letters, digits, `.`, `_`, `-` (it becomes a path
 * under `pki/`). `ca` is the CA's own file and a last segment ending in `-key` would clash with key files.
 */
export function checkEntryName(name: unknown): string {
  const ok = typeof name === 'string' && name !== 'ca' && name.split('/').every((s) => SEGMENT.test(s) && s !== '.' && s !== '..' && !s.endsWith('.')) && !name.endsWith('-key');
  if (!ok) throw new SecretsError(`not a valid certificate entry name: ${JSON.stringify(name)}`);
  return name;
}

/** Sorted, de-duplicated. */
export function uniqueSorted(values: Iterable<string>): string[] {
  return [...new Set(values)].sort();
}

/**
 * The one place that loads @peculiar/x509: it needs a Reflect polyfill (reflect-metadata) imported
 * first, and Node's WebCrypto as its provider. Also: key generation and PEM import/export.
 */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { randomBytes } from 'node:crypto';

x509.cryptoProvider.set(globalThis.crypto);

export { x509 };

/** ECDSA P-256 with SHA-256 for keys and signatures. */
export const KEY_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

export async function generateKeyPair(): Promise<CryptoKeyPair> {
  return globalThis.crypto.subtle.generateKey(KEY_ALGORITHM, true, ['sign', 'verify']);
}

/** PKCS#8 PEM ("-----BEGIN PRIVATE KEY-----"), which etcd, dockerd and openssl read. */
export async function exportPrivateKeyPem(key: CryptoKey): Promise<string> {
  const der = await globalThis.crypto.subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(der, 'PRIVATE KEY') + '\n';
}

export async function importSigningKey(pem: string): Promise<CryptoKey> {
  const der = x509.PemConverter.decode(pem)[0];
  if (!der) throw new Error('no PEM block in the private key');
  return globalThis.crypto.subtle.importKey('pkcs8', der, KEY_ALGORITHM, false, ['sign']);
}

export function certToPem(cert: x509.X509Certificate): string {
  return cert.toString('pem') + '\n';
}

/** 16 random bytes, positive and without a leading zero byte (RFC 5280: positive, at most 20 octets). */
export function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0]! & 0x7f) | 0x40;
  return bytes.toString('hex');
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** notBefore an hour before `now` (machines' clocks before NTP), notAfter `days` after `now`. */
export function validity(now: Date, days: number, notAfterLimit?: Date): { notBefore: Date; notAfter: Date } {
  const notBefore = new Date(now.getTime() - HOUR);
  let notAfter = new Date(now.getTime() + days * DAY);
  if (notAfterLimit && notAfter > notAfterLimit) notAfter = new Date(notAfterLimit.getTime());
  return { notBefore, notAfter };
}

export { DAY };

/**
 * Keys, signatures and certificate encoding: ECDSA P-256 / SHA-256 with node:crypto (synchronous), the
 * X.509 structures from @peculiar/asn1-x509, turned into DER and back by AsnConvert.
 */
import { createHash, generateKeyPairSync, randomBytes, sign, X509Certificate, type KeyObject } from 'node:crypto';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import { rememberExpiry } from './expiry.js';
import {
  AlgorithmIdentifier,
  AttributeTypeAndValue,
  AttributeValue,
  Certificate,
  Extension,
  Extensions,
  Name,
  RelativeDistinguishedName,
  SubjectKeyIdentifier,
  SubjectPublicKeyInfo,
  TBSCertificate,
  Validity,
  Version,
} from '@peculiar/asn1-x509';

/** ecdsa-with-SHA256 (RFC 5758: the AlgorithmIdentifier has no parameters). */
const ECDSA_WITH_SHA256 = '1.2.840.10045.4.3.2';
/** X.520 attribute types. */
export const ID_AT_COMMON_NAME = '2.5.4.3';
export const ID_AT_ORGANIZATION = '2.5.4.10';

export interface KeyPair {
  /** PKCS#8 PEM ("-----BEGIN PRIVATE KEY-----", ending in a newline), which etcd, dockerd and openssl read. */
  privateKeyPem: string;
  publicKeyInfo: SubjectPublicKeyInfo;
}

/** A new P-256 key pair, encoded by the one native call that makes it (no KeyObjects to export). */
export function generateKeyPair(): KeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ec', {
    namedCurve: 'P-256',
    publicKeyEncoding: { type: 'spki', format: 'der' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { privateKeyPem: privateKey, publicKeyInfo: AsnConvert.parse(publicKey, SubjectPublicKeyInfo) };
}

export function isP256(key: KeyObject): boolean {
  return key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1';
}

/** A PEM certificate as Node reads it (which also checks it is one) and as asn1-x509's structure. */
export function readCertificate(pem: string): { x509: X509Certificate; asn: Certificate } {
  const x509 = new X509Certificate(pem);
  return { x509, asn: AsnConvert.parse(x509.raw, Certificate) };
}

/** The value of the extension `oid`, parsed as `type`; undefined when the certificate has none. */
export function extensionValue<T>(tbs: TBSCertificate, oid: string, type: new () => T): T | undefined {
  const ext = tbs.extensions?.find((e) => e.extnID === oid);
  return ext && AsnConvert.parse(ext.extnValue.buffer, type);
}

/** An extension whose extnValue is the DER of `value`. */
export function extension(extnID: string, critical: boolean, value: unknown): Extension {
  return new Extension({ extnID, critical, extnValue: new OctetString(AsnConvert.serialize(value)) });
}

/** RFC 5280 4.2.1.2 method 1: the SHA-1 of the subjectPublicKey BIT STRING's contents. */
export function keyIdentifier(spki: SubjectPublicKeyInfo): SubjectKeyIdentifier {
  return new SubjectKeyIdentifier(createHash('sha1').update(new Uint8Array(spki.subjectPublicKey)).digest());
}

/** O then CN, each only when set; PrintableString when the value fits its alphabet, else UTF8String. */
export function distinguishedName(attrs: { organization?: string; commonName?: string }): Name {
  const rdn = (type: string, text: string) => {
    const value = new AttributeValue(/^[A-Za-z0-9 '()+,\-./:=?]*$/.test(text) ? { printableString: text } : { utf8String: text });
    return new RelativeDistinguishedName([new AttributeTypeAndValue({ type, value })]);
  };
  const rdns: RelativeDistinguishedName[] = [];
  if (attrs.organization) rdns.push(rdn(ID_AT_ORGANIZATION, attrs.organization));
  if (attrs.commonName) rdns.push(rdn(ID_AT_COMMON_NAME, attrs.commonName));
  return new Name(rdns);
}

export interface CertificateContent {
  subject: Name;
  issuer: Name;
  notBefore: Date;
  notAfter: Date;
  publicKeyInfo: SubjectPublicKeyInfo;
  extensions: Extension[];
}

/** An X.509 v3 certificate with a random serial, signed ecdsa-with-SHA256 by `signingKey`; PEM ending in a newline. */
export function signCertificate(content: CertificateContent, signingKey: KeyObject): string {
  const algorithm = () => new AlgorithmIdentifier({ algorithm: ECDSA_WITH_SHA256 });
  const tbsCertificate = new TBSCertificate({
    version: Version.v3,
    serialNumber: new Uint8Array(Buffer.from(randomSerial(), 'hex')).buffer,
    signature: algorithm(),
    issuer: content.issuer,
    validity: new Validity({ notBefore: content.notBefore, notAfter: content.notAfter }),
    subject: content.subject,
    subjectPublicKeyInfo: content.publicKeyInfo,
    extensions: new Extensions(content.extensions),
  });
  const signature = sign('sha256', new Uint8Array(AsnConvert.serialize(tbsCertificate)), { key: signingKey, dsaEncoding: 'der' });
  const cert = new Certificate({ tbsCertificate, signatureAlgorithm: algorithm(), signatureValue: new Uint8Array(signature).buffer });
  const pem = toPem('CERTIFICATE', Buffer.from(AsnConvert.serialize(cert)));
  rememberExpiry(pem, content.notAfter);
  return pem;
}

/** RFC 7468 text: the label's BEGIN line, base64 in lines of 64, the END line, a final newline. */
export function toPem(label: string, der: Buffer): string {
  return `-----BEGIN ${label}-----\n${der.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n?$/, '\n')}-----END ${label}-----\n`;
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

/** Reading certificates and keys back: what a certificate says, whether a key fits it, who signed it. */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { BasicConstraints, ExtendedKeyUsage, id_ce_basicConstraints, id_ce_extKeyUsage, id_ce_subjectAltName, SubjectAlternativeName, type Name } from '@peculiar/asn1-x509';
import { extensionValue, ID_AT_COMMON_NAME, ID_AT_ORGANIZATION, isP256, readCertificate } from './provider.js';
import { normalizeIp, uniqueSorted } from './validate.js';
import type { CertIdentity } from './issue.js';

export interface CertFacts extends CertIdentity {
  isCa: boolean;
  notBefore: Date;
  notAfter: Date;
}

/** Throws (with the parser's message) when the text is not a PEM certificate. */
export function certFacts(pem: string): CertFacts {
  const tbs = readCertificate(pem).asn.tbsCertificate;
  const names = extensionValue(tbs, id_ce_subjectAltName, SubjectAlternativeName) ?? [];
  return {
    commonName: firstValue(tbs.subject, ID_AT_COMMON_NAME),
    organization: firstValue(tbs.subject, ID_AT_ORGANIZATION),
    extKeyUsages: uniqueSorted(extensionValue(tbs, id_ce_extKeyUsage, ExtendedKeyUsage) ?? []),
    dnsNames: uniqueSorted(names.flatMap((n) => (n.dNSName === undefined ? [] : [n.dNSName.toLowerCase()]))),
    ipAddresses: uniqueSorted(names.flatMap((n) => (n.iPAddress === undefined ? [] : [normalizeIp(n.iPAddress)]))),
    isCa: extensionValue(tbs, id_ce_basicConstraints, BasicConstraints)?.cA ?? false,
    notBefore: tbs.validity.notBefore.getTime(),
    notAfter: tbs.validity.notAfter.getTime(),
  };
}

/** The first value of attribute `type` in the name; '' when there is none. */
function firstValue(name: Name, type: string): string {
  for (const rdn of name) for (const attr of rdn) if (attr.type === type) return attr.value.toString();
  return '';
}

export function sameIdentity(a: CertIdentity, b: CertIdentity): boolean {
  return (
    a.commonName === b.commonName &&
    a.organization === b.organization &&
    a.extKeyUsages.join() === b.extKeyUsages.join() &&
    a.dnsNames.join() === b.dnsNames.join() &&
    a.ipAddresses.join() === b.ipAddresses.join()
  );
}

/** Throws when the text is not a PEM private key; otherwise whether it is ECDSA P-256. */
export function isP256Key(keyPem: string): boolean {
  return isP256(createPrivateKey(keyPem));
}

export function keyMatchesCert(certPem: string, keyPem: string): boolean {
  try {
    return new X509Certificate(certPem).checkPrivateKey(createPrivateKey(keyPem));
  } catch {
    return false;
  }
}

/** The CA's name is the certificate's issuer and the CA's key made its signature. */
export function isIssuedBy(certPem: string, caCertPem: string): boolean {
  try {
    const cert = new X509Certificate(certPem);
    const ca = new X509Certificate(caCertPem);
    return cert.checkIssued(ca) && cert.verify(ca.publicKey);
  } catch {
    return false;
  }
}

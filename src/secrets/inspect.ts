/** Reading certificates and keys back: what a certificate says, whether a key fits it, who signed it. */
import { createPrivateKey, X509Certificate as NodeX509 } from 'node:crypto';
import { x509 } from './provider.js';
import { normalizeIp, uniqueSorted } from './validate.js';
import type { CertIdentity } from './issue.js';

export interface CertFacts extends CertIdentity {
  isCa: boolean;
  notBefore: Date;
  notAfter: Date;
}

/** Throws (with the parser's message) when the text is not a PEM certificate. */
export function certFacts(pem: string): CertFacts {
  const cert = new x509.X509Certificate(pem);
  const san = cert.getExtension(x509.SubjectAlternativeNameExtension);
  const items = san?.names.items ?? [];
  const eku = cert.getExtension(x509.ExtendedKeyUsageExtension);
  return {
    commonName: cert.subjectName.getField('CN')[0] ?? '',
    organization: cert.subjectName.getField('O')[0] ?? '',
    extKeyUsages: uniqueSorted((eku?.usages ?? []).map(String)),
    dnsNames: uniqueSorted(items.filter((n) => n.type === 'dns').map((n) => n.value.toLowerCase())),
    ipAddresses: uniqueSorted(items.filter((n) => n.type === 'ip').map((n) => normalizeIp(n.value))),
    isCa: cert.getExtension(x509.BasicConstraintsExtension)?.ca ?? false,
    notBefore: cert.notBefore,
    notAfter: cert.notAfter,
  };
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
  const key = createPrivateKey(keyPem);
  return key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1';
}

export function keyMatchesCert(certPem: string, keyPem: string): boolean {
  try {
    return new NodeX509(certPem).checkPrivateKey(createPrivateKey(keyPem));
  } catch {
    return false;
  }
}

/** The CA's name is the certificate's issuer and the CA's key made its signature. */
export function isIssuedBy(certPem: string, caCertPem: string): boolean {
  try {
    const cert = new NodeX509(certPem);
    const ca = new NodeX509(caCertPem);
    return cert.checkIssued(ca) && cert.verify(ca.publicKey);
  } catch {
    return false;
  }
}

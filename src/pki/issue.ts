/** Issuing a leaf certificate (server, client, peer) signed by the cluster CA. */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import {
  AuthorityKeyIdentifier,
  BasicConstraints,
  ExtendedKeyUsage,
  GeneralName,
  id_ce_authorityKeyIdentifier,
  id_ce_basicConstraints,
  id_ce_extKeyUsage,
  id_ce_keyUsage,
  id_ce_subjectAltName,
  id_ce_subjectKeyIdentifier,
  KeyUsage,
  KeyUsageFlags,
  SubjectAlternativeName,
  SubjectKeyIdentifier,
  type KeyIdentifier,
  type Name,
} from '@peculiar/asn1-x509';
import { distinguishedName, extension, extensionValue, generateKeyPair, isP256, keyIdentifier, readCertificate, signCertificate, validity } from './provider.js';
import { checkCommonName, checkKind, checkNameAttribute, checkNow, checkValidityDays, normalizeDnsName, normalizeIp, uniqueSorted } from './validate.js';
import type { CaPair, CertKind, CertPem, CertRequest, LeafKeyPem, LeafPair } from './types.js';
import { SecretsError } from './types.js';

export const DEFAULT_CERT_VALIDITY_DAYS = 1825;

export const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
export const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';

/** extKeyUsage OIDs for a kind, sorted. */
export function extKeyUsages(kind: CertKind): string[] {
  switch (kind) {
    case 'server':
      return [SERVER_AUTH];
    case 'client':
      return [CLIENT_AUTH];
    case 'peer':
    case 'server+client':
      return [SERVER_AUTH, CLIENT_AUTH];
  }
}

/** What a certificate must say, normalised: equal identities mean an existing certificate can be kept. */
export interface CertIdentity {
  /** '' when the subject has no CN. */
  commonName: string;
  /** '' when the subject has no O. */
  organization: string;
  extKeyUsages: string[];
  dnsNames: string[];
  ipAddresses: string[];
}

export function requestIdentity(req: Pick<CertRequest, 'commonName' | 'organization' | 'kind' | 'dnsNames' | 'ipAddresses'>): CertIdentity {
  const commonName = checkCommonName(req.commonName, true);
  const organization = req.organization === undefined ? '' : checkNameAttribute(req.organization, 'organization', true);
  if (!commonName && !organization) throw new SecretsError('a certificate needs a common name or an organization');
  return {
    commonName,
    organization,
    extKeyUsages: extKeyUsages(checkKind(req.kind)),
    dnsNames: uniqueSorted((req.dnsNames ?? []).map(normalizeDnsName)),
    ipAddresses: uniqueSorted((req.ipAddresses ?? []).map(normalizeIp)),
  };
}

interface CaSigner {
  issuer: Name;
  notAfter: Date;
  keyId: KeyIdentifier;
  signingKey: KeyObject;
}

/**
 * The CA parsed and its key imported (and checked: P-256, fits the certificate) once per CA, not once
 * per certificate. keyId: the CA's subjectKeyIdentifier, or one computed from its key when it has none.
 */
const signers = new WeakMap<CaPair, CaSigner>();

function caSigner(ca: CaPair): CaSigner {
  let signer = signers.get(ca);
  if (!signer) {
    try {
      const { x509, asn } = readCertificate(ca.certPem);
      const signingKey = createPrivateKey(ca.keyPem);
      if (!isP256(signingKey)) throw new Error('the CA key is not an ECDSA P-256 key');
      if (!x509.checkPrivateKey(signingKey)) throw new Error('the CA key does not belong to the CA certificate');
      const tbs = asn.tbsCertificate;
      signer = {
        issuer: tbs.subject,
        notAfter: tbs.validity.notAfter.getTime(),
        keyId: extensionValue(tbs, id_ce_subjectKeyIdentifier, SubjectKeyIdentifier) ?? keyIdentifier(tbs.subjectPublicKeyInfo),
        signingKey,
      };
    } catch (e) {
      throw new SecretsError(`cannot use the CA: ${(e as Error).message}`);
    }
    signers.set(ca, signer);
  }
  return signer;
}

/**
 * A new key and a certificate for it: random 128-bit serial, subject O then CN (each only when set),
 * basicConstraints cA false and keyUsage digitalSignature (both critical), extKeyUsage by kind,
 * subjectKeyIdentifier, authorityKeyIdentifier (the CA's key id), SANs (DNS then IP; none for a
 * client without names).
 */
export async function issueCert(ca: CaPair, req: CertRequest): Promise<LeafPair> {
  const id = requestIdentity(req);
  const days = checkValidityDays(req.validityDays ?? DEFAULT_CERT_VALIDITY_DAYS, 'certificate');
  const now = checkNow(req.now ?? new Date());
  const signer = caSigner(ca);
  const keys = generateKeyPair();
  const names = [...id.dnsNames.map((dNSName) => new GeneralName({ dNSName })), ...id.ipAddresses.map((iPAddress) => new GeneralName({ iPAddress }))];
  const extensions = [
    extension(id_ce_basicConstraints, true, new BasicConstraints({ cA: false })),
    extension(id_ce_keyUsage, true, new KeyUsage(KeyUsageFlags.digitalSignature)),
    extension(id_ce_extKeyUsage, false, new ExtendedKeyUsage(id.extKeyUsages)),
    extension(id_ce_subjectKeyIdentifier, false, keyIdentifier(keys.publicKeyInfo)),
    extension(id_ce_authorityKeyIdentifier, false, new AuthorityKeyIdentifier({ keyIdentifier: signer.keyId })),
  ];
  if (names.length > 0) extensions.push(extension(id_ce_subjectAltName, false, new SubjectAlternativeName(names)));
  const certPem = signCertificate(
    {
      subject: distinguishedName(id),
      issuer: signer.issuer,
      ...validity(now, days, signer.notAfter),
      publicKeyInfo: keys.publicKeyInfo,
      extensions,
    },
    signer.signingKey,
  );
  return { certPem: certPem as CertPem, keyPem: keys.privateKeyPem as LeafKeyPem };
}

/** Issuing a leaf certificate (server, client, peer) signed by the cluster CA. */
import { certToPem, exportPrivateKeyPem, generateKeyPair, importSigningKey, KEY_ALGORITHM, randomSerial, validity, x509 } from './provider.js';
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

/** O then CN, each only when set. */
function subjectName(id: CertIdentity): Array<Record<string, string[]>> {
  const rdns: Array<Record<string, string[]>> = [];
  if (id.organization) rdns.push({ O: [id.organization] });
  if (id.commonName) rdns.push({ CN: [id.commonName] });
  return rdns;
}

interface CaSigner {
  caCert: x509.X509Certificate;
  signingKey: CryptoKey;
  caKeyId: string | undefined;
}

/** The CA parsed and its key imported once per CA, not once per certificate. */
const signers = new WeakMap<CaPair, Promise<CaSigner>>();

function caSigner(ca: CaPair): Promise<CaSigner> {
  let signer = signers.get(ca);
  if (!signer) {
    signer = (async () => {
      try {
        const caCert = new x509.X509Certificate(ca.certPem);
        const signingKey = await importSigningKey(ca.keyPem);
        return { caCert, signingKey, caKeyId: caCert.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId };
      } catch (e) {
        throw new SecretsError(`cannot use the CA: ${(e as Error).message}`);
      }
    })();
    signers.set(ca, signer);
  }
  return signer;
}

/**
 * A new key and a certificate for it: random 128-bit serial, basicConstraints cA false, keyUsage
 * digitalSignature, extKeyUsage by kind, SANs (DNS and IP; none for a client without names),
 * subjectKeyIdentifier and authorityKeyIdentifier (the CA's key id).
 */
export async function issueCert(ca: CaPair, req: CertRequest): Promise<LeafPair> {
  const id = requestIdentity(req);
  const days = checkValidityDays(req.validityDays ?? DEFAULT_CERT_VALIDITY_DAYS, 'certificate');
  const now = checkNow(req.now ?? new Date());
  const { caCert, signingKey, caKeyId } = await caSigner(ca);
  const keys = await generateKeyPair();
  const names = [
    ...id.dnsNames.map((value) => ({ type: 'dns' as const, value })),
    ...id.ipAddresses.map((value) => ({ type: 'ip' as const, value })),
  ];
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    new x509.ExtendedKeyUsageExtension(id.extKeyUsages, false),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    caKeyId ? new x509.AuthorityKeyIdentifierExtension(caKeyId) : await x509.AuthorityKeyIdentifierExtension.create(caCert.publicKey),
  ];
  if (names.length > 0) extensions.push(new x509.SubjectAlternativeNameExtension(names, false));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: subjectName(id),
    issuer: caCert.subjectName,
    ...validity(now, days, caCert.notAfter),
    signingAlgorithm: KEY_ALGORITHM,
    publicKey: keys.publicKey,
    signingKey,
    extensions,
  });
  return { certPem: certToPem(cert) as CertPem, keyPem: (await exportPrivateKeyPem(keys.privateKey)) as LeafKeyPem };
}

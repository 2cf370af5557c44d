/** The cluster CA: a self-signed ECDSA P-256 certificate that signs every leaf. */
import { createPrivateKey } from 'node:crypto';
import { BasicConstraints, id_ce_basicConstraints, id_ce_keyUsage, id_ce_subjectKeyIdentifier, KeyUsage, KeyUsageFlags } from '@peculiar/asn1-x509';
import { distinguishedName, extension, generateKeyPair, keyIdentifier, signCertificate, validity } from './provider.js';
import { checkCommonName, checkNow, checkValidityDays } from './validate.js';
import type { CaKeyPem, CaPair, CaRequest, CertPem } from './types.js';

export const DEFAULT_CA_VALIDITY_DAYS = 3650;

/** basicConstraints cA with pathLen 0 (critical: it signs leaves only), keyUsage keyCertSign + cRLSign (critical), subjectKeyIdentifier. */
export async function createCa(req: CaRequest): Promise<CaPair> {
  const commonName = checkCommonName(req.commonName);
  const days = checkValidityDays(req.validityDays ?? DEFAULT_CA_VALIDITY_DAYS, 'CA');
  const now = checkNow(req.now ?? new Date());
  const keys = generateKeyPair();
  const name = distinguishedName({ commonName });
  const certPem = signCertificate(
    {
      subject: name,
      issuer: name,
      ...validity(now, days),
      publicKeyInfo: keys.publicKeyInfo,
      extensions: [
        extension(id_ce_basicConstraints, true, new BasicConstraints({ cA: true, pathLenConstraint: 0 })),
        extension(id_ce_keyUsage, true, new KeyUsage(KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign)),
        extension(id_ce_subjectKeyIdentifier, false, keyIdentifier(keys.publicKeyInfo)),
      ],
    },
    createPrivateKey(keys.privateKeyPem),
  );
  return { certPem: certPem as CertPem, keyPem: keys.privateKeyPem as CaKeyPem };
}

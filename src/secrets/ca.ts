/** The cluster CA: a self-signed ECDSA P-256 certificate that signs every leaf. */
import { certToPem, exportPrivateKeyPem, generateKeyPair, KEY_ALGORITHM, randomSerial, validity, x509 } from './provider.js';
import { checkCommonName, checkNow, checkValidityDays } from './validate.js';
import type { CaKeyPem, CaPair, CaRequest, CertPem } from './types.js';

export const DEFAULT_CA_VALIDITY_DAYS = 3650;

/** basicConstraints cA (critical, no path length: it signs leaves only), keyUsage keyCertSign + cRLSign (critical), subjectKeyIdentifier. */
export async function createCa(req: CaRequest): Promise<CaPair> {
  const commonName = checkCommonName(req.commonName);
  const days = checkValidityDays(req.validityDays ?? DEFAULT_CA_VALIDITY_DAYS, 'CA');
  const now = checkNow(req.now ?? new Date());
  const keys = await generateKeyPair();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: [{ CN: [commonName] }],
    ...validity(now, days),
    signingAlgorithm: KEY_ALGORITHM,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: certToPem(cert) as CertPem, keyPem: (await exportPrivateKeyPem(keys.privateKey)) as CaKeyPem };
}

/**
 * The cluster's PKI (like talosctl's secrets bundle): one CA, leaf certificates for etcd members,
 * proxies, locksmith and the Docker API. ECDSA P-256 / SHA-256 keys and signatures from node:crypto,
 * X.509 structures from @peculiar/asn1-x509 (provider.ts).
 *
 * Pure part (no files; keys are random; createCa and issueCert return promises but work synchronously):
 *   createCa({ commonName, validityDays?, now? })                      -> CaPair { certPem, keyPem }
 *   issueCert(ca, { commonName, kind, dnsNames?, ipAddresses?, validityDays?, now? }) -> LeafPair
 *   clusterSecretsRequest({ clusterName, etcdMembers, etcdProxies, locksmiths, docker, ... }) -> SecretsRequest
 *   planSecrets(request, existing?)  -> SecretsPlan { bundle, caCreated, issued, reused, dropped }
 *     keeps every existing certificate (byte-for-byte) whose CN, kind and SANs are unchanged,
 *     issues the rest; `rotate: true` makes everything new (see plan.ts).
 *   etcdMemberSecrets / etcdClientSecrets / etcdProxySecrets / locksmithSecrets /
 *   dockerServerSecrets / machineSecrets / dockerClientFiles: a machine's share, for its config.
 * Disk part: pkiDir(DIR) = DIR/pki; loadBundle(pkiDir) -> bundle | null; saveBundle(pkiDir, bundle).
 *
 * The CA key only ever lives in SecretsBundle.ca and DIR/pki/ca-key.pem: the machine-facing types
 * hold branded `CertPem` / `LeafKeyPem` values that a `CaKeyPem` is not assignable to (types.ts).
 */
export * from './types.js';
export { createCa, DEFAULT_CA_VALIDITY_DAYS } from './ca.js';
export { issueCert, extKeyUsages, DEFAULT_CERT_VALIDITY_DAYS, SERVER_AUTH, CLIENT_AUTH } from './issue.js';
export type { CertIdentity } from './issue.js';
export { certFacts, isIssuedBy, isP256Key, keyMatchesCert } from './inspect.js';
export type { CertFacts } from './inspect.js';
export { planSecrets, DEFAULT_RENEW_WITHIN_DAYS } from './plan.js';
export { clusterSecretsRequest, caCommonName, servingSans, entryNames, ETCD_PEER_CN, ETCD_PROXY_O, DOCKER_CLIENT_CN } from './names.js';
export type { ClusterSecretsInput, ServingMachine } from './names.js';
export {
  dockerClientFiles,
  dockerServerSecrets,
  etcdClientSecrets,
  etcdMemberSecrets,
  etcdProxySecrets,
  locksmithSecrets,
  machineSecrets,
  mentionsCaKey,
} from './machine.js';
export type { ClientFile, DockerServerSecrets, EtcdClientSecrets, EtcdMemberSecrets, MachineSecrets } from './machine.js';
export { loadBundle, saveBundle, pkiDir, DIR_MODE, KEY_MODE, CERT_MODE } from './store.js';

/**
 * What goes to one machine's config: the CA certificate and that machine's own leaf certificates
 * and keys. These types hold only `CertPem` and `LeafKeyPem` values, so the CA key (a `CaKeyPem`)
 * cannot be put into them without a cast; they are what the generator hands to templates.
 * `mentionsCaKey` is a belt-and-braces check for rendered output.
 */
import { entryNames } from './names.js';
import { SecretsError } from './types.js';
import type { CertPem, LeafPair, SecretsBundle } from './types.js';

export interface EtcdMemberSecrets {
  readonly caCertPem: CertPem;
  /** ETCD_CERT_FILE / ETCD_KEY_FILE. */
  readonly server: LeafPair;
  /** ETCD_PEER_CERT_FILE / ETCD_PEER_KEY_FILE. */
  readonly peer: LeafPair;
}

export interface EtcdClientSecrets {
  readonly caCertPem: CertPem;
  readonly client: LeafPair;
}

export interface DockerServerSecrets {
  readonly caCertPem: CertPem;
  readonly server: LeafPair;
}

/** Any one machine's share of the bundle, by entry name. */
export interface MachineSecrets {
  readonly caCertPem: CertPem;
  readonly certs: Readonly<Record<string, LeafPair>>;
}

/** A file for a directory on the user's computer (DIR/docker-client/). */
export interface ClientFile {
  readonly name: 'ca.pem' | 'cert.pem' | 'key.pem';
  readonly contents: string;
  readonly mode: number;
}

function entry(bundle: SecretsBundle, name: string): LeafPair {
  const pair = bundle.certs[name];
  if (!pair) throw new SecretsError(`the PKI bundle has no certificate ${name}`);
  return pair;
}

export function machineSecrets(bundle: SecretsBundle, names: readonly string[]): MachineSecrets {
  const certs: Record<string, LeafPair> = {};
  for (const n of names) certs[n] = entry(bundle, n);
  return { caCertPem: bundle.ca.certPem, certs };
}

export function etcdMemberSecrets(bundle: SecretsBundle, member: string): EtcdMemberSecrets {
  return {
    caCertPem: bundle.ca.certPem,
    server: entry(bundle, entryNames.etcdMemberServer(member)),
    peer: entry(bundle, entryNames.etcdMemberPeer(member)),
  };
}

/** A client certificate by entry name (see `etcdProxySecrets` and `locksmithSecrets`). */
export function etcdClientSecrets(bundle: SecretsBundle, name: string): EtcdClientSecrets {
  return { caCertPem: bundle.ca.certPem, client: entry(bundle, name) };
}

export function etcdProxySecrets(bundle: SecretsBundle, machine: string): EtcdClientSecrets {
  return etcdClientSecrets(bundle, entryNames.etcdProxyClient(machine));
}

export function locksmithSecrets(bundle: SecretsBundle, machine: string): EtcdClientSecrets {
  return etcdClientSecrets(bundle, entryNames.locksmithClient(machine));
}

/** For /etc/docker/ca.pem, server.pem, server-key.pem. */
export function dockerServerSecrets(bundle: SecretsBundle): DockerServerSecrets {
  return { caCertPem: bundle.ca.certPem, server: entry(bundle, entryNames.dockerServer) };
}

/** ca.pem, cert.pem (0644) and key.pem (0600) for DOCKER_CERT_PATH=DIR/docker-client. */
export function dockerClientFiles(bundle: SecretsBundle): ClientFile[] {
  const client = entry(bundle, entryNames.dockerClient);
  return [
    { name: 'ca.pem', contents: bundle.ca.certPem, mode: 0o644 },
    { name: 'cert.pem', contents: client.certPem, mode: 0o644 },
    { name: 'key.pem', contents: client.keyPem, mode: 0o600 },
  ];
}

/**
 * Whether `text` (a rendered Butane file, a summary...) contains the CA key, whole or any one line of
 * its base64 body. Use it as a last check before writing machine configs. (Ignition JSON may hold
 * file contents compressed, so check the Butane text.)
 */
export function mentionsCaKey(bundle: SecretsBundle, text: string): boolean {
  const lines = bundle.ca.keyPem
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length >= 16 && !l.startsWith('-----'));
  return lines.some((l) => text.includes(l));
}

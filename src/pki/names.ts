/**
 * The cluster's certificate entries and how to ask for them. Entry names are paths under `pki/`.
 *
 * | entry                          | kind          | CN                   | SANs                                    |
 * | etcd/member/<name>/server      | server+client | <name>               | address, <name>, localhost, 127.0.0.1   |
 * | etcd/member/<name>/peer        | peer          | etcd-peer            | as the server certificate               |
 * | etcd/proxy/<name>/client       | client        | none; O=etcd-proxy   | <name> (a worker's grpc-proxy)          |
 * | etcd/locksmith/<name>/client   | client        | locksmith-<name>     | none (locksmithd, etcd-lock)            |
 * | docker/server                  | server        | <name>               | address, <name>, localhost, 127.0.0.1   |
 * | docker/client                  | client        | docker-client        | none (DIR/docker-client/)               |
 *
 * - A member's server certificate has clientAuth too: etcd's gRPC gateway dials the member's own client
 *   port with it (etcd-io/etcd#9785); without it etcd logs rejected connections.
 * - etcd's grpc-proxy refuses to start with a client certificate that has a CN (etcd would take the
 *   CN as the user of every request it forwards), so the proxy's certificate has O=etcd-proxy and the
 *   machine's name as a DNS SAN instead.
 * - Every peer certificate has the same CN, so members can set `ETCD_PEER_CERT_ALLOWED_CN=etcd-peer`
 *   and no proxy, locksmith or server certificate of the same CA is accepted on the peer port.
 * - localhost/127.0.0.1 let a client reach a server through a local port forward (e.g. QEMU hostfwd or
 *   `ssh -L` to the laptop's 2376, which is how DHCP machines without a known address are reached).
 */
import { isIP } from 'node:net';
import { join } from 'node:path';
import type { CertRequest, SecretsRequest } from './types.js';

export const ETCD_PEER_CN = 'etcd-peer';
export const DOCKER_CLIENT_CN = 'docker-client';
export const ETCD_PROXY_O = 'etcd-proxy';

export const entryNames = {
  etcdMemberServer: (member: string) => `etcd/member/${member}/server`,
  etcdMemberPeer: (member: string) => `etcd/member/${member}/peer`,
  etcdProxyClient: (machine: string) => `etcd/proxy/${machine}/client`,
  locksmithClient: (machine: string) => `etcd/locksmith/${machine}/client`,
  dockerServer: 'docker/server',
  dockerClient: 'docker/client',
} as const;

/** A machine that serves TLS: its name and, with a static address, that address. */
export interface ServingMachine {
  name: string;
  /** IPv4/IPv6 address or a host name others reach it by; null or absent with DHCP. */
  address?: string | null;
  /** More DNS names to put in the SANs (e.g. an FQDN). */
  dnsNames?: readonly string[];
}

export interface ClusterSecretsInput {
  /** Used in the CA's common name only. */
  clusterName: string;
  etcdMembers?: readonly ServingMachine[];
  /** Workers whose local grpc-proxy needs a client certificate. */
  etcdProxies?: readonly string[];
  /** Machines whose locksmithd talks to the members (etcd-lock). */
  locksmiths?: readonly string[];
  /** The laptop VM whose Docker API listens with TLS. */
  docker?: ServingMachine | null;
  caValidityDays?: number;
  certValidityDays?: number;
  now?: Date;
  rotate?: boolean;
}

/** The server's own names: its address (IP or DNS), its name, localhost and 127.0.0.1. */
export function servingSans(m: ServingMachine): Pick<CertRequest, 'dnsNames' | 'ipAddresses'> {
  const dnsNames = [m.name, 'localhost', ...(m.dnsNames ?? [])];
  const ipAddresses = ['127.0.0.1'];
  if (m.address) (isIP(m.address) ? ipAddresses : dnsNames).push(m.address);
  return { dnsNames, ipAddresses };
}

/** The CA's common name: "<cluster> CA", shortened to X.509's 64 characters. */
export function caCommonName(clusterName: string): string {
  const base = clusterName.replace(/[^\x20-\x7e]/g, '?').trim() || 'flatcar-architect';
  return `${base.slice(0, 61).trim()} CA`;
}

function cn(prefix: string, name: string): string {
  return `${prefix}${name}`.slice(0, 64);
}

/** The SecretsRequest for a cluster: one CA and the entries listed in this file's header. */
export function clusterSecretsRequest(input: ClusterSecretsInput): SecretsRequest {
  const validityDays = input.certValidityDays;
  const certs: Record<string, Omit<CertRequest, 'now'>> = {};
  const add = (name: string, req: Omit<CertRequest, 'now' | 'validityDays'>) => {
    certs[name] = validityDays === undefined ? req : { ...req, validityDays };
  };
  for (const m of input.etcdMembers ?? []) {
    add(entryNames.etcdMemberServer(m.name), { commonName: cn('', m.name), kind: 'server+client', ...servingSans(m) });
    add(entryNames.etcdMemberPeer(m.name), { commonName: ETCD_PEER_CN, kind: 'peer', ...servingSans(m) });
  }
  for (const w of input.etcdProxies ?? []) add(entryNames.etcdProxyClient(w), { commonName: '', organization: ETCD_PROXY_O, kind: 'client', dnsNames: [w] });
  for (const w of input.locksmiths ?? []) add(entryNames.locksmithClient(w), { commonName: cn('locksmith-', w), kind: 'client' });
  if (input.docker) {
    add(entryNames.dockerServer, { commonName: cn('', input.docker.name), kind: 'server', ...servingSans(input.docker) });
    add(entryNames.dockerClient, { commonName: DOCKER_CLIENT_CN, kind: 'client' });
  }
  const request: SecretsRequest = {
    ca: { commonName: caCommonName(input.clusterName), ...(input.caValidityDays === undefined ? {} : { validityDays: input.caValidityDays }) },
    certs,
  };
  if (input.now) request.now = input.now;
  if (input.rotate) request.rotate = true;
  return request;
}

/** `DIR/pki`, where src/pki/store.ts keeps the bundle. */
export function pkiDir(outDir: string): string {
  return join(outDir, 'pki');
}

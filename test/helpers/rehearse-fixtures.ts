/**
 * Hand-written Ignition configs in the exact shape the generator's templates give (etcd.bu.hbs,
 * worker.bu.hbs, locksmith.hbs, transpiled): members with `etcd-member.service` drop-ins,
 * workers with an `etcd-grpc-proxy.service` running the proxy in Docker.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { tempDir } from './tmp.js';

export type Ign = Record<string, any>;

export const VERSION = 'v3.5.16';
export const IMAGE = `quay.io/coreos/etcd:${VERSION}`;

/** A data URL the way Butane writes short text (percent-encoded). */
export const dataUrl = (text: string) => `data:,${encodeURIComponent(text)}`;
/** A gzip + base64 data URL, as Butane writes larger contents. */
export const gzipUrl = (text: string) => `data:;base64,${gzipSync(Buffer.from(text)).toString('base64')}`;

export function file(path: string, text: string, options: { mode?: number; gzip?: boolean } = {}): Ign {
  return {
    overwrite: true,
    path,
    contents: options.gzip ? { compression: 'gzip', source: gzipUrl(text) } : { compression: '', source: dataUrl(text) },
    mode: options.mode ?? 420,
  };
}

const locksmith = (endpoints: string[]): Ign => ({
  dropins: [{ contents: `[Service]\nEnvironment="LOCKSMITHD_ENDPOINT=${endpoints.join(',')}"\n`, name: '20-etcd-endpoints.conf' }],
  enabled: true,
  name: 'locksmithd.service',
});

export interface MemberSpec {
  name: string;
  /** Address (static) or host name (DHCP). */
  host: string;
  /** Listen host: the address, or 0.0.0.0 with DHCP. */
  listen?: string;
}

export interface ClusterSpecLite {
  members: MemberSpec[];
  workers: string[];
  token: string;
  enableV2?: boolean;
  /** https for TLS (issue 6); the certificates come in extra drop-ins and files. */
  scheme?: 'http' | 'https';
}

const peerUrl = (m: MemberSpec, c: ClusterSpecLite) => `${c.scheme ?? 'http'}://${m.host}:2380`;
const clientUrl = (m: MemberSpec, c: ClusterSpecLite) => `${c.scheme ?? 'http'}://${m.host}:2379`;
const clientUrls = (c: ClusterSpecLite) => c.members.map((m) => clientUrl(m, c));

export function memberIgnition(self: MemberSpec, cluster: ClusterSpecLite, extraDropins: Ign[] = []): Ign {
  const listen = peerUrl({ ...self, host: self.listen ?? self.host }, cluster).replace(/:2380$/, '');
  const env = [
    `ETCD_NAME=${self.name}`,
    'ETCD_DATA_DIR=/var/lib/etcd',
    `ETCD_LISTEN_PEER_URLS=${listen}:2380`,
    `ETCD_LISTEN_CLIENT_URLS=${listen}:2379`,
    `ETCD_INITIAL_ADVERTISE_PEER_URLS=${peerUrl(self, cluster)}`,
    `ETCD_ADVERTISE_CLIENT_URLS=${clientUrl(self, cluster)}`,
    `ETCD_INITIAL_CLUSTER=${cluster.members.map((m) => `${m.name}=${peerUrl(m, cluster)}`).join(',')}`,
    `ETCD_INITIAL_CLUSTER_TOKEN=${cluster.token}`,
    'ETCD_INITIAL_CLUSTER_STATE=new',
    ...(cluster.enableV2 ? ['ETCD_ENABLE_V2=true'] : []),
  ];
  return {
    ignition: { version: '3.3.0' },
    storage: { files: [file('/etc/hostname', self.name), file('/etc/flatcar/update.conf', 'GROUP=stable\nREBOOT_STRATEGY=etcd-lock\n')] },
    systemd: {
      units: [
        {
          dropins: [
            { contents: `[Service]\nEnvironment="ETCD_IMAGE_TAG=${VERSION}"\n`, name: '10-image.conf' },
            { contents: `[Service]\n${env.map((e) => `Environment="${e}"`).join('\n')}\n`, name: '20-cluster.conf' },
            ...extraDropins,
          ],
          enabled: true,
          name: 'etcd-member.service',
        },
        ...(cluster.enableV2 ? [locksmith(clientUrls(cluster))] : []),
      ],
    },
  };
}

/** worker.bu.hbs's unit text, with the given endpoints (and optional extra docker and proxy options). */
export function proxyUnit(endpoints: string[], dockerOptions = '', proxyOptions = ''): string {
  return `[Unit]
Description=etcd gRPC proxy: the cluster's etcd on 127.0.0.1:2379
Documentation=https://etcd.io/docs/v3.5/op-guide/grpc_proxy/
Requires=docker.service
After=docker.service network-online.target
Wants=network-online.target

[Service]
ExecStartPre=-/usr/bin/docker rm --force etcd-grpc-proxy
ExecStart=/usr/bin/docker run --rm --name etcd-grpc-proxy --network host ${dockerOptions}${IMAGE} /usr/local/bin/etcd grpc-proxy start --endpoints=${endpoints.join(',')} ${proxyOptions}--listen-addr=127.0.0.1:2379
ExecStop=/usr/bin/docker stop etcd-grpc-proxy
Restart=always
RestartSec=10s

[Install]
WantedBy=multi-user.target
`;
}

export function workerIgnition(name: string, cluster: ClusterSpecLite): Ign {
  return {
    ignition: { version: '3.3.0' },
    storage: { files: [file('/etc/hostname', name)] },
    systemd: {
      units: [{ contents: proxyUnit(clientUrls(cluster)), enabled: true, name: 'etcd-grpc-proxy.service' }, ...(cluster.enableV2 ? [locksmith(clientUrls(cluster))] : [])],
    },
  };
}

/** A cluster of `members` static members from 10.0.0.101 and `workers` workers. */
export function staticCluster(prefix: string, members: number, workers: number, enableV2 = true): ClusterSpecLite {
  return {
    members: Array.from({ length: members }, (_, i) => ({ name: `${prefix}-etcd-${i + 1}`, host: `10.0.0.${101 + i}` })),
    workers: Array.from({ length: workers }, (_, i) => `${prefix}-worker-${i + 1}`),
    token: prefix,
    enableV2,
  };
}

/** Every machine's Ignition config, by machine name. */
export function clusterConfigs(cluster: ClusterSpecLite): Record<string, Ign> {
  return {
    ...Object.fromEntries(cluster.members.map((m) => [m.name, memberIgnition(m, cluster)])),
    ...Object.fromEntries(cluster.workers.map((w) => [w, workerIgnition(w, cluster)])),
  };
}

/** Writes `<machine>.ign` for each config into a new temp dir; returns the dir. */
export function writeClusterDir(configs: Record<string, Ign>, prefix = 'rehearse-fixture-'): string {
  const dir = tempDir(prefix);
  mkdirSync(dir, { recursive: true });
  for (const [name, config] of Object.entries(configs)) writeFileSync(join(dir, `${name}.ign`), JSON.stringify(config, null, 2) + '\n');
  return dir;
}

/** The generator's 30-tls.conf (issue 6): certificates in ETCD_SSL_DIR, seen at /etc/ssl/certs by the wrapper. */
export const TLS_ENV = [
  'ETCD_SSL_DIR=/etc/ssl/etcd',
  'ETCD_TRUSTED_CA_FILE=/etc/ssl/certs/ca.pem',
  'ETCD_CERT_FILE=/etc/ssl/certs/server.pem',
  'ETCD_KEY_FILE=/etc/ssl/certs/server-key.pem',
  'ETCD_CLIENT_CERT_AUTH=true',
  'ETCD_PEER_TRUSTED_CA_FILE=/etc/ssl/certs/ca.pem',
  'ETCD_PEER_CERT_FILE=/etc/ssl/certs/peer.pem',
  'ETCD_PEER_KEY_FILE=/etc/ssl/certs/peer-key.pem',
  'ETCD_PEER_CLIENT_CERT_AUTH=true',
  'ETCD_PEER_CERT_ALLOWED_CN=etcd-peer',
];

/** A machine's PEM text by file name (`ca.pem`, `server.pem`, `client-key.pem`, ...); any text will do for planning. */
export type Pem = (machine: string, file: string) => string;
export const fakePem: Pem = (machine, name) => `${machine} ${name}\n`;

const sslFile = (machine: string, name: string, pem: Pem) => file(`/etc/ssl/etcd/${name}`, pem(machine, name), name.endsWith('-key.pem') ? { mode: 0o600, gzip: true } : {});

/** A member as the generator writes it with TLS: https URLs, 30-tls.conf, the certificates in /etc/ssl/etcd. */
export function tlsMemberIgnition(self: MemberSpec, cluster: ClusterSpecLite, pem: Pem, env = TLS_ENV): Ign {
  const config = memberIgnition(self, { ...cluster, scheme: 'https' }, [{ name: '30-tls.conf', contents: `[Service]\n${env.map((e) => `Environment="${e}"`).join('\n')}\n` }]);
  config.storage.files.push(...['ca.pem', 'server.pem', 'server-key.pem', 'peer.pem', 'peer-key.pem'].map((n) => sslFile(self.name, n, pem)));
  return config;
}

/** A worker as the generator writes it with TLS: the proxy in Docker with `-v` and --cert --key --cacert. */
export function tlsWorkerIgnition(name: string, cluster: ClusterSpecLite, pem: Pem): Ign {
  const endpoints = cluster.members.map((m) => `https://${m.host}:2379`);
  const flags = '--cert=/etc/ssl/certs/client.pem --key=/etc/ssl/certs/client-key.pem --cacert=/etc/ssl/certs/ca.pem ';
  return {
    ignition: { version: '3.3.0' },
    storage: { files: [file('/etc/hostname', name), ...['ca.pem', 'client.pem', 'client-key.pem'].map((n) => sslFile(name, n, pem))] },
    systemd: { units: [{ name: 'etcd-grpc-proxy.service', enabled: true, contents: proxyUnit(endpoints, '-v /etc/ssl/etcd:/etc/ssl/certs:ro ', flags) }] },
  };
}

export function tlsClusterConfigs(cluster: ClusterSpecLite, pem: Pem = fakePem): Record<string, Ign> {
  return {
    ...Object.fromEntries(cluster.members.map((m) => [m.name, tlsMemberIgnition(m, cluster, pem)])),
    ...Object.fromEntries(cluster.workers.map((w) => [w, tlsWorkerIgnition(w, cluster, pem)])),
  };
}

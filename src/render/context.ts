/**
 * What a machine's templates see. Every key is always present (null or [] when it does not apply),
 * so that strict Handlebars can tell a template's typo from a value that is simply absent.
 */
import { machineEntries, type EtcdMember, type Machine, type Plan } from '../plan/index.js';
import { entryNames, ETCD_PEER_CN } from '../pki/names.js';
import { ETCD_IMAGE_REPO } from '../answers/resolve.js';
import type { MachineSecrets } from '../pki/machine.js';
import type { CertPem, LeafKeyPem, LeafPair } from '../pki/types.js';

export const ETCD_DATA_DIR = '/var/lib/etcd';
/** The plain Docker API (--docker-insecure) and the TLS one. */
export const DOCKER_PORT = 2375;
export const DOCKER_TLS_PORT = 2376;
export const PROXY_LISTEN = '127.0.0.1:2379';

/**
 * etcd maintenance (issue 15). etcd 3.5 compacts nothing by itself and stops writes (NOSPACE) at its
 * backend quota. Periodic compaction keeping 1 hour of history: bounded by time whatever the write
 * rate (revision-based retention is not), long enough for a watcher (a restarted proxy, locksmith)
 * to resume. The quota is stated, 4 GiB: twice etcd's 2 GiB default, half its recommended 8 GiB
 * maximum; with compaction on, only an unusually busy cluster gets near it (then defragment, SUMMARY).
 */
export const ETCD_COMPACTION_MODE = 'periodic';
export const ETCD_COMPACTION_RETENTION = '1h';
export const ETCD_QUOTA_BACKEND_BYTES = 4 * 1024 ** 3;
/**
 * The public CA bundle of the host (Flatcar: /etc/ssl/certs/ca-certificates.crt). The etcd-wrapper
 * mounts ETCD_SSL_DIR at /etc/ssl/certs in the container, hiding the image's bundle: an https
 * discovery URL then fails with "certificate signed by unknown authority". A copy in ETCD_SSL_DIR is
 * what etcd sees at the bundle's usual path (Go reads /etc/ssl/certs/ca-certificates.crt first).
 */
export const HOST_CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';
export const CA_BUNDLE_NAME = 'ca-certificates.crt';

/**
 * Where the TLS files go on the machines (issue 6). etcd's files live in their own host directory,
 * which Flatcar's etcd-wrapper (ETCD_SSL_DIR) and the workers' proxy (docker -v) mount read-only at
 * /etc/ssl/certs inside the container; the etcd settings name the container paths.
 */
export const ETCD_SSL_DIR = '/etc/ssl/etcd';
export const CONTAINER_SSL_DIR = '/etc/ssl/certs';
/** The user etcd runs as in Flatcar's etcd-wrapper (uid 232): owns /etc/ssl/etcd and its files. */
export const ETCD_USER = 'etcd';
export const LOCKSMITH_SSL_DIR = '/etc/ssl/locksmith';
export const DOCKER_TLS_DIR = '/etc/docker';

/** A certificate (0644) or private key (0600) for storage.files; owner null is root. */
export interface TlsFile {
  path: string;
  pem: string;
  key: boolean;
  owner: string | null;
}

/** A directory (0700) for storage.directories; owner null is root. */
export interface TlsDirectory {
  path: string;
  owner: string | null;
}

export interface MachineContext {
  cluster: { name: string; preset: string };
  machine: { name: string; role: string; address: string | null; addressWithPrefix: string | null; mac: string | null };
  network: {
    static: boolean;
    /** The .network file's path. */
    file: string | null;
    /** [Match] Name= when not matching by MAC. */
    interface: string | null;
    gateway: string | null;
    dns: string[];
    domains: string[];
  };
  ssh: { keys: string[] };
  updates: {
    group: string;
    rebootStrategy: string;
    rebootWindow: { start: string; length: string } | null;
    etcdLock: boolean;
    /** update.conf SERVER=, null for the public server. */
    server: string | null;
  };
  /** timesyncd's NTP= servers; [] keeps the image's. */
  ntp: string[];
  etcd: {
    version: string;
    image: string;
    /** ETCD_IMAGE_URL for the wrapper when not Flatcar's default repository, else null. */
    imageUrl: string | null;
    dataDir: string;
    /** Auto-compaction and quota of a member (see ETCD_COMPACTION_MODE). */
    maintenance: { compactionMode: string; compactionRetention: string; quotaBytes: string };
    /** locksmith's endpoints: own member first on members, a rotation on workers (never one member first everywhere). */
    locksmithEndpoints: string[];
    /** ExecStartPre lines that copy the host's public CA bundle into ETCD_SSL_DIR (https discovery with TLS), else []. */
    caBundleCopy: string[];
    /** This machine's own member settings, on etcd machines. */
    self: EtcdMember | null;
    clientEndpoints: string[];
    initialCluster: string;
    /** ETCD_INITIAL_CLUSTER_STATE: new, or existing for a member added to a running cluster (scale). */
    initialClusterState: 'new' | 'existing';
    discovery: string | null;
    token: string;
    enableV2: boolean;
    proxyListen: string;
  } | null;
  /** The laptop's Docker API: the socket unit, its port, and whether it takes TLS. */
  docker: { socket: string; port: number; tls: boolean } | null;
  /** TLS material and settings for this machine; empty lists and nulls where it runs none. */
  tls: {
    files: TlsFile[];
    directories: TlsDirectory[];
    /** An etcd member's ETCD_* TLS settings (container paths) and ETCD_SSL_DIR (host). */
    etcd: {
      sslDir: string;
      caFile: string;
      certFile: string;
      keyFile: string;
      peerCertFile: string;
      peerKeyFile: string;
      peerAllowedCn: string;
    } | null;
    /** A worker's grpc-proxy: the docker -v mount and its client flags (container paths). */
    proxy: { mount: string; cacert: string; cert: string; key: string } | null;
    /** locksmithd's LOCKSMITHD_ETCD_* files. */
    locksmith: { caFile: string; certFile: string; keyFile: string } | null;
    /** dockerd's TLS options (DOCKER_OPTS). */
    docker: { opts: string } | null;
  };
}

function networkFile(match: { interface: string } | { macPrefix: string }): string {
  const simple = 'interface' in match && /^[A-Za-z0-9_.-]+$/.test(match.interface);
  return `/etc/systemd/network/00-${simple ? (match as { interface: string }).interface : 'static'}.network`;
}

/** Each non-member machine's position among the plan's non-members, made once per plan (not per machine). */
const nonMemberIndex = new WeakMap<Plan, Map<string, number>>();
function nonMemberPositions(plan: Plan): Map<string, number> {
  let index = nonMemberIndex.get(plan);
  if (!index) {
    const members = new Set(plan.etcd?.members.map((e) => e.name));
    index = new Map();
    for (const m of plan.machines) if (!members.has(m.name) && !index.has(m.name)) index.set(m.name, index.size);
    nonMemberIndex.set(plan, index);
  }
  return index;
}

/**
 * locksmith's endpoint order (issue 15). locksmithctl moves to the next endpoint only when one refuses
 * the connection, not when it times out (a powered-off machine): with the same first member
 * everywhere, that member down would block every reboot although quorum holds. So a member lists its
 * own member first (if it is down, so is that machine's need to lock), and the other machines start at
 * a rotation of the list by their position among the non-members, spreading the first choice.
 */
export function locksmithOrder(plan: Plan, machine: Machine, endpoints: readonly string[]): string[] {
  if (endpoints.length === 0) return [];
  const own = plan.etcd?.members.find((m) => m.name === machine.name);
  let start = own ? endpoints.indexOf(own.clientUrl) : -1;
  if (start < 0) start = (nonMemberPositions(plan).get(machine.name) ?? 0) % endpoints.length;
  return [...endpoints.slice(start), ...endpoints.slice(0, start)];
}

/** Marks the text of a preview (rendered without a PKI): never a real certificate or key. */
export const PREVIEW_MARK = 'PREVIEW';

/**
 * PEM-shaped stand-ins for a machine's share of the PKI, for rendering without one (tests, the
 * wizard's comparisons, dry runs). Such configs cannot work and are never written (see generate.ts).
 */
export function previewSecrets(names: readonly string[]): MachineSecrets {
  const pem = (label: string, what: string) => `-----BEGIN ${label}-----\n${PREVIEW_MARK} ${what}: made when the cluster is written\n-----END ${label}-----\n`;
  const certs: Record<string, LeafPair> = {};
  for (const n of names) certs[n] = { certPem: pem('CERTIFICATE', n) as CertPem, keyPem: pem('PRIVATE KEY', `${n} key`) as LeafKeyPem };
  return { caCertPem: pem('CERTIFICATE', 'the cluster CA') as CertPem, certs };
}

/** This machine's TLS files and settings from its share of the PKI (see src/plan/secrets.ts). */
function tlsContext(plan: Plan, machine: Machine, given: MachineSecrets | null): MachineContext['tls'] {
  const tls: MachineContext['tls'] = { files: [], directories: [], etcd: null, proxy: null, locksmith: null, docker: null };
  const entries = machineEntries(plan, machine);
  if (entries.length === 0) return tls;
  const secrets = given ?? previewSecrets(entries);
  const has = (name: string) => entries.includes(name);
  const put = (dir: string, owner: string | null, name: string, entry: string) => {
    const pair = secrets.certs[entry];
    if (!pair) throw new Error(`the PKI has no certificate ${entry} for ${machine.name}`);
    tls.files.push({ path: `${dir}/${name}.pem`, pem: pair.certPem, key: false, owner });
    tls.files.push({ path: `${dir}/${name}-key.pem`, pem: pair.keyPem, key: true, owner });
  };
  const ca = (dir: string, owner: string | null) => {
    tls.directories.push({ path: dir, owner });
    tls.files.push({ path: `${dir}/ca.pem`, pem: secrets.caCertPem, key: false, owner });
  };
  const inContainer = (name: string) => `${CONTAINER_SSL_DIR}/${name}`;
  const server = entryNames.etcdMemberServer(machine.name);
  const proxy = entryNames.etcdProxyClient(machine.name);
  if (has(server)) {
    ca(ETCD_SSL_DIR, ETCD_USER);
    put(ETCD_SSL_DIR, ETCD_USER, 'server', server);
    put(ETCD_SSL_DIR, ETCD_USER, 'peer', entryNames.etcdMemberPeer(machine.name));
    tls.etcd = {
      sslDir: ETCD_SSL_DIR,
      caFile: inContainer('ca.pem'),
      certFile: inContainer('server.pem'),
      keyFile: inContainer('server-key.pem'),
      peerCertFile: inContainer('peer.pem'),
      peerKeyFile: inContainer('peer-key.pem'),
      peerAllowedCn: ETCD_PEER_CN,
    };
  } else if (has(proxy)) {
    ca(ETCD_SSL_DIR, ETCD_USER);
    put(ETCD_SSL_DIR, ETCD_USER, 'client', proxy);
    tls.proxy = { mount: `${ETCD_SSL_DIR}:${CONTAINER_SSL_DIR}:ro`, cacert: inContainer('ca.pem'), cert: inContainer('client.pem'), key: inContainer('client-key.pem') };
  }
  const locksmith = entryNames.locksmithClient(machine.name);
  if (has(locksmith)) {
    ca(LOCKSMITH_SSL_DIR, null);
    put(LOCKSMITH_SSL_DIR, null, 'client', locksmith);
    tls.locksmith = { caFile: `${LOCKSMITH_SSL_DIR}/ca.pem`, certFile: `${LOCKSMITH_SSL_DIR}/client.pem`, keyFile: `${LOCKSMITH_SSL_DIR}/client-key.pem` };
  }
  if (has(entryNames.dockerServer)) {
    // /etc/docker is Docker's own directory: only the files are declared, not the directory.
    tls.files.push({ path: `${DOCKER_TLS_DIR}/ca.pem`, pem: secrets.caCertPem, key: false, owner: null });
    put(DOCKER_TLS_DIR, null, 'server', entryNames.dockerServer);
    tls.docker = {
      opts: `--tlsverify --tlscacert=${DOCKER_TLS_DIR}/ca.pem --tlscert=${DOCKER_TLS_DIR}/server.pem --tlskey=${DOCKER_TLS_DIR}/server-key.pem`,
    };
  }
  return tls;
}

/**
 * `secrets`: this machine's share of the PKI (machineSecrets(bundle, machineEntries(plan, machine)));
 * null renders a preview with stand-ins (previewSecrets) where the machine needs certificates.
 */
export function machineContext(plan: Plan, machine: Machine, secrets: MachineSecrets | null = null): MachineContext {
  const { spec, etcd } = plan;
  const dockerTls = spec.security.dockerTls === true;
  const net = spec.network;
  return {
    cluster: { name: spec.name, preset: spec.preset },
    machine: {
      name: machine.name,
      role: machine.role,
      address: machine.address,
      addressWithPrefix: machine.address && !net.dhcp ? `${machine.address}/${net.prefixLength}` : null,
      mac: machine.mac,
    },
    network: net.dhcp
      ? { static: false, file: null, interface: null, gateway: null, dns: [], domains: [] }
      : {
          static: true,
          file: networkFile(net.match),
          interface: 'interface' in net.match ? net.match.interface : null,
          gateway: net.gateway,
          dns: net.dns,
          domains: net.domains,
        },
    ssh: { keys: spec.ssh.keys },
    updates: {
      group: spec.updates.group,
      rebootStrategy: spec.updates.rebootStrategy,
      rebootWindow: spec.updates.rebootWindow,
      etcdLock: spec.updates.rebootStrategy === 'etcd-lock',
      server: spec.updates.server,
    },
    ntp: spec.ntp,
    etcd: etcd && {
      version: etcd.version,
      image: etcd.image,
      imageUrl: etcd.imageRepo === ETCD_IMAGE_REPO ? null : etcd.imageRepo,
      dataDir: ETCD_DATA_DIR,
      maintenance: { compactionMode: ETCD_COMPACTION_MODE, compactionRetention: ETCD_COMPACTION_RETENTION, quotaBytes: String(ETCD_QUOTA_BACKEND_BYTES) },
      locksmithEndpoints: locksmithOrder(plan, machine, plan.etcdViews?.[machine.name]?.clientEndpoints ?? etcd.clientEndpoints),
      caBundleCopy:
        etcd.tls && etcd.discovery?.startsWith('https:') && etcd.members.some((m) => m.name === machine.name)
          ? [`/usr/bin/install -m 0644 ${HOST_CA_BUNDLE} ${ETCD_SSL_DIR}/${CA_BUNDLE_NAME}`]
          : [],
      self: etcd.members.find((m) => m.name === machine.name) ?? null,
      clientEndpoints: plan.etcdViews?.[machine.name]?.clientEndpoints ?? etcd.clientEndpoints,
      initialCluster: plan.etcdViews?.[machine.name]?.initialCluster ?? etcd.initialCluster,
      initialClusterState: plan.etcdViews?.[machine.name]?.state ?? 'new',
      discovery: etcd.discovery,
      token: etcd.token,
      enableV2: etcd.enableV2,
      proxyListen: PROXY_LISTEN,
    },
    docker:
      machine.role === 'laptop'
        ? dockerTls
          ? { socket: 'docker-tls-tcp.socket', port: DOCKER_TLS_PORT, tls: true }
          : { socket: 'docker-tcp.socket', port: DOCKER_PORT, tls: false }
        : null,
    tls: inlineOnly(plan, tlsContext(plan, machine, secrets)),
  };
}

/** With `--secrets ssh` the configs hold certificates but no private key: `deliver` copies those. */
function inlineOnly(plan: Plan, tls: MachineContext['tls']): MachineContext['tls'] {
  return plan.spec.security.secrets === 'ssh' ? { ...tls, files: tls.files.filter((f) => !f.key) } : tls;
}

/** A TLS file `deliver` copies to a machine: where, owned by whom (null: root), its PEM text, whether it is a private key (0600; else 0644). */
export interface DeliveredKey {
  path: string;
  owner: string | null;
  pem: string;
  key: boolean;
}

/**
 * A machine's TLS files for `deliver`: the private keys (which --secrets ssh leaves out of its config)
 * and, beside them, its certificates and the CA certificate, so that renewed certificates (each with
 * a new key) and a rotated CA reach a running machine together with their keys; and the units that use them.
 */
export function machineKeys(plan: Plan, machine: Machine, secrets: MachineSecrets): { keys: DeliveredKey[]; directories: TlsDirectory[]; units: string[] } {
  const tls = tlsContext(plan, machine, secrets);
  const units = [
    ...(tls.etcd ? ['etcd-member.service'] : []),
    ...(tls.proxy ? ['etcd-grpc-proxy.service'] : []),
    ...(tls.locksmith ? ['locksmithd.service'] : []),
    ...(tls.docker ? ['docker.service'] : []),
  ];
  return { keys: tls.files.map((f) => ({ path: f.path, owner: f.owner, pem: f.pem, key: Boolean(f.key) })), directories: tls.directories, units };
}

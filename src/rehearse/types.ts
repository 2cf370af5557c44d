/** What the rehearsal reads from a generated cluster, plans to run, and reports. */

/** A file a machine's config writes (data URLs only: the contents are in the config). */
export interface ConfigFile {
  path: string;
  contents: Buffer;
  /** Ignition's mode (decimal), when the config sets one. */
  mode?: number;
}

/** A host directory visible inside the container at another path (Docker `-v`, the wrapper's ETCD_SSL_DIR). */
export interface Mount {
  host: string;
  container: string;
}

/** An etcd member as configured: the `etcd-member.service` environment after every drop-in. */
export interface MemberReading {
  unit: string;
  enabled: boolean;
  /** Every variable the unit sets, later settings overriding earlier ones (insertion order kept). */
  env: Record<string, string>;
  /** How the container sees host paths (the wrapper mounts ETCD_SSL_DIR at /etc/ssl/certs). */
  mounts: Mount[];
}

/** A worker's etcd grpc-proxy as configured: the words after `grpc-proxy start`. */
export interface ProxyReading {
  unit: string;
  enabled: boolean;
  args: string[];
  mounts: Mount[];
}

/** How the machine takes the reboot lock: `REBOOT_STRATEGY` from update.conf and locksmithd's settings. */
export interface LocksmithReading {
  /** `etcd-lock`, `reboot`, `off`, ... (`null`: update.conf sets none; locksmith's default is best-effort). */
  strategy: string | null;
  /** locksmithd.service's LOCKSMITHD_* environment after every drop-in (empty without the unit). */
  env: Record<string, string>;
}

/** The machine's static address from its systemd-networkd file (`Address=10.0.0.101/24`). */
export interface NetworkReading {
  file: string;
  address: string;
  prefix: number;
  gateway?: string;
}

export interface MachineReading {
  /** The machine's name: its `.ign` file name without the extension. */
  machine: string;
  hostname?: string;
  member: MemberReading | null;
  proxies: ProxyReading[];
  /** Absent in readings made by hand (tests): no reboot lock, DHCP. */
  locksmith?: LocksmithReading | null;
  network?: NetworkReading | null;
  /** Files the config writes, by absolute path. */
  files: Map<string, ConfigFile>;
  notes: string[];
}

/** A file the rehearsal writes before starting a process (a certificate or key from the config). */
export interface PlannedFile {
  path: string;
  contents: Buffer;
  mode: number;
}

/** One process to run: `etcd` with `args`, environment `env` (plus the harness's own). */
export interface PlannedProcess {
  kind: 'member' | 'proxy';
  machine: string;
  /** ETCD_NAME for a member, the machine's name for a proxy. */
  name: string;
  /** Where clients reach it (a loopback URL). */
  clientUrl: string;
  /** Addresses it listens on (host:port), checked free before starting. */
  listens: string[];
  args: string[];
  env: Record<string, string>;
  /** Directories to create (data dirs) and files to write (certificates) before starting. */
  dirs: string[];
  files: PlannedFile[];
  /** Its own directory under the work dir (log file, files). */
  home: string;
}

export interface AddressMapping {
  original: string;
  mapped: string;
  /** Whose address it is: a member's, a machine's loopback, or unknown (`null`). */
  owner: string | null;
}

/** etcdctl's TLS settings towards the cluster, when the members serve https. */
export interface ClientTls {
  cacert?: string;
  cert?: string;
  key?: string;
  /** Only to prove the members refuse a client without a certificate when there is no CA file. */
  'insecure-skip-tls-verify'?: 'true';
}

/** A machine whose reboot strategy is etcd-lock: locksmithd's endpoints and certificate files, as the rehearsal runs its requests. */
export interface PlannedLock {
  machine: string;
  endpoints: string[];
  /** Paths of the files written for the rehearsal (absent: locksmith's config names none). */
  ca?: string;
  cert?: string;
  key?: string;
  files: PlannedFile[];
  home: string;
}

export interface RehearsalPlan {
  workDir: string;
  /**
   * `lan`: every machine in a network namespace of its own at its planned address, as booted.
   * The loopback fallback (no network namespaces here):
   * `addresses`: each member on its own loopback address, ports as generated (plain http).
   * `ports`: every process on 127.0.0.1 with ports of its own (TLS: the certificates name 127.0.0.1).
   */
  layout: 'addresses' | 'ports' | 'lan';
  /** Machines with REBOOT_STRATEGY=etcd-lock (the `lan` layout only). */
  locks: PlannedLock[];
  members: PlannedProcess[];
  /** The proxies started (a sample of the workers). */
  proxies: PlannedProcess[];
  /** Machines with a proxy that is not started (beyond the sample). */
  skippedProxies: string[];
  addresses: AddressMapping[];
  clientTls: ClientTls | null;
  /** Changes made for the rehearsal (wrapper variables dropped, discovery replaced, ...). */
  notes: string[];
  /** Reasons the generated configs cannot work; nothing is started when there are any. */
  problems: string[];
}

export type StepStatus = 'passed' | 'failed' | 'skipped';

export interface StepResult {
  id: string;
  title: string;
  status: StepStatus;
  detail: string;
  ms: number;
}

/** Where each machine sat on the rehearsal's LAN (`lan` layout). */
export interface LanSummary {
  subnet: string;
  bridgeNamespace: string;
  operator: { address: string; netns: string };
  machines: { machine: string; hostname: string; address: string; source: string; netns: string }[];
}

export interface RehearsalResult {
  ok: boolean;
  dir: string;
  /** The local etcd's version (`etcd --version`). */
  etcdVersion: string;
  /** The version the configs deploy (ETCD_IMAGE_TAG or the image), when they name one. */
  deployedEtcdVersion: string | null;
  /** Set when the local etcd's major.minor differs from the deployed one. */
  versionWarning: string | null;
  workDir: string;
  layout: RehearsalPlan['layout'];
  /** Why the loopback layout was used instead of `lan` (`null` with `lan`). */
  fallback: string | null;
  lan: LanSummary | null;
  members: { machine: string; name: string; clientUrl: string }[];
  proxies: { machine: string; clientUrl: string }[];
  skippedProxies: string[];
  faultTolerance: number;
  /** Members that joined the running cluster (`etcdctl member add`, their config saying `existing`), in the order they joined. */
  joined: string[];
  /** `--replace MACHINE`: that machine once its replacement joined with the data (drill-replace.ts), else null. */
  replaced: string | null;
  notes: string[];
  steps: StepResult[];
  interrupted: boolean;
}

/** Progress as it happens: a step starts, a step ends, or something worth a line. */
export type RehearsalEvent = { type: 'start'; id: string; title: string } | { type: 'end'; step: StepResult } | { type: 'note'; text: string };

/**
 * The answers a user gives (flags, an answers file, a preset's defaults) and the validated
 * ClusterSpec they resolve to. Answers are loosely typed because they come from users; a
 * ClusterSpec is complete and checked.
 */

export const PRESETS = ['laptop', 'small', 'dev', 'production'] as const;
export type PresetName = (typeof PRESETS)[number];

export const SECRETS_DELIVERY = ['inline', 'ssh'] as const;
export type SecretsDelivery = (typeof SECRETS_DELIVERY)[number];

export const REBOOT_STRATEGIES = ['etcd-lock', 'reboot', 'off'] as const;
export type RebootStrategy = (typeof REBOOT_STRATEGIES)[number];

/** Answers as given; every field optional. This is also the shape of `cluster.yaml`. */
export interface Answers {
  preset?: PresetName;
  /** Cluster name: used for machine names, the etcd cluster token and the default output dir. */
  name?: string;
  /** Prefix of every machine name (default: the cluster name and a dash). */
  namePrefix?: string;
  /** Total number of machines. A string is accepted (from a flag) and checked. */
  size?: number | string;
  etcd?: {
    /** Number of etcd members (production: 3 or 5). */
    size?: number | string;
    /** etcd image tag, e.g. v3.5.16. */
    version?: string;
    /** etcd discovery URL used instead of a static initial cluster. */
    discovery?: string;
    /** ETCD_INITIAL_CLUSTER_TOKEN (default: the cluster name). */
    token?: string;
    /** Image repository of etcd (a mirror), without tag (default quay.io/coreos/etcd). */
    image?: string;
  };
  network?: {
    /** Addresses from DHCP instead of planned static ones. */
    dhcp?: boolean;
    cidr?: string;
    gateway?: string;
    firstAddress?: string;
    dns?: string[];
    domains?: string[];
    /** networkd [Match] Name= (an interface name or glob list). */
    interface?: string;
    /** First 2-5 octets of every machine's MAC; the rest are the last octets of its address. */
    macPrefix?: string;
    /** NTP servers for systemd-timesyncd (default: the image's, or DHCP's). */
    ntp?: string[];
  };
  ssh?: { keys?: string[] };
  updates?: {
    group?: string;
    rebootStrategy?: RebootStrategy;
    rebootWindowStart?: string;
    rebootWindowLength?: string;
    /** update.conf SERVER=: your update server (Nebraska) URL, or disabled (default: Flatcar's public server). */
    server?: string;
  };
  /**
   * TLS (secure by default). `etcdTls: false` (`--insecure`) makes etcd members and proxies talk plain
   * HTTP; `dockerTls: false` (`--docker-insecure`) gives the laptop a plain Docker API on 2375.
   */
  security?: {
    /** small, dev, production: etcd over TLS with client certificates (default true). */
    etcdTls?: boolean;
    /** laptop: the Docker API on 2376 with TLS and client-certificate verification (default true). */
    dockerTls?: boolean;
    /** Private keys in the configs (inline) or delivered over SSH after boot (ssh: `deliver`). */
    secrets?: SecretsDelivery;
  };
  /** Directory whose templates replace the built-in ones by file name. */
  templates?: string;
  /** Pins of single machines, each chosen by its planned name (src/plan/pins.ts). Answers file only. */
  machines?: { planned: string; name?: string; address?: string; mac?: string }[];
  /** Butane fragments merged into a role's or a machine's config (src/snippets/). Answers file only. */
  snippets?: { target: string; file: string }[];
  /**
   * Written by `flatcar-architect scale` (src/scale/): machines whose etcd settings were made for
   * another membership than the current plan's keep them (Ignition runs only on first boot).
   */
  etcdMembership?: EtcdMembershipEntry[];
}

/** The etcd settings some machines were made with (src/scale/); absent fields: the plan's. */
export interface EtcdMembershipEntry {
  /** Machine names (after pins). */
  machines: string[];
  /** ETCD_INITIAL_CLUSTER: name=peerURL,... */
  initialCluster?: string;
  /** ETCD_INITIAL_CLUSTER_STATE: new (formed together) or existing (joined a running cluster). */
  state?: 'new' | 'existing';
  /** The client URLs the machine's proxy and locksmith use. */
  clientEndpoints?: string[];
}

export interface StaticNetwork {
  dhcp: false;
  cidr: string;
  prefixLength: number;
  gateway: string;
  firstAddress: string;
  dns: string[];
  domains: string[];
  /** How the .network file finds the interface: by name (glob list) or by planned MAC. */
  match: { interface: string } | { macPrefix: string };
}

export interface DhcpNetwork {
  dhcp: true;
}

/** The validated, fully resolved cluster design. */
export interface ClusterSpec {
  preset: PresetName;
  name: string;
  namePrefix: string;
  size: number;
  /** Absent for the laptop preset, which runs no etcd. */
  etcd: { size: number; version: string; token: string; discovery: string | null; image: string } | null;
  network: StaticNetwork | DhcpNetwork;
  ssh: { keys: string[] };
  updates: {
    group: string;
    rebootStrategy: RebootStrategy;
    rebootWindow: { start: string; length: string } | null;
    /** update.conf SERVER=, or null for the public server. */
    server: string | null;
  };
  /** NTP servers for timesyncd; [] keeps the image's defaults. */
  ntp: string[];
  /** null where it does not apply: etcdTls on the laptop (no etcd), dockerTls elsewhere. */
  security: { etcdTls: boolean | null; dockerTls: boolean | null; secrets: SecretsDelivery };
  templates: string | null;
}

/** An answer path such as `size` or `network.gateway`. */
export type Field =
  | 'preset'
  | 'name'
  | 'namePrefix'
  | 'size'
  | 'etcd.size'
  | 'etcd.version'
  | 'etcd.discovery'
  | 'etcd.token'
  | 'etcd.image'
  | 'network.dhcp'
  | 'network.cidr'
  | 'network.gateway'
  | 'network.firstAddress'
  | 'network.dns'
  | 'network.domains'
  | 'network.interface'
  | 'network.macPrefix'
  | 'network.ntp'
  | 'ssh.keys'
  | 'updates.group'
  | 'updates.rebootStrategy'
  | 'updates.rebootWindowStart'
  | 'updates.rebootWindowLength'
  | 'updates.server'
  | 'security.etcdTls'
  | 'security.dockerTls'
  | 'security.secrets'
  | 'templates';

/** The command-line flag of every answer, for messages. */
export const FLAG_OF: Record<Field, string> = {
  preset: '--preset',
  name: '--name',
  namePrefix: '--name-prefix',
  size: '--size',
  'etcd.size': '--etcd-size',
  'etcd.version': '--etcd-version',
  'etcd.discovery': '--discovery',
  'etcd.token': '--etcd-token',
  'etcd.image': '--etcd-image',
  'network.dhcp': '--dhcp',
  'network.cidr': '--network',
  'network.gateway': '--gateway',
  'network.firstAddress': '--first-address',
  'network.dns': '--dns',
  'network.domains': '--domains',
  'network.interface': '--interface',
  'network.macPrefix': '--mac-prefix',
  'network.ntp': '--ntp',
  'ssh.keys': '--ssh-key',
  'updates.group': '--update-group',
  'updates.rebootStrategy': '--reboot-strategy',
  'updates.rebootWindowStart': '--reboot-window-start',
  'updates.rebootWindowLength': '--reboot-window-length',
  'updates.server': '--update-server',
  'security.etcdTls': '--insecure',
  'security.dockerTls': '--docker-insecure',
  'security.secrets': '--secrets',
  templates: '--templates',
};

export const FIELDS = Object.keys(FLAG_OF) as Field[];

/** One problem with one answer. */
/** Problems the wizard treats apart (who can fix them, which answers they involve): matched by code, never by text. */
export type ProblemCode = 'addresses-do-not-fit' | 'etcd-needs-workers' | 'group-not-public' | 'first-address-taken';

export interface Problem {
  field: Field;
  message: string;
  code?: ProblemCode;
}

/** Thrown when answers cannot make a cluster; `problems` has one entry per problem. */
export class SpecError extends Error {
  constructor(readonly problems: Problem[]) {
    super(problems.map((p) => `${p.field}: ${p.message}`).join('\n'));
    this.name = 'SpecError';
  }
}

/** Reads an answer by its path. */
export function getField(answers: Answers, field: Field): unknown {
  let value: unknown = answers;
  for (const key of field.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

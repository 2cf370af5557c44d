/**
 * The one definition of an answers file: every key, its type, what it means and what values it
 * takes. It produces the published JSON Schema (`schema/answers.schema.json`, `flatcar-architect
 * schema`), and the structural messages of answers-source.ts. The deeper checks that need several
 * answers at once (a gateway inside the network, sizes per preset...) stay in resolve.ts.
 */
import { PRESETS, REBOOT_STRATEGIES, SECRETS_DELIVERY } from './types.js';
import { MAX_CLIENT_URL, MAX_CLUSTER_NAME, MAX_NAME_PREFIX, MAX_DISCOVERY_URL, MAX_DNS_NAME, MAX_ETCD_SIZE, MAX_INITIAL_CLUSTER, MAX_INTERFACE, MAX_PATH, MAX_SIZE, MAX_IMAGE_REPO, MAX_UPDATE_SERVER } from './limits.js';
import * as P from './patterns.js';

interface Common {
  description: string;
  /** Shown in the schema, for editors. */
  examples?: unknown[];
}

export interface TextDef extends Common {
  kind: 'text';
  pattern?: string;
  /** What a value matching `pattern` is, for messages: `10.0.0.300 is not an IPv4 address`. */
  what?: string;
  enum?: readonly string[];
  maxLength?: number;
}
export interface WholeDef extends Common {
  kind: 'whole';
  minimum?: number;
  maximum?: number;
}
export interface FlagDef extends Common {
  kind: 'flag';
}
export interface ListDef extends Common {
  kind: 'list';
  items: Def;
  unique?: boolean;
}
export interface SectionDef extends Common {
  kind: 'section';
  keys: Record<string, Def>;
  required?: string[];
  /** At least this many keys (e.g. a machine pin pins something). */
  minKeys?: number;
  minKeysMessage?: string;
}
export type Def = TextDef | WholeDef | FlagDef | ListDef | SectionDef;

const HOST_NAME_PATTERN = P.sourceOf(P.HOST_NAME);


const text = (description: string, more: Omit<TextDef, 'kind' | 'description'> = {}): TextDef => ({ kind: 'text', description, ...more });
const ipv4 = (description: string, examples: string[]): TextDef => text(description, { pattern: P.sourceOf(P.IPV4), what: 'an IPv4 address', examples });

/** Every answer. The keys of each section are exactly the `Answers` shape (src/answers/types.ts). */
export const ANSWERS_DEFINITION: SectionDef = {
  kind: 'section',
  description:
    'flatcar-architect answers: everything the wizard asks, for `flatcar-architect --answers FILE`. Every key is optional; flags given next to --answers override the file. A `cluster.yaml` written by flatcar-architect is an answers file.',
  keys: {
    $schema: text('The JSON Schema this file follows (ignored; for editors).'),
    preset: text('Cluster architecture: laptop (1 VM, Docker API from the host), small (3-9 machines, etcd on every one), dev (1 etcd machine + workers), production (3 or 5 etcd machines + workers). Required here or as --preset.', {
      enum: PRESETS,
    }),
    name: text('Cluster name: machine names, the etcd cluster token and the default output directory come from it (default: the preset name).', {
      pattern: P.sourceOf(P.CLUSTER_NAME),
      what: `a cluster name (1 to ${MAX_CLUSTER_NAME} lowercase letters, digits and dashes, starting and ending with a letter or digit)`,
      examples: ['prod'],
    }),
    namePrefix: text('Prefix of every machine name (default: the cluster name and a dash).', {
      pattern: P.sourceOf(P.NAME_PREFIX),
      what: `a name prefix (up to ${MAX_NAME_PREFIX} lowercase letters, digits and dashes, starting with a letter or digit)`,
      examples: ['prod-'],
    }),
    size: { kind: 'whole', description: 'Total number of machines: laptop 1, small 3-9, dev 2 or more, production the etcd size + 1 or more.', minimum: 1, maximum: MAX_SIZE, examples: [5] },
    etcd: {
      kind: 'section',
      description: 'The etcd cluster (not with the laptop preset).',
      keys: {
        size: { kind: 'whole', description: 'production: number of central etcd machines, 3 or 5 (default 3, 5 from 10 machines on). small: every machine; dev: 1.', minimum: 1, maximum: MAX_ETCD_SIZE },
        version: text('etcd image tag for members and proxies.', { pattern: P.sourceOf(P.ETCD_VERSION), what: 'an etcd v3 release tag like v3.5.16', examples: ['v3.5.16'] }),
        discovery: text('etcd discovery URL, created for the number of etcd members, used instead of a static initial cluster.', {
          pattern: P.sourceOf(P.DISCOVERY_URL),
          maxLength: MAX_DISCOVERY_URL,
          what: 'an http:// or https:// etcd discovery URL',
        }),
        token: text('ETCD_INITIAL_CLUSTER_TOKEN (default: the cluster name).', {
          pattern: P.sourceOf(P.TOKEN),
          what: 'a token of up to 64 letters, digits, dots, dashes and underscores',
        }),
        image: text('Image repository of etcd for members (ETCD_IMAGE_URL) and proxies, without a tag (the tag is the version): a mirror for offline sites (default quay.io/coreos/etcd).', {
          pattern: P.sourceOf(P.IMAGE_REPO),
          maxLength: MAX_IMAGE_REPO,
          what: 'an image repository without a tag, like registry.example.com:5000/coreos/etcd',
          examples: ['registry.example.com/coreos/etcd'],
        }),
      },
    },
    network: {
      kind: 'section',
      description: 'Addresses: static ones planned from `firstAddress` (the default for small, dev and production), or DHCP.',
      keys: {
        dhcp: { kind: 'flag', description: 'Addresses from DHCP instead of planned static ones; leave out every other network key then.' },
        cidr: text('IPv4 network of the static addresses.', { pattern: P.sourceOf(P.CIDR), what: 'an IPv4 network like 10.0.0.0/24', examples: ['10.0.0.0/24'] }),
        gateway: ipv4("Default gateway (default: the network's first host).", ['10.0.0.1']),
        firstAddress: ipv4("First machine's address; the others follow in order, skipping the gateway and DNS servers (default: host .101).", ['10.0.0.101']),
        dns: { kind: 'list', description: 'DNS servers (default: the gateway).', items: ipv4('A DNS server.', ['1.1.1.1']) },
        domains: {
          kind: 'list',
          description: 'DNS search domains.',
          items: text('A search domain.', { pattern: P.sourceOf(P.DNS_NAME), maxLength: MAX_DNS_NAME, what: 'a DNS domain name like example.com' }),
        },
        interface: text('systemd-networkd [Match] Name=: the interface name or space-separated globs the static address goes on (not with macPrefix).', {
          pattern: P.sourceOf(P.INTERFACE),
          maxLength: MAX_INTERFACE,
          what: 'an interface name or a space-separated list of name globs, like eth0 or "en* eth*"',
          examples: ['en* eth*'],
        }),
        macPrefix: text("Match each machine's interface by MAC: the first 2 to 5 octets, followed by the last octets of its address (not with interface).", {
          pattern: P.sourceOf(P.MAC_PREFIX),
          what: 'the first 2 to 5 octets of a MAC address, like 52:54:00',
          examples: ['52:54:00'],
        }),
        ntp: {
          kind: 'list',
          description: "NTP servers for systemd-timesyncd (a drop-in); without, the image's defaults (public pools) or DHCP's.",
          items: text('An NTP server: a host name or IPv4 address.', { pattern: P.sourceOf(P.DNS_NAME), maxLength: MAX_DNS_NAME, what: 'a host name or IPv4 address like ntp.example.com' }),
        },
      },
    },
    ssh: {
      kind: 'section',
      description: 'Logging in.',
      keys: {
        keys: {
          kind: 'list',
          description: 'OpenSSH public key lines for the user core; without one nobody can log in over SSH.',
          items: text('One public key line, e.g. "ssh-ed25519 AAAA... you@host".', {
            pattern: P.sourceOf(P.SSH_KEY_LINE),
            what: 'an OpenSSH public key line like "ssh-ed25519 AAAA... you@host"',
          }),
        },
      },
    },
    updates: {
      kind: 'section',
      description: 'Flatcar updates and reboots.',
      keys: {
        group: text("Update group: stable, beta, alpha, lts or your update server's group id.", {
          pattern: P.sourceOf(P.UPDATE_GROUP),
          what: 'an update group such as stable, beta, alpha or lts',
          examples: ['stable'],
        }),
        rebootStrategy: text('After an update: etcd-lock (one machine at a time; default for small and production), reboot (default otherwise) or off.', {
          enum: REBOOT_STRATEGIES,
        }),
        rebootWindowStart: text('Start of the reboot window (with rebootWindowLength).', {
          pattern: P.sourceOf(P.WINDOW_START),
          what: 'a time like 04:00 or a weekday and time like "Thu 04:00"',
          examples: ['Thu 04:00'],
        }),
        rebootWindowLength: text('Length of the reboot window (with rebootWindowStart).', {
          pattern: P.sourceOf(P.WINDOW_LENGTH),
          what: 'a duration like 1h or 1h30m',
          examples: ['1h'],
        }),
        server: text("update.conf SERVER=: your update server's URL (e.g. a Nebraska's https://HOST/v1/update/), then the group is any group of that server; or disabled (no updates). Default: Flatcar's public server.", {
          pattern: '^(disabled|https?://[^\\s"\'\\\\]+)$',
          maxLength: MAX_UPDATE_SERVER,
          what: 'an http:// or https:// URL, or disabled',
          examples: ['https://nebraska.example.com/v1/update/'],
        }),
      },
    },
    security: {
      kind: 'section',
      description: 'TLS (secure by default).',
      keys: {
        etcdTls: { kind: 'flag', description: 'etcd peers and clients speak TLS with certificates from the cluster PKI (default true; false is --insecure).' },
        dockerTls: { kind: 'flag', description: 'The laptop preset: the Docker API on TCP requires TLS client certificates (default true; false is --docker-insecure).' },
        secrets: text("Where machines' private keys go: inline (in each machine's config; the default) or ssh (configs without private keys; `flatcar-architect deliver DIR` copies them over SSH after the first boot).", {
          enum: SECRETS_DELIVERY,
        }),
      },
    },
    templates: text('Directory of templates that replace the built-in ones by file name (relative to the current directory).', { maxLength: MAX_PATH }),
    machines: {
      kind: 'list',
      description:
        'Pins of single machines, each chosen by its planned name (as `flatcar-architect plan` prints it, e.g. prod-worker-1): a new name, a static address, a MAC. Machines not listed keep their planned values.',
      unique: false,
      items: {
        kind: 'section',
        description: 'One machine pin.',
        required: ['planned'],
        minKeys: 2,
        minKeysMessage: 'pins nothing: give name, address or mac',
        keys: {
          planned: text('The planned name of the machine this pin is for, e.g. prod-worker-1.', { pattern: HOST_NAME_PATTERN, what: 'a planned machine name like prod-worker-1' }),
          name: text("The machine's name (host name, file names) instead of the planned one.", { pattern: HOST_NAME_PATTERN, what: 'a host name (1 to 63 lowercase letters, digits and dashes)' }),
          address: ipv4('Static address instead of the planned one: a host of the network, not the gateway or a DNS server, used by no other machine.', ['10.0.0.50']),
          mac: text("The machine's MAC address: the .network file matches it (static addresses), and --matchbox groups select the machine by it.", {
            pattern: P.sourceOf(P.MAC),
            what: 'a MAC address like 52:54:00:12:34:56',
            examples: ['52:54:00:12:34:56'],
          }),
        },
      },
    },
    snippets: {
      kind: 'list',
      description:
        "Butane fragments (variant flatcar, version 1.0.0) merged into generated configs: their storage files, directories and links, systemd units and drop-ins, and passwd users are appended. A path or unit the generator writes too is an error.",
      items: {
        kind: 'section',
        description: 'One snippet.',
        required: ['target', 'file'],
        keys: {
          target: text('Which configs: a role (etcd, worker, laptop), all, or a machine name.', { pattern: HOST_NAME_PATTERN, what: 'a role, all, or a machine name' }),
          file: text('The Butane file, relative to the answers file (to the current directory when read from standard input).', { maxLength: MAX_PATH }),
        },
      },
    },
    etcdMembership: {
      kind: 'list',
      description:
        'Written by `flatcar-architect scale`: machines made for another etcd membership than the current one keep their etcd settings (Ignition runs only on first boot); members added to a running cluster join it (state existing).',
      unique: false,
      items: {
        kind: 'section',
        description: 'Machines and the etcd settings they were made with; a setting left out is the current plan\'s.',
        required: ['machines'],
        keys: {
          machines: { kind: 'list', description: 'Machine names.', items: text('A machine name.', { pattern: HOST_NAME_PATTERN, what: 'a machine name' }) },
          initialCluster: text('ETCD_INITIAL_CLUSTER of these members: name=peerURL,...', { pattern: P.sourceOf(P.INITIAL_CLUSTER), maxLength: MAX_INITIAL_CLUSTER, what: 'name=peerURL,...' }),
          state: text('ETCD_INITIAL_CLUSTER_STATE: new (formed together) or existing (added with etcdctl member add).', { enum: ['new', 'existing'] }),
          clientEndpoints: {
            kind: 'list',
            description: "The etcd client URLs these machines' proxy and locksmith use.",
            items: text('A client URL.', { pattern: P.sourceOf(P.CLIENT_URL), maxLength: MAX_CLIENT_URL, what: 'an http:// or https:// URL' }),
          },
        },
      },
    },
  },
};

type Json = Record<string, unknown>;

function schemaOf(def: Def): Json {
  const out: Json = { description: def.description };
  switch (def.kind) {
    case 'text':
      out.type = 'string';
      if (def.enum) out.enum = [...def.enum];
      if (def.pattern) out.pattern = def.pattern;
      if (def.maxLength !== undefined) out.maxLength = def.maxLength;
      break;
    case 'whole':
      out.type = 'integer';
      if (def.minimum !== undefined) out.minimum = def.minimum;
      if (def.maximum !== undefined) out.maximum = def.maximum;
      break;
    case 'flag':
      out.type = 'boolean';
      break;
    case 'list':
      out.type = 'array';
      out.items = schemaOf(def.items);
      if (def.unique) out.uniqueItems = true;
      break;
    case 'section':
      out.type = 'object';
      out.properties = Object.fromEntries(Object.entries(def.keys).map(([k, d]) => [k, schemaOf(d)]));
      if (def.required?.length) out.required = def.required;
      if (def.minKeys !== undefined) out.minProperties = def.minKeys;
      out.additionalProperties = false;
      break;
  }
  if (def.examples) out.examples = def.examples;
  return out;
}

/** The JSON Schema (draft-07) of answers files. */
export function answersSchema(): Json {
  const { description, ...rest } = schemaOf(ANSWERS_DEFINITION);
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'flatcar-architect answers',
    description,
    ...rest,
  };
}

/** The schema as published in schema/answers.schema.json. */
export function answersSchemaText(): string {
  return JSON.stringify(answersSchema(), null, 2) + '\n';
}

/** The definition of the value at a path (`['network', 'dns', 0]`), if the path is defined. */
export function definitionAt(path: readonly (string | number)[]): Def | undefined {
  let def: Def | undefined = ANSWERS_DEFINITION;
  for (const key of path) {
    if (!def) return undefined;
    if (def.kind === 'section' && typeof key === 'string') def = def.keys[key];
    else if (def.kind === 'list' && typeof key === 'number') def = def.items;
    else return undefined;
  }
  return def;
}

/** Every leaf answer path, dotted (`network.gateway`), for checks against the `Field` list. */
export function definedLeaves(def: Def = ANSWERS_DEFINITION, prefix = ''): string[] {
  if (def.kind !== 'section') return [prefix];
  return Object.entries(def.keys).flatMap(([k, d]) => definedLeaves(d, prefix ? `${prefix}.${k}` : k));
}

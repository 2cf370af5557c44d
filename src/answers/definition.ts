/**
 * The one definition of every answer: its type, what it means and what values it takes (the
 * published JSON Schema, `schema/answers.schema.json`, `flatcar-architect schema`), its static
 * default, its single-value check (checks.ts), its command-line flag (name, argument, help, how the
 * flag's text becomes the answer) and how the wizard names and asks it. Derived from it: the
 * `Answers` and `Field` types, FIELDS and FLAG_OF (types.ts), the schema, the generate command's
 * answer options (cli/options.ts), flagsToAnswers (cli/generate.ts), the resolver's per-answer
 * checks (resolve.ts) and the wizard's names for answers (wizard/context.ts). The checks that need
 * several answers at once (a gateway inside the network, sizes per preset...) stay in resolve.ts.
 */
import { PRESETS, REBOOT_STRATEGIES, SECRETS_DELIVERY } from './choices.js';
import * as check from './checks.js';
import {
  MAX_CLIENT_URL,
  MAX_CLUSTER_NAME,
  MAX_NAME_PREFIX,
  MAX_DISCOVERY_URL,
  MAX_DNS_NAME,
  MAX_ETCD_SIZE,
  MAX_INITIAL_CLUSTER,
  MAX_INTERFACE,
  MAX_PATH,
  MAX_SIZE,
  MAX_IMAGE_REPO,
  MAX_UPDATE_SERVER,
} from './limits.js';
import * as P from './patterns.js';
import { DEV_MIN_SIZE, PRODUCTION_ETCD_SIZES, PRODUCTION_FIVE_FROM, SMALL_MAX_SIZE, SMALL_MIN_SIZE } from '../architectures/sizes.js';

// The architectures' numbers in help and schema texts come from their modules (src/architectures/).
const SMALL_SIZES = `${SMALL_MIN_SIZE}-${SMALL_MAX_SIZE}`;
const ETCD_SIZES = PRODUCTION_ETCD_SIZES.join(' or ');
const ETCD_DEFAULT = `default ${PRODUCTION_ETCD_SIZES[0]}, ${PRODUCTION_ETCD_SIZES[1]} from ${PRODUCTION_FIVE_FROM} machines on`;

/** A check of one value: the reason it is refused (for "--flag: reason"), or undefined. */
export type Check = (value: string) => string | undefined;

/**
 * The command-line flag of an answer (the default command, `plan` and `init`).
 */
export interface OptionDef {
  /** The long flag, e.g. `--etcd-size`. */
  readonly long: `--${string}`;
  /** Its argument as --help shows it (`<n>`); absent for a switch such as --dhcp. */
  readonly arg?: string;
  /** The --help text. */
  readonly help: string;
  /** Position in --help; the hand-written --out and --force follow the answers up to HELP_BEFORE_OUT. */
  readonly order: number;
  /**
   * How the flag's text becomes the answer (default by kind: a switch sets true, a list answer
   * splits a comma/space-separated list, anything else is the text as given; whole numbers are
   * read by the resolver, so "3" and 3 are the same answer).
   * - `false`: a switch that sets the answer to false (--insecure => security.etcdTls: false);
   * - `path`: a path, made absolute against the current directory;
   * - `ssh-keys`: repeatable; each value is a key line, or a file of key lines (ssh-key.ts).
   */
  readonly read?: 'false' | 'path' | 'ssh-keys';
  /** Commander refuses values outside the answer's enum (the --help shows the choices). */
  readonly choices?: true;
}

/** How the wizard names an answer and whether it asks it. */
export interface WizardDef {
  /** The question's name, in messages ("Number of machines: ..."). */
  readonly question?: string;
  /** The wizard asks it (the others come from flags or an answers file only). */
  readonly asked?: true;
  /** Asked inside this other answer's question (not a question of its own in src/wizard/steps). */
  readonly within?: string;
  /**
   * Words that replace the flag in a resolver message shown in the wizard: [what follows the flag
   * (a RegExp source; its group is $1), words] pairs, tried first, then the words for the flag alone.
   * Without words the flag becomes "the <question> answer" (or the answers-file key).
   */
  readonly words?: readonly (string | readonly [string, string])[];
}

interface Common {
  readonly description: string;
  /** Shown in the schema, for editors. */
  readonly examples?: readonly unknown[];
  /** The key must be there (in its section: the schema's `required`). */
  readonly required?: true;
  /** The answer's flag; every answer with one is a `Field`. Answers without are answers-file only. */
  readonly flag?: OptionDef;
  readonly wizard?: WizardDef;
}

export interface TextDef<E extends string = string> extends Common {
  readonly kind: 'text';
  readonly pattern?: string;
  /** What a value matching `pattern` is, for messages: `10.0.0.300 is not an IPv4 address`. */
  readonly what?: string;
  readonly enum?: readonly E[];
  readonly maxLength?: number;
  /** The resolver's check of the value (checks.ts); an `enum` without one checks membership. */
  readonly check?: Check;
  /** The static default (preset-dependent defaults are the presets'). */
  readonly default?: string;
}
export interface WholeDef extends Common {
  readonly kind: 'whole';
  readonly minimum?: number;
  readonly maximum?: number;
  /** What is counted, for the range message: `must be 1 to 10000 machines`. */
  readonly unit?: string;
}
export interface FlagDef extends Common {
  readonly kind: 'flag';
  readonly default?: boolean;
}
export interface ListDef<I extends Def = Def> extends Common {
  readonly kind: 'list';
  readonly items: I;
  readonly unique?: boolean;
  readonly default?: readonly string[];
}
export interface SectionDef<K extends Readonly<Record<string, Def>> = Readonly<Record<string, Def>>> extends Common {
  readonly kind: 'section';
  readonly keys: K;
  /** At least this many keys (e.g. a machine pin pins something). */
  readonly minKeys?: number;
  readonly minKeysMessage?: string;
}
export type Def = TextDef | WholeDef | FlagDef | ListDef | SectionDef;

// Each builder keeps the literal types of what it is given (`const`), so that the Answers and
// Field types below can be read off the definition.
type More<D> = Omit<D, 'kind' | 'description' | 'items' | 'keys'>;
const text = <const M extends More<TextDef> = Record<never, never>>(description: string, more: M = {} as M) => ({ kind: 'text' as const, description, ...more });
const whole = <const M extends More<WholeDef> = Record<never, never>>(description: string, more: M) => ({ kind: 'whole' as const, description, ...more });
const flag = <const M extends More<FlagDef> = Record<never, never>>(description: string, more: M) => ({ kind: 'flag' as const, description, ...more });
const list = <const I, const M extends More<ListDef> = Record<never, never>>(description: string, items: I, more: M = {} as M) => ({
  kind: 'list' as const,
  description,
  ...more,
  items,
});
const section = <const K, const M extends More<SectionDef> = Record<never, never>>(description: string, keys: K, more: M = {} as M) => ({
  kind: 'section' as const,
  description,
  keys,
  ...more,
});
const ipv4 = <const M extends More<TextDef> = Record<never, never>>(description: string, examples: string[], more: M = {} as M) =>
  text(description, { pattern: P.sourceOf(P.IPV4), what: 'an IPv4 address', examples, ...more });

const HOST_NAME_PATTERN = P.sourceOf(P.HOST_NAME);

/** The answer flags up to this --help position come before --out and --force. */
export const HELP_BEFORE_OUT = 5;

/** Every answer. */
export const ANSWERS_DEFINITION = section(
  'flatcar-architect answers: everything the wizard asks, for `flatcar-architect --answers FILE`. Every key is optional; flags given next to --answers override the file. A `cluster.yaml` written by flatcar-architect is an answers file.',
  {
    $schema: text('The JSON Schema this file follows (ignored; for editors).'),
    preset: text(
      `Cluster architecture: laptop (1 VM, Docker API from the host), small (${SMALL_SIZES} machines, etcd on every one), dev (1 etcd machine + workers), production (${ETCD_SIZES} etcd machines + workers). Required here or as --preset.`,
      {
        enum: PRESETS,
        flag: {
          long: '--preset',
          arg: '<name>',
          order: 1,
          help: `cluster architecture: laptop (1 VM, Docker API from the host), small (${SMALL_SIZES} machines, etcd on every one), dev (1 etcd machine + workers), production (${ETCD_SIZES} etcd machines + workers)`,
        },
        wizard: { question: 'Architecture', asked: true },
      },
    ),
    name: text('Cluster name: machine names, the etcd cluster token and the default output directory come from it (default: the preset name).', {
      pattern: P.sourceOf(P.CLUSTER_NAME),
      what: `a cluster name (1 to ${MAX_CLUSTER_NAME} lowercase letters, digits and dashes, starting and ending with a letter or digit)`,
      examples: ['prod'],
      check: check.clusterName,
      flag: { long: '--name', arg: '<name>', order: 4, help: "cluster name: lowercase letters, digits, dashes (default: the preset's name)" },
      wizard: { question: 'Cluster name', asked: true, words: ['the cluster name'] },
    }),
    namePrefix: text('Prefix of every machine name (default: the cluster name and a dash).', {
      pattern: P.sourceOf(P.NAME_PREFIX),
      what: `a name prefix (up to ${MAX_NAME_PREFIX} lowercase letters, digits and dashes, starting with a letter or digit)`,
      examples: ['prod-'],
      check: check.namePrefix,
      flag: { long: '--name-prefix', arg: '<prefix>', order: 5, help: 'prefix of every machine name (default: the cluster name and a dash)' },
      wizard: { question: 'Machine name prefix', asked: true, words: ['the machine name prefix'] },
    }),
    size: whole(`Total number of machines: laptop 1, small ${SMALL_SIZES}, dev ${DEV_MIN_SIZE} or more, production the etcd size + 1 or more.`, {
      minimum: 1,
      maximum: MAX_SIZE,
      unit: 'machines',
      examples: [5],
      flag: {
        long: '--size',
        arg: '<n>',
        order: 2,
        help: `total number of machines (laptop 1, small ${SMALL_SIZES}, dev ${DEV_MIN_SIZE} or more, production etcd size + 1 or more; default: the preset's)`,
      },
      wizard: { question: 'Number of machines', asked: true, words: [[' (\\d+)', '$1 machines'], 'the number of machines'] },
    }),
    etcd: section('The etcd cluster (not with the laptop preset).', {
      size: whole(`production: number of central etcd machines, ${ETCD_SIZES} (${ETCD_DEFAULT}). small: every machine; dev: 1.`, {
        minimum: 1,
        maximum: MAX_ETCD_SIZE,
        unit: 'etcd members',
        flag: { long: '--etcd-size', arg: '<n>', order: 3, help: `production: number of central etcd machines, ${ETCD_SIZES} (${ETCD_DEFAULT})` },
        wizard: { question: 'Number of etcd machines', asked: true, words: ['the number of etcd machines'] },
      }),
      version: text('etcd image tag for members and proxies.', {
        pattern: P.sourceOf(P.ETCD_VERSION),
        what: 'an etcd v3 release tag like v3.5.16',
        examples: ['v3.5.16'],
        check: check.etcdVersion,
        flag: { long: '--etcd-version', arg: '<tag>', order: 20, help: 'etcd image tag for members and proxies (default v3.5.16)' },
      }),
      discovery: text('etcd discovery URL, created for the number of etcd members, used instead of a static initial cluster.', {
        pattern: P.sourceOf(P.DISCOVERY_URL),
        maxLength: MAX_DISCOVERY_URL,
        what: 'an http:// or https:// etcd discovery URL',
        check: check.discoveryUrl,
        flag: { long: '--discovery', arg: '<url>', order: 14, help: 'etcd discovery URL, created for the number of etcd members, instead of a static initial cluster' },
        wizard: { question: 'etcd discovery URL', asked: true, words: ['a discovery URL'] },
      }),
      token: text('ETCD_INITIAL_CLUSTER_TOKEN (default: the cluster name).', {
        pattern: P.sourceOf(P.TOKEN),
        what: 'a token of up to 64 letters, digits, dots, dashes and underscores',
        check: check.token,
        flag: { long: '--etcd-token', arg: '<token>', order: 25, help: 'etcd initial cluster token (default: the cluster name)' },
      }),
      image: text(
        'Image repository of etcd for members (ETCD_IMAGE_URL) and proxies, without a tag (the tag is the version): a mirror for offline sites (default quay.io/coreos/etcd).',
        {
          pattern: P.sourceOf(P.IMAGE_REPO),
          maxLength: MAX_IMAGE_REPO,
          what: 'an image repository without a tag, like registry.example.com:5000/coreos/etcd',
          examples: ['registry.example.com/coreos/etcd'],
          check: check.imageRepo,
          default: 'quay.io/coreos/etcd',
          flag: {
            long: '--etcd-image',
            arg: '<repo>',
            order: 21,
            help: 'etcd image repository without tag, e.g. a mirror registry.example.com/coreos/etcd (default quay.io/coreos/etcd)',
          },
        },
      ),
    }),
    network: section('Addresses: static ones planned from `firstAddress` (the default for small, dev and production), or DHCP.', {
      dhcp: flag('Addresses from DHCP instead of planned static ones; leave out every other network key then.', {
        default: false,
        flag: { long: '--dhcp', order: 13, help: 'addresses from DHCP instead of static ones (etcd members are then reached by host name)' },
        wizard: { question: 'Addresses', asked: true, words: ['DHCP'] },
      }),
      cidr: text('IPv4 network of the static addresses.', {
        pattern: P.sourceOf(P.CIDR),
        what: 'an IPv4 network like 10.0.0.0/24',
        examples: ['10.0.0.0/24'],
        check: check.cidr,
        default: '10.0.0.0/24',
        flag: { long: '--network', arg: '<cidr>', order: 6, help: 'IPv4 network of the static addresses (default 10.0.0.0/24)' },
        wizard: { question: 'Network', asked: true, words: ['network'] },
      }),
      gateway: ipv4("Default gateway (default: the network's first host).", ['10.0.0.1'], {
        check: check.hostAddress,
        flag: { long: '--gateway', arg: '<ip>', order: 7, help: "default gateway (default: the network's first host, e.g. 10.0.0.1)" },
        wizard: { question: 'Gateway', asked: true, words: ['gateway'] },
      }),
      firstAddress: ipv4("First machine's address; the others follow in order, skipping the gateway and DNS servers (default: host .101).", ['10.0.0.101'], {
        check: check.hostAddress,
        flag: {
          long: '--first-address',
          arg: '<ip>',
          order: 10,
          help: "first machine's address; the others follow in order, skipping the gateway and DNS servers (default: host .101 of the network)",
        },
        wizard: { question: 'First machine address', asked: true, words: ['first machine address'] },
      }),
      dns: list('DNS servers (default: the gateway).', ipv4('A DNS server.', ['1.1.1.1'], { check: check.dnsServer }), {
        flag: { long: '--dns', arg: '<ip,...>', order: 8, help: 'DNS servers, comma-separated (default: the gateway)' },
        wizard: { question: 'DNS servers', asked: true, words: ['DNS servers'] },
      }),
      domains: list(
        'DNS search domains.',
        text('A search domain.', { pattern: P.sourceOf(P.DNS_NAME), maxLength: MAX_DNS_NAME, what: 'a DNS domain name like example.com', check: check.dnsName }),
        {
          default: [],
          flag: { long: '--domains', arg: '<domain,...>', order: 9, help: 'DNS search domains, comma-separated (default: none)' },
        },
      ),
      interface: text('systemd-networkd [Match] Name=: the interface name or space-separated globs the static address goes on (not with macPrefix).', {
        pattern: P.sourceOf(P.INTERFACE),
        maxLength: MAX_INTERFACE,
        what: 'an interface name or a space-separated list of name globs, like eth0 or "en* eth*"',
        examples: ['en* eth*'],
        check: check.interfaceMatch,
        default: 'en* eth*',
        flag: { long: '--interface', arg: '<name>', order: 11, help: 'interface the static address goes on, a name or space-separated globs (default "en* eth*")' },
        wizard: { question: 'Interface', asked: true, words: [[' ("[^"]*")', 'the interface $1'], 'an interface'] },
      }),
      macPrefix: text("Match each machine's interface by MAC: the first 2 to 5 octets, followed by the last octets of its address (not with interface).", {
        pattern: P.sourceOf(P.MAC_PREFIX),
        what: 'the first 2 to 5 octets of a MAC address, like 52:54:00',
        examples: ['52:54:00'],
        check: check.macPrefix,
        flag: {
          long: '--mac-prefix',
          arg: '<prefix>',
          order: 12,
          help: "match each machine's interface by MAC: the prefix (2-5 octets, e.g. 52:54:00) followed by the last octets of its address",
        },
        wizard: { words: [[' \\(([^)]*)\\)', 'a MAC prefix ($1; network.macPrefix in an answers file)']] },
      }),
      ntp: list(
        "NTP servers for systemd-timesyncd (a drop-in); without, the image's defaults (public pools) or DHCP's.",
        text('An NTP server: a host name or IPv4 address.', {
          pattern: P.sourceOf(P.DNS_NAME),
          maxLength: MAX_DNS_NAME,
          what: 'a host name or IPv4 address like ntp.example.com',
          check: check.ntpServer,
        }),
        { default: [], flag: { long: '--ntp', arg: '<server,...>', order: 23, help: "NTP servers for systemd-timesyncd, comma-separated (default: the image's)" } },
      ),
    }),
    ssh: section('Logging in.', {
      keys: list(
        'OpenSSH public key lines for the user core; without one nobody can log in over SSH.',
        text('One public key line, e.g. "ssh-ed25519 AAAA... you@host".', {
          pattern: P.sourceOf(P.SSH_KEY_LINE),
          what: 'an OpenSSH public key line like "ssh-ed25519 AAAA... you@host"',
          check: check.sshKey,
        }),
        {
          default: [],
          flag: {
            long: '--ssh-key',
            arg: '<file|key>',
            order: 15,
            read: 'ssh-keys',
            help: 'public key for the user core: a key line or a file of them (repeatable); without one nobody can log in',
          },
          wizard: { question: 'SSH keys', asked: true, words: ['SSH key'] },
        },
      ),
    }),
    updates: section('Flatcar updates and reboots.', {
      group: text("Update group: stable, beta, alpha, lts or your update server's group id.", {
        pattern: P.sourceOf(P.UPDATE_GROUP),
        what: 'an update group such as stable, beta, alpha or lts',
        examples: ['stable'],
        check: check.updateGroup,
        flag: { long: '--update-group', arg: '<group>', order: 16, help: "update group: stable, beta, alpha, lts or your update server's group (default stable)" },
        wizard: { question: 'Update channel', asked: true, words: ['the update channel'] },
      }),
      rebootStrategy: text('After an update: etcd-lock (one machine at a time; default for small and production), reboot (default otherwise) or off.', {
        enum: REBOOT_STRATEGIES,
        flag: {
          long: '--reboot-strategy',
          arg: '<strategy>',
          order: 17,
          help: 'after an update: etcd-lock (one machine at a time; default for small and production), reboot (default otherwise) or off',
        },
        wizard: { question: 'Reboot strategy', asked: true, words: ['reboot strategy'] },
      }),
      rebootWindowStart: text('Start of the reboot window (with rebootWindowLength).', {
        pattern: P.sourceOf(P.WINDOW_START),
        what: 'a time like 04:00 or a weekday and time like "Thu 04:00"',
        examples: ['Thu 04:00'],
        check: check.windowStart,
        flag: { long: '--reboot-window-start', arg: '<when>', order: 18, help: 'start of the reboot window, e.g. "Thu 04:00" or 04:00 (with --reboot-window-length)' },
        wizard: { question: 'Reboot window start', asked: true, words: ['a window start'] },
      }),
      rebootWindowLength: text('Length of the reboot window (with rebootWindowStart).', {
        pattern: P.sourceOf(P.WINDOW_LENGTH),
        what: 'a duration like 1h or 1h30m, at most 9999 of each unit',
        examples: ['1h'],
        check: check.windowLength,
        flag: { long: '--reboot-window-length', arg: '<duration>', order: 19, help: 'length of the reboot window, e.g. 1h or 1h30m' },
        wizard: { question: 'Reboot window length', asked: true, within: 'updates.rebootWindowStart', words: ['a window length'] },
      }),
      server: text(
        "update.conf SERVER=: your update server's URL (e.g. a Nebraska's https://HOST/v1/update/), then the group is any group of that server; or disabled (no updates). Default: Flatcar's public server.",
        {
          pattern: P.sourceOf(P.UPDATE_SERVER),
          maxLength: MAX_UPDATE_SERVER,
          what: 'an http:// or https:// URL, or disabled',
          examples: ['https://nebraska.example.com/v1/update/'],
          check: check.updateServer,
          flag: {
            long: '--update-server',
            arg: '<url>',
            order: 22,
            help: "update.conf SERVER=: your update server's URL (then --update-group may be any of its groups), or disabled (default: Flatcar's public server)",
          },
          wizard: { question: 'Update server URL', asked: true, within: 'updates.group', words: [[' URL', 'the URL'], 'the update server URL'] },
        },
      ),
    }),
    security: section('TLS (secure by default).', {
      etcdTls: flag('etcd peers and clients speak TLS with certificates from the cluster PKI (default true; false is --insecure).', {
        default: true,
        flag: {
          long: '--insecure',
          order: 27,
          read: 'false',
          help: 'etcd without TLS: plain HTTP, no client certificates (default: TLS with client certificates); recorded in cluster.yaml',
        },
      }),
      dockerTls: flag('The laptop preset: the Docker API on TCP requires TLS client certificates (default true; false is --docker-insecure).', {
        default: true,
        flag: {
          long: '--docker-insecure',
          order: 28,
          read: 'false',
          help: 'laptop: the Docker API on plain TCP 2375 without TLS (default: 2376 with TLS and client certificates); recorded in cluster.yaml',
        },
      }),
      secrets: text(
        "Where machines' private keys go: inline (in each machine's config; the default) or ssh (configs without private keys; `flatcar-architect deliver DIR` copies them over SSH after the first boot).",
        {
          enum: SECRETS_DELIVERY,
          default: 'inline',
          flag: {
            long: '--secrets',
            arg: '<where>',
            order: 24,
            choices: true,
            help: "machines' private keys: inline (in their configs) or ssh (configs without keys; `deliver DIR` copies them over SSH); default inline, ssh with --matchbox",
          },
        },
      ),
    }),
    templates: text('Directory of templates that replace the built-in ones by file name (relative to the current directory).', {
      maxLength: MAX_PATH,
      check: check.path,
      flag: { long: '--templates', arg: '<dir>', order: 26, read: 'path', help: 'directory of templates that replace the built-in ones by file name' },
    }),
    machines: list(
      'Pins of single machines, each chosen by its planned name (as `flatcar-architect plan` prints it, e.g. prod-worker-1): a new name, a static address, a MAC. Machines not listed keep their planned values.',
      section(
        'One machine pin.',
        {
          planned: text('The planned name of the machine this pin is for, e.g. prod-worker-1.', {
            pattern: HOST_NAME_PATTERN,
            what: 'a planned machine name like prod-worker-1',
            required: true,
          }),
          name: text("The machine's name (host name, file names) instead of the planned one.", {
            pattern: HOST_NAME_PATTERN,
            what: 'a host name (1 to 63 lowercase letters, digits and dashes)',
          }),
          address: ipv4('Static address instead of the planned one: a host of the network, not the gateway or a DNS server, used by no other machine.', ['10.0.0.50']),
          mac: text("The machine's MAC address: the .network file matches it (static addresses), and --matchbox groups select the machine by it.", {
            pattern: P.sourceOf(P.MAC),
            what: 'a MAC address like 52:54:00:12:34:56',
            examples: ['52:54:00:12:34:56'],
          }),
        },
        { minKeys: 2, minKeysMessage: 'pins nothing: give name, address or mac' },
      ),
      { unique: false },
    ),
    snippets: list(
      'Butane fragments (variant flatcar, version 1.0.0) merged into generated configs: their storage files, directories and links, systemd units and drop-ins, and passwd users are appended. A path or unit the generator writes too is an error.',
      section('One snippet.', {
        target: text('Which configs: a role (etcd, worker, laptop), all, or a machine name.', {
          pattern: HOST_NAME_PATTERN,
          what: 'a role, all, or a machine name',
          required: true,
        }),
        file: text('The Butane file, relative to the answers file (to the current directory when read from standard input).', { maxLength: MAX_PATH, required: true }),
      }),
    ),
    etcdMembership: list(
      'Written by `flatcar-architect scale`: machines made for another etcd membership than the current one keep their etcd settings (Ignition runs only on first boot); members added to a running cluster join it (state existing).',
      section("Machines and the etcd settings they were made with; a setting left out is the current plan's.", {
        machines: list('Machine names.', text('A machine name.', { pattern: HOST_NAME_PATTERN, what: 'a machine name' }), { required: true }),
        initialCluster: text('ETCD_INITIAL_CLUSTER of these members: name=peerURL,...', {
          pattern: P.sourceOf(P.INITIAL_CLUSTER),
          maxLength: MAX_INITIAL_CLUSTER,
          what: 'name=peerURL,...',
        }),
        state: text('ETCD_INITIAL_CLUSTER_STATE: new (formed together) or existing (added with etcdctl member add).', { enum: ['new', 'existing'] }),
        clientEndpoints: list(
          "The etcd client URLs these machines' proxy and locksmith use.",
          text('A client URL.', { pattern: P.sourceOf(P.CLIENT_URL), maxLength: MAX_CLIENT_URL, what: 'an http:// or https:// URL' }),
        ),
      }),
      { unique: false },
    ),
  },
);
/** The definition is a SectionDef (checked here, not used to type it: the literal types are kept). */
const DEFINITION: SectionDef = ANSWERS_DEFINITION;

// ---- Types read off the definition ----

type Simplify<T> = { [K in keyof T]: T[K] } & {};
type RequiredKeys<K> = { [k in keyof K]: K[k] extends { required: true } ? k : never }[keyof K];
type SectionValue<K> = Simplify<{ -readonly [k in Exclude<keyof K, RequiredKeys<K>>]?: ValueOf<K[k]> } & { -readonly [k in RequiredKeys<K>]: ValueOf<K[k]> }>;

/** The value an answers file (or the flags) give for a definition. */
export type ValueOf<D> = D extends { kind: 'text'; enum: readonly (infer E)[] }
  ? E
  : D extends { kind: 'text' }
    ? string
    : D extends { kind: 'whole' }
      ? number | string // a flag's text ("3"), read by the resolver
      : D extends { kind: 'flag' }
        ? boolean
        : D extends { kind: 'list'; items: infer I }
          ? ValueOf<I>[]
          : D extends { kind: 'section'; keys: infer K }
            ? SectionValue<K>
            : never;

type Keys = (typeof ANSWERS_DEFINITION)['keys'];

/** The leaf paths (`network.gateway`) of a section's keys whose definition has a flag. */
type FlaggedPaths<K, P extends string = ''> = {
  [k in keyof K & string]: K[k] extends { kind: 'section'; keys: infer KK } ? FlaggedPaths<KK, `${P}${k}.`> : K[k] extends { flag: OptionDef } ? `${P}${k}` : never;
}[keyof K & string];

/** The definition at a dotted path. */
export type DefAt<P extends string, K = Keys> = P extends `${infer H}.${infer T}`
  ? H extends keyof K
    ? K[H] extends { keys: infer KK }
      ? DefAt<T, KK>
      : never
    : never
  : P extends keyof K
    ? K[P]
    : never;

/** An answer path such as `size` or `network.gateway`: every answer with a flag. */
export type AnswerField = FlaggedPaths<Keys>;

/** Answers as given; every field optional (the preset is checked by the resolver). This is also the shape of `cluster.yaml`. */
export type AnswersValue = Omit<ValueOf<typeof ANSWERS_DEFINITION>, '$schema'>;

type Camel<S extends string> = S extends `${infer H}-${infer T}` ? `${H}${Capitalize<Camel<T>>}` : S;
type OptionOfField<F extends AnswerField> = DefAt<F> extends { flag: infer O } ? O : never;
type OptionValue<O> = O extends { read: 'ssh-keys' } ? string[] : O extends { arg: string } ? string : boolean;

/** What commander gives for the answer flags: `--etcd-size 3` => `{ etcdSize: '3' }`. */
export type AnswerFlags = {
  [F in AnswerField as OptionOfField<F> extends { long: `--${infer L}` } ? Camel<L> : never]?: OptionValue<OptionOfField<F>>;
};

// ---- Lists read off the definition ----

/** One answer with a flag: its path, its definition, and the definition's flag. */
export interface AnswerEntry {
  field: AnswerField;
  def: Def & { flag: OptionDef };
  /** The attribute commander stores the flag's value under (`--etcd-size` => etcdSize). */
  attribute: string;
}

const camel = (long: string): string => long.replace(/^--/, '').replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

function entries(def: Def, prefix: string): AnswerEntry[] {
  if (def.kind === 'section') return Object.entries(def.keys).flatMap(([k, d]) => entries(d, prefix ? `${prefix}.${k}` : k));
  return def.flag ? [{ field: prefix as AnswerField, def: def as AnswerEntry['def'], attribute: camel(def.flag.long) }] : [];
}

/** Every answer with a flag, in the definition's order. */
export const ANSWER_ENTRIES: readonly AnswerEntry[] = entries(DEFINITION, '');

/** Every answer path (the `Field` list). */
export const ANSWER_FIELDS: readonly AnswerField[] = ANSWER_ENTRIES.map((e) => e.field);

/** The command-line flag of every answer, for messages. */
export const ANSWER_FLAGS = Object.fromEntries(ANSWER_ENTRIES.map((e) => [e.field, e.def.flag.long])) as Record<AnswerField, string>;

const BY_FIELD = new Map(ANSWER_ENTRIES.map((e) => [e.field, e]));

/** The definition of an answer. */
export const answerDef = (field: AnswerField): AnswerEntry['def'] => BY_FIELD.get(field)!.def;

/** The static default of an answer, if it has one (preset-dependent defaults are the presets'). */
export function defaultOf(field: AnswerField): string | boolean | readonly string[] | undefined {
  const def = answerDef(field);
  const value = 'default' in def ? def.default : undefined;
  return Array.isArray(value) ? [...value] : value; // a list of its own: the definition's stays empty
}

/**
 * The check of one value of an answer (of each item, for a list): its own (checks.ts), the range of
 * a whole number (`must be 1 to 10000 machines`), or membership of its enum. Undefined: any value
 * of its type.
 */
export function checkOf(field: AnswerField): Check | undefined {
  const def = answerDef(field);
  const leaf: Def = def.kind === 'list' ? def.items : def;
  if (leaf.kind === 'whole') {
    const { minimum = -Infinity, maximum = Infinity, unit = '' } = leaf;
    return (v) => (Number(v) >= minimum && Number(v) <= maximum ? undefined : `must be ${minimum} to ${maximum}${unit ? ` ${unit}` : ''} (got ${v})`);
  }
  if (leaf.kind !== 'text') return undefined;
  if (leaf.check) return leaf.check;
  const choices = leaf.enum;
  if (choices) return (v) => (choices.includes(v) ? undefined : `must be one of ${choices.join(', ')} (got ${check.show(v)})`);
  return undefined;
}

/** How the wizard names an answer in its messages, and whether it asks it. */
export const wizardOf = (field: AnswerField): WizardDef => answerDef(field).wizard ?? {};

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
      {
        const required = Object.keys(def.keys).filter((k) => def.keys[k]!.required);
        if (required.length) out.required = required;
      }
      if (def.minKeys !== undefined) out.minProperties = def.minKeys;
      out.additionalProperties = false;
      break;
  }
  if (def.examples) out.examples = def.examples;
  return out;
}

/** The JSON Schema (draft-07) of answers files. */
export function answersSchema(): Json {
  const { description, ...rest } = schemaOf(DEFINITION);
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
  let def: Def | undefined = DEFINITION;
  for (const key of path) {
    if (!def) return undefined;
    if (def.kind === 'section' && typeof key === 'string') def = def.keys[key];
    else if (def.kind === 'list' && typeof key === 'number') def = def.items;
    else return undefined;
  }
  return def;
}

/** Every leaf answer path, dotted (`network.gateway`), for checks against the `Field` list. */
export function definedLeaves(def: Def = DEFINITION, prefix = ''): string[] {
  if (def.kind !== 'section') return [prefix];
  return Object.entries(def.keys).flatMap(([k, d]) => definedLeaves(d, prefix ? `${prefix}.${k}` : k));
}

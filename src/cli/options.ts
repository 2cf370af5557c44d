/**
 * Every command's flags, with their help. Only commander here: the work behind each command is
 * imported when that command runs, so a command pays at start-up only for what it uses.
 */
import { Option, type Command } from 'commander';

export const REHEARSE_DEFAULT_TIMEOUT_SECONDS = 60;
export const REHEARSE_DEFAULT_PROXIES = 3;

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

const EXAMPLES = `
Examples:
  flatcar-architect --preset production --size 5
  flatcar-architect --preset small --size 3 --ssh-key ~/.ssh/id_ed25519.pub --network 192.168.1.0/24
  flatcar-architect --preset laptop --ssh-key ~/.ssh/id_ed25519.pub --out vm
  flatcar-architect --answers production/cluster.yaml --out production-again

Writes DIR/<machine>.bu (Butane), DIR/<machine>.ign (Ignition), DIR/cluster.yaml (every answer,
for --answers), DIR/SUMMARY.md (machines, boot order, how to boot each file), DIR/pki/ (the
cluster's CA and certificates, kept private) and for the laptop DIR/docker-client/. Configs holding
private keys are written mode 0600.
Exit codes: 0 done, 1 generation failed, 2 bad usage or input, 130 interrupted.`;

/** The default command's options; each flag's help says what it takes and its default. */
export function addGenerateOptions(program: Command, helpAfter: string = EXAMPLES): Command {
  return program
    .option('--preset <name>', 'cluster architecture: laptop (1 VM, Docker API from the host), small (3-9 machines, etcd on every one), dev (1 etcd machine + workers), production (3 or 5 etcd machines + workers)')
    .option('--size <n>', "total number of machines (laptop 1, small 3-9, dev 2 or more, production etcd size + 1 or more; default: the preset's)")
    .option('--etcd-size <n>', 'production: number of central etcd machines, 3 or 5 (default 3, 5 from 10 machines on)')
    .option('--name <name>', "cluster name: lowercase letters, digits, dashes (default: the preset's name)")
    .option('--name-prefix <prefix>', 'prefix of every machine name (default: the cluster name and a dash)')
    .option('--out <dir>', 'output directory (default: ./<cluster name>); must not exist or be empty')
    .option('--force', 'replace an existing non-empty output directory (only once the new one is complete)')
    .option('--network <cidr>', 'IPv4 network of the static addresses (default 10.0.0.0/24)')
    .option('--gateway <ip>', "default gateway (default: the network's first host, e.g. 10.0.0.1)")
    .option('--dns <ip,...>', 'DNS servers, comma-separated (default: the gateway)')
    .option('--domains <domain,...>', 'DNS search domains, comma-separated (default: none)')
    .option('--first-address <ip>', "first machine's address; the others follow in order, skipping the gateway and DNS servers (default: host .101 of the network)")
    .option('--interface <name>', 'interface the static address goes on, a name or space-separated globs (default "en* eth*")')
    .option('--mac-prefix <prefix>', "match each machine's interface by MAC: the prefix (2-5 octets, e.g. 52:54:00) followed by the last octets of its address")
    .option('--dhcp', 'addresses from DHCP instead of static ones (etcd members are then reached by host name)')
    .option('--discovery <url>', 'etcd discovery URL, created for the number of etcd members, instead of a static initial cluster')
    .option('--ssh-key <file|key>', "public key for the user core: a key line or a file of them (repeatable); without one nobody can log in", collect)
    .option('--update-group <group>', 'update group: stable, beta, alpha, lts or your update server\'s group (default stable)')
    .option('--reboot-strategy <strategy>', 'after an update: etcd-lock (one machine at a time; default for small and production), reboot (default otherwise) or off')
    .option('--reboot-window-start <when>', 'start of the reboot window, e.g. "Thu 04:00" or 04:00 (with --reboot-window-length)')
    .option('--reboot-window-length <duration>', 'length of the reboot window, e.g. 1h or 1h30m')
    .option('--etcd-version <tag>', 'etcd image tag for members and proxies (default v3.5.16)')
    .option('--etcd-image <repo>', 'etcd image repository without tag, e.g. a mirror registry.example.com/coreos/etcd (default quay.io/coreos/etcd)')
    .option('--update-server <url>', "update.conf SERVER=: your update server's URL (then --update-group may be any of its groups), or disabled (default: Flatcar's public server)")
    .option('--ntp <server,...>', "NTP servers for systemd-timesyncd, comma-separated (default: the image's)")
    .addOption(new Option('--secrets <where>', "machines' private keys: inline (in their configs) or ssh (configs without keys; `deliver DIR` copies them over SSH); default inline, ssh with --matchbox").choices(['inline', 'ssh']))
    .option('--etcd-token <token>', 'etcd initial cluster token (default: the cluster name)')
    .option('--templates <dir>', 'directory of templates that replace the built-in ones by file name')
    .option('--insecure', 'etcd without TLS: plain HTTP, no client certificates (default: TLS with client certificates); recorded in cluster.yaml')
    .option('--docker-insecure', "laptop: the Docker API on plain TCP 2375 without TLS (default: 2376 with TLS and client certificates); recorded in cluster.yaml")
    .option('--pki <dir>', 'reuse the CA and certificates of this PKI directory, or of an output directory holding pki/ (default with --force: DIR/pki)')
    .option('--rotate-pki', 'make a new CA and new certificates even where the existing ones still fit (every machine then needs its new config)')
    .option('--answers <file>', 'answers file (YAML or JSON), e.g. a cluster.yaml written before; flags override it')
    .option('--no-color', 'plain text output (also with the NO_COLOR environment variable)')
    .addHelpText('after', helpAfter);
}

/** Drops options a command does not take (so its --help does not list them and commander refuses them). */
export function withoutOptions(command: Command, longs: readonly string[]): Command {
  for (const long of longs) {
    const i = command.options.findIndex((o) => o.long === long);
    if (i >= 0) (command.options as Option[]).splice(i, 1);
  }
  return command;
}

/** The exit codes each command's --help ends with. */
export const EXIT_CODES = {
  plan: 'Exit codes: 0 the plan is printed, 1 generation failed, 2 bad usage or input.',
  init: 'Exit codes: 0 done, 1 generation failed, 2 bad usage or input (or no terminal), 130 interrupted.',
  schema: 'Exit codes: 0 printed, 2 bad usage.',
  transpile: 'Exit codes: 0 done (warnings allowed unless --strict), 1 the config is invalid, 2 bad usage.',
  rehearse: 'Exit codes: 0 every step passed, 1 a step failed, 2 bad usage (no DIR, no etcd members, etcd not installed), 130/143 interrupted.',
  scale: 'Exit codes: 0 done (or nothing to do), 1 scaling failed, 2 bad usage or input.',
  replace: 'Exit codes: 0 the replacement config written, 1 writing failed, 2 bad usage or input (not a cluster directory, unknown machine, no usable pki/).',
  deliver: 'Exit codes: 0 every machine got its keys, 1 a machine could not be reached or refused them, 2 bad usage or input.',
} as const;

export const PLAN_HELP = `
Examples:
  flatcar-architect plan --preset production --size 5
  flatcar-architect plan --answers production/cluster.yaml --json

Writes nothing.
${EXIT_CODES.plan}`;

export const INIT_HELP = `
Examples:
  flatcar-architect init
  flatcar-architect init --preset small --ssh-key ~/.ssh/id_ed25519.pub

Asks for every answer the flags did not give, shows the design, then writes DIR like the default
command. Needs a terminal.
${EXIT_CODES.init}`;


/** The scripting flags of the default command (and `plan`). */
export function addScriptingOptions(command: Command, options: { dryRun?: boolean } = { dryRun: true }): Command {
  command
    .option('--json', 'print one JSON document on standard output (on failure one JSON error object on standard error, nothing on standard output)')
    .option('--machine <name>', "with --stdout: the machine whose config to print (a name `plan` shows)")
    .option('--stdout', 'print one machine\'s config (--machine) on standard output instead of writing the output directory')
    .addOption(new Option('--format <format>', 'with --stdout: ign (Ignition JSON) or bu (Butane YAML)').choices(['ign', 'bu']))
    .option('--snippet <target=file>', "merge a Butane fragment (variant flatcar, version 1.0.0) into the configs of a role (etcd, worker, laptop), all, or one machine; repeatable", collect)
    .option('--allow-snippet-overrides', "let snippets replace or reconfigure generated units (unit files under /etc/systemd/system, drop-ins setting ExecStart=, EnvironmentFile= or TLS variables)")
    .option('--matchbox <dir>', 'also write a Matchbox directory (profiles/, groups/ selected by MAC, ignition/) for PXE booting the machines')
    .option('--matchbox-url <url>', 'with --matchbox: the Matchbox HTTP endpoint the machines fetch their Ignition config from (default http://matchbox.example.com:8080)');
  if (options.dryRun) command.option('--dry-run', 'check the answers and print the plan (a table, or JSON with --json); write nothing');
  return command;
}

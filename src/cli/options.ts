/**
 * Every command's flags, with their help. Only commander and the answers' definition here: the work
 * behind each command is imported when that command runs, so a command pays at start-up only for
 * what it uses.
 */
import { Option, type Command } from 'commander';
import { ANSWER_ENTRIES, HELP_BEFORE_OUT, type AnswerEntry } from '../answers/definition.js';

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

/** The flag of each answer, as its definition gives it (src/answers/definition.ts). */
function addAnswerOptions(program: Command, entries: readonly AnswerEntry[]): void {
  for (const { def } of entries) {
    const flag = def.flag;
    const option = new Option(flag.arg ? `${flag.long} ${flag.arg}` : flag.long, flag.help);
    if (flag.read === 'ssh-keys') option.argParser(collect);
    if (flag.choices && def.kind === 'text' && def.enum) option.choices(def.enum);
    program.addOption(option);
  }
}

/**
 * The default command's options; each flag's help says what it takes and its default. The answers'
 * flags come from their definitions; the others (output, PKI, answers file, colour) are written here.
 */
export function addGenerateOptions(program: Command, helpAfter: string = EXAMPLES): Command {
  const byOrder = [...ANSWER_ENTRIES].sort((a, b) => a.def.flag.order - b.def.flag.order);
  addAnswerOptions(
    program,
    byOrder.filter((e) => e.def.flag.order <= HELP_BEFORE_OUT),
  );
  program
    .option('--out <dir>', 'output directory (default: ./<cluster name>); must not exist or be empty')
    .option('--force', 'replace an existing non-empty output directory (only once the new one is complete)');
  addAnswerOptions(
    program,
    byOrder.filter((e) => e.def.flag.order > HELP_BEFORE_OUT),
  );
  return program
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
    .option('--machine <name>', 'with --stdout: the machine whose config to print (a name `plan` shows)')
    .option('--stdout', "print one machine's config (--machine) on standard output instead of writing the output directory")
    .addOption(new Option('--format <format>', 'with --stdout: ign (Ignition JSON) or bu (Butane YAML)').choices(['ign', 'bu']))
    .option(
      '--snippet <target=file>',
      'merge a Butane fragment (variant flatcar, version 1.0.0) into the configs of a role (etcd, worker, laptop), all, or one machine; repeatable',
      collect,
    )
    .option(
      '--allow-snippet-overrides',
      'let snippets replace or reconfigure generated units (unit files under /etc/systemd/system, drop-ins setting ExecStart=, EnvironmentFile= or TLS variables)',
    )
    .option('--matchbox <dir>', 'also write a Matchbox directory (profiles/, groups/ selected by MAC, ignition/) for PXE booting the machines')
    .option('--matchbox-url <url>', 'with --matchbox: the Matchbox HTTP endpoint the machines fetch their Ignition config from (default http://matchbox.example.com:8080)');
  if (options.dryRun) command.option('--dry-run', 'check the answers and print the plan (a table, or JSON with --json); write nothing');
  return command;
}

#!/usr/bin/env node
/** The command line: parses arguments and hands each command to its module. */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { EXIT, UsageError } from './errors.js';
import { runTranspile, type Streams } from './transpile.js';
import { REHEARSE_DEFAULTS, runRehearse, type RehearseFlags } from './rehearse.js';
import { runGenerate, type GenerateFlags } from './generate.js';
import { addScriptingOptions, AnswersUsageError, errorJson, type ErrorCode } from './scripted.js';
import { answersSchemaText } from '../spec/definition.js';

/** `--json` anywhere: errors are one JSON object on standard error. */
const jsonMode = (argv: string[]): boolean => argv.slice(2).includes('--json');

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
function addGenerateOptions(program: Command): Command {
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
    .option('--etcd-token <token>', 'etcd initial cluster token (default: the cluster name)')
    .option('--templates <dir>', 'directory of templates that replace the built-in ones by file name')
    .option('--insecure', 'etcd without TLS: plain HTTP, no client certificates (default: TLS with client certificates); recorded in cluster.yaml')
    .option('--docker-insecure', "laptop: the Docker API on plain TCP 2375 without TLS (default: 2376 with TLS and client certificates); recorded in cluster.yaml")
    .option('--pki <dir>', 'reuse the CA and certificates of this PKI directory, or of an output directory holding pki/ (default with --force: DIR/pki)')
    .option('--rotate-pki', 'make a new CA and new certificates even where the existing ones still fit (every machine then needs its new config)')
    .option('--answers <file>', 'answers file (YAML or JSON), e.g. a cluster.yaml written before; flags override it')
    .option('--no-color', 'plain text output (also with the NO_COLOR environment variable)')
    .addHelpText('after', EXAMPLES);
}

const streams: Streams = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  stdin: () => readFileSync(0, 'utf8'),
};

export function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command('flatcar-architect')
    .description('Design a Flatcar Container Linux cluster and write its Butane and Ignition configs.')
    .exitOverride()
    .configureOutput({
      writeErr: (s) => process.stderr.write(s),
      outputError: (s, write) => write(jsonMode(process.argv) ? errorJson('usage', s.replace(/^error: /, '').trim()) : s),
    })
    .enablePositionalOptions();

  const io = () => ({
    cwd: process.cwd(),
    stdout: streams.stdout,
    stderr: streams.stderr,
    interactive: Boolean(process.stdin.isTTY && process.stdout.isTTY),
    color: !('NO_COLOR' in process.env) && Boolean(process.stdout.isTTY),
    stdin: streams.stdin,
  });
  addScriptingOptions(addGenerateOptions(program)).action(async (opts: GenerateFlags) => setExit(await runGenerate(opts, io())));

  addScriptingOptions(
    addGenerateOptions(program.command('plan').description('Check the answers and print the plan (machines, roles, addresses, MACs, files, boot order); write nothing')),
    { dryRun: false },
  ).action(async (opts: GenerateFlags) => setExit(await runGenerate({ ...opts, dryRun: true }, io())));

  program
    .command('schema')
    .description('Print the JSON Schema of answers files (schema/answers.schema.json)')
    .action(() => {
      streams.stdout(answersSchemaText());
      setExit(EXIT.ok);
    });

  addGenerateOptions(
    program.command('init').description('Design a cluster interactively (the wizard), then write it; flags pre-fill answers'),
  ).action(async (opts: GenerateFlags) => setExit(await runGenerate(opts, io(), { wizard: true })));

  program
    .command('transpile')
    .description('Translate a Butane config (variant flatcar 1.0.0 or 1.1.0) into Ignition JSON')
    .argument('[file]', 'Butane YAML file (standard input if omitted)')
    .option('-s, --strict', 'fail on any warning')
    .option('-p, --pretty', 'indent the JSON output')
    .option('-d, --files-dir <dir>', 'directory for local:, trees:, contents_local and ssh_authorized_keys_local')
    .option('-o, --output <file>', 'write the Ignition JSON to this file instead of standard output')
    .action((file: string | undefined, opts) => setExit(runTranspile(file, opts, streams)));

  program
    .command('rehearse')
    .description("Run a generated cluster's etcd here with the real etcd: form it, write through the proxies, stop members until writes fail, heal")
    .argument('<dir>', 'directory of a generated cluster (its .ign files)')
    .option('--timeout <seconds>', 'overall deadline', REHEARSE_DEFAULTS.timeout)
    .option('--proxies <n>', "how many workers' grpc-proxies to start", REHEARSE_DEFAULTS.proxies)
    .option('--json', 'print the result as JSON on standard output (progress on standard error)')
    .action(async (dir: string, opts: RehearseFlags) => setExit(await runRehearse(dir, opts)));

  return program;
}

async function main(argv: string[]): Promise<number> {
  let code: number = EXIT.ok;
  const program = buildProgram((c) => (code = c));
  try {
    await program.parseAsync(argv);
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and version are successes; every other parse problem is bad usage.
      return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (e instanceof UsageError) {
      if (jsonMode(argv)) {
        const problems = e instanceof AnswersUsageError ? e.problems : undefined;
        process.stderr.write(errorJson(e.code as ErrorCode, e.message, e.field, problems));
      } else {
        for (const line of e.message.split('\n')) process.stderr.write(`flatcar-architect: ${line}\n`);
      }
      return e.exitCode;
    }
    throw e;
  }
}

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    if (jsonMode(process.argv)) process.stderr.write(errorJson('internal', `internal error: ${(e as Error)?.stack ?? String(e)}`));
    else process.stderr.write(`flatcar-architect: internal error: ${(e as Error)?.stack ?? String(e)}\n`);
    process.exitCode = EXIT.failed;
  },
);

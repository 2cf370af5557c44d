#!/usr/bin/env node
/** The command line: parses arguments and hands each command to its module. */
import { readFileSync } from 'node:fs';
import { isatty } from 'node:tty';
import { Command, CommanderError } from 'commander';
import { useColor } from '../io/color.js';
import { packageVersion } from '../package-root.js';
import { LIMITS, readBoundedStdin } from '../io/bounded.js';
import { AnswersUsageError, errorJson, EXIT, safeMessage, UsageError } from './errors.js';
import type { GenerateFlags } from './generate.js';
import { addGenerateOptions, addScriptingOptions, EXIT_CODES, INIT_HELP, PLAN_HELP, REHEARSE_DEFAULT_PROXIES, REHEARSE_DEFAULT_TIMEOUT_SECONDS, withoutOptions } from './options.js';
import type { RehearseFlags } from './rehearse.js';
import type { Streams } from './transpile.js';

/** `--json` anywhere: errors are one JSON object on standard error. */
const jsonMode = (argv: string[]): boolean => argv.slice(2).includes('--json');

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
    .enablePositionalOptions()
    .version(packageVersion(), '-V, --version', 'print the version');

  const io = () => ({
    cwd: process.cwd(),
    stdout: streams.stdout,
    stderr: streams.stderr,
    // isatty, not process.stdin.isTTY: making the process.stdin stream costs a run several ms.
    interactive: isatty(0) && isatty(1),
    color: useColor(process.stdout),
    colorStderr: useColor(process.stderr),
    stderrTty: isatty(2),
    // `--answers -`: at most the answers file limit.
    stdin: () => readBoundedStdin(LIMITS.answers, 'standard input'),
  });
  // Each action imports its implementation when it runs (see options.ts).
  const runGenerate: typeof import('./generate.js').runGenerate = async (...args) => (await import('./generate.js')).runGenerate(...args);
  // Operands of the bare command are a mistyped command: "unknown command 'x'" (exit 2).
  addScriptingOptions(addGenerateOptions(program))
    .allowExcessArguments(true)
    .action(async (opts: GenerateFlags, command: Command) => {
      if (command.args.length) throw unknownCommand(program, command.args[0]!);
      setExit(await runGenerate(opts, io()));
    });
  program.helpCommand('help [command]', 'show the help of a command');

  // plan writes nothing: no output directory, no single config, no Matchbox tree, no new PKI.
  withoutOptions(
    addScriptingOptions(
      addGenerateOptions(program.command('plan').description('Check the answers and print the plan (machines, roles, addresses, MACs, files, boot order); write nothing'), PLAN_HELP),
      { dryRun: false },
    ),
    ['--out', '--force', '--rotate-pki', '--stdout', '--machine', '--format', '--matchbox', '--matchbox-url'],
  ).action(async (opts: GenerateFlags) => setExit(await runGenerate({ ...opts, dryRun: true }, io())));

  program
    .command('schema')
    .description('Print the JSON Schema of answers files (schema/answers.schema.json)')
    .option('--no-color', 'plain text output (the schema is never coloured)')
    .addHelpText('after', `\n${EXIT_CODES.schema}`)
    .action(async () => {
      const { answersSchemaText } = await import('../answers/definition.js');
      streams.stdout(answersSchemaText());
      setExit(EXIT.ok);
    });

  addGenerateOptions(
    program.command('init').description('Design a cluster interactively (the wizard), then write it; flags pre-fill answers'),
    INIT_HELP,
  ).action(async (opts: GenerateFlags) => setExit(await runGenerate(opts, io(), { wizard: true })));

  program
    .command('transpile')
    .description('Translate a Butane config (variant flatcar 1.0.0 or 1.1.0) into Ignition JSON')
    .argument('[file]', 'Butane YAML file (standard input if omitted)')
    .option('-s, --strict', 'fail on any warning')
    .option('-p, --pretty', 'indent the JSON output')
    .option('-d, --files-dir <dir>', 'directory for local:, trees:, contents_local and ssh_authorized_keys_local')
    .option('-o, --output <file>', 'write the Ignition JSON to this file instead of standard output')
    .option('--no-color', 'plain text output (transpile never colours)')
    .addHelpText('after', `\n${EXIT_CODES.transpile}`)
    .action(async (file: string | undefined, opts) => setExit((await import('./transpile.js')).runTranspile(file, opts, streams)));

  program
    .command('rehearse')
    .description("Run a generated cluster's etcd here with the real etcd: form it, write through the proxies, stop members until writes fail, heal")
    .argument('<dir>', 'directory of a generated cluster (its .ign files)')
    .option('--timeout <seconds>', 'overall deadline', String(REHEARSE_DEFAULT_TIMEOUT_SECONDS))
    .option('--proxies <n>', "how many workers' grpc-proxies to start", String(REHEARSE_DEFAULT_PROXIES))
    .option('--layout <layout>', 'lan (a network namespace per machine, needs root), loopback (the fallback), or auto', 'auto')
    .option('--replace <machine>', "instead of the fault drills: lose that etcd member and follow `replace`'s printed steps (DIR untouched)")
    .option('--json', 'print the result as JSON on standard output (progress on standard error)')
    .option('--no-color', 'plain text output (also with NO_COLOR, FORCE_COLOR=0 or TERM=dumb)')
    .addHelpText('after', `\n${EXIT_CODES.rehearse}`)
    .action(async (dir: string, opts: RehearseFlags) => setExit(await (await import('./rehearse.js')).runRehearse(dir, opts)));

  program
    .command('scale')
    .description('Grow (or shrink the workers of) a generated cluster: existing machines keep their configs byte for byte; prints the etcd membership steps')
    .argument('<dir>', 'directory of a generated cluster (its cluster.yaml and pki/)')
    .requiredOption('--size <n>', 'total number of machines after scaling')
    .option('--etcd-size <n>', 'production: the number of etcd members after scaling, 3 or 5 (default: the current one)')
    .option('--force', 'allow removing machines (their configs and certificates)')
    .option('--no-color', 'plain text output (scale never colours)')
    .addHelpText('after', `\n${EXIT_CODES.scale}`)
    .action(async (dir: string, opts: import('./scale.js').ScaleFlags) => setExit(await (await import('./scale.js')).runScale(dir, opts, io())));

  program
    .command('replace')
    .description("Write a failed machine's replacement config (an etcd member joins the running cluster) and print the etcdctl steps; other files stay as they are")
    .argument('<dir>', 'directory of a generated cluster (its cluster.yaml and pki/)')
    .argument('<machine>', 'the machine to replace, e.g. prod-etcd-2')
    .option('--no-color', 'plain text output (replace never colours)')
    .addHelpText('after', `\n${EXIT_CODES.replace}`)
    .action(async (dir: string, machine: string) => setExit(await (await import('./replace-machine.js')).runReplaceMachine(dir, machine, io())));

  program
    .command('deliver')
    .description("--secrets ssh clusters: copy each machine's private keys over SSH (sudo install, owner and mode 0600) and restart the units that use them")
    .argument('<dir>', 'directory of a generated cluster (its cluster.yaml and pki/)')
    .argument('[machine]', 'only this machine (default: every machine with keys)')
    .option('--user <name>', 'SSH user on the machines, with sudo (default core)')
    .option('--port <n>', 'SSH port (default 22)')
    .option('--identity <file>', 'SSH private key (default: your agent and ssh configuration)')
    .option('--ssh-option <option>', 'an ssh -o option, e.g. UserKnownHostsFile=FILE (repeatable)', (v: string, p: string[] = []) => [...p, v])
    .option('--timeout <seconds>', 'per machine (default 120)')
    .option('--no-color', 'plain text output (deliver never colours)')
    .addHelpText('after', `\n${EXIT_CODES.deliver}`)
    .action(async (dir: string, machine: string | undefined, opts) => setExit(await (await import('./deliver.js')).runDeliver(dir, machine, opts, io())));

  return program;
}

/** "unknown command 'x'" and the commands there are (bad usage, exit 2). */
function unknownCommand(program: Command, name: string): UsageError {
  const names = program.commands.map((c) => c.name());
  return new UsageError(`unknown command '${name}'\ncommands: ${[...names, 'help'].join(', ')} (or none: generate a cluster)\nsee: flatcar-architect help`);
}

/** `help <command>`: that command's help; `help x` for an unknown x is bad usage. */
function helpCommand(program: Command, argv: string[]): number | undefined {
  const args = argv.slice(2);
  if (args[0] !== 'help') return undefined;
  const name = args.slice(1).find((a) => !a.startsWith('-'));
  if (name === undefined) {
    program.outputHelp();
    return EXIT.ok;
  }
  const command = program.commands.find((c) => c.name() === name || c.aliases().includes(name));
  if (!command) throw unknownCommand(program, name);
  command.outputHelp();
  return EXIT.ok;
}

async function main(argv: string[]): Promise<number> {
  let code: number = EXIT.ok;
  const program = buildProgram((c) => (code = c));
  try {
    const helped = helpCommand(program, argv);
    if (helped !== undefined) return helped;
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
        process.stderr.write(errorJson(e.code, e.message, e.field, problems));
      } else {
        for (const line of safeMessage(e.message).split('\n')) process.stderr.write(`flatcar-architect: ${line}\n`);
      }
      return e.exitCode;
    }
    throw e;
  }
}

// A reader that stops early (`| head`) is not an error: stop writing, quietly.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    process.exit(process.exitCode ?? EXIT.ok);
  });
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

#!/usr/bin/env node
/** The command line: parses arguments and hands each command to its module. */
import { readFileSync } from 'node:fs';
import { isatty } from 'node:tty';
import { Command, CommanderError } from 'commander';
import { packageVersion } from '../package-root.js';
import { AnswersUsageError, errorJson, EXIT, UsageError } from './errors.js';
import type { GenerateFlags } from './generate.js';
import { addGenerateOptions, addScriptingOptions, REHEARSE_DEFAULT_PROXIES, REHEARSE_DEFAULT_TIMEOUT_SECONDS } from './options.js';
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
    color: !('NO_COLOR' in process.env) && Boolean(process.stdout.isTTY),
    stdin: streams.stdin,
  });
  // Each action imports its implementation when it runs (see options.ts).
  const runGenerate: typeof import('./generate.js').runGenerate = async (...args) => (await import('./generate.js')).runGenerate(...args);
  addScriptingOptions(addGenerateOptions(program)).action(async (opts: GenerateFlags) => setExit(await runGenerate(opts, io())));

  addScriptingOptions(
    addGenerateOptions(program.command('plan').description('Check the answers and print the plan (machines, roles, addresses, MACs, files, boot order); write nothing')),
    { dryRun: false },
  ).action(async (opts: GenerateFlags) => setExit(await runGenerate({ ...opts, dryRun: true }, io())));

  program
    .command('schema')
    .description('Print the JSON Schema of answers files (schema/answers.schema.json)')
    .action(async () => {
      const { answersSchemaText } = await import('../answers/definition.js');
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
    .action(async (file: string | undefined, opts) => setExit((await import('./transpile.js')).runTranspile(file, opts, streams)));

  program
    .command('rehearse')
    .description("Run a generated cluster's etcd here with the real etcd: form it, write through the proxies, stop members until writes fail, heal")
    .argument('<dir>', 'directory of a generated cluster (its .ign files)')
    .option('--timeout <seconds>', 'overall deadline', String(REHEARSE_DEFAULT_TIMEOUT_SECONDS))
    .option('--proxies <n>', "how many workers' grpc-proxies to start", String(REHEARSE_DEFAULT_PROXIES))
    .option('--layout <layout>', 'lan (a network namespace per machine, needs root), loopback (the fallback), or auto', 'auto')
    .option('--json', 'print the result as JSON on standard output (progress on standard error)')
    .action(async (dir: string, opts: RehearseFlags) => setExit(await (await import('./rehearse.js')).runRehearse(dir, opts)));

  program
    .command('scale')
    .description('Grow (or shrink the workers of) a generated cluster: existing machines keep their configs byte for byte; prints the etcd membership steps')
    .argument('<dir>', 'directory of a generated cluster (its cluster.yaml and pki/)')
    .requiredOption('--size <n>', 'total number of machines after scaling')
    .option('--etcd-size <n>', 'production: the number of etcd members after scaling, 3 or 5 (default: the current one)')
    .option('--force', 'allow removing machines (their configs and certificates)')
    .action(async (dir: string, opts: import('./scale.js').ScaleFlags) => setExit(await (await import('./scale.js')).runScale(dir, opts, io())));

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
        process.stderr.write(errorJson(e.code, e.message, e.field, problems));
      } else {
        for (const line of e.message.split('\n')) process.stderr.write(`flatcar-architect: ${line}\n`);
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

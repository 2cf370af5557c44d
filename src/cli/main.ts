#!/usr/bin/env node
/** The command line: parses arguments and hands each command to its module. */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { EXIT, UsageError } from './errors.js';
import { runTranspile, type Streams } from './transpile.js';

const streams: Streams = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  stdin: () => readFileSync(0, 'utf8'),
};

export function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command('flatcar-architect')
    .description('Design a Flatcar Container Linux cluster and write its Butane and Ignition configs.')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  program
    .command('transpile')
    .description('Translate a Butane config (variant flatcar 1.0.0 or 1.1.0) into Ignition JSON')
    .argument('[file]', 'Butane YAML file (standard input if omitted)')
    .option('-s, --strict', 'fail on any warning')
    .option('-p, --pretty', 'indent the JSON output')
    .option('-d, --files-dir <dir>', 'directory for local:, trees:, contents_local and ssh_authorized_keys_local')
    .option('-o, --output <file>', 'write the Ignition JSON to this file instead of standard output')
    .action((file: string | undefined, opts) => setExit(runTranspile(file, opts, streams)));

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
      process.stderr.write(`flatcar-architect: ${e.message}\n`);
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
    process.stderr.write(`flatcar-architect: internal error: ${(e as Error)?.stack ?? String(e)}\n`);
    process.exitCode = EXIT.failed;
  },
);

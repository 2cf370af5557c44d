#!/usr/bin/env node
/** The command line: parses arguments and hands each command to its module. */
import { readFileSync } from 'node:fs';
import { isatty } from 'node:tty';
import { Command } from 'commander';
import { useColor } from '../io/color.js';
import { packageVersion } from '../package-root.js';
import { LIMITS, readBoundedStdin } from '../io/bounded.js';
import { errorJson, EXIT, runReported, UsageError } from './errors.js';
import { COMMANDS, type CommandContext } from './commands/index.js';
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
    // Prose is wrapped by words on a terminal only (a pipe gets one line per message).
    columns: isatty(1) ? process.stdout.columns : undefined,
    stderrColumns: isatty(2) ? process.stderr.columns : undefined,
    // `--answers -`: at most the answers file limit.
    stdin: () => readBoundedStdin(LIMITS.answers, 'standard input'),
  });
  const ctx: CommandContext = { setExit, io, streams, unknownCommand: (name) => unknownCommand(program, name) };
  // One file per command (src/cli/commands/); each imports its implementation when it runs.
  for (const register of COMMANDS) register(program, ctx);
  program.helpCommand('help [command]', 'show the help of a command');
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
  // One mapping of every failure to its exit code and message (src/cli/errors.ts).
  return runReported(
    async () => {
      const helped = helpCommand(program, argv);
      if (helped !== undefined) return helped;
      await program.parseAsync(argv);
      return code;
    },
    jsonMode(argv),
    (t) => process.stderr.write(t),
  );
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
    // Only a bug in the mapping itself gets here.
    process.stderr.write(`flatcar-architect: internal error: ${(e as Error)?.stack ?? String(e)}\n`);
    process.exitCode = EXIT.failed;
  },
);

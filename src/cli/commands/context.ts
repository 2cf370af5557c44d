/**
 * What every command's registration gets from main.ts: where its exit code goes and the process's
 * input and output. Each command lives in its own file here and exports `register(program, ctx)`;
 * its implementation is imported inside its action, so a command pays at start-up only for what it uses.
 */
import type { Command } from 'commander';
import type { GenerateIo } from '../generate.js';
import type { Streams } from '../transpile.js';

export interface CommandContext {
  /** The exit code of the command that ran. */
  setExit: (code: number) => void;
  /** The terminal, colours and standard input of the default command and the day-2 commands. */
  io: () => GenerateIo;
  /** Plain standard output, error and input (transpile, schema). */
  streams: Streams;
  /** "unknown command 'x'": operands of the bare command are a mistyped command. */
  unknownCommand: (name: string) => Error;
}

export type Register = (program: Command, ctx: CommandContext) => void;

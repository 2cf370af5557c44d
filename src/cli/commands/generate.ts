/** The default command (no command name): flags or an answers file (or the wizard) -> DIR. */
import type { Command } from 'commander';
import type { GenerateFlags } from '../generate.js';
import { addGenerateOptions, addScriptingOptions } from '../options.js';
import type { CommandContext } from './context.js';

/** runGenerate (src/cli/generate.ts), loaded when a command that generates runs. */
export const runGenerate: typeof import('../generate.js').runGenerate = async (...args) => (await import('../generate.js')).runGenerate(...args);

export function register(program: Command, ctx: CommandContext): void {
  // Operands of the bare command are a mistyped command: "unknown command 'x'" (exit 2).
  addScriptingOptions(addGenerateOptions(program))
    .allowExcessArguments(true)
    .action(async (opts: GenerateFlags, command: Command) => {
      if (command.args.length) throw ctx.unknownCommand(command.args[0]!);
      ctx.setExit(await runGenerate(opts, ctx.io()));
    });
}

/** `init`: the wizard asks what the flags did not give, then writes DIR like the default command. */
import type { Command } from 'commander';
import type { GenerateFlags } from '../generate.js';
import { addGenerateOptions, INIT_HELP } from '../options.js';
import type { CommandContext } from './context.js';
import { runGenerate } from './generate.js';

export function register(program: Command, ctx: CommandContext): void {
  addGenerateOptions(program.command('init').description('Design a cluster interactively (the wizard), then write it; flags pre-fill answers'), INIT_HELP).action(
    async (opts: GenerateFlags) => ctx.setExit(await runGenerate(opts, ctx.io(), { wizard: true })),
  );
}

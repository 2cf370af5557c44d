/** `plan`: the answers checked and the plan printed (a table, or JSON); nothing written. */
import type { Command } from 'commander';
import type { GenerateFlags } from '../generate.js';
import { addGenerateOptions, addScriptingOptions, PLAN_HELP, withoutOptions } from '../options.js';
import type { CommandContext } from './context.js';
import { runGenerate } from './generate.js';

export function register(program: Command, ctx: CommandContext): void {
  // plan writes nothing: no output directory, no single config, no Matchbox tree, no new PKI.
  withoutOptions(
    addScriptingOptions(
      addGenerateOptions(
        program.command('plan').description('Check the answers and print the plan (machines, roles, addresses, MACs, files, boot order); write nothing'),
        PLAN_HELP,
      ),
      { dryRun: false },
    ),
    ['--out', '--force', '--rotate-pki', '--stdout', '--machine', '--format', '--matchbox', '--matchbox-url'],
  ).action(async (opts: GenerateFlags) => ctx.setExit(await runGenerate({ ...opts, dryRun: true }, ctx.io())));
}

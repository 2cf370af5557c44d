/** `replace DIR MACHINE`: a failed machine's replacement config and the etcdctl steps. */
import type { Command } from 'commander';
import { EXIT_CODES } from '../options.js';
import type { CommandContext } from './context.js';

export function register(program: Command, ctx: CommandContext): void {
  program
    .command('replace')
    .description("Write a failed machine's replacement config (an etcd member joins the running cluster) and print the etcdctl steps; other files stay as they are")
    .argument('<dir>', 'directory of a generated cluster (its cluster.yaml and pki/)')
    .argument('<machine>', 'the machine to replace, e.g. prod-etcd-2')
    .option('--json', 'print the files written and the steps as one JSON document on standard output (on failure one JSON error object on standard error)')
    .option('--no-color', 'plain text output (replace never colours)')
    .addHelpText('after', `\n${EXIT_CODES.replace}`)
    .action(async (dir: string, machine: string, opts: { json?: boolean }) =>
      ctx.setExit(await (await import('../replace-machine.js')).runReplaceMachine(dir, machine, ctx.io(), opts)),
    );
}

/** `deliver DIR [MACHINE]`: --secrets ssh clusters get their machines' private keys over SSH. */
import type { Command } from 'commander';
import type { DeliverFlags } from '../deliver.js';
import { EXIT_CODES } from '../options.js';
import type { CommandContext } from './context.js';

export function register(program: Command, ctx: CommandContext): void {
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
    .option('--json', "print each machine's outcome as one JSON document on standard output (on bad usage one JSON error object on standard error)")
    .option('--no-color', 'plain text output (deliver never colours)')
    .addHelpText('after', `\n${EXIT_CODES.deliver}`)
    .action(async (dir: string, machine: string | undefined, opts: DeliverFlags) => ctx.setExit(await (await import('../deliver.js')).runDeliver(dir, machine, opts, ctx.io())));
}

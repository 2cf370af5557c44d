/** `rehearse DIR`: the generated cluster's etcd run here with the real etcd, the fault drills shown live. */
import type { Command } from 'commander';
import { EXIT_CODES, REHEARSE_DEFAULT_PROXIES, REHEARSE_DEFAULT_TIMEOUT_SECONDS } from '../options.js';
import type { RehearseFlags } from '../rehearse.js';
import type { CommandContext } from './context.js';

export function register(program: Command, ctx: CommandContext): void {
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
    .action(async (dir: string, opts: RehearseFlags) => ctx.setExit(await (await import('../rehearse.js')).runRehearse(dir, opts)));
}

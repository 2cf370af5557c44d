/** `transpile [FILE]`: Butane (variant flatcar) -> Ignition JSON, like the `butane` binary. */
import type { Command } from 'commander';
import { EXIT_CODES } from '../options.js';
import type { TranspileCommandOptions } from '../transpile.js';
import type { CommandContext } from './context.js';

export function register(program: Command, ctx: CommandContext): void {
  program
    .command('transpile')
    .description('Translate a Butane config (variant flatcar 1.0.0 or 1.1.0) into Ignition JSON')
    .argument('[file]', 'Butane YAML file (standard input if omitted)')
    .option('-s, --strict', 'fail on any warning')
    .option('-p, --pretty', 'indent the JSON output')
    .option('-d, --files-dir <dir>', 'directory for local:, trees:, contents_local and ssh_authorized_keys_local')
    .option('-o, --output <file>', 'write the Ignition JSON to this file instead of standard output')
    .option('--no-color', 'plain text output (transpile never colours)')
    .addHelpText('after', `\n${EXIT_CODES.transpile}`)
    .action(async (file: string | undefined, opts: TranspileCommandOptions) => ctx.setExit((await import('../transpile.js')).runTranspile(file, opts, ctx.streams)));
}

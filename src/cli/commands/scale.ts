/** `scale DIR --size N`: a generated cluster grown (or its workers shrunk); existing configs kept byte for byte. */
import type { Command } from 'commander';
import { PRODUCTION_ETCD_SIZES } from '../../architectures/sizes.js';
import { EXIT_CODES } from '../options.js';
import type { ScaleFlags } from '../scale.js';
import type { CommandContext } from './context.js';

export function register(program: Command, ctx: CommandContext): void {
  program
    .command('scale')
    .description('Grow (or shrink the workers of) a generated cluster: existing machines keep their configs byte for byte; prints the etcd membership steps')
    .argument('<dir>', 'directory of a generated cluster (its cluster.yaml and pki/)')
    .requiredOption('--size <n>', 'total number of machines after scaling')
    .option('--etcd-size <n>', `production: the number of etcd members after scaling, ${PRODUCTION_ETCD_SIZES.join(' or ')} (default: the current one)`)
    .option('--force', 'allow removing machines (their configs and certificates)')
    .option('--json', 'print the outcome as one JSON document on standard output (on failure one JSON error object on standard error)')
    .option('--no-color', 'plain text output (scale never colours)')
    .addHelpText('after', `\n${EXIT_CODES.scale}`)
    .action(async (dir: string, opts: ScaleFlags) => ctx.setExit(await (await import('../scale.js')).runScale(dir, opts, ctx.io())));
}

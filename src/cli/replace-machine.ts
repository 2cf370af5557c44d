/**
 * `flatcar-architect replace DIR MACHINE` (src/scale/replace.ts): writes MACHINE's replacement
 * config into DIR (atomically, every other file unchanged) and prints the etcdctl steps in order.
 * DIR is read and written as `scale` does it (src/cli/cluster-dir.ts: locked, recovered first).
 */
import { relative } from 'node:path';
import { replaceMachine, replaceSteps } from '../scale/replace.js';
import { writeGenerated } from '../write/output.js';
import { withClusterDir, type ClusterDirIo } from './cluster-dir.js';
import { CliError, EXIT } from './errors.js';
import { printJson } from './report.js';

export type ReplaceMachineIo = ClusterDirIo;

/** The `replace --json` document. */
export interface ReplaceReport {
  machine: string;
  /** DIR (absolute). */
  dir: string;
  /** The files written (none for a worker: its config does not change). */
  changed: string[];
  /** The steps, as printed without --json. */
  steps: string[];
}

export async function runReplaceMachine(dirArg: string, name: string, io: ReplaceMachineIo, flags: { json?: boolean } = {}): Promise<number> {
  return withClusterDir(dirArg, io, "the replacement config needs the machine's certificates", {}, async ({ dir, answers, bundle, current }) => {
    const outcome = await replaceMachine(answers, bundle, name, current, { outDir: dir });
    const shown = relative(io.cwd, dir) || '.';
    if (outcome.changed.length) {
      try {
        const written = writeGenerated(dir, outcome.result, { force: true });
        for (const note of written.notes) io.stderr(`flatcar-architect: note: ${note}\n`);
        for (const w of written.warnings) io.stderr(`warning: ${w}\n`);
      } catch (e) {
        throw new CliError(`cannot write ${dir}: ${(e as Error).message}`, 'write_failed');
      }
    }
    const steps = replaceSteps(outcome, shown);
    if (flags.json) {
      const report: ReplaceReport = { machine: name, dir, changed: outcome.changed, steps };
      printJson(io, report);
    } else io.stdout(steps.join('\n') + '\n');
    return EXIT.ok;
  });
}

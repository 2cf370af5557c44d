/**
 * `flatcar-architect scale DIR --size N [--etcd-size M] [--force]`: an existing generated cluster at
 * another size (src/scale/). Reads DIR/cluster.yaml and DIR/pki, writes DIR again atomically (the
 * new one replaces it only once complete), prints what changed and the etcd membership steps.
 */
import { relative } from 'node:path';
import { scaleCluster } from '../scale/index.js';
import { SpecError } from '../answers/types.js';
import { membershipSteps } from '../scale/steps.js';
import { writeGenerated } from '../write/output.js';
import { withClusterDir, type ClusterDirIo } from './cluster-dir.js';
import { CliError, EXIT, UsageError } from './errors.js';
import { printJson } from './report.js';

export interface ScaleFlags {
  size?: string;
  etcdSize?: string;
  force?: boolean;
  /** --json: the outcome as one JSON document on stdout (a failure: one JSON error object on stderr). */
  json?: boolean;
}

/** The `scale --json` document. */
export interface ScaleReport {
  cluster: string;
  /** DIR (absolute). */
  dir: string;
  machinesBefore: number;
  machinesAfter: number;
  kept: string[];
  added: { name: string; role: string; address: string | null; mac: string | null }[];
  removed: string[];
  etcdMembers: string[];
  /** The etcd membership steps, as printed without --json (empty when there are none). */
  steps: string[];
}

export type ScaleIo = ClusterDirIo;

function whole(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value.trim())) throw new UsageError(`${flag}: ${value} is not a whole number`);
  return Number(value);
}

export async function runScale(dirArg: string, flags: ScaleFlags, io: ScaleIo): Promise<number> {
  const size = whole(flags.size, '--size');
  if (size === undefined) throw new UsageError('--size N is required: the total number of machines after scaling');
  const etcdSize = whole(flags.etcdSize, '--etcd-size');
  return withClusterDir(
    dirArg,
    io,
    'its CA is needed to certify the new machines',
    { size: flags.size, etcd: { size: flags.etcdSize } },
    async ({ dir, answers, bundle, current }) => {
      let outcome;
      try {
        outcome = await scaleCluster(answers, bundle, { size, ...(etcdSize !== undefined ? { etcdSize } : {}) }, current, { outDir: dir });
      } catch (e) {
        // Without --etcd-size, small's and dev's etcd size follows --size: its problem is the size's, said once.
        if (e instanceof SpecError && etcdSize === undefined && e.problems.some((p) => p.field === 'size')) throw new SpecError(e.problems.filter((p) => p.field !== 'etcd.size'));
        throw e;
      }
      return report(dir, size, outcome, flags, io);
    },
  );
}

function report(dir: string, size: number, outcome: Awaited<ReturnType<typeof scaleCluster>>, flags: ScaleFlags, io: ScaleIo): number {
  const shown = relative(io.cwd, dir) || '.';
  const before = outcome.before.machines.length;
  const json = (steps: string[]) => {
    const byName = new Map(outcome.result.machines.map((m) => [m.name, m]));
    const report: ScaleReport = {
      cluster: outcome.result.spec.name,
      dir,
      machinesBefore: before,
      machinesAfter: outcome.result.machines.length,
      kept: outcome.kept,
      added: outcome.added.map((name) => ({ name, role: byName.get(name)!.role, address: byName.get(name)!.address, mac: byName.get(name)!.mac })),
      removed: outcome.removed,
      etcdMembers: outcome.membersAfter.map((m) => m.name),
      steps,
    };
    printJson(io, report);
    return EXIT.ok;
  };
  if (!outcome.added.length && !outcome.removed.length && outcome.before.etcd?.members.length === outcome.membersAfter.length) {
    if (flags.json) return json([]);
    io.stdout(`${shown} already has ${before} machine${before === 1 ? '' : 's'}: nothing to do.\n`);
    return EXIT.ok;
  }
  if (outcome.removed.length && !flags.force) {
    throw new UsageError(`scaling to ${size} removes ${outcome.removed.join(', ')} and their files; use --force to do it`);
  }
  let written;
  try {
    written = writeGenerated(dir, outcome.result, { force: true });
  } catch (e) {
    throw new CliError(`cannot write ${dir}: ${(e as Error).message}`, 'write_failed');
  }
  for (const note of written.notes) io.stderr(`flatcar-architect: note: ${note}\n`);
  for (const w of written.warnings) io.stderr(`warning: ${w}\n`);
  if (flags.json) return json(membershipSteps(outcome, shown));
  if (written.keptPki) io.stdout(`PKI: the previous pki/ is kept in ${relative(io.cwd, written.keptPki)}/ (0700; it holds the removed machines' certificates)\n`);
  const byName = new Map(outcome.result.machines.map((m) => [m.name, m]));
  io.stdout(`Scaled the ${outcome.result.spec.name} cluster in ${shown}/ from ${before} to ${outcome.result.machines.length} machines.\n`);
  const some = (names: string[]) => (names.length <= 12 ? names.join(', ') : `${names.slice(0, 10).join(', ')}, ... and ${names.length - 10} more`);
  if (outcome.kept.length) io.stdout(`  kept (configs unchanged): ${some(outcome.kept)}\n`);
  for (const name of outcome.added) {
    const m = byName.get(name)!;
    io.stdout(`  added: ${name}  ${m.role}  ${m.address ?? 'DHCP'}${m.mac ? `  ${m.mac}` : ''}  ${shown}/${name}.ign\n`);
  }
  if (outcome.removed.length) io.stdout(`  removed: ${outcome.removed.join(', ')} (their configs and certificates)\n`);
  const steps = membershipSteps(outcome, shown);
  if (steps.length) io.stdout('\n' + steps.join('\n') + '\n');
  else if (outcome.removed.length) io.stdout('Shut the removed machines down; the etcd membership stays as it is.\n');
  io.stdout(`cluster.yaml records the new size: flatcar-architect --answers ${shown}/cluster.yaml --pki ${shown} writes the same files again.\n`);
  return EXIT.ok;
}

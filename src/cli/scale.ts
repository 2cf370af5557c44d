/**
 * `flatcar-architect scale DIR --size N [--etcd-size M] [--force]`: an existing generated cluster at
 * another size (src/scale/). Reads DIR/cluster.yaml and DIR/pki, writes DIR again atomically (the
 * new one replaces it only once complete), prints what changed and the etcd membership steps.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { GenerateError } from '../generate.js';
import { TemplateError } from '../render/index.js';
import { scaleCluster, ScaleError } from '../scale/index.js';
import { membershipSteps } from '../scale/steps.js';
import { loadBundle, pkiDir, SecretsError } from '../pki/index.js';
import { FLAG_OF, SpecError, type Field } from '../answers/types.js';
import { lockDir, OutputExistsError, OutputLockedError, recoverDir, resolveOutputDir, writeGenerated } from '../write/output.js';
import { EXIT, UsageError } from './errors.js';
import type { GenerateIo } from './generate.js';
import { readAnswersForCli } from './scripted.js';

export interface ScaleFlags {
  size?: string;
  etcdSize?: string;
  force?: boolean;
}

export type ScaleIo = Pick<GenerateIo, 'cwd' | 'stdout' | 'stderr'>;

function whole(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value.trim())) throw new UsageError(`${flag}: ${value} is not a whole number`);
  return Number(value);
}

const flagOf = (field: string): string => (field in FLAG_OF ? FLAG_OF[field as Field] : field);

export async function runScale(dirArg: string, flags: ScaleFlags, io: ScaleIo): Promise<number> {
  const size = whole(flags.size, '--size');
  if (size === undefined) throw new UsageError('--size N is required: the total number of machines after scaling');
  const etcdSize = whole(flags.etcdSize, '--etcd-size');
  let dir: string;
  let release: () => void;
  try {
    dir = resolveOutputDir(resolve(io.cwd, dirArg));
    // DIR is locked from reading its cluster.yaml and pki/ to writing it again; leftovers of interrupted runs are cleaned up first.
    release = lockDir(dir);
  } catch (e) {
    if (e instanceof OutputLockedError || e instanceof OutputExistsError) throw new UsageError(`${dirArg}: ${e.message}`, e instanceof OutputLockedError ? 'output_locked' : 'output_exists');
    throw e;
  }
  try {
    for (const note of recoverDir(dir)) io.stderr(`flatcar-architect: note: ${note}\n`);
    return await scaleLocked(dir, dirArg, size, etcdSize, flags, io);
  } finally {
    release();
  }
}

async function scaleLocked(dir: string, dirArg: string, size: number, etcdSize: number | undefined, flags: ScaleFlags, io: ScaleIo): Promise<number> {
  const answersFile = join(dir, 'cluster.yaml');
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`${dirArg} is not a directory`);
  if (!existsSync(answersFile)) throw new UsageError(`${dirArg} holds no cluster.yaml: not a directory that flatcar-architect wrote`);
  const source = readAnswersForCli(answersFile, io.cwd, () => '');
  let bundle;
  try {
    bundle = loadBundle(pkiDir(dir));
  } catch (e) {
    if (e instanceof SecretsError) throw new UsageError(`${dirArg}/pki cannot be used: ${e.message}`);
    throw e;
  }
  const current = (name: string) => {
    try {
      return readFileSync(join(dir, name), 'utf8');
    } catch {
      return undefined;
    }
  };
  let outcome;
  try {
    const old = source!.answers;
    if ((old.security?.etcdTls ?? true) && old.preset !== 'laptop' && bundle === null) {
      throw new UsageError(`${dirArg} has no pki/: its CA is needed to certify the new machines`);
    }
    outcome = await scaleCluster(old, bundle, { size, ...(etcdSize !== undefined ? { etcdSize } : {}) }, current, { outDir: dir });
  } catch (e) {
    if (e instanceof SpecError) {
      throw new UsageError(e.problems.map((p) => `${flagOf(p.field)}: ${p.message}`).join('; '), 'spec_invalid', e.problems[0]?.field);
    }
    if (e instanceof ScaleError) {
      if (e.field === 'dir') {
        io.stderr(`flatcar-architect: ${e.message}\n`);
        return EXIT.failed;
      }
      throw new UsageError(`${flagOf(e.field)}: ${e.message}`);
    }
    if (e instanceof SecretsError) throw new UsageError(e.message);
    if (e instanceof TemplateError || e instanceof GenerateError) {
      io.stderr(`flatcar-architect: ${e.message}\n`);
      return EXIT.failed;
    }
    throw e;
  }
  const shown = relative(io.cwd, dir) || '.';
  const before = outcome.before.machines.length;
  if (!outcome.added.length && !outcome.removed.length && outcome.before.etcd?.members.length === outcome.membersAfter.length) {
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
    io.stderr(`flatcar-architect: cannot write ${dir}: ${(e as Error).message}\n`);
    return EXIT.failed;
  }
  for (const note of written.notes) io.stderr(`flatcar-architect: note: ${note}\n`);
  for (const w of written.warnings) io.stderr(`warning: ${w}\n`);
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

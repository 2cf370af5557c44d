/**
 * A generated cluster's directory, as the day-2 commands that rewrite it (`scale`, `replace`) use it:
 * locked from reading its cluster.yaml and pki/ to writing it again, leftovers of interrupted runs
 * cleaned up first, its answers, PKI and current files read once, and one mapping of what can go
 * wrong to a one-line message and an exit code.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { GenerateError } from '../generate.js';
import { TemplateError } from '../render/index.js';
import { ScaleError } from '../scale/index.js';
import { loadBundle, pkiDir, SecretsError, type SecretsBundle } from '../pki/index.js';
import { FLAG_OF, SpecError, type Answers, type Field } from '../answers/types.js';
import { lockDir, OutputExistsError, OutputLockedError, recoverDir, resolveOutputDir } from '../write/output.js';
import { EXIT, UsageError } from './errors.js';
import type { GenerateIo } from './generate.js';
import { readAnswersForCli } from './input.js';

export type ClusterDirIo = Pick<GenerateIo, 'cwd' | 'stdout' | 'stderr'>;

export interface ClusterDir {
  /** The directory (symbolic links followed). */
  dir: string;
  /** Its cluster.yaml's answers. */
  answers: Answers;
  /** Its pki/ (null when it has none). */
  bundle: SecretsBundle | null;
  /** A file of DIR as it is now (undefined when absent). */
  current: (name: string) => string | undefined;
}

const flagOf = (field: string): string => (field in FLAG_OF ? FLAG_OF[field as Field] : field);

/**
 * Runs `work` on DIR while holding its lock. `needsPki` says why a TLS cluster's pki/ is needed
 * (its absence is then a usage error naming that reason).
 */
export async function withClusterDir(dirArg: string, io: ClusterDirIo, needsPki: string, work: (c: ClusterDir) => Promise<number>): Promise<number> {
  let dir: string;
  let release: () => void;
  try {
    dir = resolveOutputDir(resolve(io.cwd, dirArg));
    // DIR's parent must exist before the lock (which would make it): a mistyped DIR leaves nothing behind.
    // DIR itself may be missing here: an interrupted commit is recovered under the lock first.
    if (!existsSync(dirname(dir))) throw new UsageError(`${dirArg} is not a directory`);
    release = lockDir(dir);
  } catch (e) {
    if (e instanceof OutputLockedError || e instanceof OutputExistsError) throw new UsageError(`${dirArg}: ${e.message}`, e instanceof OutputLockedError ? 'output_locked' : 'output_exists');
    throw e;
  }
  try {
    for (const note of recoverDir(dir)) io.stderr(`flatcar-architect: note: ${note}\n`);
    if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`${dirArg} is not a directory`);
    const answersFile = join(dir, 'cluster.yaml');
    if (!existsSync(answersFile)) throw new UsageError(`${dirArg} holds no cluster.yaml: not a directory that flatcar-architect wrote`);
    const answers = readAnswersForCli(answersFile, io.cwd, () => '')!.answers;
    let bundle: SecretsBundle | null;
    try {
      bundle = loadBundle(pkiDir(dir));
    } catch (e) {
      if (e instanceof SecretsError) throw new UsageError(`${dirArg}/pki cannot be used: ${e.message}`);
      throw e;
    }
    if ((answers.security?.etcdTls ?? true) && answers.preset !== 'laptop' && bundle === null) throw new UsageError(`${dirArg} has no pki/: ${needsPki}`);
    const current = (name: string) => {
      try {
        return readFileSync(join(dir, name), 'utf8');
      } catch {
        return undefined;
      }
    };
    try {
      return await work({ dir, answers, bundle, current });
    } catch (e) {
      return failure(e, io);
    }
  } finally {
    release();
  }
}

/** What a day-2 rewrite's errors mean: bad answers or arguments exit 2 with one line, a failed write 1. */
function failure(e: unknown, io: ClusterDirIo): number {
  if (e instanceof SpecError) throw new UsageError(e.problems.map((p) => `${flagOf(p.field)}: ${p.message}`).join('; '), 'spec_invalid', e.problems[0]?.field);
  if (e instanceof ScaleError) {
    if (e.field === 'machine') throw new UsageError(e.message);
    if (e.field !== 'dir') throw new UsageError(`${flagOf(e.field)}: ${e.message}`);
    io.stderr(`flatcar-architect: ${e.message}\n`);
    return EXIT.failed;
  }
  if (e instanceof SecretsError) throw new UsageError(e.message);
  if (e instanceof TemplateError || e instanceof GenerateError) {
    io.stderr(`flatcar-architect: ${e.message}\n`);
    return EXIT.failed;
  }
  throw e;
}

/**
 * A generated cluster's directory, as the day-2 commands that rewrite it (`scale`, `replace`) use it:
 * locked from reading its cluster.yaml and pki/ to writing it again, leftovers of interrupted runs
 * cleaned up first, its answers, PKI and current files read once; what goes wrong is thrown to the
 * CLI's one failure mapping (src/cli/errors.ts), answers problems located in cluster.yaml.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { loadBundle, pkiDir, SecretsError, type SecretsBundle } from '../pki/index.js';
import { SpecError, type Answers } from '../answers/types.js';
import { hasEtcdPki } from '../architectures/index.js';
import { lockDir, lockPath, OutputExistsError, OutputLockedError, recoverDir, resolveOutputDir } from '../write/output.js';
import { CliError, UsageError } from './errors.js';
import type { GenerateIo } from './generate.js';
import { locatedProblems, readAnswersForCli } from './input.js';

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

/**
 * Runs `work` on DIR while holding its lock. `needsPki` says why a TLS cluster's pki/ is needed
 * (its absence is then a usage error naming that reason); `given`: the answers the command's flags
 * give (a problem with one of them names the flag, any other its place in cluster.yaml).
 */
export async function withClusterDir(dirArg: string, io: ClusterDirIo, needsPki: string, given: Answers, work: (c: ClusterDir) => Promise<number>): Promise<number> {
  let dir: string;
  let release: () => void;
  try {
    dir = resolveOutputDir(resolve(io.cwd, dirArg));
    // DIR's parent must exist before the lock (which would make it): a mistyped DIR leaves nothing behind.
    // DIR itself may be missing here: an interrupted commit is recovered under the lock first.
    if (!existsSync(dirname(dir))) throw new UsageError(`${dirArg} is not a directory`);
    release = lockDir(dir);
  } catch (e) {
    if (e instanceof OutputLockedError || e instanceof OutputExistsError)
      throw new UsageError(`${dirArg}: ${e.message}`, e instanceof OutputLockedError ? 'output_locked' : 'output_exists');
    // The lock could not be made at all (a parent directory this user cannot write, say): what and why, in one line.
    const errno = e as NodeJS.ErrnoException;
    if (typeof errno.code === 'string' && typeof errno.syscall === 'string')
      throw new CliError(`cannot lock ${dirArg}: ${lockPath(resolve(io.cwd, dirArg))} cannot be created (${errno.code}: ${errno.syscall} failed)`, 'write_failed');
    throw e;
  }
  try {
    for (const note of recoverDir(dir)) io.stderr(`flatcar-architect: note: ${note}\n`);
    if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`${dirArg} is not a directory`);
    const answersFile = join(dir, 'cluster.yaml');
    if (!existsSync(answersFile)) throw new UsageError(`${dirArg} holds no cluster.yaml: not a directory that flatcar-architect wrote`);
    // Problems are shown at `DIR/cluster.yaml:line:col`, DIR as seen from the current directory.
    const source = readAnswersForCli(relative(io.cwd, answersFile) || answersFile, io.cwd, () => '')!;
    const answers = source.answers;
    let bundle: SecretsBundle | null;
    try {
      bundle = loadBundle(pkiDir(dir));
    } catch (e) {
      if (e instanceof SecretsError) throw new UsageError(`${dirArg}/pki cannot be used: ${e.message}`);
      throw e;
    }
    if (hasEtcdPki(answers.preset, answers.security?.etcdTls) && bundle === null) throw new UsageError(`${dirArg} has no pki/: ${needsPki}`);
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
      // Answers no cluster can have: each problem where its value came from, cluster.yaml:line:col (or the command's flag).
      if (e instanceof SpecError) throw locatedProblems(e.problems, given, source);
      throw e;
    }
  } finally {
    release();
  }
}

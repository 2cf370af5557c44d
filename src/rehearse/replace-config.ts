/**
 * `rehearse DIR --replace MACHINE`, before anything runs: what `flatcar-architect replace DIR
 * MACHINE` would write and print, computed in memory from DIR's cluster.yaml and pki/ (DIR is never
 * written). Bad input (no cluster.yaml, an unknown machine, a worker, a discovery cluster, the only
 * member) is a RehearseUsageError: one line, nothing started. During the drill the outcome is
 * written into a copy of DIR inside the work dir (`writeCopy`), and the printed steps name that copy.
 */
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readAnswersText } from '../answers/answers-source.js';
import { hasEtcdPki } from '../architectures/index.js';
import { LIMITS, readBoundedFile } from '../io/bounded.js';
import { loadBundle, pkiDir } from '../pki/index.js';
import { replaceMachine, replaceSteps, type ReplaceOutcome } from '../scale/replace.js';
import { RehearseUsageError } from './read-dir.js';

export interface ReplacementConfig {
  /** The machine (and etcd member) replaced. */
  machine: string;
  /** DIR, absolute: copied, never written. */
  dir: string;
  outcome: ReplaceOutcome;
}

const reason = (e: unknown): string => {
  const problems = (e as { problems?: { field: string; message: string }[] }).problems;
  return problems?.length ? problems.map((p) => `${p.field}: ${p.message}`).join('; ') : (e as Error).message;
};

/** What `replace DIR MACHINE` would do, in memory; throws RehearseUsageError when it cannot be rehearsed. */
export async function replacementConfig(dirArg: string, machine: string): Promise<ReplacementConfig> {
  const dir = resolve(dirArg);
  const bad = (why: string) => new RehearseUsageError(`--replace ${machine}: ${why}`);
  const answersFile = join(dir, 'cluster.yaml');
  if (!existsSync(answersFile)) throw bad(`${dir} holds no cluster.yaml: replace needs the directory flatcar-architect wrote`);
  let outcome: ReplaceOutcome;
  try {
    // The CLI's reader of answers files (bounded, the published schema), without the CLI around it.
    const old = readAnswersText(readBoundedFile(answersFile, LIMITS.answers, 'cluster.yaml'), answersFile, dir).answers;
    const bundle = loadBundle(pkiDir(dir));
    if (hasEtcdPki(old.preset, old.security?.etcdTls) && bundle === null) throw new Error(`${dir} has no pki/: the replacement config needs the machine's certificates`);
    const current = (file: string) => {
      try {
        return readFileSync(join(dir, file), 'utf8');
      } catch {
        return undefined;
      }
    };
    outcome = await replaceMachine(old, bundle, machine, current, { outDir: dir });
  } catch (e) {
    throw bad(reason(e));
  }
  const { member, members } = outcome;
  if (!member) throw bad(`${machine} is a ${outcome.machine.role}, not an etcd member: there is nothing to replace in etcd (re-provision it and boot its own config, unchanged)`);
  if (members.length < 2) throw bad(`${machine} is the only etcd member: no running cluster is left to join, and its data goes with it (restore a snapshot instead)`);
  return { machine, dir, outcome };
}

/**
 * Copies DIR (all but the CA's key) to `copy` and writes the replacement config there as `replace` would (every other
 * file as it was); returns the steps `replace` prints, naming the copy.
 */
export function writeCopy(dir: string, copy: string, config: ReplacementConfig): string[] {
  // The CA's private key stays where it is: no printed step uses it, and the work dir is no place for it.
  const caKey = join(dir, 'pki', 'ca-key.pem');
  cpSync(dir, copy, { recursive: true, filter: (source) => resolve(source) !== caKey });
  // replace writes the whole directory again, every other file byte for byte (replaceMachine checked
  // that): writing the changed files is the same result, without the CA key.
  for (const name of config.outcome.changed) {
    const file = config.outcome.result.files.find((f) => f.name === name)!;
    writeFileSync(join(copy, name), file.contents);
  }
  return replaceSteps(config.outcome, copy);
}

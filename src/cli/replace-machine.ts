/**
 * `flatcar-architect replace DIR MACHINE` (src/scale/replace.ts): writes MACHINE's replacement
 * config into DIR (atomically, every other file unchanged) and prints the etcdctl steps in order.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { GenerateError } from '../generate.js';
import { TemplateError } from '../render/index.js';
import { ScaleError } from '../scale/index.js';
import { replaceMachine, replaceSteps } from '../scale/replace.js';
import { loadBundle, pkiDir, SecretsError } from '../pki/index.js';
import { FLAG_OF, SpecError, type Field } from '../answers/types.js';
import { writeGenerated } from '../write/output.js';
import { EXIT, UsageError } from './errors.js';
import type { GenerateIo } from './generate.js';
import { readAnswersForCli } from './scripted.js';

export type ReplaceMachineIo = Pick<GenerateIo, 'cwd' | 'stdout' | 'stderr'>;

const flagOf = (field: string): string => (field in FLAG_OF ? FLAG_OF[field as Field] : field);

export async function runReplaceMachine(dirArg: string, name: string, io: ReplaceMachineIo): Promise<number> {
  const dir = resolve(io.cwd, dirArg);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`${dirArg} is not a directory`);
  const answersFile = join(dir, 'cluster.yaml');
  if (!existsSync(answersFile)) throw new UsageError(`${dirArg} holds no cluster.yaml: not a directory that flatcar-architect wrote`);
  const source = readAnswersForCli(answersFile, io.cwd, () => '');
  let bundle;
  try {
    bundle = loadBundle(pkiDir(dir));
  } catch (e) {
    if (e instanceof SecretsError) throw new UsageError(`${dirArg}/pki cannot be used: ${e.message}`);
    throw e;
  }
  const old = source!.answers;
  if ((old.security?.etcdTls ?? true) && old.preset !== 'laptop' && bundle === null) {
    throw new UsageError(`${dirArg} has no pki/: the replacement config needs the machine's certificates`);
  }
  const current = (file: string) => {
    try {
      return readFileSync(join(dir, file), 'utf8');
    } catch {
      return undefined;
    }
  };
  let outcome;
  try {
    outcome = await replaceMachine(old, bundle, name, current, { outDir: dir });
  } catch (e) {
    if (e instanceof SpecError) throw new UsageError(e.problems.map((p) => `${flagOf(p.field)}: ${p.message}`).join('; '), 'spec_invalid', e.problems[0]?.field);
    if (e instanceof ScaleError) {
      if (e.field === 'dir' && / nothing was written$/.test(e.message)) {
        io.stderr(`flatcar-architect: ${e.message}\n`);
        return EXIT.failed;
      }
      throw new UsageError(e.field === 'dir' ? e.message : `${flagOf(e.field)}: ${e.message}`);
    }
    if (e instanceof SecretsError) throw new UsageError(e.message);
    if (e instanceof TemplateError || e instanceof GenerateError) {
      io.stderr(`flatcar-architect: ${e.message}\n`);
      return EXIT.failed;
    }
    throw e;
  }
  const shown = relative(io.cwd, dir) || '.';
  if (outcome.changed.length) {
    try {
      writeGenerated(dir, outcome.result, { force: true });
    } catch (e) {
      io.stderr(`flatcar-architect: cannot write ${dir}: ${(e as Error).message}\n`);
      return EXIT.failed;
    }
  }
  io.stdout(replaceSteps(outcome, shown).join('\n') + '\n');
  return EXIT.ok;
}

/**
 * Answers given up front (flags, an answers file) are checked before the first question: a value
 * that is wrong whatever the wizard would ask (`--size abc`, `--network 10.0.0.5/24`, or `--size 12`
 * with `--preset small`) fails at once, as it would without the wizard. A value that only clashes
 * with an answer still to come is left to the wizard, which asks it again with the reason.
 */
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { getField, PRESETS, type Answers, type Field, type Problem } from '../answers/types.js';
import { problemsOf } from './context.js';

const given = (answers: Answers, f: Field) => getField(answers, f) !== undefined;

/** The fields a problem depends on (the check needs all of them given to fail now). */
export function inputsOf(p: Problem): Field[] {
  if (p.code === 'addresses-do-not-fit') return ['size', 'network.cidr', 'network.firstAddress'];
  if (p.code === 'etcd-needs-workers') return ['size', 'etcd.size'];
  return [p.field];
}

/** The problems of the given answers that no question of the wizard could avoid. */
export function precheckGiven(answers: Answers): Problem[] {
  const presets = answers.preset !== undefined ? [answers.preset] : [...PRESETS];
  const per = presets.map((preset) => problemsOf({ ...answers, preset }).filter((p) => inputsOf(p).every((f) => given(answers, f))));
  return per[0]!.filter((p) => per.every((list) => list.some((q) => q.field === p.field)));
}

/** `--out` that cannot be a directory: the reason, before any question. */
export function precheckOut(out: string | undefined, cwd: string): string | undefined {
  if (out === undefined) return undefined;
  const path = resolve(cwd, out);
  return existsSync(path) && !statSync(path).isDirectory() ? `${path} exists and is not a directory` : undefined;
}

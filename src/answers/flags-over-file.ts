/**
 * Flags over an answers file (issue 13). A cluster.yaml written by flatcar-architect holds every
 * setting resolved, defaults included; a flag that contradicts one of those defaults must replace it,
 * not fail (`--answers prod/cluster.yaml --mac-prefix 52:54:00` where the file has the default
 * interface). So, when the file is one this tool wrote (its header) and flags give answers, the file's
 * values that equal their default (as resolving the file alone finds them) are left out before the
 * flags are laid over it: they are derived again, now from the flags too (a new --gateway moves a
 * default DNS server with it; a new --mac-prefix replaces the default interface). Values the file
 * sets to something else are explicit, so a flag contradicting one still fails, as does anything in
 * a hand-written file. Without flags the file is used as it is: replay stays byte for byte.
 * cluster.yaml's format does not change: being equal to the default is what marks a default (a
 * file from an older release whose defaults have since changed keeps those values as explicit ones).
 */
import { mergeAnswers } from './merge.js';
import { resolveSpec } from './resolve.js';
import { SpecError, type Answers, type Field } from './types.js';

/** The first line of every cluster.yaml this tool writes (src/answers/answers-file.ts). */
export const RESOLVED_FILE_MARK = '# flatcar-architect answers: every setting of this cluster, resolved.';

const hasAnswers = (a: Answers): boolean =>
  Object.values(a as Record<string, unknown>).some((v) => v !== undefined && (typeof v !== 'object' || v === null || hasAnswers(v as Answers)));

function without(answers: Answers, field: Field): Answers {
  const out = structuredClone(answers) as Record<string, unknown>;
  const keys = field.split('.');
  let at: Record<string, unknown> | undefined = out;
  for (const k of keys.slice(0, -1)) {
    const next: unknown = at?.[k];
    at = next !== null && typeof next === 'object' ? (next as Record<string, unknown>) : undefined;
  }
  if (at) delete at[keys.at(-1)!];
  return out as Answers;
}

/** The file's answers with the flags' over them (see above). */
export function flagsOverFile(file: Answers, flags: Answers, resolvedFile: boolean): Answers {
  if (!resolvedFile || !hasAnswers(flags)) return mergeAnswers(file, flags);
  let defaults: Field[];
  try {
    defaults = resolveSpec(file).defaults.map((d) => d.field);
  } catch (e) {
    if (e instanceof SpecError) return mergeAnswers(file, flags); // its own problems are reported as they are
    throw e;
  }
  // Empty lists (no DNS search domains, no keys) are what leaving them out gives too.
  const empty = (Object.entries(file as Record<string, unknown>) as [string, unknown][]).flatMap(([section, v]) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.entries(v as Record<string, unknown>)
          .filter(([, x]) => Array.isArray(x) && x.length === 0)
          .map(([k]) => `${section}.${k}` as Field)
      : [],
  );
  const base = [...defaults, ...empty].reduce(without, file);
  return mergeAnswers(base, flags);
}

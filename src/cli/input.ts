/**
 * The input every command that reads answers shares: `--answers FILE|-` (or a cluster directory's
 * cluster.yaml) with the position of every value, the snippets it and `--snippet` name, and where a
 * problem's value came from (a flag, or the file's line and column).
 */
import { dirname, resolve } from 'node:path';
import { InputLimitError, LIMITS, readBoundedFile } from '../io/bounded.js';
import { AnswersError, readAnswersText, type AnswersSource, type Position } from '../answers/answers-source.js';
import { FLAG_OF, getField, type Answers, type Problem } from '../answers/types.js';
import { loadSnippets, parseSnippetFlag, type ParsedSnippet, type SnippetRef } from '../snippets/index.js';
import { AnswersUsageError, UsageError, type LocatedProblem } from './errors.js';

/** Reads `--answers FILE` (`-`: standard input) with its positions; undefined without --answers. */
export function readAnswersSource(file: string | undefined, cwd: string, stdin: () => string): AnswersSource | undefined {
  if (file === undefined) return undefined;
  let text: string;
  try {
    text = file === '-' ? stdin() : readBoundedFile(resolve(cwd, file), LIMITS.answers, file);
  } catch (e) {
    if (e instanceof InputLimitError) throw new UsageError(`--answers: ${e.message}`, 'answers_unreadable', 'answers');
    throw new UsageError(`--answers: cannot read ${file === '-' ? 'standard input' : file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, 'answers_unreadable');
  }
  return file === '-' ? readAnswersText(text, '<stdin>', cwd) : readAnswersText(text, file, dirname(resolve(cwd, file)));
}

/** Snippets of the answers file (relative to it) and of --snippet flags (relative to the current directory). */
export function readSnippets(source: AnswersSource | undefined, flags: { snippet?: string[]; allowSnippetOverrides?: boolean }, cwd: string): ParsedSnippet[] {
  const fromFile = ((source?.answers as { snippets?: SnippetRef[] } | undefined)?.snippets ?? []) as SnippetRef[];
  const options = { allowOverrides: flags.allowSnippetOverrides ?? false };
  return [...(source ? loadSnippets(fromFile, source.dir, options) : []), ...loadSnippets((flags.snippet ?? []).map(parseSnippetFlag), cwd, options)];
}

/** Where a problem's value came from: a flag when one gave it, else the answers file and its position. */
export function locateProblem(p: Problem, flags: Answers, source: AnswersSource | undefined): LocatedProblem {
  const field = p.field as string;
  const flag = (FLAG_OF as Record<string, string | undefined>)[field];
  const byFlag = flag !== undefined && getField(flags, p.field) !== undefined;
  if (source && !byFlag) {
    const inFile = getFieldPath(source.answers, field) !== undefined;
    const at: Position | undefined = inFile ? source.locate(field) : undefined;
    if (inFile) return { field, message: p.message, file: source.label, ...(at ? { line: at.line, col: at.col } : {}) };
  }
  return flag ? { field, message: p.message, flag } : { field, message: p.message };
}

function getFieldPath(answers: Answers, field: string): unknown {
  let value: unknown = answers;
  for (const key of field.replace(/\[(\d+)\]/g, '.$1').split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/** The problems of an answers file in the same located shape. */
export function locatedOfAnswersError(e: AnswersError): LocatedProblem[] {
  return e.problems.map((p) => ({ field: p.field ?? '', message: p.message, file: e.label, ...(p.at ? { line: p.at.line, col: p.at.col } : {}) }));
}

/** readAnswersSource with answers-file problems as an AnswersUsageError. */
export function readAnswersForCli(file: string | undefined, cwd: string, stdin: () => string): AnswersSource | undefined {
  try {
    return readAnswersSource(file, cwd, stdin);
  } catch (e) {
    if (e instanceof AnswersError) throw new AnswersUsageError(locatedOfAnswersError(e), e.code);
    throw e;
  }
}

/** Problems of the answers (resolveSpec, pins) as one usage error: each with the flag or the file position it came from. */
export function locatedProblems(problems: readonly Problem[], flags: Answers, source: AnswersSource | undefined): AnswersUsageError {
  return new AnswersUsageError(
    problems.map((p) => locateProblem(p, flags, source)),
    'spec_invalid',
  );
}

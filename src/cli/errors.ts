/** Errors the CLI reports as one line and an exit code, without a stack trace. */
import { safeLine } from '../io/quote.js';

/** Every line of an error message through safeLine (escaped, bounded): the last guard before printing. */
export const safeMessage = (message: string): string => message.split('\n').map(safeLine).join('\n');
export const EXIT = { ok: 0, failed: 1, usage: 2, interrupted: 130 } as const;

export class UsageError extends Error {
  readonly exitCode = EXIT.usage;
  /** `code`: the stable error code of `--json` (src/cli/scripted.ts ERROR_CODES); `field`: the answer or flag concerned. */
  constructor(
    message: string,
    readonly code: string = 'usage',
    readonly field?: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A problem with its origin: the answers file (with its position) or a flag. */
export interface LocatedProblem {
  field: string;
  message: string;
  file?: string;
  line?: number;
  col?: number;
  flag?: string;
}

/** One line: `file:line:col field: message`, or `--flag: message`. */
export function formatLocated(p: LocatedProblem): string {
  const field = p.field ? `${p.field}: ` : '';
  if (p.file) return p.line ? `${p.file}:${p.line}:${p.col} ${field}${p.message}` : `${p.file}: ${field}${p.message}`;
  return p.flag ? `${p.flag}: ${p.message}` : `${p.field}: ${p.message}`;
}

/** A usage error that lists every problem of an answers file. */
export class AnswersUsageError extends UsageError {
  constructor(
    readonly problems: LocatedProblem[],
    code: string,
  ) {
    super(problems.map(formatLocated).join('\n'), code, problems[0]?.field);
  }
}

/** The JSON error object of --json: `{"error": {"code", "message", "field", "problems"}}`. */
export function errorJson(code: string, message: string, field?: string | null, problems?: LocatedProblem[]): string {
  const error: Record<string, unknown> = { code, message: safeMessage(message) };
  if (field) error.field = field;
  if (problems?.length) error.problems = problems;
  return JSON.stringify({ error }) + '\n';
}

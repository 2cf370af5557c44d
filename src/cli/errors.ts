/**
 * The one failure mapping of the command line: whatever a command throws (bad usage, answers-file
 * problems with their positions, answers no cluster can have, a scale that cannot be done, a broken
 * template, a failed write, an interrupt, a bug) becomes an exit code and either `flatcar-architect: `
 * lines or one JSON error object (`--json`) on standard error, never a stack trace (but for bugs).
 * Commands throw; main.ts prints what describeFailure says. Only light modules are imported here: the
 * module of an error a command threw is loaded already, and is imported (by name) only then.
 */
import { safeLine } from '../io/quote.js';

/** Every line of an error message through safeLine (escaped, bounded): the last guard before printing. */
export const safeMessage = (message: string): string => message.split('\n').map(safeLine).join('\n');
export const EXIT = { ok: 0, failed: 1, usage: 2, interrupted: 130 } as const;

/**
 * Stable error codes of `--json` failures (`{"error": {"code", "message", "field", "problems"}}`),
 * with the exit code each comes with. Scripts may rely on these names.
 */
export const ERROR_CODES = {
  usage: EXIT.usage,
  no_terminal: EXIT.usage,
  answers_unreadable: EXIT.usage,
  answers_syntax: EXIT.usage,
  answers_invalid: EXIT.usage,
  spec_invalid: EXIT.usage,
  snippet_invalid: EXIT.usage,
  snippet_clash: EXIT.usage,
  snippet_target: EXIT.usage,
  unknown_machine: EXIT.usage,
  pki_required: EXIT.usage,
  matchbox_needs_mac: EXIT.usage,
  output_exists: EXIT.usage,
  output_locked: EXIT.usage,
  template_error: EXIT.failed,
  generate_failed: EXIT.failed,
  write_failed: EXIT.failed,
  internal: EXIT.failed,
  /** Cancel in a question (the wizard, "replace DIR?"): nothing written. */
  cancelled: EXIT.failed,
  interrupted: EXIT.interrupted,
} as const;
export type ErrorCode = keyof typeof ERROR_CODES;

/** A failure a command reports: its message, stable code, exit code and the answer or flag concerned. */
export class CliError extends Error {
  readonly exitCode: number;
  constructor(
    message: string,
    readonly code: string,
    readonly field?: string,
    exitCode?: number,
  ) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode ?? (ERROR_CODES as Record<string, number>)[code] ?? EXIT.failed;
  }
}

/** Bad usage or input: exit 2. */
export class UsageError extends CliError {
  declare readonly exitCode: typeof EXIT.usage;
  /** `code`: the stable error code of `--json` (ERROR_CODES); `field`: the answer or flag concerned. */
  constructor(message: string, code: string = 'usage', field?: string) {
    super(message, code, field, EXIT.usage);
    this.name = 'UsageError';
  }
}

/** The user stopped the run (Ctrl-C: exit 130; Cancel: exit 1); said as it is, without the program's name. */
export class Stopped extends CliError {
  constructor(readonly interrupted: boolean) {
    super(interrupted ? 'Interrupted: nothing was written.' : 'Cancelled: nothing was written.', interrupted ? 'interrupted' : 'cancelled');
    this.name = 'Stopped';
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

/** A usage error that lists every problem of the answers, one line each (`problems` in JSON). */
export class AnswersUsageError extends UsageError {
  constructor(
    readonly problems: LocatedProblem[],
    code: string,
  ) {
    super(problems.map(formatLocated).join('\n'), code, problems[0]?.field);
    this.name = 'AnswersUsageError';
  }
}

/** The JSON error object of --json: `{"error": {"code", "message", "field", "problems"}}`. */
export function errorJson(code: string, message: string, field?: string | null, problems?: LocatedProblem[]): string {
  const error: Record<string, unknown> = { code, message: safeMessage(message) };
  if (field) error.field = field;
  if (problems?.length) error.problems = problems;
  return JSON.stringify({ error }) + '\n';
}

/** What a failure prints: the exit code and the text for standard error. */
export interface Failure {
  exitCode: number;
  /** `flatcar-architect: ` lines, or one JSON error object with --json ('' when already said). */
  output: string;
}

/** The answer or flag named in a problem: its flag when it has one (`--size`), else its key. */
type FlagOf = (field: string) => string;

/**
 * Errors of the pipeline's modules, by class name: the module that defines each (imported only when
 * an error of that name was thrown, to check it with instanceof) and what it means on the command line.
 */
const DOMAIN: Record<string, { load: () => Promise<unknown>; cls: string; map: (e: never, flagOf: FlagOf) => CliError }> = {
  SpecError: {
    load: () => import('../answers/types.js'),
    cls: 'SpecError',
    map: (e: { problems: { field: string; message: string }[] }, flagOf) =>
      new AnswersUsageError(
        e.problems.map((p) => ({ field: p.field, message: p.message, ...(flagOf(p.field) !== p.field ? { flag: flagOf(p.field) } : {}) })),
        'spec_invalid',
      ),
  },
  AnswersError: {
    load: () => import('../answers/answers-source.js'),
    cls: 'AnswersError',
    map: (e: { code: string; label: string; problems: { field?: string; message: string; at?: { line: number; col: number } }[] }) =>
      new AnswersUsageError(
        e.problems.map((p) => ({ field: p.field ?? '', message: p.message, file: e.label, ...(p.at ? { line: p.at.line, col: p.at.col } : {}) })),
        e.code,
      ),
  },
  ScaleError: {
    load: () => import('../scale/index.js'),
    cls: 'ScaleError',
    map: (e: { message: string; field: string }, flagOf) =>
      e.field === 'machine'
        ? new UsageError(e.message, 'unknown_machine', 'machine')
        : e.field === 'dir'
          ? new CliError(e.message, 'generate_failed', 'dir')
          : new UsageError(`${flagOf(e.field)}: ${e.message}`, 'spec_invalid', e.field),
  },
  SecretsError: { load: () => import('../pki/types.js'), cls: 'SecretsError', map: (e: Error) => new UsageError(e.message, 'pki_required', 'pki') },
  SnippetError: { load: () => import('../snippets/merge.js'), cls: 'SnippetError', map: (e: { code: string; message: string }) => new UsageError(e.message, e.code, 'snippets') },
  MatchboxError: { load: () => import('../matchbox/index.js'), cls: 'MatchboxError', map: (e: { code: string; message: string }) => new UsageError(e.message, e.code, 'matchbox') },
  RehearseUsageError: { load: () => import('../rehearse/read-dir.js'), cls: 'RehearseUsageError', map: (e: Error) => new UsageError(e.message) },
  SshKeyError: { load: () => import('../answers/ssh-key.js'), cls: 'SshKeyError', map: (e: Error) => new UsageError(`--ssh-key: ${e.message}`, 'usage', 'ssh.keys') },
  // The output directory, when a command did not say which flag named it.
  OutputExistsError: { load: () => import('../write/output.js'), cls: 'OutputExistsError', map: (e: Error) => new UsageError(e.message, 'output_exists') },
  ForeignDirError: { load: () => import('../write/output.js'), cls: 'ForeignDirError', map: (e: Error) => new UsageError(e.message, 'output_exists') },
  OutputLockedError: { load: () => import('../write/output.js'), cls: 'OutputLockedError', map: (e: Error) => new UsageError(e.message, 'output_locked') },
  InputLimitError: { load: () => import('../io/bounded.js'), cls: 'InputLimitError', map: (e: Error) => new UsageError(e.message) },
  TemplateError: { load: () => import('../render/errors.js'), cls: 'TemplateError', map: (e: Error) => new CliError(e.message, 'template_error') },
  GenerateError: { load: () => import('../generate.js'), cls: 'GenerateError', map: (e: Error) => new CliError(e.message, 'generate_failed') },
};

/** The CliError a thrown value means, or undefined for a bug. */
async function cliErrorOf(e: unknown, flagOf: FlagOf): Promise<CliError | undefined> {
  if (e instanceof CliError) return e;
  if (!(e instanceof Error)) return undefined;
  // A system call that failed (ENOSPC, EACCES, EROFS, EIO...) where no command said more: the disk, exit 1.
  const errno = e as NodeJS.ErrnoException;
  if (typeof errno.code === 'string' && /^E[A-Z0-9]+$/.test(errno.code) && typeof errno.syscall === 'string') return new CliError(e.message, 'write_failed');
  const known = DOMAIN[e.name];
  if (!known) return undefined;
  const cls = ((await known.load()) as Record<string, unknown>)[known.cls];
  return typeof cls === 'function' && e instanceof cls ? known.map(e as never, flagOf) : undefined;
}

/**
 * Any thrown value -> its exit code and what standard error shows: one `flatcar-architect: ` line per
 * line of the message (Stopped: the message alone), or with `json` one JSON error object. A commander
 * parse error was printed by commander already (help and version are successes); anything unknown is
 * a bug: `internal error` with its stack, exit 1.
 */
export async function describeFailure(e: unknown, json: boolean): Promise<Failure> {
  if (e instanceof Error && e.name === 'CommanderError') {
    const code = (e as Error & { exitCode?: number }).exitCode;
    return { exitCode: code === 0 ? EXIT.ok : EXIT.usage, output: '' };
  }
  const { FLAG_OF } = await import('../answers/types.js');
  const flagOf: FlagOf = (field) => (FLAG_OF as Record<string, string | undefined>)[field] ?? field;
  const c = await cliErrorOf(e, flagOf);
  if (!c) {
    const text = `internal error: ${(e as Error)?.stack ?? String(e)}`;
    return { exitCode: EXIT.failed, output: json ? errorJson('internal', text) : `flatcar-architect: ${text}\n` };
  }
  const problems = c instanceof AnswersUsageError ? c.problems : undefined;
  if (json) return { exitCode: c.exitCode, output: errorJson(c.code, c.message, c.field, problems) };
  const lines = safeMessage(c.message).split('\n');
  return { exitCode: c.exitCode, output: lines.map((l) => (c instanceof Stopped ? l : `flatcar-architect: ${l}`) + '\n').join('') };
}

/**
 * Runs a command and returns its exit code; whatever it throws is reported through describeFailure
 * on `stderr` (main.ts runs every command so; tests of a command's function do the same).
 */
export async function runReported(run: () => Promise<number>, json: boolean, stderr: (text: string) => void): Promise<number> {
  try {
    return await run();
  } catch (e) {
    const failure = await describeFailure(e, json);
    stderr(failure.output);
    return failure.exitCode;
  }
}

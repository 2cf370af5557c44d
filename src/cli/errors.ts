/** Errors the CLI reports as one line and an exit code, without a stack trace. */
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

/**
 * The questions the wizard can ask, as an interface: the terminal implementation uses
 * @inquirer/prompts (loaded only when the wizard runs), tests inject scripted answers.
 */
import { emitKeypressEvents } from 'node:readline';

export interface Choice<T> {
  name: string;
  value: T;
  description?: string;
  checked?: boolean;
}

/** Returns true when the value is acceptable, else the reason shown to the user. */
export type Validate = (value: string) => true | string;

export interface Prompts {
  input(q: { message: string; default?: string; validate?: Validate; transformer?: (value: string) => string }): Promise<string>;
  select<T>(q: { message: string; choices: Choice<T>[]; default?: T }): Promise<T>;
  checkbox<T>(q: { message: string; choices: Choice<T>[] }): Promise<T[]>;
  confirm(q: { message: string; default?: boolean }): Promise<boolean>;
}

/** Raised when the user presses Ctrl-C: quit at once, nothing written (exit 130). */
export class WizardCancelled extends Error {
  constructor() {
    super('cancelled');
    this.name = 'WizardCancelled';
  }
}

/** Raised when the user presses Esc: go back one question. */
export class WizardBack extends Error {
  constructor() {
    super('back');
    this.name = 'WizardBack';
  }
}

/** The person chose to stop (Cancel in the menu, or Esc then yes): nothing written (exit 1). */
export class WizardQuit extends Error {
  constructor() {
    super('quit');
    this.name = 'WizardQuit';
  }
}

function isCancel(e: unknown): boolean {
  const name = (e as Error | undefined)?.name;
  return name === 'ExitPromptError' || name === 'CancelPromptError';
}

/** Prompts on the terminal. Esc aborts the question under way (WizardBack); Ctrl-C quits (WizardCancelled). */
export async function terminalPrompts(): Promise<Prompts> {
  const inquirer = await import('@inquirer/prompts');
  emitKeypressEvents(process.stdin);
  const ask = async <T>(run: (context: { signal: AbortSignal }) => Promise<T>): Promise<T> => {
    const controller = new AbortController();
    const onKey = (_: string, key: { name?: string } | undefined) => {
      if (key?.name === 'escape') controller.abort();
    };
    process.stdin.on('keypress', onKey);
    try {
      return await run({ signal: controller.signal });
    } catch (e) {
      if (controller.signal.aborted) throw new WizardBack();
      if (isCancel(e)) throw new WizardCancelled();
      throw e;
    } finally {
      process.stdin.off('keypress', onKey);
    }
  };
  return {
    input: (q) =>
      ask((ctx) =>
        inquirer.input(
          {
            message: q.message,
            default: q.default,
            validate: q.validate,
            transformer: q.transformer ? (v, { isFinal }) => (isFinal ? v : q.transformer!(v)) : undefined,
          },
          ctx,
        ),
      ),
    // Every choice on screen (the review menu's Cancel included), as far as the terminal's height allows.
    select: (q) =>
      ask((ctx) =>
        inquirer.select({ message: q.message, choices: q.choices, default: q.default, pageSize: Math.max(5, Math.min(q.choices.length, (process.stdout.rows ?? 24) - 4)) }, ctx),
      ),
    checkbox: (q) => ask((ctx) => inquirer.checkbox({ message: q.message, choices: q.choices }, ctx)),
    confirm: (q) => ask((ctx) => inquirer.confirm({ message: q.message, default: q.default }, ctx)),
  };
}

/** A Prompts implementation that answers from a script, re-asking (and recording why) when validation fails. */
import { WizardBack, WizardCancelled, type Choice, type Prompts } from '../../src/wizard/prompts.js';

/** A script entry that presses Esc (go back) at that question. */
export const ESC = Symbol('Esc');
/** A script entry that presses Ctrl-C at that question. */
export const CTRL_C = Symbol('Ctrl-C');

export interface Scripted extends Prompts {
  /** Every question asked, in order. */
  asked: string[];
  /** Every validation message shown. */
  rejected: string[];
  /** Script entries not used. */
  remaining(): number;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export function scriptedPrompts(script: unknown[]): Scripted {
  const queue = [...script];
  const asked: string[] = [];
  const rejected: string[] = [];
  const next = (message: string): unknown => {
    if (queue.length === 0) throw new Error(`script ran out at question: ${message}`);
    const entry = queue.shift();
    if (entry === ESC) throw new WizardBack();
    if (entry === CTRL_C) throw new WizardCancelled();
    return entry;
  };
  const pick = <T>(message: string, choices: Choice<T>[], value: unknown): T => {
    const hit = choices.find((c) => same(c.value, value));
    if (!hit) throw new Error(`"${message}" has no choice ${JSON.stringify(value)} (choices: ${choices.map((c) => JSON.stringify(c.value)).join(', ')})`);
    return hit.value;
  };
  return {
    asked,
    rejected,
    remaining: () => queue.length,
    async input(q) {
      asked.push(q.message);
      for (;;) {
        let value = next(q.message) as string | undefined;
        if (value === undefined) value = q.default ?? '';
        const verdict = q.validate ? q.validate(value) : true;
        if (verdict === true) return value;
        rejected.push(verdict);
      }
    },
    async select(q) {
      asked.push(q.message);
      const value = next(q.message);
      return pick(q.message, q.choices, value === undefined ? q.default : value);
    },
    async checkbox(q) {
      asked.push(q.message);
      const values = next(q.message) as unknown[] | undefined;
      if (values === undefined) return q.choices.filter((c) => c.checked).map((c) => c.value);
      return values.map((v) => pick(q.message, q.choices, v));
    },
    async confirm(q) {
      asked.push(q.message);
      const value = next(q.message) as boolean | undefined;
      return value ?? q.default ?? false;
    },
  };
}

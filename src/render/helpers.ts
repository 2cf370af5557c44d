/**
 * The only ways a value reaches a rendered Butane document:
 * - `{{q value}}`: a YAML scalar, JSON-quoted (valid YAML), so `: `, `#`, quotes, newlines or `{{`
 *   in a value can never change the document's structure;
 * - `{{line value}}`: text inside a block scalar (a unit or config file); refuses newlines and
 *   control characters, which could end the block or add lines to the file;
 * - `{{env "NAME" value}}`: a systemd `Environment=` assignment, quoted for systemd.
 * Sub-expressions (`join`, `eq`) compute values for them.
 */
import type { HelperOptions } from 'handlebars';
import { CONTROL, show } from '../answers/checks.js';

export interface Loc {
  line: number;
  column: number;
}

/** Raised by a helper; the renderer adds the template's file name (and the expression if `missing`). */
export class HelperError extends Error {
  constructor(
    message: string,
    readonly loc: Loc | undefined,
    readonly missing = false,
  ) {
    super(message);
  }
}

/** Helpers whose output goes into the document; every `{{...}}` output must use one of them. */
export const OUTPUT_HELPERS = ['q', 'line', 'env'] as const;

const lineOf = (options: HelperOptions | undefined): Loc | undefined => (options as unknown as { loc?: { start: Loc } } | undefined)?.loc?.start;

/** Strict Handlebars passes a missing helper argument as undefined: make it the error it is. */
function present(helper: string, value: unknown, options: HelperOptions): void {
  if (value === undefined) throw new HelperError(`${helper}: missing value`, lineOf(options), true);
}

function scalarText(helper: string, value: unknown, options: HelperOptions): string {
  present(helper, value, options);
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'boolean') return String(value);
  throw new HelperError(`${helper}: expects text or a number, got ${value === null ? 'null' : typeof value}`, lineOf(options));
}

/** A double-quoted YAML scalar: JSON escaping plus escapes for characters YAML may not hold raw. */
export function yamlQuote(text: string): string {
  return JSON.stringify(text).replace(/[\u007f-\u009f\u2028\u2029\ufeff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Text for one line of a file, or an error naming the problem. */
export function lineText(text: string): string {
  if (CONTROL.test(text)) {
    throw new Error(`${show(text)} holds a newline or control character and cannot go into a line of a file`);
  }
  return text;
}

/** `"NAME=value"` for systemd's Environment=: backslash and quote escaped, `%` doubled (specifiers). */
export function systemdEnv(name: string, value: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`${JSON.stringify(name)} is not an environment variable name`);
  const escaped = lineText(value).replace(/[\\"]/g, '\\$&').replace(/%/g, '%%');
  return `"${name}=${escaped}"`;
}

function guard<T>(options: HelperOptions, helper: string, run: () => T): T {
  try {
    return run();
  } catch (e) {
    if (e instanceof HelperError) throw e;
    throw new HelperError(`${helper}: ${(e as Error).message}`, lineOf(options));
  }
}

export const helpers = {
  q(value: unknown, options: HelperOptions): string {
    return guard(options, 'q', () => yamlQuote(scalarText('q', value, options)));
  },
  line(value: unknown, options: HelperOptions): string {
    return guard(options, 'line', () => lineText(scalarText('line', value, options)));
  },
  env(name: unknown, value: unknown, options: HelperOptions): string {
    return guard(options, 'env', () => systemdEnv(scalarText('env', name, options), scalarText('env', value, options)));
  },
  join(list: unknown, separator: unknown, options: HelperOptions): string {
    present('join', list, options);
    if (!Array.isArray(list) || typeof separator !== 'string') {
      throw new HelperError('join: expects a list and a separator, like (join etcd.clientEndpoints ",")', lineOf(options));
    }
    return list.map((v) => scalarText('join', v, options)).join(separator);
  },
  eq(a: unknown, b: unknown): boolean {
    return a === b;
  },
};

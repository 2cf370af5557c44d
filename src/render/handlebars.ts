/**
 * Handlebars in two parts: the runtime (what precompiled built-in templates need; small) is loaded
 * with this module; the full package (parser and compiler, several times larger) only when a
 * template must be parsed or compiled: a --templates override, a changed built-in, or an error message.
 */
import { createRequire } from 'node:module';
import type HandlebarsNs from 'handlebars';
import Runtime from 'handlebars/runtime.js';

export type Hbs = typeof HandlebarsNs;

/** The Handlebars runtime: create(), template(), helpers and partials. */
export const runtime = Runtime as unknown as Hbs;

let full: Hbs | undefined;
/** The full Handlebars (parse, compile), loaded on first use. */
export function handlebars(): Hbs {
  full ??= createRequire(import.meta.url)('handlebars') as Hbs;
  return full;
}

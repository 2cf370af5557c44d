/**
 * Values in messages. Every error line that shows a value the user gave goes through `quote`: at most
 * MAX_QUOTED characters of it, JSON-quoted, with control characters, Unicode line separators, bidi
 * overrides and isolates, zero-width characters and lone surrogates escaped as \uXXXX, so an error
 * line can neither be reordered on a terminal nor hide characters nor run to megabytes. `safeLine` is
 * the last guard on every printed error line (see src/cli/errors.ts).
 */

export const MAX_QUOTED = 80;
/** Longest error line printed (a message quoting a few values stays far below). */
export const MAX_LINE = 1000;

/**
 * C0 and C1 controls, DEL, U+2028/U+2029, the bidi marks, embeddings, overrides and isolates
 * (U+061C, U+200E, U+200F, U+202A..U+202E, U+2066..U+2069), zero-width characters (U+200B..U+200D,
 * U+2060, U+FEFF) and lone surrogates.
 */
export const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060\u2066-\u2069\ufeff]|\p{Cs}/gu;

const escapeOne = (c: string): string => {
  switch (c) {
    case '\n':
      return '\\n';
    case '\r':
      return '\\r';
    case '\t':
      return '\\t';
    default:
      return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  }
};

/** The unsafe characters of a text escaped (nothing else changed). */
export const escapeUnsafe = (text: string): string => text.replace(UNSAFE, escapeOne);

/** Where the first unsafe character of a text is, for a message about a value too long to show whole: `\u0007 at character 96`. */
export function firstUnsafe(text: string): string | undefined {
  const m = new RegExp(UNSAFE.source, 'u').exec(text);
  return m ? `${escapeUnsafe(m[0])} at character ${Array.from(text.slice(0, m.index)).length + 1}` : undefined;
}

/** A value as it appears in a message: `"..."`, escaped, cut after `max` characters with its length said. */
export function quote(value: string, max = MAX_QUOTED): string {
  const chars = Array.from(value);
  const cut = chars.length > max;
  const body = (cut ? chars.slice(0, max) : chars).join('');
  const inner = JSON.stringify(body).slice(1, -1);
  return `"${escapeUnsafe(inner)}${cut ? `..." (${chars.length} characters)` : '"'}`;
}

/** One printed error line: unsafe characters escaped, cut at MAX_LINE characters. */
export function safeLine(line: string): string {
  const escaped = escapeUnsafe(line);
  const chars = Array.from(escaped);
  return chars.length > MAX_LINE ? `${chars.slice(0, MAX_LINE).join('')}... (${chars.length - MAX_LINE} more characters)` : escaped;
}

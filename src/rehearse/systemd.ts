/**
 * Just enough of systemd's unit-file syntax to read what a generated config asks for: directives
 * with line continuations, `Environment=` assignments (quotes, C escapes, `%` specifiers) and
 * command lines (`ExecStart=`) split into words the way systemd does. Pure.
 */

export interface Directive {
  section: string;
  key: string;
  value: string;
}

/** The `Key=value` lines of a unit file, in order, with their section; comments and blanks dropped. */
export function directives(text: string): Directive[] {
  const out: Directive[] = [];
  let section = '';
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = pending + raw.replace(/\r$/, '');
    if (line.endsWith('\\')) {
      pending = line.slice(0, -1) + ' ';
      continue;
    }
    pending = '';
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith(';')) continue;
    const header = /^\[([^\]]+)\]$/.exec(trimmed);
    if (header) {
      section = header[1]!;
      continue;
    }
    const eq = trimmed.indexOf('=');
    if (eq <= 0) continue;
    out.push({ section, key: trimmed.slice(0, eq).trim(), value: trimmed.slice(eq + 1).trim() });
  }
  return out;
}

/** What `%` specifiers resolve to; unknown ones are kept as written and reported. */
export interface SpecifierContext {
  unit: string;
  hostname?: string;
  unresolved?: Set<string>;
}

/** Expands systemd `%x` specifiers (`%%`, `%n`, `%N`, `%p`, `%H`, `%l`). */
export function expandSpecifiers(text: string, ctx: SpecifierContext): string {
  const stem = ctx.unit.replace(/\.[^.]+$/, '');
  const known: Record<string, string | undefined> = {
    '%': '%',
    n: ctx.unit,
    N: stem,
    p: stem.split('@')[0],
    H: ctx.hostname,
    l: ctx.hostname?.split('.')[0],
  };
  return text.replace(/%(.)/g, (whole, c: string) => {
    const value = known[c];
    if (value !== undefined) return value;
    ctx.unresolved?.add(whole);
    return whole;
  });
}

const SIMPLE_ESCAPES: Record<string, string> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  s: ' ',
  '\\': '\\',
  '"': '"',
  "'": "'",
};

/** One C escape starting after the backslash at `s[i]`; returns the text and the characters used. */
function unescapeAt(s: string, i: number): [string, number] {
  const c = s[i];
  if (c === undefined) return ['\\', 0];
  if (c in SIMPLE_ESCAPES) return [SIMPLE_ESCAPES[c]!, 1];
  const hex = c === 'x' ? /^[0-9a-fA-F]{2}/.exec(s.slice(i + 1)) : null;
  if (hex) return [String.fromCharCode(parseInt(hex[0], 16)), 3];
  const uni = c === 'u' ? /^[0-9a-fA-F]{4}/.exec(s.slice(i + 1)) : c === 'U' ? /^[0-9a-fA-F]{8}/.exec(s.slice(i + 1)) : null;
  if (uni) return [String.fromCodePoint(parseInt(uni[0], 16)), 1 + uni[0].length];
  const oct = /^[0-7]{3}/.exec(s.slice(i));
  if (oct) return [String.fromCharCode(parseInt(oct[0], 8)), 3];
  return [c, 1];
}

/** Splits on unquoted whitespace, removing quotes and C escapes (systemd's extract_first_word). */
export function splitWords(text: string): string[] {
  const words: string[] = [];
  let word: string | null = null;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote === null && /\s/.test(c)) {
      if (word !== null) words.push(word);
      word = null;
      continue;
    }
    word ??= '';
    if (c === '\\') {
      const [t, used] = unescapeAt(text, i + 1);
      word += t;
      i += used;
    } else if (quote !== null && c === quote) {
      quote = null;
    } else if (quote === null && (c === '"' || c === "'")) {
      quote = c;
    } else {
      word += c;
    }
  }
  if (word !== null) words.push(word);
  return words;
}

/** The `NAME=value` assignments of one `Environment=` value, in order (invalid words skipped). */
export function environmentAssignments(value: string): [string, string][] {
  const out: [string, string][] = [];
  for (const word of splitWords(value)) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(word);
    if (m) out.push([m[1]!, m[2]!]);
  }
  return out;
}

/** The assignments of an environment file (`KEY=value` lines, `#` comments, optional quotes). */
export function environmentFile(text: string): [string, string][] {
  const out: [string, string][] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (!m || line.trim().startsWith('#')) continue;
    const raw = m[2]!;
    const quoted = /^(["'])(.*)\1$/s.exec(raw);
    out.push([m[1]!, quoted ? (quoted[1] === '"' ? (splitWords(raw)[0] ?? '') : quoted[2]!) : raw]);
  }
  return out;
}

/**
 * An `ExecStart=` command line as words: the `-@:+!` prefixes dropped, words unquoted, and `$NAME`
 * (a whole word: split on whitespace) and `${NAME}` replaced from the unit's environment.
 */
export function commandWords(value: string, env: Record<string, string>): string[] {
  const line = value.replace(/^[-@:+!]+/, '');
  const out: string[] = [];
  for (const word of splitWords(line)) {
    const whole = /^\$([A-Za-z_][A-Za-z0-9_]*)$/.exec(word);
    if (whole) {
      out.push(...(env[whole[1]!] ?? '').split(/\s+/).filter((w) => w !== ''));
      continue;
    }
    out.push(word.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => env[name] ?? ''));
  }
  return out;
}

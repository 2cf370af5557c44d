/**
 * systemd unit file syntax, read the way Ignition reads it (go-systemd's deserializer): used to
 * reject unit contents systemd would not parse and to find the [Install] section.
 */

export interface UnitOption {
  section: string;
  name: string;
  value: string;
}

export class UnitSyntaxError extends Error {}

const LINE_MAX = 2048;

/** Go's unicode.IsSpace, which go-systemd's lexer skips between options. */
const GO_SPACE = /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]$/;

export function parseUnit(contents: string): UnitOption[] {
  for (const line of contents.split(/\r?\n/)) {
    if (Buffer.byteLength(line, 'utf8') >= LINE_MAX) throw new UnitSyntaxError(`line too long (max ${LINE_MAX} bytes)`);
  }
  const options: UnitOption[] = [];
  const n = contents.length;
  let i = 0;
  let section: string | undefined;

  const skipCommentLine = () => {
    // A comment runs to the end of the line; a trailing backslash continues it.
    for (;;) {
      const end = contents.indexOf('\n', i);
      const line = end < 0 ? contents.slice(i) : contents.slice(i, end);
      i = end < 0 ? n : end + 1;
      if (!line.replace(/ $/, '').endsWith('\\') || i >= n) return;
    }
  };

  const readSection = () => {
    const close = contents.indexOf(']', i);
    if (close < 0) throw new UnitSyntaxError('unable to find end of section');
    section = contents.slice(i, close);
    const eol = contents.indexOf('\n', close);
    const rest = (eol < 0 ? contents.slice(close + 1) : contents.slice(close + 1, eol)).trim();
    if (rest !== '') throw new UnitSyntaxError(`found garbage after section name : ${JSON.stringify(rest)}`);
    i = eol < 0 ? n : eol + 1;
  };

  while (i < n) {
    const c = contents[i]!;
    if (section === undefined) {
      // Before the first section, everything but a section header or a comment is ignored.
      if (c === '[') {
        i++;
        readSection();
      } else if (c === '#' || c === ';') {
        skipCommentLine();
      } else {
        i++;
      }
      continue;
    }
    if (GO_SPACE.test(c)) {
      i++;
      continue;
    }
    if (c === '[') {
      i++;
      readSection();
      continue;
    }
    if (c === '#' || c === ';') {
      skipCommentLine();
      continue;
    }
    let j = i;
    while (j < n && contents[j] !== '=') {
      if (contents[j] === '\n' || contents[j] === '\r') throw new UnitSyntaxError('unexpected newline encountered while parsing option name');
      j++;
    }
    if (j >= n) throw new UnitSyntaxError('EOF');
    const name = contents.slice(i, j).trim();
    i = j + 1;
    const parts: string[] = [];
    for (;;) {
      const end = contents.indexOf('\n', i);
      const line = (end < 0 ? contents.slice(i) : contents.slice(i, end)).replace(/\r$/, '');
      i = end < 0 ? n : end + 1;
      if (line.endsWith('\\') && i < n) {
        parts.push(line.slice(0, -1));
        continue;
      }
      parts.push(line);
      break;
    }
    options.push({ section, name, value: parts.join('\n').trim() });
  }
  return options;
}

/** Text that fits the terminal: wrapped by words, never broken inside one (unless a single word is wider). */

/** Wraps one paragraph to `width` columns; continuation lines get `indent`. */
export function wrap(text: string, width: number, indent = ''): string {
  const out: string[] = [];
  for (const para of text.split('\n')) {
    const lead = /^\s*/.exec(para)![0];
    const words = para
      .trim()
      .split(/ +/)
      .filter((w) => w !== '');
    let line = lead;
    let fresh = true;
    for (const w of words) {
      const candidate = fresh ? line + w : `${line} ${w}`;
      if (!fresh && visible(candidate) > width) {
        out.push(line);
        line = (lead.length > indent.length ? lead : indent) + w;
      } else line = candidate;
      fresh = false;
    }
    out.push(line);
  }
  return out.join('\n');
}

/** Length on screen (ANSI colour codes take no room). */
export const visible = (s: string): number => [...s.replace(/\u001b\[[0-9;]*m/g, '')].length;

/**
 * Prose for a terminal `columns` wide, continuation lines indented; as it is when the output is not a
 * terminal (columns undefined), so that scripts reading it see one line per message.
 */
export const toWidth = (text: string, columns: number | undefined, indent = '  '): string => (columns ? wrap(text, columns, indent) : text);

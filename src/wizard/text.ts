/** Text that fits the terminal: wrapped by words, never broken inside one (unless a single word is wider). */

/** Wraps one paragraph to `width` columns; continuation lines get `indent`. */
export function wrap(text: string, width: number, indent = ''): string {
  const out: string[] = [];
  for (const para of text.split('\n')) {
    const lead = /^\s*/.exec(para)![0];
    const words = para.trim().split(/ +/).filter((w) => w !== '');
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

/** The terminal's width for the wizard's own lines (a test's context sets it). */
export const columnsOf = (ctx: { columns?: number }): number => ctx.columns ?? process.stdout.columns ?? 80;

/**
 * The one place that decides whether output is coloured, and the few styles the CLI uses (plain ANSI
 * SGR codes; no library). The rules, in order, as terminal users expect them:
 *  1. `--no-color` (the `flag` argument false): no colour.
 *  2. NO_COLOR set to any value, even empty (no-color.org): no colour.
 *  3. FORCE_COLOR: 0 or "false" means no colour; 1, 2, 3, "true" or empty means colour, even when the
 *     stream is not a terminal or TERM is dumb.
 *  4. TERM=dumb: no colour.
 *  5. Otherwise colour exactly when the stream is a terminal.
 * Used for standard output, standard error, the diff, rehearse's progress and scale's steps.
 */
export interface ColorStream {
  isTTY?: boolean;
}

export function useColor(stream: ColorStream, env: NodeJS.ProcessEnv = process.env, flag: boolean | undefined = true): boolean {
  if (flag === false) return false;
  if (env.NO_COLOR !== undefined) return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined) {
    const f = force.trim().toLowerCase();
    if (f === '0' || f === 'false') return false;
    if (f === '' || f === 'true' || f === '1' || f === '2' || f === '3') return true;
  }
  if (env.TERM === 'dumb') return false;
  return Boolean(stream.isTTY);
}

export type Style = (text: string) => string;
export interface Colors {
  readonly enabled: boolean;
  bold: Style;
  dim: Style;
  underline: Style;
  red: Style;
  green: Style;
  yellow: Style;
  cyan: Style;
}

const sgr =
  (open: number, close: number): Style =>
  (text) =>
    `\u001b[${open}m${text}\u001b[${close}m`;
const plain: Style = (text) => text;

/** Styles that colour when `enabled`, and return the text unchanged otherwise. */
export function colors(enabled: boolean): Colors {
  return enabled
    ? { enabled, bold: sgr(1, 22), dim: sgr(2, 22), underline: sgr(4, 24), red: sgr(31, 39), green: sgr(32, 39), yellow: sgr(33, 39), cyan: sgr(36, 39) }
    : { enabled, bold: plain, dim: plain, underline: plain, red: plain, green: plain, yellow: plain, cyan: plain };
}

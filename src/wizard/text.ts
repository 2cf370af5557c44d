/** The wizard's text helpers: wrapping lives in src/io/text.ts (the command line's reports use it too). */
export { visible, wrap } from '../io/text.js';

/** The terminal's width for the wizard's own lines (a test's context sets it). */
export const columnsOf = (ctx: { columns?: number }): number => ctx.columns ?? process.stdout.columns ?? 80;

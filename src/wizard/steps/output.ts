/** Output: where the files go; it follows the cluster name (./NAME) unless set. */
import { resolve } from 'node:path';
import { currentOutDir, currentValue, outputProblem, seen, type WizardContext } from '../context.js';
import type { Question } from '../question.js';

/** What the output directory would be without the person's choice. */
const derivedOut = (ctx: WizardContext) => `./${String(currentValue(ctx, 'name') ?? 'cluster')}`;

export const OUTPUT: Question[] = [
  {
    id: 'outDir',
    section: 'output',
    applies: (ctx) => !ctx.outGiven,
    async ask(ctx) {
      const now = currentOutDir(ctx);
      // The default always works: the current one, else ./NAME, else ./NAME-2, ./NAME-3…
      const candidates = [now, derivedOut(ctx), ...Array.from({ length: 50 }, (_, k) => `${derivedOut(ctx)}-${k + 2}`)];
      const dir = await ctx.prompts.input({
        message: 'Output directory:',
        default: candidates.find((c) => outputProblem(ctx, c) === undefined) ?? now,
        validate: (text) =>
          text.trim() === '?'
            ? 'Where the configs go; an existing directory is compared with the new files before anything is replaced.'
            : (outputProblem(ctx, text.trim()) ?? true),
      });
      const base = ctx.cwd ?? process.cwd();
      // The same directory as ./NAME is not a choice of its own: it follows the name.
      ctx.outDir = resolve(base, dir.trim()) === resolve(base, derivedOut(ctx)) ? undefined : dir.trim();
      seen(ctx).add('outDir');
    },
  },
];

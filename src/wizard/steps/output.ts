/** Step 7: where the files go. */
import { currentValue, type WizardContext } from '../context.js';

export async function askOutput(ctx: WizardContext): Promise<void> {
  if (ctx.outGiven) return;
  const dir = await ctx.prompts.input({
    message: 'Output directory:',
    default: ctx.outDir ?? `./${String(currentValue(ctx, 'name') ?? 'cluster')}`,
    validate: (text) => (text.trim() === '' ? 'give a directory' : true),
  });
  ctx.outDir = dir.trim();
}

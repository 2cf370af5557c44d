/** Step 4: the cluster's name and the prefix of every machine name. */
import { currentValue, isGiven, setAnswer, validator, type WizardContext } from '../context.js';

export async function askNames(ctx: WizardContext): Promise<void> {
  if (!isGiven(ctx, 'name')) {
    const name = await ctx.prompts.input({
      message: 'Cluster name (machine names, etcd token, output directory):',
      default: String(currentValue(ctx, 'name') ?? ''),
      validate: validator(ctx, 'name'),
    });
    if (name.trim() !== ctx.answers.name) delete ctx.answers.namePrefix;
    setAnswer(ctx, 'name', name.trim());
  }
  if (!isGiven(ctx, 'namePrefix')) {
    const prefix = await ctx.prompts.input({
      message: 'Machine name prefix:',
      default: String(currentValue(ctx, 'namePrefix') ?? ''),
      validate: validator(ctx, 'namePrefix', (t) => t),
    });
    setAnswer(ctx, 'namePrefix', prefix);
  }
}

/** Step 1: which of the four architectures; its preset gives every later question its default. */
import { loadPreset } from '../../answers/presets.js';
import { PRESETS, type PresetName } from '../../answers/types.js';
import { isGiven, setAnswer, type WizardContext } from '../context.js';

const SHAPES: Record<PresetName, string> = {
  laptop: '1 machine',
  small: '3-9 machines, etcd on each',
  dev: '1 etcd machine + workers',
  production: '3 or 5 etcd machines + workers',
};

export async function askArchitecture(ctx: WizardContext, force = false): Promise<void> {
  if (isGiven(ctx, 'preset') && !force) return;
  const preset = await ctx.prompts.select<PresetName>({
    message: 'Which cluster architecture?',
    choices: PRESETS.map((name) => ({
      name: `${name.padEnd(10)} ${SHAPES[name]}`,
      value: name,
      description: loadPreset(name).description,
    })),
    default: ctx.answers.preset ?? ctx.given.preset,
  });
  if (preset !== ctx.answers.preset) {
    // A new architecture starts from its own defaults: sizes chosen for another one no longer apply.
    delete ctx.answers.size;
    delete ctx.answers.etcd;
  }
  setAnswer(ctx, 'preset', preset);
}

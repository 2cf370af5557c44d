/** The four architectures' defaults as answers (presets/<name>.yaml, read by src/architectures/). */
import { architectureOf } from '../architectures/index.js';
import type { Answers, PresetName } from './types.js';

export interface Preset {
  name: PresetName;
  description: string;
  /** The preset's defaults, in the shape of answers. */
  defaults: Answers;
}

const cache = new Map<PresetName, Preset>();

export function loadPreset(name: PresetName): Preset {
  const hit = cache.get(name);
  if (hit) return hit;
  const architecture = architectureOf(name);
  const preset: Preset = { name, description: architecture.description, defaults: { ...(architecture.defaults as Answers), preset: name } };
  cache.set(name, preset);
  return preset;
}

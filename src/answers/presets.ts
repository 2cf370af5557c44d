/** The four architectures' defaults, read from `presets/<name>.yaml` next to the installed code. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { presetsDir } from '../package-root.js';
import { PRODUCTION_ETCD_SIZES, PRODUCTION_FIVE_FROM } from './limits.js';
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
  const file = join(presetsDir(), `${name}.yaml`);
  const { description, ...defaults } = parse(readFileSync(file, 'utf8')) as Answers & { description: string };
  const preset: Preset = { name, description, defaults: { ...defaults, preset: name } };
  cache.set(name, preset);
  return preset;
}

/** The number of etcd members a preset runs for a total size (0: the laptop runs no etcd). */
export function etcdSizeFor(preset: PresetName, size: number): number {
  if (preset === 'small') return size;
  if (preset === 'dev') return 1;
  if (preset === 'production') return size >= PRODUCTION_FIVE_FROM ? PRODUCTION_ETCD_SIZES[1] : PRODUCTION_ETCD_SIZES[0];
  return 0;
}

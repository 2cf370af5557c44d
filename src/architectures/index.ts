/**
 * The four architectures (presets), one module each: their description and defaults
 * (presets/<name>.yaml), size limits and checks, etcd members for a size, machine names, boot order,
 * role labels and what they allow. Everything else asks them (`architectureOf(preset).runsEtcd`)
 * instead of comparing preset names.
 */
import { dev } from './dev.js';
import { laptop } from './laptop.js';
import { production } from './production.js';
import { small } from './small.js';
import { PRESETS, type Architecture, type PresetName } from './types.js';

export type { Architecture, BootGroup, NamedMachine, PresetName, Role, SizeProblem } from './types.js';
export { PRESETS } from './types.js';

/** Every architecture by its name. */
export const ARCHITECTURES: Readonly<Record<PresetName, Architecture>> = { laptop, small, dev, production };

export function architectureOf(name: PresetName): Architecture {
  return ARCHITECTURES[name];
}

/** The architecture of a name not checked yet (a flag, an answers file): undefined for none or an unknown one. */
export function findArchitecture(name: unknown): Architecture | undefined {
  return (PRESETS as readonly unknown[]).includes(name) ? ARCHITECTURES[name as PresetName] : undefined;
}

/** Most etcd members any architecture runs (small: every machine). */
export const MAX_ETCD_SIZE = Math.max(...PRESETS.map((p) => ARCHITECTURES[p].maxEtcdSize));

/**
 * Whether a written cluster of these (unchecked) answers keeps etcd certificates in pki/: it runs
 * etcd (an unknown preset is assumed to) with TLS on (the default).
 */
export function hasEtcdPki(preset: unknown, etcdTls: boolean | undefined): boolean {
  return (etcdTls ?? true) && findArchitecture(preset)?.runsEtcd !== false;
}

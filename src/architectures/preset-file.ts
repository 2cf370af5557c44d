/**
 * presets/<name>.yaml, next to the installed code: the published defaults of each architecture and
 * its one-line description. The modules read them from there (rather than holding a copy) so that
 * the file users read and the values the program uses cannot drift.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { presetsDir } from '../package-root.js';
import type { Architecture, NamedMachine, PresetName, Role } from './types.js';

export interface PresetFile {
  description: string;
  defaults: Readonly<Record<string, unknown>>;
}

const cache = new Map<PresetName, PresetFile>();

export function readPresetFile(name: PresetName): PresetFile {
  const hit = cache.get(name);
  if (hit) return hit;
  const { description, ...defaults } = parse(readFileSync(join(presetsDir(), `${name}.yaml`), 'utf8')) as Record<string, unknown> & { description: string };
  const file: PresetFile = { description, defaults };
  cache.set(name, file);
  return file;
}

/** An architecture from its facts; its description and defaults are read from its file when first asked for. */
export function defineArchitecture(facts: Omit<Architecture, 'description' | 'defaults'>): Architecture {
  return Object.defineProperties(
    { ...facts },
    {
      description: { enumerable: true, get: () => readPresetFile(facts.name).description },
      defaults: { enumerable: true, get: () => readPresetFile(facts.name).defaults },
    },
  ) as Architecture;
}

/** A series of machines: `<prefix><word>-1`, `<prefix><word>-2`, ... */
export function series(prefix: string, word: string, role: Role, count: number): NamedMachine[] {
  return Array.from({ length: count }, (_, i) => ({ name: `${prefix}${word}-${i + 1}`, role }));
}

/**
 * What dev and production share: central etcd machines and workers that reach them through a local
 * proxy; the members run etcd only (no workloads), on machines of their own (not a local VM).
 */
export const CENTRAL_ETCD = {
  everyMachineIsMember: false,
  machines: (prefix: string, size: number, etcdSize: number): NamedMachine[] => [
    ...series(prefix, 'etcd', 'etcd', etcdSize),
    ...series(prefix, 'worker', 'worker', size - etcdSize),
  ],
  memberLabel: 'etcd member',
  memberBoxLabel: 'etcd member',
  memberNodeLabel: 'member',
  membersRunWorkloads: false,
  localVm: false,
  servesDockerApi: false,
} as const;

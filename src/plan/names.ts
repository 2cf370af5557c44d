/** Machine names and roles, in boot and address order: etcd members first, then workers. */
import type { ClusterSpec } from '../answers/types.js';
import type { Role } from './types.js';

export interface NamedMachine {
  name: string;
  role: Role;
}

function series(prefix: string, word: string, role: Role, count: number): NamedMachine[] {
  return Array.from({ length: count }, (_, i) => ({ name: `${prefix}${word}-${i + 1}`, role }));
}

/** Names stay valid host names: the prefix has at most 40 characters (checked in the spec). */
export function nameMachines(spec: ClusterSpec): NamedMachine[] {
  const p = spec.namePrefix;
  const members = spec.etcd?.size ?? 0;
  return spec.preset === 'laptop'
      ? series(p, 'node', 'laptop', 1)
      : spec.preset === 'small'
        ? series(p, 'node', 'etcd', spec.size)
        : [...series(p, 'etcd', 'etcd', members), ...series(p, 'worker', 'worker', spec.size - members)];
}

/** The number of failed members an etcd cluster of n members survives. */
export const faultTolerance = (n: number): number => Math.floor((n - 1) / 2);

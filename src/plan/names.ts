/** Machine names and roles, in boot and address order: etcd members first, then workers. */
import { architectureOf, type NamedMachine } from '../architectures/index.js';
import type { ClusterSpec } from '../answers/types.js';

export type { NamedMachine } from '../architectures/index.js';

/** Names stay valid host names: the prefix has at most 40 characters (checked in the spec). */
export function nameMachines(spec: ClusterSpec): NamedMachine[] {
  return architectureOf(spec.preset).machines(spec.namePrefix, spec.size, spec.etcd?.size ?? 0);
}

/** The number of failed members an etcd cluster of n members survives. */
export const faultTolerance = (n: number): number => Math.floor((n - 1) / 2);

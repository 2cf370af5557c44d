/** ClusterSpec -> Plan: names, roles, addresses, MACs, etcd topology and boot order. Pure. */
import { SpecError, type ClusterSpec, type Problem } from '../answers/types.js';
import { architectureOf } from '../architectures/index.js';
import { planAddresses, planMacs } from './addresses.js';
import { planEtcd } from './etcd.js';
import { nameMachines } from './names.js';
import type { BootStep, Machine, Plan } from './types.js';

export type { BootStep, EtcdMember, EtcdTopology, EtcdView, Machine, Plan, Role } from './types.js';
export { faultTolerance } from './names.js';
export { machineEntries, needsPki, secretsInput, secretsRequest } from './secrets.js';

function bootOrder(spec: ClusterSpec, machines: Machine[]): BootStep[] {
  const names = (role: Machine['role']) => machines.filter((m) => m.role === role).map((m) => m.name);
  return architectureOf(spec.preset).bootOrder.map((group) => ({ machines: names(group.role), note: group.note }));
}

export function plan(spec: ClusterSpec): Plan {
  const problems: Problem[] = [];
  const named = nameMachines(spec);
  let addresses: (string | null)[] = named.map(() => null);
  let macs: (string | null)[] = named.map(() => null);
  if (!spec.network.dhcp) {
    const planned = planAddresses(spec.network, named.length, problems);
    if (planned.length) {
      addresses = planned;
      if ('macPrefix' in spec.network.match) {
        macs = planMacs(
          spec.network.match.macPrefix,
          planned,
          named.map((m) => m.name),
          problems,
        );
      }
    }
  }
  if (problems.length) throw new SpecError(problems);
  const machines: Machine[] = named.map((m, i) => ({ ...m, address: addresses[i]!, mac: macs[i]! }));
  return { spec, machines, etcd: planEtcd(spec, machines), bootOrder: bootOrder(spec, machines) };
}

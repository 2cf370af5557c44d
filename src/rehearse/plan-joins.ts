/**
 * Who starts the cluster and who joins it later. A member whose config says
 * ETCD_INITIAL_CLUSTER_STATE=existing (what `scale` writes for new members) joins a running
 * cluster: the rehearsal starts the others first, then adds the joiners one at a time with
 * `etcdctl member add`, the way scale tells the user to. Pure.
 */
import type { PlannedProcess } from './types.js';

export interface Membership {
  /** Members that start the cluster together (initial cluster state `new`, etcd's default). */
  founders: PlannedProcess[];
  /** Members that join the running cluster, in the order they are added. */
  joining: PlannedProcess[];
}

export const joinsExisting = (m: PlannedProcess): boolean => m.env.ETCD_INITIAL_CLUSTER_STATE === 'existing';

/** How many members a member's initial cluster names: the cluster it expects to find plus itself. */
const initialClusterSize = (m: PlannedProcess): number => (m.env.ETCD_INITIAL_CLUSTER ?? '').split(',').filter((e) => e.trim() !== '').length;

/**
 * Joiners in the order scale prints them: each one's initial cluster names the members running
 * when it joins, so fewer first; then by name, numbers compared as numbers (etcd-9 before etcd-10).
 */
function joinOrder(a: PlannedProcess, b: PlannedProcess): number {
  return initialClusterSize(a) - initialClusterSize(b) || a.name.localeCompare(b.name, 'en', { numeric: true });
}

export function membership(members: PlannedProcess[]): Membership {
  return { founders: members.filter((m) => !joinsExisting(m)), joining: members.filter(joinsExisting).sort(joinOrder) };
}

/** The peer URLs `etcdctl member add` announces for a joiner: its advertised ones, as mapped for the rehearsal. */
export const peerUrls = (m: PlannedProcess): string => m.env.ETCD_INITIAL_ADVERTISE_PEER_URLS ?? '';

/** Why the members cannot be started in order: none starts a cluster for the others to join. */
export function membershipProblems(members: PlannedProcess[]): string[] {
  if (!members.length || !members.every(joinsExisting)) return [];
  return [
    `every etcd member (${members.map((m) => m.name).join(', ')}) joins an existing cluster (ETCD_INITIAL_CLUSTER_STATE=existing) and none starts one: there is no running cluster to join`,
  ];
}

/**
 * Which certificates the planned cluster needs (the request for src/pki) and which of them each
 * machine gets. Pure: no key is made here.
 *
 * | machine                       | gets                                                        |
 * | etcd member (etcd TLS)        | etcd/member/<name>/server and /peer                         |
 * | worker (etcd TLS)             | etcd/proxy/<name>/client (its grpc-proxy)                   |
 * | any machine with etcd-lock    | etcd/locksmith/<name>/client (locksmithd), with etcd TLS    |
 * | laptop (Docker TLS)           | docker/server; docker/client goes to DIR/docker-client/     |
 */
import { clusterSecretsRequest, entryNames, type ClusterSecretsInput } from '../pki/names.js';
import type { SecretsRequest } from '../pki/types.js';
import type { Machine, Plan } from './types.js';

function locksmithTls(plan: Plan): boolean {
  return plan.etcd?.tls === true && plan.spec.updates.rebootStrategy === 'etcd-lock';
}

/** The cluster's certificates, as clusterSecretsRequest's input. */
export function secretsInput(plan: Plan): ClusterSecretsInput {
  const etcdTls = plan.etcd?.tls === true;
  const laptop = plan.spec.security.dockerTls === true ? plan.machines.find((m) => m.role === 'laptop') : undefined;
  return {
    clusterName: plan.spec.name,
    etcdMembers: etcdTls ? plan.machines.filter((m) => m.role === 'etcd').map((m) => ({ name: m.name, address: m.address })) : [],
    etcdProxies: etcdTls ? plan.machines.filter((m) => m.role === 'worker').map((m) => m.name) : [],
    locksmiths: locksmithTls(plan) ? plan.machines.filter((m) => m.role !== 'laptop').map((m) => m.name) : [],
    docker: laptop ? { name: laptop.name, address: laptop.address } : null,
  };
}

/** The SecretsRequest for the plan (rotate: make everything new on purpose). */
export function secretsRequest(plan: Plan, options: { rotate?: boolean; now?: Date } = {}): SecretsRequest {
  return clusterSecretsRequest({ ...secretsInput(plan), ...(options.rotate ? { rotate: true } : {}), ...(options.now ? { now: options.now } : {}) });
}

/** Whether any machine talks TLS with the cluster's certificates. */
export function needsPki(plan: Plan): boolean {
  return Object.keys(secretsRequest(plan).certs).length > 0;
}

/** The entry names whose certificate and private key go into this machine's config. */
export function machineEntries(plan: Plan, machine: Machine): string[] {
  const out: string[] = [];
  if (plan.etcd?.tls) {
    if (machine.role === 'etcd') out.push(entryNames.etcdMemberServer(machine.name), entryNames.etcdMemberPeer(machine.name));
    if (machine.role === 'worker') out.push(entryNames.etcdProxyClient(machine.name));
  }
  if (locksmithTls(plan) && machine.role !== 'laptop') out.push(entryNames.locksmithClient(machine.name));
  if (machine.role === 'laptop' && plan.spec.security.dockerTls) out.push(entryNames.dockerServer);
  return out;
}

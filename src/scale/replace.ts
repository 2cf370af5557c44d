/**
 * `flatcar-architect replace DIR MACHINE` (issue 15): a failed machine comes back with a config that
 * works on a running cluster. An etcd member's original config says ETCD_INITIAL_CLUSTER_STATE=new:
 * booted again on a fresh disk it fails ("member ... has already been bootstrapped"). Its replacement
 * config joins the running cluster instead (state existing, the current members, itself included, as
 * `etcdctl member add` prints them), after the old member is removed and the new one added. A worker
 * holds no etcd data: its own config boots it again.
 *
 * The new answers record the machine's etcd settings under `etcdMembership:` (as scale does), so
 * `--answers DIR/cluster.yaml --pki DIR` writes the same files again. Every other file stays byte
 * for byte: checked before anything is written. The machine keeps its certificates (same name and
 * address); rotate the PKI on purpose when the old machine's keys may have leaked.
 */
import { generateCluster, type GenerateResult } from '../generate.js';
import { customisationsOf, customisePlan } from '../customise.js';
import { plan as planCluster, type EtcdMember, type Machine } from '../plan/index.js';
import { entryNames } from '../pki/names.js';
import type { SecretsBundle } from '../pki/index.js';
import { resolveSpec } from '../answers/resolve.js';
import type { Answers, EtcdMembershipEntry } from '../answers/types.js';
import { ScaleError } from './index.js';

export interface ReplaceOutcome {
  answers: Answers;
  result: GenerateResult;
  machine: Machine;
  /** The member being replaced (null for a worker or the laptop). */
  member: EtcdMember | null;
  /** The members the cluster has (the replaced one included), as the new config names them. */
  members: EtcdMember[];
  /** Files whose contents change: the machine's .bu and .ign and cluster.yaml (none for a worker). */
  changed: string[];
}

/**
 * The cluster with MACHINE's replacement config, in memory. `current` reads the directory's files
 * (name -> contents); throws ScaleError when the machine is unknown, the cluster formed by discovery,
 * or another file would change.
 */
export async function replaceMachine(
  old: Answers,
  existing: SecretsBundle | null,
  name: string,
  current: (file: string) => string | undefined,
  options: { outDir?: string; now?: Date } = {},
): Promise<ReplaceOutcome> {
  const { spec } = resolveSpec(old);
  const before = customisePlan(planCluster(spec), { ...customisationsOf(old, []), snippets: [] });
  const machine = before.machines.find((m) => m.name === name);
  if (!machine) {
    const names = before.machines.map((m) => m.name);
    throw new ScaleError(
      `no machine is called ${name}; this cluster has ${names.length <= 8 ? names.join(', ') : `${names.slice(0, 4).join(', ')}, ... (${names.length})`}`,
      'machine',
    );
  }
  const member = before.etcd?.members.find((m) => m.name === name) ?? null;
  if (member && spec.etcd?.discovery) {
    throw new ScaleError(
      'this cluster formed through a discovery URL, which works once: a replacement member needs a static member list; regenerate without --discovery (same --pki) and replace then',
      'etcd.discovery',
    );
  }
  const members = before.etcd?.members ?? [];
  let answers: Answers = old;
  if (member) {
    const entries: EtcdMembershipEntry[] = (old.etcdMembership ?? []).map((e) => ({ ...e, machines: e.machines.filter((m) => m !== name) })).filter((e) => e.machines.length > 0);
    entries.push({ machines: [name], state: 'existing', initialCluster: members.map((m) => `${m.name}=${m.peerUrl}`).join(',') });
    answers = { ...old, etcdMembership: entries };
  }
  const result = await generateCluster(answers, { existing, ...(options.outDir ? { outDir: options.outDir } : {}), ...(options.now ? { now: options.now } : {}) });
  const own = new Set([`${name}.bu`, `${name}.ign`, 'cluster.yaml']);
  const changed: string[] = [];
  for (const f of result.files) {
    const was = current(f.name);
    if (was === f.contents) continue;
    if (!own.has(f.name)) {
      throw new ScaleError(
        was === undefined
          ? `${f.name} is missing: the directory does not match its cluster.yaml; nothing was written`
          : `${f.name} would change, and only ${name}'s config may (edited by hand, made with other templates or another version, or certificates due for renewal?); nothing was written`,
        'dir',
      );
    }
    changed.push(f.name);
  }
  return { answers, result, machine, member, members, changed };
}

/** The steps, in order, as shell lines an operator runs from the directory's parent (`shown` is DIR as given). */
export function replaceSteps(outcome: ReplaceOutcome, shown: string): string[] {
  const { machine, member, members, result } = outcome;
  if (!member) {
    return [`${machine.name} is a ${machine.role}: it holds no etcd data. Re-provision it (a fresh disk) and boot it with ${shown}/${machine.name}.ign, unchanged.`];
  }
  const others = members.filter((m) => m.name !== member.name);
  const tls = result.plan.etcd!.tls;
  const env = [`export ETCDCTL_API=3 ETCDCTL_ENDPOINTS=${others.map((m) => m.clientUrl).join(',')}`];
  if (tls) {
    const cert = `${shown}/pki/${entryNames.etcdMemberServer(others[0]!.name)}`;
    env.push(`export ETCDCTL_CACERT=${shown}/pki/ca.pem ETCDCTL_CERT=${cert}.pem ETCDCTL_KEY=${cert}-key.pem`);
  }
  return [
    `Replacing the etcd member ${member.name} (${member.peerUrl}). Run these in order, from here; the other members keep the quorum:`,
    '',
    ...env.map((l) => `  ${l}`),
    `  # 1. make sure the old ${member.name} is off (it must not come back with its old data), then remove it from the cluster:`,
    `  etcdctl member remove "$(etcdctl member list | awk -F', ' '$3 == "${member.name}" { print $1 }')"`,
    `  # 2. wait until the remaining members are healthy; etcd refuses the next change for a few seconds after one`,
    `  #    ("unhealthy cluster", or etcd 3.4's "member not found": wait a little longer and run it again). Then add the replacement, same name and peer URL:`,
    `  etcdctl endpoint health --cluster`,
    `  sleep 10`,
    `  etcdctl member add ${member.name} --peer-urls=${member.peerUrl}`,
    `  # 3. install ${member.name} on a fresh disk with ${shown}/${member.name}.ign and boot it: it joins the running cluster`,
    `  #    (ETCD_INITIAL_CLUSTER_STATE=existing). Then wait until every member is healthy:`,
    `  etcdctl endpoint health --cluster`,
    '',
    `${outcome.changed.length ? `Only ${outcome.changed.join(', ')} changed` : `${shown}/${member.name}.ign already was the replacement config: nothing changed`}; every other file is as it was. Keep the old ${member.name}.ign away from the machine: booted again it fails ("has already been bootstrapped").`,
  ];
}

/**
 * The etcd membership change that a scale needs, as the commands an operator runs: one member at a
 * time, waiting for the cluster to be healthy between (a reboot changes no membership).
 */
import { entryNames } from '../pki/names.js';
import type { ScaleOutcome } from './index.js';

/** `etcdctl` settings for the members that stay, run from the directory's parent (`shown` is DIR as given). */
function etcdctlEnv(outcome: ScaleOutcome, shown: string): string[] {
  const staying = outcome.membersBefore.filter((m) => !outcome.leaving.some((l) => l.name === m.name));
  const etcd = outcome.before.etcd!;
  const endpoints = etcd.members.filter((m) => staying.some((s) => s.name === m.name)).map((m) => m.clientUrl);
  const lines = [`export ETCDCTL_API=3 ETCDCTL_ENDPOINTS=${endpoints.join(',')}`];
  if (etcd.tls) {
    // A member's server certificate serves as a client certificate too (see SUMMARY.md).
    const cert = `${shown}/pki/${entryNames.etcdMemberServer(staying[0]!.name)}`;
    lines.push(`export ETCDCTL_CACERT=${shown}/pki/ca.pem ETCDCTL_CERT=${cert}.pem ETCDCTL_KEY=${cert}-key.pem`);
  }
  return lines;
}

/** The steps, numbered, or [] when the membership stays. */
export function membershipSteps(outcome: ScaleOutcome, shown: string): string[] {
  const { joining, leaving, membersBefore, membersAfter } = outcome;
  if (!joining.length && !leaving.length) return [];
  const out = [
    `etcd membership: ${membersBefore.length} -> ${membersAfter.length} members. Rebooting or reinstalling machines does not change it: change it one member at a time, in this order, waiting until the cluster is healthy between steps:`,
    '',
    ...etcdctlEnv(outcome, shown).map((l) => `  ${l}`),
  ];
  let n = 0;
  const step = (text: string) => out.push(`  ${++n}. ${text}`);
  for (const m of leaving) {
    step(`etcdctl member remove <id>    # the id of ${m.name}: etcdctl member list | grep ${m.name}`);
    step(`shut ${m.name} down, then wait for: etcdctl endpoint health --cluster`);
  }
  for (const m of joining) {
    step(`etcdctl member add ${m.name} --peer-urls=${m.peerUrl}`);
    step(`install and boot ${m.name} with ${shown}/${m.name}.ign (it joins the running cluster: ETCD_INITIAL_CLUSTER_STATE=existing)`);
    step('wait until every member is healthy: etcdctl endpoint health --cluster');
  }
  out.push(
    '',
    `Machines made before keep their configs (Ignition runs only on first boot): their proxies and locksmith still list the members they were made with${
      leaving.length ? `, so ${leaving.map((m) => m.name).join(', ')} stay in those lists until those machines are reinstalled` : ''
    }.`,
  );
  return out;
}

/**
 * The membership steps `scale` prints, followed on the running cluster: for each joining member in
 * turn, `etcdctl member add NAME --peer-urls=...` through the members already running, start it
 * (its config says ETCD_INITIAL_CLUSTER_STATE=existing), wait until every member is healthy and
 * the member list names it; then the next one.
 */
import { peerUrls } from './plan-joins.js';
import { names, seconds, type Probes } from './probes.js';
import type { Steps } from './steps.js';
import type { PlannedProcess } from './types.js';

const joinTitle = (m: PlannedProcess): string => `${m.name} joins the running cluster (member add)`;

/** Adds `joining` one at a time to the running `founders`; each join is a step of its own. */
export async function joinOneByOne(probes: Probes, steps: Steps, founders: PlannedProcess[], joining: PlannedProcess[]): Promise<void> {
  const running = [...founders];
  for (const m of joining) {
    await steps.run(`join:${m.name}`, joinTitle(m), async () => {
      const urls = peerUrls(m);
      const added = await probes.memberAdd(running, m, urls);
      // etcd adds a voting member only once its peers have been connected for a while (5s in etcd 3.4).
      const waited = added.refusals.length ? ` (accepted after ${seconds(added.ms)}; until then etcd answered ${added.refusals.join('; ')})` : '';
      probes.start(m);
      const all = [...running, m];
      const ms = await probes.healthy(all);
      await probes.listed(running[0]!, all);
      running.push(m);
      return `etcdctl member add ${m.name} --peer-urls=${urls} via ${names(running.slice(0, -1))}${waited}; started it (initial cluster state existing); all ${all.length} healthy after ${seconds(ms)}, the member list names ${names(all)}`;
    });
  }
}

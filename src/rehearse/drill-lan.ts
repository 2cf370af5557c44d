/**
 * The drills only the `lan` layout can run, because every machine has its own address there:
 * network partitions (a member cut off the LAN; in a cluster of 5 or more, a minority side of
 * two), and the reboot lock taken by every etcd-lock machine the way locksmithd takes it.
 */
import { LockClient, type LockOutcome } from './lock.js';
import { label, names, seconds, type Probes } from './probes.js';
import type { Steps } from './steps.js';
import { poll } from './time.js';
import type { PlannedLock, PlannedProcess } from './types.js';

const KEY = '/flatcar-architect/rehearse/partition';
/** etcdctl towards a member that cannot reach the others: refused within its command timeout. */
const SHORT = { dialMs: 1000, commandMs: 1000 };

export async function partitionDrills(probes: Probes, steps: Steps, formMs = 30_000): Promise<void> {
  const { cluster, ctl } = probes;
  const net = cluster.net!;
  const { members } = cluster.plan;
  const n = members.length;
  if (n < 3) return;
  const sides: PlannedProcess[][] = [];
  // One member alone (the leader when one is known: the others must elect a new one), then for 5+
  // members a minority side of two that can still reach each other.
  const leaderUrl = await ctl.leader(members.map((m) => m.clientUrl));
  const leader = members.find((m) => m.clientUrl === leaderUrl) ?? members[n - 1]!;
  sides.push([leader]);
  if (n >= 5) sides.push(members.filter((m) => m !== leader).slice(-2));

  for (const side of sides) {
    const who = names(side);
    const rest = members.filter((m) => !side.includes(m));
    const key = `${KEY}/${side.map((m) => m.name).join('+')}`;
    const refusedKey = `${key}/refused`;
    const verb = side.length === 1 ? 'refuses' : 'refuse';
    await steps.run(`partition:${side.map((m) => m.name).join('+')}`, `cut ${who} off the LAN: the other ${rest.length} keep writing, ${who} ${verb}`, async () => {
      const how = net.cut(side.map((m) => m.machine));
      const ms = await probes.write([rest[0]!], key, 'written while partitioned');
      const refusals = await Promise.all(side.map(async (m) => ({ m, r: await probes.from(m.machine).withTimeouts(SHORT).put(m.clientUrl, refusedKey, 'must not be written') })));
      const accepted = refusals.filter((x) => x.r.ok);
      if (accepted.length) throw new Error(`${names(accepted.map((x) => x.m))} accepted a write while cut off from the majority`);
      const why = [...new Set(refusals.map((x) => x.r.message))].join('; ');
      return `${how}; written via ${label(rest[0]!)} in ${seconds(ms)} (${rest.length} of ${n} is a quorum); ${who}, asked on ${side.length === 1 ? 'its own machine' : 'their own machines'}, ${verb} (${why})`;
    });
    await steps.run(`rejoin:${side.map((m) => m.name).join('+')}`, `heal the partition: ${who} catch${side.length === 1 ? 'es' : ''} up`, async () => {
      const t0 = Date.now();
      net.heal();
      for (const m of side) {
        let last = '';
        const ok = await poll(
          async () => {
            const r = await probes.from(m.machine).get(m.clientUrl, key, true);
            last = r.value ?? r.message;
            return r.value === 'written while partitioned' || undefined;
          },
          { within: formMs, deadline: probes.deadline, signal: probes.signal },
        );
        if (!ok) throw new Error(`${m.name} did not catch up within ${seconds(Date.now() - t0)}: it answers ${last}`);
      }
      const caught = Date.now() - t0;
      await probes.healthy(members);
      // A timed-out write is indeterminate in etcd: a follower may have queued it for the leader and
      // delivered it once the partition healed. Say which way it went; neither is a failure.
      const refused = await ctl.get(rest[0]!.clientUrl, refusedKey);
      const late =
        refused.value !== undefined
          ? 'the write that timed out while cut off was applied once healed (a timeout is indeterminate in etcd)'
          : 'the write that timed out while cut off was never applied';
      return `${who} ${side.length === 1 ? 'has' : 'have'} the write made without ${side.length === 1 ? 'it' : 'them'} after ${seconds(caught)}; all ${n} healthy; ${late}`;
    });
  }
}

const sem = (o: LockOutcome) => (o.sem ? `semaphore ${o.sem.semaphore}/${o.sem.max}${o.sem.holders.length ? `, held by ${o.sem.holders.join(', ')}` : ''}` : '');
const failedOver = (o: LockOutcome) => (o.tried.length ? ` after ${o.tried.join('; ')}` : '');

export async function lockDrills(probes: Probes, steps: Steps): Promise<void> {
  const { cluster } = probes;
  const net = cluster.net!;
  const locks = cluster.plan.locks;
  if (!locks.length) return;
  const client = new LockClient(probes.ctl.procs, (machine) => cluster.on(machine));
  const take = async (l: PlannedLock) => {
    const r = await client.run(l, 'lock');
    if (!r.ok) throw new Error(`${l.machine} could not take the lock: ${r.message}`);
    return r;
  };
  const release = async (l: PlannedLock) => {
    const r = await client.run(l, 'unlock');
    if (!r.ok) throw new Error(`${l.machine} could not release the lock: ${r.message}`);
    return r;
  };

  for (const l of locks) {
    await steps.run(`lock:${l.machine}`, `${l.machine} takes and releases the reboot lock as locksmithd does`, async () => {
      const t0 = Date.now();
      const held = await take(l);
      if (!held.sem?.holders.includes(l.machine)) throw new Error(`after taking it the semaphore says ${JSON.stringify(held.sem)}`);
      const freed = await release(l);
      const tls = l.cert ? `with its locksmith certificate ${l.cert.slice(l.home.length + '/files'.length)}` : 'without a client certificate';
      return `from its own namespace, ${tls}: taken via ${held.endpoint}${failedOver(held)} (${sem(held)}), released (${sem(freed)}) in ${seconds(Date.now() - t0)}`;
    });
  }

  if (locks.length >= 2) {
    const [a, b] = [locks[0]!, locks[1]!];
    await steps.run('lock:exclusive', 'two machines cannot hold the reboot lock at once', async () => {
      await take(a);
      const denied = await client.run(b, 'lock');
      if (denied.ok) {
        await client.run(b, 'unlock');
        await client.run(a, 'unlock');
        throw new Error(`${b.machine} took the lock while ${a.machine} held it (${sem(denied)})`);
      }
      await release(a);
      const then = await take(b);
      await release(b);
      return `${a.machine} holds it; ${b.machine} is refused (${denied.message}); once ${a.machine} releases it ${b.machine} gets it (${sem(then)}) and releases it`;
    });
  }

  // The first endpoint made unreachable the one way locksmith survives: locksmithctl's getClient
  // moves to the next endpoint only when the connection is refused (the lock client reproduces
  // that: a timeout, no route or a TLS refusal ends the attempt, as it does on a booted machine).
  // A member lists its own member first, so for it that member's etcd is stopped (the machine up,
  // its client port refusing, as after a crash or while etcd is being replaced); a worker's first
  // member refuses that worker's connections (a reset from an nft rule in the member's namespace,
  // or, without nft, that member's etcd stopped), the cluster staying whole. A worker is taken
  // when there is one, else a member.
  const members = cluster.plan.members;
  const isMember = (machine: string) => members.some((m) => m.machine === machine);
  const ownerOf = (endpoint: string) => members.find((m) => m.clientUrl.replace(/\/$/, '') === endpoint.replace(/\/$/, ''));
  const candidates = locks.filter((l) => l.endpoints.length >= 2 && ownerOf(l.endpoints[0]!));
  const pick = candidates.find((l) => !isMember(l.machine)) ?? candidates.find((l) => ownerOf(l.endpoints[0]!)!.machine === l.machine) ?? candidates[0];
  if (!pick) return;
  const first = ownerOf(pick.endpoints[0]!)!;
  const own = first.machine === pick.machine;
  const title = own
    ? `the lock works with the first endpoint unreachable (${pick.machine}'s own member ${first.name} stopped)`
    : `the lock works with the first endpoint unreachable (${first.name} refuses ${pick.machine})`;
  await steps.run('lock:failover', title, async () => {
    let stopped = false;
    let how = own ? null : net.refuse(first.machine, pick.machine, Number(new URL(first.clientUrl).port || 2379));
    try {
      if (how === null) {
        await probes.stop(first);
        stopped = true;
        // locksmith's requests carry no deadline: they wait out an election. The drill's client gives
        // each request a short one, so it asks once the others have a leader again.
        const rest = members.filter((m) => m !== first);
        const ms = await probes.healthy(rest);
        how = `${first.name} stopped${own ? '' : ' (no nft rule could refuse the connections alone)'}: its client port refuses connections; the other ${rest.length} healthy after ${seconds(ms)}`;
      }
      const held = await take(pick);
      if (held.endpoint === pick.endpoints[0]) throw new Error(`${pick.machine} reached ${held.endpoint}, which should refuse it`);
      if (!held.tried.some((t) => t.startsWith(`${pick.endpoints[0]}: ECONNREFUSED`)))
        throw new Error(`${pick.machine} took the lock via ${held.endpoint} without being refused by ${pick.endpoints[0]} (${held.tried.join('; ') || 'nothing tried before'})`);
      const freed = await release(pick);
      return `${how}; ${pick.machine} took the lock via ${held.endpoint}${failedOver(held)} and released it (${sem(freed)})`;
    } finally {
      net.heal();
      if (stopped) {
        probes.start(first);
        await probes.listening([first]);
      }
      await probes.healthy(members);
    }
  });
}

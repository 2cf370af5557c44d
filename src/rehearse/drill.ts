/**
 * The drill, on a prepared cluster: the cluster forms (members that join an existing cluster are
 * added one at a time afterwards, see join.ts); when the members require client
 * certificates, etcdctl without one is refused; a write goes through each proxy; with
 * floor((n-1)/2) members stopped (the leader first) writes still succeed; with one more they are
 * refused (while the last member still answers reads); restarted, the cluster heals and what was
 * written while degraded is on every restarted member. In the `lan` layout the network is built
 * first (instead of checking loopback addresses are free), and the partition and lock drills
 * (drill-lan.ts) follow the heal.
 */
import { lockDrills, partitionDrills } from './drill-lan.js';
import { joinOneByOne } from './join.js';
import { membership } from './plan-joins.js';
import { label, names, seconds, type Probes } from './probes.js';
import type { Steps } from './steps.js';
import type { PlannedProcess } from './types.js';

const KEY = '/flatcar-architect/rehearse';
const plural = (n: number, word: string) => `${word}${n === 1 ? '' : 's'}`;

export function faultTolerance(members: number): number {
  return Math.floor((members - 1) / 2);
}

/** Whether every member serves https clients and requires a client certificate (ETCD_CLIENT_CERT_AUTH). */
export function requiresClientCerts(members: PlannedProcess[]): boolean {
  return members.length > 0 && members.every((m) => m.clientUrl.startsWith('https:') && m.env.ETCD_CLIENT_CERT_AUTH === 'true');
}

export async function drill(probes: Probes, steps: Steps): Promise<void> {
  const { cluster, ctl } = probes;
  const { members, proxies } = cluster.plan;
  const n = members.length;
  const t = faultTolerance(n);
  const lastMember = members[n - 1]!;

  const net = cluster.net;
  if (net) {
    await steps.run('network', 'build the LAN: a network namespace per machine, one bridge', async () => {
      net.up();
      const { plan } = net;
      const where = plan.hosts.map((h) => `${h.machine} ${h.address} (${h.source})`).join(', ');
      return `${plan.subnet} on a bridge in ${plan.bridgeNs}; ${where}; etcdctl from ${plan.operator.address} (${plan.operator.source}); namespaces ${plan.prefix}*`;
    });
  } else {
    await steps.run('ports', 'loopback addresses free', async () => {
      const busy = await cluster.busyAddresses();
      if (busy.length) throw new Error(busy.join('; '));
      return [...members, ...proxies].map((p) => `${p.name} ${p.listens.join(' ')}`).join('; ');
    });
  }

  // Members whose config says they join an existing cluster are added after the others formed it.
  const { founders, joining } = membership(members);
  const f = founders.length;
  await steps.run('members', `${f} ${plural(f, 'member')} start and form the cluster`, async () => {
    for (const m of founders) probes.start(m);
    let ms: number;
    try {
      ms = await probes.healthy(founders);
    } catch (e) {
      // Members that refuse each other's certificates never form: say what they logged.
      const logged = [...new Set(founders.flatMap((m) => cluster.tlsRejections(m)))].slice(0, 3);
      throw logged.length ? new Error(`${(e as Error).message}; the members log: ${logged.join('; ')}`) : e;
    }
    const listed = await ctl.memberNames(founders[0]!.clientUrl);
    const want = founders.map((m) => m.name).sort();
    if (!listed || listed.sort().join() !== want.join()) throw new Error(`member list is ${listed?.join(', ') ?? 'unavailable'}, expected ${want.join(', ')}`);
    await probes.write([founders[0]!], `${KEY}/formed`, 'yes');
    const next = joining.length ? `; ${names(joining)} join next, one at a time` : '';
    // In the lan layout: what each member's own namespace lists as listening (ss -ltn there).
    const sockets = net ? `; listening (ss -ltn in each namespace): ${founders.map((m) => `${m.name} ${net.listening(m.machine).join(' ')}`).join('; ')}` : '';
    return `${names(founders)} healthy after ${seconds(ms)} at ${founders.map((m) => m.clientUrl).join(' ')}${next}${sockets}`;
  });

  await joinOneByOne(probes, steps, founders, joining);

  if (requiresClientCerts(members)) {
    await steps.run('client-cert', 'etcdctl without a client certificate is refused', async () => {
      // It trusts the CA (so the only thing missing is its own certificate) but offers none.
      const cacert = ctl.clientTls?.cacert;
      // Refused at the handshake: short timeouts suffice (the members answered with a certificate just before).
      const anonymous = ctl.withTls(cacert ? { cacert } : { 'insecure-skip-tls-verify': 'true' }, { dialMs: 500, commandMs: 500 });
      const key = `${KEY}/without-client-cert`;
      const results = await Promise.all(members.map(async (m) => ({ m, r: await anonymous.put(m.clientUrl, key, 'must not be written') })));
      const accepted = results.filter((x) => x.r.ok).map((x) => x.m);
      if (accepted.length) throw new Error(`written without a client certificate via ${names(accepted)}: the members do not require one`);
      const written = await ctl.get(members[0]!.clientUrl, key);
      if (written.value !== undefined) throw new Error(`${key} was written without a client certificate`);
      if (!written.ok) throw new Error(`etcdctl with the client certificate failed too: ${written.message}`);
      const logged = [...new Set(members.flatMap((m) => cluster.tlsRejections(m)))];
      const why = logged.length ? `the members log: ${logged.join('; ')}` : `etcdctl: ${[...new Set(results.map((x) => x.r.message))].join('; ')}`;
      return `refused by ${names(members)} (${why}); with the certificate it answers`;
    });
  }

  for (const p of proxies) {
    await steps.run(`proxy:${p.machine}`, `write through ${p.machine}'s grpc-proxy`, async () => {
      probes.start(p);
      await probes.listening([p]);
      const key = `${KEY}/proxy/${p.machine}`;
      const ms = await probes.write([p], key, `via ${p.machine}`);
      await probes.readBack(lastMember, key, `via ${p.machine}`);
      const towards = p.args.find((a) => a.startsWith('--endpoints='))?.slice('--endpoints='.length) ?? 'the members';
      return `${p.clientUrl} -> ${towards}; written in ${seconds(ms)}, read back from ${lastMember.name}`;
    });
  }

  // The leader goes first: losing it is the interesting failure. The last in the order stays up longest.
  let order: PlannedProcess[] = [...members].reverse();
  const proxy = proxies[0];
  const degraded = `with ${t} of ${n} stopped`;

  await steps.run('tolerate', `stop ${t} of ${n} ${plural(n, 'member')}: still writable`, async () => {
    const leaderUrl = await ctl.leader(members.map((m) => m.clientUrl));
    const leaderMember = members.find((m) => m.clientUrl === leaderUrl);
    if (leaderMember) order = [leaderMember, ...order.filter((m) => m !== leaderMember)];
    const stopped = order.slice(0, t);
    for (const m of stopped) await probes.stop(m);
    const paths = [...(proxy ? [proxy] : []), order[n - 1]!];
    const ms = await probes.write(paths, `${KEY}/tolerate`, degraded);
    const what = t === 0 ? `a cluster of ${n} tolerates no failure: nothing stopped` : `stopped ${names(stopped)}${leaderMember ? ` (leader: ${leaderMember.name})` : ''}`;
    return `${what}; written via ${paths.map(label).join(' and ')} in ${seconds(ms)}`;
  });

  await steps.run('quorum', 'stop one more: writes refused', async () => {
    const extra = order[t]!;
    await probes.stop(extra);
    const alive = order.slice(t + 1);
    const last = alive[alive.length - 1];
    // With nothing left to ask, the stopped member's own address is the only path.
    const paths = [...(proxy ? [proxy] : []), ...(last ? [last] : []), ...(proxy || last ? [] : [extra])];
    const why = await probes.refused(paths, `${KEY}/quorum`, alive.length, n);
    if (last) await probes.readBack(last, `${KEY}/tolerate`, degraded, true);
    const reads = last ? `; ${last.name} still serves reads` : '';
    return `stopped ${extra.name}: ${alive.length} of ${n} up, quorum is ${Math.floor(n / 2) + 1}; writes via ${paths.map(label).join(' and ')} refused (${why})${reads}`;
  });

  await steps.run('heal', `restart the stopped ${plural(t + 1, 'member')}: healed`, async () => {
    const restarted = order.slice(0, t + 1);
    for (const m of restarted) probes.start(m);
    const ms = await probes.healthy(members);
    const paths = [...(proxy ? [proxy] : []), restarted[0]!];
    await probes.write(paths, `${KEY}/healed`, 'yes');
    for (const m of restarted) await probes.readBack(m, `${KEY}/tolerate`, degraded);
    return `${names(restarted)} back; all ${n} healthy after ${seconds(ms)}; written via ${paths.map(label).join(' and ')}; the write made while degraded is on ${names(restarted)}`;
  });

  if (net) {
    await partitionDrills(probes, steps);
    await lockDrills(probes, steps);
  }
}

/**
 * What the drill asks of the running cluster, bounded in time: start and stop processes (any
 * other exit is a failure, reported with the process's log), wait until they listen and are
 * healthy, write until a write gets through, read a value back.
 */
import type { Cluster } from './cluster.js';
import type { Etcdctl } from './etcdctl.js';
import { poll, type Deadline } from './time.js';
import type { PlannedProcess } from './types.js';

export const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)}s`;
/** The processes' names, comma-separated. */
export const names = (ps: PlannedProcess[]): string => ps.map((p) => p.name).join(', ');
export const label = (p: PlannedProcess): string => (p.kind === 'proxy' ? `${p.machine}'s proxy` : `member ${p.name}`);
const endpoints = (ps: PlannedProcess[]) => ps.map((p) => p.clientUrl);

export interface ProbeLimits {
  deadline: Deadline;
  signal?: AbortSignal;
  /** Bound for processes to listen and the cluster to form or heal (default 30s). */
  formMs?: number;
  /** Bound for one write to get through, a leader election included (default 20s). */
  writeMs?: number;
}

export class Probes {
  /** The processes that should be running. */
  private readonly up = new Set<PlannedProcess>();
  private readonly formMs: number;
  private readonly writeMs: number;

  constructor(
    readonly cluster: Cluster,
    readonly ctl: Etcdctl,
    private readonly limits: ProbeLimits,
  ) {
    this.formMs = limits.formMs ?? 30_000;
    this.writeMs = limits.writeMs ?? 20_000;
  }

  get deadline(): Deadline {
    return this.limits.deadline;
  }

  get signal(): AbortSignal | undefined {
    return this.limits.signal;
  }

  private within(ms: number) {
    return { within: ms, deadline: this.limits.deadline, signal: this.limits.signal };
  }

  /** etcdctl where `p` is reached from: a worker's proxy only from its own machine (its 127.0.0.1), a member from the operator's place. */
  at(p: PlannedProcess): Etcdctl {
    return p.kind === 'proxy' ? this.ctl.via(this.cluster.on(p.machine)) : this.ctl;
  }

  /** etcdctl run on `machine` itself (inside its namespace on the LAN). */
  from(machine: string): Etcdctl {
    return this.ctl.via(this.cluster.on(machine));
  }

  private assertAlive(): void {
    this.cluster.assertAlive([...this.up]);
  }

  start(p: PlannedProcess): void {
    this.up.add(p);
    this.cluster.start(p);
  }

  async stop(p: PlannedProcess): Promise<void> {
    this.up.delete(p);
    await this.cluster.stop(p);
  }

  /** Waits (cheaply, before any etcdctl) until each of `ps` accepts connections on its client URL. */
  async listening(ps: PlannedProcess[]): Promise<void> {
    const t0 = Date.now();
    const ok = await poll(
      async () => {
        this.assertAlive();
        return (await Promise.all(ps.map((p) => this.cluster.listening(p)))).every(Boolean) || undefined;
      },
      { ...this.within(this.formMs), every: 50 },
    );
    if (!ok) throw new Error(`not listening on ${endpoints(ps).join(' ')} within ${seconds(Date.now() - t0)}`);
  }

  /** Waits until every one of `ps` answers `endpoint health`; returns how long it took. */
  async healthy(ps: PlannedProcess[]): Promise<number> {
    const t0 = Date.now();
    await this.listening(ps);
    let last = '';
    const ok = await poll(async () => {
      this.assertAlive();
      const r = await this.ctl.health(endpoints(ps));
      last = r.message;
      return r.ok || undefined;
    }, this.within(this.formMs));
    if (!ok) throw new Error(`not healthy within ${seconds(Date.now() - t0)}: ${last}`);
    return Date.now() - t0;
  }

  /** Writes through each path, retrying (a leader election takes a moment); returns how long it took. */
  async write(paths: PlannedProcess[], key: string, value: string): Promise<number> {
    const t0 = Date.now();
    for (const p of paths) {
      let last = '';
      const ok = await poll(async () => {
        this.assertAlive();
        const r = await this.at(p).put(p.clientUrl, key, value);
        last = r.message;
        return r.ok || undefined;
      }, this.within(this.writeMs));
      if (!ok) throw new Error(`write via ${label(p)} (${p.clientUrl}) failed: ${last}`);
    }
    return Date.now() - t0;
  }

  /** One write attempt per path, all at once: each must be refused. Returns the refusals. */
  async refused(paths: PlannedProcess[], key: string, aliveCount: number, of: number): Promise<string> {
    const results = await Promise.all(paths.map(async (p) => ({ p, r: await this.at(p).put(p.clientUrl, key, 'must not be written') })));
    const accepted = results.filter((x) => x.r.ok);
    if (accepted.length) throw new Error(`write via ${accepted.map((x) => label(x.p)).join(', ')} accepted with ${aliveCount} of ${of} members up`);
    return [...new Set(results.map((x) => x.r.message))].join('; ');
  }

  /**
   * `etcdctl member add` for `m` through the running members, retried while they refuse: etcd adds
   * a voting member only once every member has been connected for a few seconds. Returns how long
   * it took and what etcd answered before it agreed.
   */
  async memberAdd(running: PlannedProcess[], m: PlannedProcess, peerUrls: string): Promise<{ ms: number; refusals: string[] }> {
    const t0 = Date.now();
    const refusals = new Set<string>();
    const command = `etcdctl member add ${m.name} --peer-urls=${peerUrls}`;
    let tries = 0;
    const ok = await poll(
      async () => {
        this.assertAlive();
        const r = await this.ctl.memberAdd(endpoints(running), m.name, peerUrls);
        if (r.ok) return true;
        if (/already exists/i.test(r.message)) {
          // An earlier attempt got through and only its answer was lost; else another member has these URLs.
          if (tries > 0 && (await this.ctl.memberPeerUrls(running[0]!.clientUrl))?.some((u) => u.join(',') === peerUrls)) return true;
          throw new Error(`${command}: ${r.message}`);
        }
        tries++;
        refusals.add(r.message);
        return undefined;
      },
      { ...this.within(this.formMs), every: 500 },
    );
    if (!ok) throw new Error(`${command} refused for ${seconds(Date.now() - t0)}: ${[...refusals].join('; ')}`);
    return { ms: Date.now() - t0, refusals: [...refusals] };
  }

  /** Waits until the member list, as `on` sees it, names exactly `ps` (a joiner's name shows once it has started). */
  async listed(on: PlannedProcess, ps: PlannedProcess[]): Promise<string[]> {
    const want = ps.map((p) => p.name).sort();
    let listed: string[] | undefined;
    const ok = await poll(async () => {
      this.assertAlive();
      listed = (await this.ctl.memberNames(on.clientUrl))?.sort();
      return listed?.join() === want.join() || undefined;
    }, this.within(this.formMs));
    if (!ok) throw new Error(`member list is ${listed?.join(', ') ?? 'unavailable'}, expected ${want.join(', ')}`);
    return want;
  }

  /** Reads `key` from `p` (serializable: answered by that member alone) and checks the value. */
  async readBack(p: PlannedProcess, key: string, value: string, serializable = false): Promise<void> {
    const r = await this.at(p).get(p.clientUrl, key, serializable);
    if (r.value !== value)
      throw new Error(`read from ${label(p)} gave ${r.value === undefined ? `nothing (${r.message})` : JSON.stringify(r.value)}, wrote ${JSON.stringify(value)}`);
  }
}

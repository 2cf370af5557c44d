/**
 * What the drill asks of the running cluster, bounded in time: start and stop processes (any
 * other exit is a failure, reported with the process's log), wait until they listen and are
 * healthy, write until a write gets through, read a value back.
 */
import { accepts, type Cluster } from './cluster.js';
import type { Etcdctl } from './etcdctl.js';
import { poll, type Deadline } from './time.js';
import type { PlannedProcess } from './types.js';

export const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)}s`;
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

  private within(ms: number) {
    return { within: ms, deadline: this.limits.deadline, signal: this.limits.signal };
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
    const ok = await poll(async () => {
      this.assertAlive();
      return (await Promise.all(ps.map((p) => accepts(p.clientUrl)))).every(Boolean) || undefined;
    }, { ...this.within(this.formMs), every: 50 });
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
        const r = await this.ctl.put(p.clientUrl, key, value);
        last = r.message;
        return r.ok || undefined;
      }, this.within(this.writeMs));
      if (!ok) throw new Error(`write via ${label(p)} (${p.clientUrl}) failed: ${last}`);
    }
    return Date.now() - t0;
  }

  /** One write attempt per path, all at once: each must be refused. Returns the refusals. */
  async refused(paths: PlannedProcess[], key: string, aliveCount: number, of: number): Promise<string> {
    const results = await Promise.all(paths.map(async (p) => ({ p, r: await this.ctl.put(p.clientUrl, key, 'must not be written') })));
    const accepted = results.filter((x) => x.r.ok);
    if (accepted.length) throw new Error(`write via ${accepted.map((x) => label(x.p)).join(', ')} accepted with ${aliveCount} of ${of} members up`);
    return [...new Set(results.map((x) => x.r.message))].join('; ');
  }

  /** Reads `key` from `p` (serializable: answered by that member alone) and checks the value. */
  async readBack(p: PlannedProcess, key: string, value: string, serializable = false): Promise<void> {
    const r = await this.ctl.get(p.clientUrl, key, serializable);
    if (r.value !== value) throw new Error(`read from ${label(p)} gave ${r.value === undefined ? `nothing (${r.message})` : JSON.stringify(r.value)}, wrote ${JSON.stringify(value)}`);
  }
}

/**
 * The real `etcdctl` (v3 API) with short dial and command timeouts, each call killed if it
 * outlives them. Answers are outcomes, never exceptions: a refused write is an expected result.
 */
import type { ProcessSet } from './processes.js';
import type { ClientTls } from './types.js';

export interface Outcome {
  ok: boolean;
  /** etcdctl's answer (first line of its error when it failed). */
  message: string;
}

export interface EtcdctlTimeouts {
  dialMs: number;
  commandMs: number;
}

export const DEFAULT_TIMEOUTS: EtcdctlTimeouts = { dialMs: 1000, commandMs: 2000 };

/** The caller's environment without any ETCD_ or ETCDCTL_ variable that would change what runs. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('ETCD_') && !k.startsWith('ETCDCTL_')));
  return { ...env, ...extra };
}

const firstLine = (s: string) =>
  s
    .trim()
    .split('\n')
    .filter(Boolean)
    .pop()
    ?.replace(/^\{.*"error":"([^"]*)".*$/, '$1') ?? '';

/** Where a command runs: as it is, or wrapped (inside a machine's namespaces in the lan layout). */
export type Wrap = (command: string, args: string[]) => { command: string; args: string[] };
const here: Wrap = (command, args) => ({ command, args });

export class Etcdctl {
  constructor(
    readonly procs: ProcessSet,
    private readonly bin: string,
    private readonly tls: ClientTls | null,
    private readonly timeouts: EtcdctlTimeouts = DEFAULT_TIMEOUTS,
    private readonly where: Wrap = here,
  ) {}

  /** The same etcdctl with other TLS settings (without a client certificate, for example). */
  withTls(tls: ClientTls | null, timeouts: EtcdctlTimeouts = this.timeouts): Etcdctl {
    return new Etcdctl(this.procs, this.bin, tls, timeouts, this.where);
  }

  /** The same etcdctl, run elsewhere (inside a machine's network namespace). */
  via(where: Wrap): Etcdctl {
    return new Etcdctl(this.procs, this.bin, this.tls, this.timeouts, where);
  }

  /** The same etcdctl with other timeouts. */
  withTimeouts(timeouts: EtcdctlTimeouts): Etcdctl {
    return new Etcdctl(this.procs, this.bin, this.tls, timeouts, this.where);
  }

  /** The TLS settings it uses towards the cluster. */
  get clientTls(): ClientTls | null {
    return this.tls;
  }

  async run(endpoints: string[], args: string[]): Promise<Outcome & { stdout: string }> {
    const tls = this.tls ? Object.entries(this.tls).map(([k, v]) => `--${k}=${v}`) : [];
    const run = this.where(this.bin, [
      `--endpoints=${endpoints.join(',')}`,
      `--dial-timeout=${this.timeouts.dialMs}ms`,
      `--command-timeout=${this.timeouts.commandMs}ms`,
      ...tls,
      ...args,
    ]);
    const r = await this.procs.exec(run.command, run.args, { env: cleanEnv({ ETCDCTL_API: '3' }), timeoutMs: this.timeouts.dialMs + this.timeouts.commandMs + 3000 });
    const ok = r.code === 0 && !r.timedOut;
    const message = r.timedOut ? 'etcdctl did not return in time' : ok ? firstLine(r.stdout) : firstLine(r.stderr) || `exit ${r.code ?? r.signal}`;
    return { ok, message, stdout: r.stdout };
  }

  put(endpoint: string, key: string, value: string): Promise<Outcome> {
    return this.run([endpoint], ['put', key, value]);
  }

  /** The value (`undefined` when missing); serializable reads are answered by one member alone. */
  async get(endpoint: string, key: string, serializable = false): Promise<Outcome & { value?: string }> {
    const r = await this.run([endpoint], ['get', key, '--print-value-only', ...(serializable ? ['--consistency=s'] : [])]);
    const value = r.stdout.replace(/\n$/, '');
    return r.ok && value !== '' ? { ...r, value } : r;
  }

  health(endpoints: string[]): Promise<Outcome> {
    return this.run(endpoints, ['endpoint', 'health']);
  }

  /** The endpoint of the current leader among `endpoints`, if one answers. */
  async leader(endpoints: string[]): Promise<string | undefined> {
    const r = await this.run(endpoints, ['endpoint', 'status', '--write-out=json']);
    // Member ids are 64-bit: compare them as text, never as JSON numbers.
    const entries = [...r.stdout.matchAll(/"Endpoint":"([^"]+)".*?"member_id":(\d+).*?"leader":(\d+)/g)];
    return entries.find((m) => m[2] === m[3])?.[1];
  }

  /** `member add NAME --peer-urls=URLS`: the cluster expects the member (it counts towards quorum from now on). */
  memberAdd(endpoints: string[], name: string, peerUrls: string): Promise<Outcome> {
    return this.run(endpoints, ['member', 'add', name, `--peer-urls=${peerUrls}`]);
  }

  /** The names in the member list, as one member sees it. */
  async memberNames(endpoint: string): Promise<string[] | undefined> {
    const r = await this.run([endpoint], ['member', 'list', '--write-out=json']);
    if (!r.ok) return undefined;
    return [...r.stdout.matchAll(/"name":"([^"]*)"/g)].map((m) => m[1]!);
  }

  /** The member list's peer URLs, one list per member (a member added but not yet started has no name, only these). */
  async memberPeerUrls(endpoint: string): Promise<string[][] | undefined> {
    const r = await this.run([endpoint], ['member', 'list', '--write-out=json']);
    if (!r.ok) return undefined;
    return [...r.stdout.matchAll(/"peerURLs":\[([^\]]*)\]/g)].map((m) => [...m[1]!.matchAll(/"([^"]*)"/g)].map((u) => u[1]!));
  }
}

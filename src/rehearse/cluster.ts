/**
 * The planned processes, running: writes the certificate files and data dirs, checks the
 * loopback addresses are free, starts and stops members and proxies, and notices when one dies.
 */
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { cleanEnv, type Wrap } from './etcdctl.js';
import type { LanNetwork } from './lan.js';
import type { ProcessSet, Running } from './processes.js';
import type { PlannedProcess, RehearsalPlan } from './types.js';

/** Resolves with an error message when `host:port` cannot be bound, else undefined. */
function checkFree(address: string): Promise<string | undefined> {
  const at = address.lastIndexOf(':');
  const host = address.slice(0, at).replace(/^\[|\]$/g, '');
  const port = Number(address.slice(at + 1));
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (e: NodeJS.ErrnoException) => resolve(`${address}: ${e.code === 'EADDRINUSE' ? 'in use (another rehearsal or etcd running?)' : e.message}`));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(undefined)));
  });
}

/** Whether something accepts TCP connections at the URL's host and port (the process is listening). */
export function accepts(url: string): Promise<boolean> {
  const m = /^[a-z]+:\/\/([^/:]+):(\d+)/i.exec(url);
  if (!m) return Promise.resolve(false);
  return new Promise((resolve) => {
    const socket = connect({ host: m[1]!, port: Number(m[2]) });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** `*:2379` (how ss shows a dual-stack wildcard), `[::]:2379` and `0.0.0.0:2379` alike. */
const wildcard = (address: string): string => address.replace(/^(\*|0\.0\.0\.0|\[::\]):/, '*:');

export class Cluster {
  private readonly running = new Map<PlannedProcess, Running>();

  constructor(
    readonly plan: RehearsalPlan,
    private readonly procs: ProcessSet,
    private readonly etcd: string,
    /** Extra environment for members (the test harness's election timing, for example). */
    private readonly memberEnv: Record<string, string> = {},
    /** The LAN every machine sits on (`lan` layout), else null: everything runs here. */
    readonly net: LanNetwork | null = null,
  ) {}

  /** How a command runs on `machine` (inside its namespace on the LAN); `null`: the operator's place. */
  on(machine: string | null): Wrap {
    const net = this.net;
    return net ? (command, args) => net.wrap(machine, command, args) : (command, args) => ({ command, args });
  }

  /** Data dirs and certificate files, with the config's modes. */
  prepare(): void {
    for (const p of [...this.plan.members, ...this.plan.proxies, ...this.plan.locks]) {
      mkdirSync(p.home, { recursive: true, mode: 0o700 });
      for (const d of 'dirs' in p ? p.dirs : []) mkdirSync(d, { recursive: true, mode: 0o700 });
      for (const f of p.files) {
        mkdirSync(dirname(f.path), { recursive: true, mode: 0o700 });
        writeFileSync(f.path, f.contents, { mode: f.mode });
        chmodSync(f.path, f.mode);
      }
    }
  }

  /** Whether `p` listens on every address it was given: its own namespace's socket list (lan), else a TCP connect. */
  async listening(p: PlannedProcess): Promise<boolean> {
    if (!this.net) return accepts(p.clientUrl);
    const sockets = this.net.listening(p.machine).map(wildcard);
    return p.listens.every((a) => sockets.includes(wildcard(a)));
  }

  /** Every listen address that cannot be bound (empty when all are free). */
  async busyAddresses(): Promise<string[]> {
    const all = [...new Set([...this.plan.members, ...this.plan.proxies].flatMap((p) => p.listens))];
    const results = await Promise.all(all.map(checkFree));
    return results.filter((r): r is string => r !== undefined);
  }

  start(p: PlannedProcess): Running {
    const env = cleanEnv(p.kind === 'member' ? { ...p.env, ...this.memberEnv } : p.env);
    const run = this.on(p.machine)(this.etcd, p.args);
    const r = this.procs.start(p.name, run.command, run.args, { env, cwd: p.home, log: join(p.home, 'etcd.log') });
    this.running.set(p, r);
    return r;
  }

  async stop(p: PlannedProcess): Promise<void> {
    const r = this.running.get(p);
    if (r) await this.procs.stop(r);
  }

  /** What a process's log says last: its last error line (timestamps dropped), else its last line. */
  logTail(p: PlannedProcess): string {
    let lines: string[];
    try {
      lines = readFileSync(join(p.home, 'etcd.log'), 'utf8').trim().split('\n');
    } catch {
      return '(no log)';
    }
    const errors = lines.filter((l) => / [EC] \| |"level":"(error|fatal|panic)"|^Error:/.test(l));
    const line = errors[errors.length - 1] ?? lines[lines.length - 1] ?? '(empty log)';
    return line.replace(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+ [A-Z] \| /, '');
  }

  /** Why the process refused TLS connections, as its log says (`tls: client didn't provide a certificate`). */
  tlsRejections(p: PlannedProcess): string[] {
    let text: string;
    try {
      text = readFileSync(join(p.home, 'etcd.log'), 'utf8');
    } catch {
      return [];
    }
    // capnslog (etcd 3.4's default): error "tls: ..."; zap: "error":"tls: ..."
    // The error may quote the address (`tls: \"10.0.0.101\" does not match ...`): escaped quotes belong to it.
    return [...new Set([...text.matchAll(/rejected connection.*?"?error"?[:\s(]+"((?:remote error: )?tls: (?:[^"\\]|\\.)*)"/g)].map((m) => m[1]!.replace(/\\(.)/g, '$1')))];
  }

  /** Throws with the log's end when a process among `expected` has exited on its own. */
  assertAlive(expected: PlannedProcess[]): void {
    for (const p of expected) {
      const r = this.running.get(p);
      if (r?.exit) {
        const how = r.exit.signal ? `signal ${r.exit.signal}` : `code ${r.exit.code}`;
        throw new Error(`${p.kind} ${p.name} exited (${how}): ${this.logTail(p)}`);
      }
    }
  }
}

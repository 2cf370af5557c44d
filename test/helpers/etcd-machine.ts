/**
 * A generated etcd member run with the real etcd the way Flatcar's etcd-wrapper runs it, on this
 * machine: the member's Ignition config applied with the real Ignition to a root directory, its
 * etcd-member.service drop-ins read from there, and etcd started in a private mount namespace where
 * /etc/ssl is the machine's /etc/ssl, its ExecStartPre lines run as systemd would run them, and then
 * ETCD_SSL_DIR is bind-mounted at /etc/ssl/certs, as the wrapper's `docker run -v` does. Addresses
 * are the configs' own (127.x.y.z loopback addresses chosen by the test). Needs root (CI is).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { applyIgnition } from './flatcar-root.js';
import { environment } from './generator.js';

export interface AppliedMember {
  name: string;
  root: string;
  env: Record<string, string>;
  execStartPre: string[];
}

/** Applies a member's Ignition config (text) and reads its etcd-member.service drop-ins. */
export function applyMember(name: string, ignition: string, workDir: string): AppliedMember {
  const file = join(workDir, `${name}.ign`);
  writeFileSync(file, ignition);
  const { root } = applyIgnition(file);
  // The image's /etc/ssl/certs (its public bundle is written there by tests that need one).
  mkdirSync(join(root, 'etc/ssl/certs'), { recursive: true });
  const dir = join(root, 'etc/systemd/system/etcd-member.service.d');
  const env: Record<string, string> = {};
  const execStartPre: string[] = [];
  for (const f of readdirSync(dir).sort()) {
    const text = readFileSync(join(dir, f), 'utf8');
    Object.assign(env, environment(text));
    for (const m of text.matchAll(/^ExecStartPre=(.*)$/gm)) execStartPre.push(m[1]!);
  }
  return { name, root, env, execStartPre };
}

/** The wrapper's own variables: not etcd's. */
const WRAPPER_ONLY = ['ETCD_IMAGE_TAG', 'ETCD_IMAGE_URL', 'ETCD_SSL_DIR', 'ETCD_USER', 'ETCD_IMAGE_ARGS'];

export interface RunningMember {
  name: string;
  child: ChildProcess;
  log: string;
  dataDir: string;
}

/**
 * Starts the member. `runPre: false` leaves out the ExecStartPre lines (the configs before the fix).
 * `dataDir` replaces ETCD_DATA_DIR (kept across restarts when the same is given).
 */
export function startMember(m: AppliedMember, dataDir: string, logFile: string, options: { runPre?: boolean; env?: Record<string, string> } = {}): RunningMember {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin' };
  for (const [k, v] of Object.entries({ ...m.env, ...(options.env ?? {}) })) if (!WRAPPER_ONLY.includes(k)) env[k] = v;
  env.ETCD_DATA_DIR = dataDir;
  const sslDir = m.env.ETCD_SSL_DIR;
  const pre = options.runPre === false ? [] : m.execStartPre;
  const script = ['set -e', `mount --bind '${m.root}/etc/ssl' /etc/ssl`, ...pre, ...(sslDir ? [`mount --bind '${sslDir}' /etc/ssl/certs`] : []), 'exec etcd'].join('\n');
  const fd = openSync(logFile, 'a');
  const child = spawn('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', script], { env, stdio: ['ignore', fd, fd] });
  return { name: m.name, child, log: logFile, dataDir };
}

export async function stopMember(r: RunningMember): Promise<void> {
  if (r.child.exitCode !== null || r.child.signalCode !== null) return;
  const done = new Promise<void>((resolve) => r.child.once('exit', () => resolve()));
  r.child.kill('SIGTERM');
  const timer = setTimeout(() => r.child.kill('SIGKILL'), 10_000);
  await done;
  clearTimeout(timer);
}

/** etcdctl (v3) with a client certificate; status, stdout and stderr. */
export function etcdctl(endpoints: string[], tls: { cacert: string; cert: string; key: string } | null, ...args: string[]): { status: number | null; out: string; err: string } {
  const flags = [
    `--endpoints=${endpoints.join(',')}`,
    '--dial-timeout=3s',
    '--command-timeout=5s',
    ...(tls ? [`--cacert=${tls.cacert}`, `--cert=${tls.cert}`, `--key=${tls.key}`] : []),
  ];
  const r = spawnSync('etcdctl', [...flags, ...args], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', ETCDCTL_API: '3' }, timeout: 20_000 });
  return { status: r.status, out: r.stdout ?? '', err: r.stderr ?? '' };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` until true or the deadline (ms); returns whether it became true. */
export async function waitFor(check: () => boolean, ms: number, every = 500): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (check()) return true;
    await sleep(every);
  }
  return check();
}

/** A random 127.a.b.0/24 of loopback addresses for one test file (clear of 127.0.0.x). */
export function loopbackNet(): string {
  const a = 100 + Math.floor(Math.random() * 100);
  const b = 1 + Math.floor(Math.random() * 250);
  return `127.${a}.${b}`;
}

/**
 * `flatcar-architect rehearse DIR`: runs the generated cluster's etcd topology here with the real
 * etcd and shows the drill live. Exit 0 every step passed, 1 a step failed, 2 bad usage (no DIR,
 * no etcd members, etcd not installed), 130/143 interrupted (everything still cleaned up).
 */
import { spawn, spawnSync } from 'node:child_process';
import { DEFAULT_PROXIES, DEFAULT_TIMEOUT_SECONDS, rehearse, type RehearsalResult } from '../rehearse/index.js';
import { EXIT, UsageError } from './errors.js';
import { colorsFor, ProgressView, type ViewStream } from './rehearse-view.js';

export interface RehearseFlags {
  timeout?: string;
  proxies?: string;
  layout?: string;
  /** `--replace MACHINE`: rehearse replacing that etcd member the way `replace` prints it. */
  replace?: string;
  json?: boolean;
  /** false with --no-color. */
  color?: boolean;
}

const MAX_TIMEOUT_SECONDS = 3600;

const LAYOUTS = ['auto', 'lan', 'loopback'] as const;

function parseFlags(flags: RehearseFlags): { timeoutSeconds: number; proxies: number; network: (typeof LAYOUTS)[number] } {
  const timeoutSeconds = Number(flags.timeout ?? DEFAULT_TIMEOUT_SECONDS);
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0 || timeoutSeconds > MAX_TIMEOUT_SECONDS) {
    throw new UsageError(`--timeout takes seconds, more than 0 and at most ${MAX_TIMEOUT_SECONDS} (got ${flags.timeout})`);
  }
  const proxies = Number(flags.proxies ?? DEFAULT_PROXIES);
  if (!Number.isInteger(proxies) || proxies < 0) throw new UsageError(`--proxies takes a whole number, 0 or more (got ${flags.proxies})`);
  const network = (flags.layout ?? 'auto') as (typeof LAYOUTS)[number];
  if (!LAYOUTS.includes(network)) throw new UsageError(`--layout takes ${LAYOUTS.join(', ')} (got ${flags.layout})`);
  return { timeoutSeconds, proxies, network };
}

/**
 * An ordinary user gets the lan layout inside a user namespace of its own: `unshare --user
 * --map-root-user --net --mount` makes it root there, with a network namespace (the host's network
 * stays out of reach) and a mount namespace where a tmpfs on /run holds `ip netns`' namespaces.
 * The rehearsal runs again in there (this variable names the outer process, which it dies with);
 * everything it made vanishes with the namespaces.
 */
export const USERNS_PARENT = 'FLATCAR_REHEARSE_USERNS_PARENT';
const USERNS_ARGS = ['--user', '--map-root-user', '--net', '--mount', '--propagation', 'private'];
const USERNS_SETUP = 'mount -t tmpfs flatcar-rehearse /run && mkdir -p /run/netns && exec "$@"';
const SYSTEM_PATH = `${process.env.PATH ?? ''}:/usr/sbin:/sbin:/usr/bin:/bin`;

/** Whether this (non-root) process may rehearse the lan layout in a user namespace: tried once, bounded. */
function userNamespaceWorks(): boolean {
  if (process.platform !== 'linux' || process.getuid?.() === 0 || process.env[USERNS_PARENT]) return false;
  const probe = spawnSync('unshare', [...USERNS_ARGS, '/bin/sh', '-c', `${USERNS_SETUP.replace(' && exec "$@"', '')} && ip netns add probe`], {
    timeout: 10_000,
    stdio: 'ignore',
    env: { ...process.env, PATH: SYSTEM_PATH },
  });
  return probe.status === 0;
}

/** The same rehearsal, run again inside a user namespace; its exit code (signals forwarded). */
function runInUserNamespace(dir: string, flags: RehearseFlags, options: { timeoutSeconds: number; proxies: number }): Promise<number> {
  const args = [
    'rehearse',
    dir,
    '--timeout',
    String(options.timeoutSeconds),
    '--proxies',
    String(options.proxies),
    '--layout',
    'lan',
    ...(flags.replace !== undefined ? ['--replace', flags.replace] : []),
    ...(flags.json ? ['--json'] : []),
  ];
  const child = spawn('unshare', [...USERNS_ARGS, '/bin/sh', '-c', USERNS_SETUP, 'flatcar-rehearse-userns', process.execPath, ...process.execArgv, process.argv[1]!, ...args], {
    stdio: 'inherit',
    env: { ...process.env, PATH: SYSTEM_PATH, [USERNS_PARENT]: String(process.pid) },
  });
  const forward = (sig: NodeJS.Signals) => child.kill(sig);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  return new Promise((resolve) => {
    child.once('error', () => resolve(EXIT.failed));
    child.once('exit', (code, signal) => {
      process.removeListener('SIGINT', forward);
      process.removeListener('SIGTERM', forward);
      resolve(code ?? (signal === 'SIGTERM' ? 143 : signal === 'SIGINT' ? EXIT.interrupted : EXIT.failed));
    });
  });
}

export async function runRehearse(dir: string, flags: RehearseFlags): Promise<number> {
  const options = parseFlags(flags);
  if (options.network !== 'loopback' && userNamespaceWorks()) return runInUserNamespace(dir, flags, options);
  // Progress goes to standard output, or to standard error when the result is JSON on standard output.
  const toStderr = Boolean(flags.json);
  const stream: ViewStream = toStderr
    ? { write: (t) => process.stderr.write(t), isTTY: Boolean(process.stderr.isTTY) }
    : { write: (t) => process.stdout.write(t), isTTY: Boolean(process.stdout.isTTY) };
  const view = new ProgressView(stream, colorsFor(stream, process.env, flags.color));

  const abort = new AbortController();
  let signalled: NodeJS.Signals | null = null;
  const onSignal = (sig: NodeJS.Signals) => {
    if (signalled) process.exit(sig === 'SIGTERM' ? 143 : EXIT.interrupted); // second signal: the exit hook kills everything
    signalled = sig;
    view.line('interrupted: stopping etcd and cleaning up');
    abort.abort();
  };
  // A reader that goes away (`| head`) must not stop the rehearsal before it has cleaned up.
  const onStreamError = (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
  };
  process.stdout.on('error', onStreamError);
  process.stderr.on('error', onStreamError);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // Inside a user namespace: the outer process gone (killed outright) is like a SIGTERM.
  const parent = Number(process.env[USERNS_PARENT] ?? 0);
  const watch = parent
    ? setInterval(() => {
        try {
          process.kill(parent, 0);
        } catch {
          if (!signalled) onSignal('SIGTERM');
        }
      }, 500)
    : null;
  if (parent) view.line('note: as an ordinary user, inside a user namespace of its own (unshare --user --map-root-user --net --mount)');
  let result: RehearsalResult;
  try {
    result = await rehearse(dir, { ...options, ...(flags.replace !== undefined ? { replace: flags.replace } : {}), signal: abort.signal, onEvent: view.onEvent });
  } finally {
    if (watch) clearInterval(watch);
    view.stop();
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
  view.summary(result);
  if (flags.json) process.stdout.write(JSON.stringify({ ...result, userNamespace: parent !== 0 }, null, 2) + '\n');
  if (result.interrupted) return signalled === 'SIGTERM' ? 143 : EXIT.interrupted;
  return result.ok ? EXIT.ok : EXIT.failed;
}

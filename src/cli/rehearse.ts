/**
 * `flatcar-architect rehearse DIR`: runs the generated cluster's etcd topology here with the real
 * etcd and shows the drill live. Exit 0 every step passed, 1 a step failed, 2 bad usage (no DIR,
 * no etcd members, etcd not installed), 130/143 interrupted (everything still cleaned up).
 */
import { supportsColor, supportsColorStderr } from 'chalk';
import { DEFAULT_PROXIES, DEFAULT_TIMEOUT_SECONDS, rehearse, RehearseUsageError, type RehearsalResult } from '../rehearse/index.js';
import { EXIT, UsageError } from './errors.js';
import { colorsFor, ProgressView, type ViewStream } from './rehearse-view.js';

export interface RehearseFlags {
  timeout?: string;
  proxies?: string;
  layout?: string;
  json?: boolean;
}

export const REHEARSE_DEFAULTS = { timeout: String(DEFAULT_TIMEOUT_SECONDS), proxies: String(DEFAULT_PROXIES) };
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

const level = (s: typeof supportsColor) => (s ? s.level : 0);

export async function runRehearse(dir: string, flags: RehearseFlags): Promise<number> {
  const options = parseFlags(flags);
  // Progress goes to standard output, or to standard error when the result is JSON on standard output.
  const toStderr = Boolean(flags.json);
  const stream: ViewStream = toStderr
    ? { write: (t) => process.stderr.write(t), isTTY: Boolean(process.stderr.isTTY), colorLevel: level(supportsColorStderr) }
    : { write: (t) => process.stdout.write(t), isTTY: Boolean(process.stdout.isTTY), colorLevel: level(supportsColor) };
  const view = new ProgressView(stream, colorsFor(stream, process.env));

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
  let result: RehearsalResult;
  try {
    result = await rehearse(dir, { ...options, signal: abort.signal, onEvent: view.onEvent });
  } catch (e) {
    if (e instanceof RehearseUsageError) throw new UsageError(e.message);
    throw e;
  } finally {
    view.stop();
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
  view.summary(result);
  if (flags.json) process.stdout.write(JSON.stringify(result, null, 2) + '\n');
  if (result.interrupted) return signalled === 'SIGTERM' ? 143 : EXIT.interrupted;
  return result.ok ? EXIT.ok : EXIT.failed;
}

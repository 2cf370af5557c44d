/**
 * Every process the rehearsal starts, each in its own process group (`detached`), killed as a group
 * with kill(-pid). Long-running ones (etcd, grpc-proxy) write to a log file and run under a small
 * shell watchdog that kills them when this Node process is gone, however it ended.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';

/** Work dirs start with this: `pgrep -f flatcar-rehearse-` finds anything left behind. */
export const WORK_DIR_PREFIX = 'flatcar-rehearse-';

/**
 * Runs "$@"; as soon as the parent pid ($1) no longer exists, kills it (SIGKILL) and removes the
 * rehearsal's work dir ($2, only a `flatcar-rehearse-` one), which the parent can no longer do.
 */
const WATCHDOG = [
  'parent=$1; workdir=$2; shift 2',
  '"$@" & child=$!',
  '( while kill -0 "$parent" 2>/dev/null; do sleep 1; done; kill -KILL "$child" 2>/dev/null ) & watcher=$!',
  'wait "$child"; status=$?',
  'if kill -0 "$parent" 2>/dev/null; then kill "$watcher" 2>/dev/null',
  `else case "$workdir" in */${WORK_DIR_PREFIX}*) sleep 1; rm -rf -- "$workdir" ;; esac`,
  'fi',
  'exit $status',
].join('\n');

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface Running {
  name: string;
  pid: number;
  log: string;
  /** Set once the process has exited. */
  exit: Exit | null;
  exited: Promise<Exit>;
}

export interface ExecResult extends Exit {
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

function exitOf(child: ChildProcess): Promise<Exit> {
  return new Promise((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.once('error', () => resolve({ code: null, signal: null }));
  });
}

export class ProcessSet {
  private readonly live = new Map<number, Running | ChildProcess>();

  /** Starts a long-running process; its output goes to `log`. */
  constructor(
    /** The rehearsal's work dir: removed by the watchdogs should this process die without cleaning up. */
    private readonly workDir = '',
  ) {}

  start(name: string, command: string, args: string[], options: { env: NodeJS.ProcessEnv; cwd: string; log: string }): Running {
    const fd = openSync(options.log, 'a');
    let child: ChildProcess;
    try {
      child = spawn('/bin/sh', ['-c', WATCHDOG, 'flatcar-rehearse', String(process.pid), this.workDir, command, ...args], {
        detached: true,
        env: options.env,
        cwd: options.cwd,
        stdio: ['ignore', fd, fd],
      });
    } finally {
      closeSync(fd);
    }
    const running: Running = { name, pid: child.pid ?? -1, log: options.log, exit: null, exited: exitOf(child) };
    if (child.pid !== undefined) this.live.set(child.pid, running);
    void running.exited.then((e) => {
      running.exit = e;
      this.live.delete(running.pid);
    });
    return running;
  }

  /** Runs a short command to completion, killed (as a group) after `timeoutMs`. */
  exec(command: string, args: string[], options: { env: NodeJS.ProcessEnv; timeoutMs: number }): Promise<ExecResult> {
    const child = spawn(command, args, { detached: true, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    if (child.pid !== undefined) this.live.set(child.pid, child);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid);
    }, options.timeoutMs);
    return new Promise((resolve) => {
      child.once('error', (e) => {
        stderr += e.message;
      });
      child.once('close', (code, signal) => {
        clearTimeout(timer);
        if (child.pid !== undefined) this.live.delete(child.pid);
        resolve({ code, signal, stdout, stderr, timedOut });
      });
    });
  }

  /** Kills the process's group and waits (bounded) until it has exited. */
  async stop(r: Running, withinMs = 5000): Promise<void> {
    killGroup(r.pid);
    await Promise.race([r.exited, new Promise((res) => setTimeout(res, withinMs).unref())]);
  }

  /** How many processes are still running. */
  get size(): number {
    return this.live.size;
  }

  /** Kills every group at once (safe in an exit or signal handler). */
  killAllSync(): void {
    for (const pid of this.live.keys()) killGroup(pid);
  }

  /** Kills every group and waits (bounded) for all of them. */
  async stopAll(withinMs = 5000): Promise<void> {
    const waits = [...this.live.values()].map((p) => ('exited' in p ? p.exited : p.exitCode !== null || p.signalCode !== null ? Promise.resolve() : exitOf(p)));
    this.killAllSync();
    await Promise.race([Promise.all(waits), new Promise((res) => setTimeout(res, withinMs).unref())]);
  }
}

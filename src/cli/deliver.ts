/**
 * `flatcar-architect deliver DIR [MACHINE]` (issue 15): with `--secrets ssh` the configs hold no
 * private key; this copies each machine's keys over SSH (as `core` by default, with sudo) to their
 * paths, owner and mode 0600 (written to a temporary file then renamed, so a key is never half
 * written or readable by others), then restarts the units that use them (--no-block: an etcd member
 * waits for its peers). Uses the system's `ssh` client (BatchMode: keys or an agent, never a prompt).
 */
import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { machineKeys, type DeliveredKey } from '../render/context.js';
import { customisationsOf, customisePlan } from '../customise.js';
import { machineEntries, plan as planCluster, type Machine, type Plan } from '../plan/index.js';
import { loadBundle, pkiDir, SecretsError } from '../pki/index.js';
import { machineSecrets } from '../pki/machine.js';
import { resolveSpec } from '../answers/resolve.js';
import { SpecError } from '../answers/types.js';
import { EXIT, UsageError } from './errors.js';
import type { GenerateIo } from './generate.js';
import { locatedProblems, readAnswersForCli } from './input.js';
import { printJson } from './report.js';

export interface DeliverFlags {
  user?: string;
  port?: string;
  identity?: string;
  sshOption?: string[];
  timeout?: string;
  /** --json: each machine's outcome as one JSON document on stdout. */
  json?: boolean;
}

/** A machine's line of the `deliver --json` document. */
export interface DeliveredMachine {
  name: string;
  /** user@host. */
  target: string;
  delivered: boolean;
  keys: number;
  certificates: number;
  /** The units restarted. */
  units: string[];
  /** Why not, when not delivered (ssh's last line). */
  error?: string;
}

/** Per machine: a day (Node's timers also stop at about 24.8 days). */
const MAX_DELIVER_TIMEOUT_SECONDS = 86_400;

export type DeliverIo = Pick<GenerateIo, 'cwd' | 'stdout' | 'stderr'>;

export interface Delivery {
  machine: Machine;
  host: string;
  keys: DeliveredKey[];
  directories: { path: string; owner: string | null }[];
  units: string[];
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** The shell script run on a machine (read by `sh -s` from standard input). */
export function deliveryScript(d: Delivery): string {
  const lines = ['set -eu', 'S=; [ "$(id -u)" = 0 ] || S=sudo'];
  for (const dir of d.directories) {
    const own = dir.owner ? ` -o ${quote(dir.owner)} -g ${quote(dir.owner)}` : '';
    lines.push(`$S install -d -m 0700${own} ${quote(dir.path)}`);
  }
  d.keys.forEach((k, i) => {
    const owner = k.owner ?? 'root';
    const marker = `FLATCAR_ARCHITECT_KEY_${i}`;
    lines.push(
      `$S sh -c 'umask 077; cat > "$1.new"; chown "$2:$2" "$1.new"; chmod ${k.key ? '0600' : '0644'} "$1.new"; mv -f "$1.new" "$1"' sh ${quote(k.path)} ${quote(owner)} <<'${marker}'`,
      k.pem.replace(/\n$/, ''),
      marker,
    );
  });
  if (d.units.length) lines.push(`$S systemctl restart --no-block ${d.units.join(' ')}`);
  lines.push(`echo delivered ${d.keys.length}`);
  return lines.join('\n') + '\n';
}

/** Each machine's delivery, from DIR's cluster.yaml and pki/. */
export function deliveries(dir: string, cwd: string): { plan: Plan; list: Delivery[] } {
  const source = readAnswersForCli(relative(cwd, join(dir, 'cluster.yaml')), cwd, () => '')!;
  const answers = source.answers;
  let plan: Plan;
  try {
    plan = customisePlan(planCluster(resolveSpec(answers).spec), { ...customisationsOf(answers, []), snippets: [] });
  } catch (e) {
    // One line per problem, at its place in cluster.yaml (as scale and replace say it).
    if (e instanceof SpecError) throw locatedProblems(e.problems, {}, source);
    throw e;
  }
  if (plan.spec.security.secrets !== 'ssh') {
    throw new UsageError(`the configs of ${dir} hold their machines' keys already (secrets: inline); deliver is for clusters made with --secrets ssh`);
  }
  let bundle;
  try {
    bundle = loadBundle(pkiDir(dir));
  } catch (e) {
    if (e instanceof SecretsError) throw new UsageError(`${dir}/pki cannot be used: ${e.message}`);
    throw e;
  }
  if (!bundle) throw new UsageError(`${dir} has no pki/: nothing to deliver`);
  const list = plan.machines
    .filter((m) => machineEntries(plan, m).length > 0)
    .map((m) => {
      let secrets;
      try {
        secrets = machineSecrets(bundle, machineEntries(plan, m));
      } catch (e) {
        if (e instanceof SecretsError) throw new UsageError(`${m.name}: ${e.message}`);
        throw e;
      }
      const { keys, directories, units } = machineKeys(plan, m, secrets);
      return { machine: m, host: m.address ?? m.name, keys, directories, units };
    });
  return { plan, list };
}

function runSsh(args: string[], script: string, timeoutMs: number): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((done) => {
    const child = spawn('ssh', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (b) => (out += b));
    child.stderr.on('data', (b) => (err += b));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      done({ code: null, out, err: err + e.message });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code, out, err });
    });
    child.stdin.on('error', () => {});
    child.stdin.end(script);
  });
}

export async function runDeliver(dirArg: string, machine: string | undefined, flags: DeliverFlags, io: DeliverIo): Promise<number> {
  const dir = resolve(io.cwd, dirArg);
  if (!existsSync(dir) || !statSync(dir).isDirectory() || !existsSync(join(dir, 'cluster.yaml'))) {
    throw new UsageError(`${dirArg} is not a directory that flatcar-architect wrote (no cluster.yaml)`);
  }
  const user = flags.user ?? 'core';
  if (!/^[a-z_][a-z0-9_-]{0,31}$/.test(user)) throw new UsageError(`--user: ${user} is not a user name`);
  const port = flags.port ?? '22';
  if (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535) throw new UsageError(`--port: ${port} is not a port number`);
  const timeout = flags.timeout === undefined ? 120 : Number(flags.timeout);
  if (!Number.isInteger(timeout) || timeout < 1) throw new UsageError(`--timeout: ${flags.timeout} is not a whole number of seconds`);
  if (timeout > MAX_DELIVER_TIMEOUT_SECONDS) throw new UsageError(`--timeout: at most ${MAX_DELIVER_TIMEOUT_SECONDS} seconds (a day) per machine (got ${timeout})`);
  const { list } = deliveries(dir, io.cwd);
  const chosen = machine === undefined ? list : list.filter((d) => d.machine.name === machine);
  if (machine !== undefined && chosen.length === 0) {
    throw new UsageError(`no machine with keys is called ${machine}; these have keys: ${list.map((d) => d.machine.name).join(', ')}`);
  }
  let failed = 0;
  const outcomes: DeliveredMachine[] = [];
  for (const d of chosen) {
    const args = ['-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=accept-new', '-o', 'ConnectTimeout=15', '-p', port];
    if (flags.identity) args.push('-i', resolve(io.cwd, flags.identity));
    for (const o of flags.sshOption ?? []) args.push('-o', o);
    args.push(`${user}@${d.host}`, 'sh -s');
    const r = await runSsh(args, deliveryScript(d), timeout * 1000);
    const keys = d.keys.filter((k) => k.key).length;
    const certs = d.keys.length - keys;
    const outcome: DeliveredMachine = { name: d.machine.name, target: `${user}@${d.host}`, delivered: false, keys, certificates: certs, units: d.units };
    outcomes.push(outcome);
    if (r.code === 0 && r.out.includes(`delivered ${d.keys.length}`)) {
      outcome.delivered = true;
      if (!flags.json)
        io.stdout(
          `${d.machine.name}: ${keys} key${keys === 1 ? '' : 's'} and ${certs} certificate${certs === 1 ? '' : 's'} delivered to ${user}@${d.host}; restarted ${d.units.join(', ')}\n`,
        );
    } else {
      failed++;
      const why = r.err.trim().split('\n').filter(Boolean).slice(-1)[0] ?? `exit ${r.code}`;
      outcome.error = why;
      if (!flags.json) io.stderr(`flatcar-architect: ${d.machine.name}: delivery to ${user}@${d.host} failed: ${why}\n`);
    }
  }
  if (flags.json) printJson(io, { machines: outcomes });
  return failed ? EXIT.failed : EXIT.ok;
}

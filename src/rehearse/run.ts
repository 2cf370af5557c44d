/**
 * `rehearse(dir)`: read the generated cluster, plan, run the drill with the real etcd, and clean
 * up (every process group killed, the work dir removed) on success, failure, exception,
 * interruption (`signal`) and, as a last resort, when this process exits.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findEtcdTools } from './binaries.js';
import { Cluster } from './cluster.js';
import { drill, faultTolerance } from './drill.js';
import { replaceDrill } from './drill-replace.js';
import { replacementConfig } from './replace-config.js';
import { lanSupport, LanNetwork, planLan } from './lan.js';
import { DEFAULT_TIMEOUTS, Etcdctl, type EtcdctlTimeouts } from './etcdctl.js';
import { membership } from './plan-joins.js';
import { planRehearsal } from './plan.js';
import { Probes } from './probes.js';
import { ProcessSet, WORK_DIR_PREFIX } from './processes.js';
import { readClusterDir, RehearseUsageError } from './read-dir.js';
import { deployedVersion, versionWarning } from './version.js';
import { Steps } from './steps.js';
import { Deadline, Interrupted } from './time.js';
import type { RehearsalEvent, RehearsalPlan, RehearsalResult } from './types.js';

export const DEFAULT_TIMEOUT_SECONDS = 60;
export { WORK_DIR_PREFIX };

export interface RehearseOptions {
  /** Overall deadline in seconds (default 60). */
  timeoutSeconds?: number;
  /** How many workers' proxies to start (default 3). */
  proxies?: number;
  /** Aborting it stops the rehearsal and cleans up. */
  signal?: AbortSignal;
  onEvent?: (e: RehearsalEvent) => void;
  /** Where `etcd` and `etcdctl` are looked for (default: $PATH). */
  path?: string;
  /** Loopback blocks (defaults 127.0.0.11 and 127.0.1.1): two plain-http rehearsals at once need different ones. */
  memberBase?: string;
  machineBase?: string;
  /** First port on 127.0.0.1 for a TLS cluster (default 22379, 10 per machine): two TLS rehearsals at once need different ones. */
  portBase?: number;
  /** Extra environment for the members, on top of the generated one (test harness only). */
  memberEnv?: Record<string, string>;
  etcdctlTimeouts?: EtcdctlTimeouts;
  /**
   * `auto` (default): the `lan` layout where this process may build network namespaces, else the
   * loopback fallback; `lan`: that layout or a usage error; `loopback`: the fallback.
   */
  network?: 'auto' | 'lan' | 'loopback';
  /** `false`: certificates are not checked against where members are reached before starting (test harness only: the real etcd judges). */
  certificateCheck?: boolean;
  /** Every namespace's name starts with it (default `fa-<pid>-<n>-`, n counting this process's rehearsals). */
  netnsPrefix?: string;
  /** `--replace MACHINE`: form the cluster, then rehearse replacing that etcd member (drill-replace.ts) instead of the fault drills. */
  replace?: string;
}

export const LAYOUT_TEXT = {
  lan: 'lan: every machine in a network namespace of its own at its planned address, on one bridge',
  addresses: 'loopback fallback (addresses): each member on a loopback address of its own, ports as generated',
  ports: 'loopback fallback (ports): every process on 127.0.0.1 with ports of its own',
} as const;

/** Rehearsals this process started: each one's namespaces get a prefix of their own. */
let rehearsals = 0;

function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
}

function planSummary(plan: RehearsalPlan): string {
  const skipped = plan.skippedProxies.length ? ` (${plan.skippedProxies.length} more not started: ${plan.skippedProxies.join(', ')})` : '';
  const proxies = plan.proxies.length ? `; proxies on ${plan.proxies.map((p) => p.machine).join(', ')}${skipped}` : `; no worker proxies${skipped}`;
  const { joining } = membership(plan.members);
  const joins = joining.length ? `; joining the running cluster one at a time (ETCD_INITIAL_CLUSTER_STATE=existing): ${joining.map((m) => m.name).join(', ')}` : '';
  return `members ${plan.members.map((m) => `${m.name}=${m.clientUrl}`).join(', ')}${joins}${proxies}`;
}

/** Throws RehearseUsageError (DIR unreadable, no members, etcd missing); otherwise always returns a result. */
export async function rehearse(dir: string, options: RehearseOptions = {}): Promise<RehearsalResult> {
  const emit = options.onEvent ?? (() => {});
  const readings = readClusterDir(dir);
  if (!readings.some((r) => r.member)) {
    throw new RehearseUsageError(`no etcd members found in ${dir}: no machine there runs etcd-member.service (a laptop cluster has no etcd)`);
  }
  const replacing = options.replace === undefined ? null : await replacementConfig(dir, options.replace);
  const tools = findEtcdTools(options.path);
  const timeoutSeconds = options.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;
  const deadline = new Deadline(timeoutSeconds * 1000);
  const prefix = options.netnsPrefix ?? `fa-${process.pid}-${rehearsals++}-`;
  const wanted = options.network ?? 'auto';
  const support = wanted === 'loopback' ? { ok: false as const, why: 'asked for' } : lanSupport(prefix);
  if (!support.ok && wanted === 'lan') throw new RehearseUsageError(`the lan layout cannot be built here: ${support.why}`);
  const deployed = deployedVersion(readings);
  const warning = versionWarning(tools.version, deployed);
  const workDir = mkdtempSync(join(tmpdir(), WORK_DIR_PREFIX));
  const procs = new ProcessSet(workDir);
  let net: LanNetwork | null = null;
  const lastResort = () => {
    procs.killAllSync();
    net?.down();
    removeDir(workDir);
  };
  process.on('exit', lastResort);

  let plan: RehearsalPlan;
  const planOptions = {
    workDir,
    // The replacement drill runs no worker proxy: the plan says so.
    proxies: replacing ? 0 : options.proxies,
    memberBase: options.memberBase,
    machineBase: options.machineBase,
    portBase: options.portBase,
    certificateCheck: options.certificateCheck,
    ...(support.ok ? { layout: 'lan' as const } : {}),
  };
  try {
    plan = planRehearsal(readings, planOptions);
    if (support.ok) {
      const notes = new Set<string>();
      const machines = [...new Set([...plan.members, ...plan.proxies, ...plan.locks].map((p) => p.machine))];
      net = new LanNetwork(planLan(readings, machines, prefix, plan.problems, notes), workDir);
      plan.notes.push(...notes);
    }
  } catch (e) {
    lastResort();
    process.removeListener('exit', lastResort);
    throw e;
  }
  const fallback = support.ok ? null : support.why;
  emit({
    type: 'note',
    text: `layout: ${LAYOUT_TEXT[plan.layout]}${fallback ? ` (${fallback === 'asked for' ? 'asked for with --layout loopback' : `no network namespaces: ${fallback}`})` : ''}`,
  });
  emit({ type: 'note', text: `etcd: local ${tools.version} (${tools.etcd}); the configs deploy ${deployed ?? 'no version they name'}` });
  if (warning) emit({ type: 'note', text: `warning: ${warning}` });
  for (const text of plan.notes) emit({ type: 'note', text });
  const steps = new Steps(emit);
  try {
    const planned = await steps.run('plan', `read ${readings.length} machine configs`, async () => {
      if (plan.problems.length) throw new Error(plan.problems.join('\n'));
      return planSummary(plan);
    });
    if (planned) {
      const cluster = new Cluster(plan, procs, tools.etcd, options.memberEnv, net);
      cluster.prepare();
      const ctl = new Etcdctl(procs, tools.etcdctl, plan.clientTls, options.etcdctlTimeouts ?? DEFAULT_TIMEOUTS, cluster.on(null));
      const probes = new Probes(cluster, ctl, { deadline, signal: options.signal });
      if (replacing) await replaceDrill(probes, steps, { config: replacing, readings, planOptions, etcdctl: tools.etcdctl });
      else await drill(probes, steps);
    }
  } catch (e) {
    if (!(e instanceof Interrupted)) {
      await steps.run(
        'error',
        'unexpected error',
        async () => {
          throw e;
        },
        true,
      );
    }
  } finally {
    await steps.run(
      'cleanup',
      net ? 'stop every process, remove the namespaces and the work dir' : 'stop every process, remove the work dir',
      async () => {
        await procs.stopAll();
        const netLeft = net ? net.down() : [];
        removeDir(workDir);
        const left = [
          procs.size ? `${procs.size} processes still running` : '',
          netLeft.length ? `namespaces still there: ${netLeft.join(', ')}` : '',
          existsSync(workDir) ? `${workDir} still there` : '',
        ].filter(Boolean);
        if (left.length) throw new Error(left.join('; '));
        return net ? `${net.namespaces.length} namespaces (${net.plan.prefix}*) and ${workDir} removed` : `${workDir} removed`;
      },
      true,
    );
    process.removeListener('exit', lastResort);
  }
  return {
    ok: steps.ok && !steps.interrupted,
    dir,
    etcdVersion: tools.version,
    deployedEtcdVersion: deployed,
    versionWarning: warning,
    workDir,
    layout: plan.layout,
    fallback,
    lan: net && {
      subnet: net.plan.subnet,
      bridgeNamespace: net.plan.bridgeNs,
      operator: { address: net.plan.operator.address, netns: net.plan.operator.netns },
      machines: net.plan.hosts.map((h) => ({ machine: h.machine, hostname: h.hostname, address: h.address, source: h.source, netns: h.netns })),
    },
    members: plan.members.map((m) => ({ machine: m.machine, name: m.name, clientUrl: m.clientUrl })),
    proxies: plan.proxies.map((p) => ({ machine: p.machine, clientUrl: p.clientUrl })),
    skippedProxies: plan.skippedProxies,
    faultTolerance: faultTolerance(plan.members.length),
    joined: steps.results.filter((s) => s.id.startsWith('join:') && s.status === 'passed').map((s) => s.id.slice('join:'.length)),
    replaced: replacing && steps.results.some((s) => s.id === 'replace:data' && s.status === 'passed') ? replacing.machine : null,
    notes: plan.notes,
    steps: steps.results,
    interrupted: steps.interrupted,
  };
}

/**
 * `rehearse DIR --replace MACHINE`: the replacement of a failed etcd member, rehearsed the way an
 * operator follows `flatcar-architect replace DIR MACHINE`. The cluster forms as usual (joiners
 * added one at a time), keys are written; MACHINE is lost (its etcd stopped, its data dir wiped);
 * `replace` writes the replacement config into a copy of DIR in the work dir (DIR is never
 * touched) and prints its steps; the printed etcdctl lines run as printed, from the operator's
 * place (`sh -c`, the printed exports, the etcdctl found here first on PATH): member remove, the
 * health wait, member add (run again while etcd answers "unhealthy cluster", as the steps say,
 * instead of the fixed `sleep 10`; etcd 3.4 also answers "member not found" for a moment after
 * removing a member that joined at run time, so that too); MACHINE's old config on an empty disk
 * must be turned away by the cluster (unless replace left it as it was); the replacement boots from its new config with an empty data
 * dir and joins; the keys written before are read from the replacement itself.
 *
 * In the loopback fallback the printed URLs are mapped as the layout maps the members (the same
 * rewriting the configs get); in the lan layout they run unchanged.
 */
import { mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { cleanEnv } from './etcdctl.js';
import { joinOneByOne } from './join.js';
import { membership } from './plan-joins.js';
import { planRehearsal, type PlanOptions } from './plan.js';
import { names, seconds, type Probes } from './probes.js';
import { readMachine } from './read-ignition.js';
import { writeCopy, type ReplacementConfig } from './replace-config.js';
import type { Steps } from './steps.js';
import { poll } from './time.js';
import type { MachineReading, PlannedProcess } from './types.js';

const KEY = '/flatcar-architect/rehearse/replace';
/** Keys written before the machine is lost: each must be on the replacement. */
const KEYS = 3;
const COMMAND_MS = 15_000;
/** What etcd logs when the running cluster turns a member away (etcd 3.4 and 3.5 wording). */
const TURNED_AWAY = ['has been permanently removed from the cluster', 'has already been bootstrapped', 'member count is unequal', 'error validating peerURLs'];

export interface ReplaceDrillContext {
  config: ReplacementConfig;
  /** The readings the cluster was planned from, and how (the replacement is planned the same way). */
  readings: MachineReading[];
  planOptions: PlanOptions;
  /** The local etcdctl: the printed `etcdctl` lines find it first on PATH. */
  etcdctl: string;
}

/** The printed lines an operator types, in order: exports, etcdctl commands, sleeps (comments and prose left out). */
export interface PrintedSteps {
  exports: string[];
  remove: string;
  healthWait: string;
  sleep: string | null;
  add: string;
  healthFinal: string;
}

/** Picks the shell lines out of what `replace` prints; throws when the steps are not the expected ones. */
export function printedSteps(lines: string[]): PrintedSteps {
  const shell = lines.filter((l) => /^ {2}[^ #]/.test(l)).map((l) => l.trim());
  const exports = shell.filter((l) => l.startsWith('export '));
  const commands = shell.filter((l) => !l.startsWith('export '));
  const at = (re: RegExp, from = 0) => commands.findIndex((c, i) => i >= from && re.test(c));
  const remove = at(/^etcdctl member remove /);
  const healthWait = at(/^etcdctl endpoint health --cluster$/, remove + 1);
  const add = at(/^etcdctl member add /, healthWait + 1);
  const healthFinal = at(/^etcdctl endpoint health --cluster$/, add + 1);
  if ([remove, healthWait, add, healthFinal].some((i) => i < 0) || !exports.length) {
    throw new Error(`replace printed steps this drill does not know (expected exports, member remove, endpoint health, member add, endpoint health): ${shell.join(' | ')}`);
  }
  const sleep = commands.slice(healthWait + 1, add).find((c) => /^sleep \d+$/.test(c)) ?? null;
  return { exports, remove: commands[remove]!, healthWait: commands[healthWait]!, sleep, add: commands[add]!, healthFinal: commands[healthFinal]! };
}

/** Rewrites every URL of the generated configs to where the rehearsal runs it (identity in the lan layout). */
function urlMap(readings: MachineReading[], members: PlannedProcess[]): (text: string) => string {
  const pairs = new Map<string, string>();
  for (const m of members) {
    const env = readings.find((r) => r.machine === m.machine)?.member?.env ?? {};
    for (const k of ['ETCD_ADVERTISE_CLIENT_URLS', 'ETCD_INITIAL_ADVERTISE_PEER_URLS']) {
      const from = (env[k] ?? '').split(',');
      const to = (m.env[k] ?? '').split(',');
      from.forEach((u, i) => {
        u && to[i] && pairs.set(u, to[i]!);
      });
    }
  }
  const sorted = [...pairs].sort((a, b) => b[0].length - a[0].length);
  return (text) => sorted.reduce((t, [from, to]) => t.split(from).join(to), text);
}

export async function replaceDrill(probes: Probes, steps: Steps, ctx: ReplaceDrillContext): Promise<void> {
  const { cluster, ctl } = probes;
  const { plan } = cluster;
  const { members } = plan;
  const name = ctx.config.machine;
  const lost = members.find((m) => m.machine === name);
  const net = cluster.net;

  if (net) {
    await steps.run('network', 'build the LAN: a network namespace per machine, one bridge', async () => {
      net.up();
      const where = net.plan.hosts.map((h) => `${h.machine} ${h.address} (${h.source})`).join(', ');
      return `${net.plan.subnet} on a bridge in ${net.plan.bridgeNs}; ${where}; etcdctl from ${net.plan.operator.address} (${net.plan.operator.source}); namespaces ${net.plan.prefix}*`;
    });
  } else {
    await steps.run('ports', 'loopback addresses free', async () => {
      const busy = await cluster.busyAddresses();
      if (busy.length) throw new Error(busy.join('; '));
      return [...members, ...plan.proxies].map((p) => `${p.name} ${p.listens.join(' ')}`).join('; ');
    });
  }

  const { founders, joining } = membership(members);
  await steps.run(
    'members',
    `${founders.length} member${founders.length === 1 ? '' : 's'} start${founders.length === 1 ? 's' : ''} and form${founders.length === 1 ? 's' : ''} the cluster`,
    async () => {
      for (const m of founders) probes.start(m);
      const ms = await probes.healthy(founders);
      return `${names(founders)} healthy after ${seconds(ms)} at ${founders.map((m) => m.clientUrl).join(' ')}${joining.length ? `; ${names(joining)} join next, one at a time` : ''}`;
    },
  );
  await joinOneByOne(probes, steps, founders, joining);

  const others = members.filter((m) => m !== lost);
  const values = Array.from({ length: KEYS }, (_, i) => ({ key: `${KEY}/before-${i + 1}`, value: `written before ${name} was lost (${i + 1})` }));
  await steps.run('replace:write', `write ${KEYS} keys, on every member`, async () => {
    if (!lost) throw new Error(`${name} is not among the members started (${names(members)})`);
    const t0 = Date.now();
    for (const { key, value } of values) await probes.write([others[0]!], key, value);
    for (const { key, value } of values)
      await poll(async () => (await ctl.get(lost.clientUrl, key, true)).value === value || undefined, { within: 10_000, deadline: probes.deadline, signal: probes.signal });
    await probes.readBack(lost, values[KEYS - 1]!.key, values[KEYS - 1]!.value, true);
    return `${values.map((v) => v.key).join(', ')} written via ${others[0]!.name} in ${seconds(Date.now() - t0)}; ${name} has them`;
  });

  await steps.run(`replace:lose`, `${name} is lost: its etcd stopped, its data dir wiped`, async () => {
    await probes.stop(lost!);
    for (const d of lost!.dirs) {
      rmSync(d, { recursive: true, force: true });
      mkdirSync(d, { recursive: true, mode: 0o700 });
    }
    // The replacement's log starts afresh; the lost member's is kept beside it.
    try {
      renameSync(join(lost!.home, 'etcd.log'), join(lost!.home, 'etcd-lost.log'));
    } catch {
      /* no log yet */
    }
    const ms = await probes.write([others[0]!], `${KEY}/while-lost`, `written without ${name}`);
    return `stopped ${name}, emptied ${lost!.dirs.join(' ')}; the other ${others.length} still take writes (${seconds(ms)})`;
  });

  // A member scale added already has a config that joins a running cluster: replace leaves it as it
  // was, and its old config is its replacement (no old config to try).
  const sameConfig = !ctx.config.outcome.changed.includes(`${name}.ign`);
  // What `flatcar-architect replace DIR MACHINE` writes and prints, in a copy of DIR.
  const copy = join(plan.workDir, 'operator', 'cluster');
  let printed: PrintedSteps | undefined;
  let replacement: PlannedProcess | undefined;
  let run: (line: string) => Promise<{ ok: boolean; out: string; ran: string }> = async (line) => ({ ok: false, out: '', ran: line });
  await steps.run('replace:config', `flatcar-architect replace DIR ${name}, in a copy of DIR`, async () => {
    mkdirSync(dirname(copy), { recursive: true, mode: 0o700 });
    const lines = writeCopy(ctx.config.dir, copy, ctx.config);
    printed = printedSteps(lines);
    const reading = readMachine(name, JSON.parse(readFileSync(join(copy, `${name}.ign`), 'utf8')));
    const replanned = planRehearsal(
      ctx.readings.map((r) => (r.machine === name ? reading : r)),
      ctx.planOptions,
    );
    if (replanned.problems.length) throw new Error(`the replacement config cannot run: ${replanned.problems.join('; ')}`);
    replacement = replanned.members.find((m) => m.machine === name);
    if (!replacement) throw new Error(`${name}'s replacement config runs no etcd member`);
    const env = replacement.env;
    if (env.ETCD_INITIAL_CLUSTER_STATE !== 'existing')
      throw new Error(`${name}'s replacement config says ETCD_INITIAL_CLUSTER_STATE=${env.ETCD_INITIAL_CLUSTER_STATE ?? '(unset: new)'}, not existing`);
    const map = urlMap(ctx.readings, members);
    const exports = printed.exports.map(map).join('; ');
    const path = `${dirname(ctx.etcdctl)}:${process.env.PATH ?? '/usr/bin:/bin'}`;
    run = async (line) => {
      const wrapped = cluster.on(null)('/bin/sh', ['-c', `${exports}; ${map(line)}`]);
      const r = await ctl.procs.exec(wrapped.command, wrapped.args, { env: cleanEnv({ PATH: path }), timeoutMs: COMMAND_MS });
      const ok = r.code === 0 && !r.timedOut;
      // What it answered: its output's lines when it worked (member add's first line says what it added), else its last error line.
      const lines = (t: string) => t.trim().split('\n').filter(Boolean);
      const text = ok ? (lines(r.stdout).length ? lines(r.stdout) : lines(r.stderr)).slice(0, 6).join('; ') : lines(r.stderr).pop();
      return { ok, out: r.timedOut ? `did not return within ${seconds(COMMAND_MS)}` : text || `exit ${r.code ?? r.signal}`, ran: map(line) };
    };
    const mapped = plan.layout === 'lan' ? '' : '; the printed URLs mapped as the layout maps the members';
    const same = sameConfig ? ` (${name}.ign unchanged: it already joins a running cluster, as scale wrote it)` : '';
    return `changed ${ctx.config.outcome.changed.join(', ') || 'nothing'}${same} (DIR untouched); ${name}'s config now says ETCD_INITIAL_CLUSTER_STATE=existing, ETCD_INITIAL_CLUSTER=${ctx.config.outcome.members.map((m) => m.name).join(',')}; printed ${printed.exports.length} exports and ${4 + (printed.sleep ? 1 : 0)} commands${mapped}`;
  });

  await steps.run('replace:remove', `printed step 1: etcdctl member remove ${name}`, async () => {
    const r = await run(printed!.remove);
    if (!r.ok) throw new Error(`${r.ran}: ${r.out}`);
    const listed = await ctl.memberNames(others[0]!.clientUrl);
    if (!listed || listed.includes(name)) throw new Error(`after member remove the member list is ${listed?.join(', ') ?? 'unavailable'}`);
    return `${r.out}; the member list names ${listed.join(', ')}`;
  });

  await steps.run('replace:add', `printed step 2: endpoint health, then etcdctl member add ${name}`, async () => {
    const t0 = Date.now();
    let health = '';
    const healthy = await poll(
      async () => {
        const r = await run(printed!.healthWait);
        health = r.out;
        return r.ok || undefined;
      },
      { within: 30_000, deadline: probes.deadline, signal: probes.signal, every: 500 },
    );
    if (!healthy) throw new Error(`${printed!.healthWait} never passed: ${health}`);
    const refusals = new Set<string>();
    let added = '';
    const ok = await poll(
      async () => {
        const r = await run(printed!.add);
        if (r.ok) {
          added = r.out;
          return true;
        }
        if (!/unhealthy cluster|member not found/i.test(r.out)) throw new Error(`${r.ran}: ${r.out}`);
        refusals.add(r.out);
        return undefined;
      },
      { within: 30_000, deadline: probes.deadline, signal: probes.signal, every: 500 },
    );
    if (!ok) throw new Error(`${printed!.add} refused for ${seconds(Date.now() - t0)}: ${[...refusals].join('; ')}`);
    const sleep = printed!.sleep ? `\`${printed!.sleep}\` not waited out: ` : '';
    const retried = refusals.size
      ? `${sleep}run again every 0.5s while etcd answered ${[...refusals].join('; ')}, accepted after ${seconds(Date.now() - t0)}`
      : `${sleep}accepted at once`;
    return `health: ${health}; member add ${retried} (${added})`;
  });

  if (!sameConfig)
    await steps.run('replace:old-config', `${name}'s old config, on an empty disk, does not join`, async () => {
      const m = lost!;
      const state = m.env.ETCD_INITIAL_CLUSTER_STATE ?? 'new';
      const t0 = Date.now();
      const old = cluster.start(m);
      const exited = await poll(async () => old.exit ?? undefined, { within: 30_000, deadline: probes.deadline, signal: probes.signal, every: 200 });
      await cluster.stop(m);
      // Why etcd stopped, in its own words: the cluster turned it away (not a local failure such as a
      // busy port). State new: its old member id was removed (or the member is bootstrapped); state
      // existing (a member scale added): its member list no longer matches the cluster's.
      const log = readFileSync(join(m.home, 'etcd.log'), 'utf8');
      const tail = cluster.logTail(m);
      const why = new RegExp(`[^\\n]*(${TURNED_AWAY.join('|')})[^\\n]*`)
        .exec(log)?.[0]
        .replace(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+ [A-Z] \| /, '')
        .replace(/\{.*\}: /, '{...}: '); // the cluster's whole member list, as etcd prints it, left out
      const listed = await ctl.memberNames(others[0]!.clientUrl);
      // Its empty disk again for the replacement, and its log kept beside it.
      for (const d of m.dirs) {
        rmSync(d, { recursive: true, force: true });
        mkdirSync(d, { recursive: true, mode: 0o700 });
      }
      renameSync(join(m.home, 'etcd.log'), join(m.home, 'etcd-old-config.log'));
      if (!exited) throw new Error(`${name} started from its old config (ETCD_INITIAL_CLUSTER_STATE=${state}) was still running after ${seconds(Date.now() - t0)}: ${tail}`);
      if (!why) throw new Error(`${name} started from its old config stopped, but its log never says the cluster turned it away: ${tail}`);
      if (listed?.includes(name)) throw new Error(`${name} started from its old config and the member list names it: ${listed.join(', ')}`);
      return `started from ${name}.ign as it was (ETCD_INITIAL_CLUSTER_STATE=${state}), it stopped by itself after ${seconds(Date.now() - t0)} (${exited.signal ? `signal ${exited.signal}` : `code ${exited.code}`}): ${why}`;
    });

  await steps.run('replace:boot', `${name} boots from its replacement config, data dir empty, and joins`, async () => {
    const m = replacement!;
    probes.start(m);
    const all = [...others, m];
    const ms = await probes.healthy(all);
    await probes.listed(others[0]!, all);
    const r = await run(printed!.healthFinal);
    if (!r.ok) throw new Error(`${r.ran}: ${r.out}`);
    return `all ${all.length} healthy after ${seconds(ms)}; the member list names ${names(all)}; printed step 3 (${printed!.healthFinal}): ${r.out}`;
  });

  await steps.run('replace:data', `the data is on ${name}'s replacement`, async () => {
    const m = replacement!;
    const t0 = Date.now();
    const all = [...values, { key: `${KEY}/while-lost`, value: `written without ${name}` }];
    for (const { key, value } of all) {
      let last = '';
      const ok = await poll(
        async () => {
          const r = await ctl.get(m.clientUrl, key, true);
          last = r.value ?? r.message;
          return r.value === value || undefined;
        },
        { within: 15_000, deadline: probes.deadline, signal: probes.signal },
      );
      if (!ok) throw new Error(`${key} read from ${name} itself gave ${JSON.stringify(last)}, wrote ${JSON.stringify(value)}`);
    }
    const ms = await probes.write([m], `${KEY}/after`, `written via the new ${name}`);
    await probes.readBack(others[0]!, `${KEY}/after`, `written via the new ${name}`);
    return `${all.length} keys written before (${all.length - 1} with ${name}, 1 while it was lost) read from ${name} itself (serializable: its own data) after ${seconds(Date.now() - t0)}; a write via ${name} (${seconds(ms)}) read back from ${others[0]!.name}`;
  });
}

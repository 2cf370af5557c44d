/**
 * The planner: machine readings -> the processes to run on this machine. Members get 127.0.0.11
 * upward, each proxy (a sample of the workers) its own 127.0.1.x for what it calls 127.0.0.1;
 * every address in every flag is mapped, data dirs go to the work dir, and nothing may name an
 * address outside 127.0.0.0/8. Pure: `workDir` is only used to compute paths.
 */
import { outsideLoopback } from './addresses.js';
import { AddressBook, DEFAULT_MACHINE_BASE, DEFAULT_MEMBER_BASE } from './plan-context.js';
import { DISCOVERY_VARS, memberHosts, planMember } from './plan-member.js';
import { parseProxyArgs, planProxy } from './plan-proxy.js';
import { sanProblems, tlsProblems } from './plan-tls.js';
import type { ClientTls, MachineReading, PlannedProcess, RehearsalPlan } from './types.js';

export const DEFAULT_PROXIES = 3;

export interface PlanOptions {
  /** Absolute path of the (not yet created) directory every file and data dir goes into. */
  workDir: string;
  /** How many workers' proxies to start (default 3). */
  proxies?: number;
  /** First member address (default 127.0.0.11). */
  memberBase?: string;
  /** First per-machine loopback address (default 127.0.1.1). */
  machineBase?: string;
}

/** With discovery the members find each other through a service; offline, a static cluster stands in. */
function staticCluster(members: PlannedProcess[]): void {
  const cluster = members.map((m) => `${m.name}=${(m.env.ETCD_INITIAL_ADVERTISE_PEER_URLS ?? '').split(',')[0]}`).join(',');
  for (const m of members) {
    m.env.ETCD_INITIAL_CLUSTER = cluster;
    m.env.ETCD_INITIAL_CLUSTER_STATE = 'new';
  }
}

/** etcdctl's credentials towards https members: a proxy's client certificate, else a member's own. */
function clientTls(members: PlannedProcess[], proxies: PlannedProcess[]): ClientTls | null {
  if (!members.some((m) => m.clientUrl.startsWith('https:'))) return null;
  const proxyArgs = proxies[0] ? parseProxyArgs(proxies[0].args.slice(2)) : [];
  const flag = (name: string) => proxyArgs.find((a) => a.flag === name)?.value ?? undefined;
  const env = members[0]!.env;
  const tls: ClientTls = {
    cacert: flag('cacert') ?? env.ETCD_TRUSTED_CA_FILE,
    cert: flag('cert') ?? env.ETCD_CERT_FILE,
    key: flag('key') ?? env.ETCD_KEY_FILE,
  };
  return Object.fromEntries(Object.entries(tls).filter(([, v]) => v)) as ClientTls;
}

function checkLoopbackOnly(p: PlannedProcess, problems: string[]): void {
  const texts = [...Object.entries(p.env).map(([k, v]) => [k, v] as const), ...p.args.map((a) => ['argument', a] as const)];
  for (const [where, value] of texts) {
    for (const host of outsideLoopback(value)) problems.push(`${p.machine}: ${where} still names ${host} after mapping: not run`);
  }
}

export function planRehearsal(readings: MachineReading[], options: PlanOptions): RehearsalPlan {
  const notes = new Set<string>();
  const problems: string[] = [];
  for (const r of readings) for (const n of r.notes) notes.add(`${r.machine}: ${n}`);
  const book = new AddressBook(options.memberBase ?? DEFAULT_MEMBER_BASE, options.machineBase ?? DEFAULT_MACHINE_BASE, problems);
  const ctx = { book, workDir: options.workDir, notes, problems };
  problems.push(...tlsProblems(readings));

  const memberReadings = readings.filter((r) => r.member);
  const addresses = memberReadings.map((r) => book.addMember(r.machine, memberHosts(r.member!.env)));
  const members = memberReadings.map((r, i) => planMember(r, r.member!, addresses[i]!, ctx));
  if (memberReadings.some((r) => DISCOVERY_VARS.some((k) => r.member!.env[k]))) staticCluster(members);
  const names = members.map((m) => m.name);
  for (const name of new Set(names.filter((n, i) => names.indexOf(n) !== i))) problems.push(`two members are both named ${name}`);

  const withProxy = readings.flatMap((r) => r.proxies.map((p) => ({ r, p })));
  const limit = Math.max(0, options.proxies ?? DEFAULT_PROXIES);
  const proxies = withProxy.slice(0, limit).map(({ r, p }) => planProxy(r, p, ctx));
  const skippedProxies = withProxy.slice(limit).map(({ r }) => r.machine);

  problems.push(...sanProblems(members));
  for (const p of [...members, ...proxies]) checkLoopbackOnly(p, problems);
  for (const n of bookNotes(book)) notes.add(n);
  return {
    workDir: options.workDir,
    members,
    proxies,
    skippedProxies,
    addresses: book.mappings,
    clientTls: clientTls(members, proxies),
    notes: [...notes],
    problems,
  };
}

/** Addresses that belong to no member: someone points at a machine that is not in DIR. */
function bookNotes(book: AddressBook): string[] {
  return book.mappings.filter((m) => m.owner === null).map((m) => `${m.original} is no etcd member found in DIR: mapped to ${m.mapped}, where nothing runs`);
}

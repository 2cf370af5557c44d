/**
 * The planner: machine readings -> the processes to run on this machine. The `lan` layout (asked
 * for by the caller where network namespaces can be built): nothing is mapped, every machine keeps
 * its addresses and ports (lan.ts places it on the LAN), and etcd-lock machines get their reboot
 * lock planned (plan-lock.ts). The loopback fallback: plain http: members get 127.0.0.11 upward, each proxy (a sample of the workers) its own 127.0.1.x for what it calls
 * 127.0.0.1, ports as generated. TLS (any member serving https): every process on 127.0.0.1, the
 * one loopback address the certificates name, each machine with its own ports (see plan-context).
 * Every address in every flag is mapped, data dirs go to the work dir, and nothing may name an
 * address outside 127.0.0.0/8. Pure: `workDir` is only used to compute paths.
 */
import { outsideLoopback } from './addresses.js';
import {
  DEFAULT_MACHINE_BASE,
  DEFAULT_MEMBER_BASE,
  DEFAULT_PORT_BASE,
  LanBook,
  LoopbackBook,
  PORT_BLOCK,
  PortBook,
  PORTS_HOST,
  type AddressBook,
  type Layout,
} from './plan-context.js';
import { DISCOVERY_VARS, memberHosts, memberPorts, planMember } from './plan-member.js';
import { membershipProblems } from './plan-joins.js';
import { planLock, usesEtcdLock } from './plan-lock.js';
import { parseProxyArgs, planProxy } from './plan-proxy.js';
import { servesHttps, sanProblems, tlsProblems } from './plan-tls.js';
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
  /** First port of the `ports` layout (default 22379; each machine gets 10 from there). */
  portBase?: number;
  /** `auto` (default): `ports` when any member serves https, else `addresses` (the loopback fallback); `lan` as asked. */
  layout?: Layout | 'auto';
  /** `false`: no check that certificates name where members are reached (tests: the real etcd then judges). */
  certificateCheck?: boolean;
}

/** Host names to static addresses on the rehearsal's LAN (machine name and host name, as its hosts file has them). */
function lanNames(readings: MachineReading[]): (name: string) => string | undefined {
  const names = new Map<string, string>();
  for (const r of readings) {
    if (!r.network) continue;
    for (const n of [r.machine, r.hostname]) if (n) names.set(n.toLowerCase(), r.network.address);
  }
  return (name) => names.get(name);
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
  const memberReadings = readings.filter((r) => r.member);
  const tls = memberReadings.some((r) => servesHttps(r.member!.env));
  const layout = !options.layout || options.layout === 'auto' ? (tls ? 'ports' : 'addresses') : options.layout;
  const portBase = options.portBase ?? DEFAULT_PORT_BASE;
  const book: AddressBook =
    layout === 'lan'
      ? new LanBook()
      : layout === 'ports'
        ? new PortBook(portBase, problems)
        : new LoopbackBook(options.memberBase ?? DEFAULT_MEMBER_BASE, options.machineBase ?? DEFAULT_MACHINE_BASE, problems);
  const ctx = { book, workDir: options.workDir, notes, problems };
  problems.push(...tlsProblems(readings));

  for (const r of memberReadings) book.addMember(r.machine, memberHosts(r.member!.env), memberPorts(r.member!.env));
  const members = memberReadings.map((r) => planMember(r, r.member!, ctx));
  if (memberReadings.some((r) => DISCOVERY_VARS.some((k) => r.member!.env[k]))) staticCluster(members);
  const names = members.map((m) => m.name);
  for (const name of new Set(names.filter((n, i) => names.indexOf(n) !== i))) problems.push(`two members are both named ${name}`);
  problems.push(...membershipProblems(members));

  const withProxy = readings.flatMap((r) => r.proxies.map((p) => ({ r, p })));
  const limit = Math.max(0, options.proxies ?? DEFAULT_PROXIES);
  const proxies = withProxy.slice(0, limit).map(({ r, p }) => planProxy(r, p, ctx));
  const skippedProxies = withProxy.slice(limit).map(({ r }) => r.machine);

  // The reboot lock needs every machine at its own address: only the lan layout rehearses it.
  const locks = layout === 'lan' ? readings.filter(usesEtcdLock).map((r) => planLock(r, ctx)) : [];

  if (options.certificateCheck !== false) problems.push(...sanProblems(members, layout === 'lan' ? lanNames(readings) : undefined));
  if (layout !== 'lan') for (const p of [...members, ...proxies]) checkLoopbackOnly(p, problems);
  if (layout === 'ports') notes.add(portsNote(book, portBase, tls));
  for (const n of bookNotes(book)) notes.add(n);
  return {
    workDir: options.workDir,
    layout,
    locks,
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

/** Why the ports differ from the generated ones, and which is which. */
function portsNote(book: AddressBook, base: number, tls: boolean): string {
  const why = tls
    ? `the members serve TLS, and generated certificates name the machine's address, its name, localhost and ${PORTS_HOST}, never a loopback address of each member's own; so`
    : 'as asked,';
  const map = book.mappings.filter((m) => m.owner !== null).map((m) => `${m.original} -> ${m.mapped.slice(PORTS_HOST.length + 1)}`);
  return `ports remapped: ${why} every process runs on ${PORTS_HOST} with ports of its own (${PORT_BLOCK} per machine from ${base}): ${map.join(', ')}; every other flag, certificate and key is as generated`;
}

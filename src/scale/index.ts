/**
 * `flatcar-architect scale`: an existing generated cluster at another size. Existing machines keep
 * their names, addresses, MACs, certificates and byte-identical configs (Ignition runs only on first
 * boot: a changed config would never reach them); new machines get the next free addresses and
 * certificates from the same CA; shrinking drops the highest-numbered machines.
 *
 * The new answers (what cluster.yaml records) reproduce the result with `--answers DIR/cluster.yaml
 * --pki DIR`: `machines:` pins keep the existing machines where a fresh plan would move them, and
 * `etcdMembership:` keeps the etcd settings of machines made for another membership (and makes new
 * members join the running cluster: ETCD_INITIAL_CLUSTER_STATE=existing). Changing the membership
 * itself is the operator's job, one member at a time: `membershipSteps` says how.
 */
import { generateCluster, planAnswers, type GenerateResult } from '../generate.js';
import { customisePlan } from '../customise.js';
import { macFor } from '../plan/addresses.js';
import { formatIPv4, isHost, parseCidr, parseIPv4, type Network } from '../net/ipv4.js';
import { plan as planCluster, type EtcdView, type Machine, type Plan } from '../plan/index.js';
import type { MachinePin } from '../plan/pins.js';
import type { SecretsBundle } from '../pki/index.js';
import { architectureOf } from '../architectures/index.js';
import { resolveSpec } from '../answers/resolve.js';
import { SpecError, type Answers, type EtcdMembershipEntry, type Field } from '../answers/types.js';

export interface ScaleRequest {
  size: number;
  /** production: the new etcd size (default: the existing one, never the preset's size-based default). */
  etcdSize?: number;
}

/** A scale that cannot be done (laptop, discovery with a membership change, configs that would change). */
export class ScaleError extends Error {
  constructor(
    message: string,
    /** The answer at fault; `dir`: DIR does not match its cluster.yaml (nothing written); `machine`: no such machine. */
    readonly field: Field | 'dir' | 'machine' = 'size',
  ) {
    super(message);
    this.name = 'ScaleError';
  }
}

export interface MemberChange {
  name: string;
  peerUrl: string;
}

export interface ScaleOutcome {
  answers: Answers;
  result: GenerateResult;
  before: Plan;
  /** Machines (final names) that stay, that are new, that go. */
  kept: string[];
  added: string[];
  removed: string[];
  /** etcd members to add (in order) and to remove (in order). */
  joining: MemberChange[];
  leaving: MemberChange[];
  /** The members before and after. */
  membersBefore: MemberChange[];
  membersAfter: MemberChange[];
}

/** The plan of answers (pins and etcdMembership applied), and the plan without pins (planned names). */
function plans(answers: Answers): { planned: Plan; final: Plan } {
  // Snippets change no plan: none are read here.
  const { plan: final } = planAnswers(answers, []);
  return { planned: planCluster(final.spec), final };
}

interface FullView {
  initialCluster: string;
  state: 'new' | 'existing';
  clientEndpoints: string[];
}

function viewOf(plan: Plan, name: string): FullView | null {
  if (!plan.etcd) return null;
  const v = plan.etcdViews?.[name] ?? {};
  return { initialCluster: v.initialCluster ?? plan.etcd.initialCluster, state: v.state ?? 'new', clientEndpoints: v.clientEndpoints ?? plan.etcd.clientEndpoints };
}

/** The next free static addresses: from the first address on, skipping gateway, DNS servers and `used`. */
function freeAddresses(plan: Plan, used: Set<string>, count: number): string[] {
  const net = plan.spec.network;
  if (net.dhcp) return Array.from({ length: count }, () => '');
  const cidr = parseCidr(net.cidr) as Network;
  const reserved = new Set([net.gateway, ...net.dns, ...used]);
  const out: string[] = [];
  for (let n = parseIPv4(net.firstAddress)!; out.length < count && isHost(cidr, n); n++) {
    if (!reserved.has(formatIPv4(n))) out.push(formatIPv4(n));
  }
  if (out.length < count) throw new SpecError([{ field: 'size', message: `no room for ${count} more machines in ${net.cidr} after the existing ones; use a larger --network` }]);
  return out;
}

const members = (plan: Plan): MemberChange[] => (plan.etcd?.members ?? []).map((m) => ({ name: m.name, peerUrl: m.peerUrl }));

/**
 * The scaled cluster in memory: new answers and the rendered result (certificates for the new
 * machines from `existing`'s CA). Checks that every kept machine's files come out as `current` holds
 * them (name -> contents); throws ScaleError when one would change, SpecError for sizes the preset refuses.
 */
export async function scaleCluster(
  old: Answers,
  existing: SecretsBundle | null,
  request: ScaleRequest,
  current: (file: string) => string | undefined,
  options: { outDir?: string; now?: Date } = {},
): Promise<ScaleOutcome> {
  const before = plans(old);
  const spec = before.final.spec;
  const architecture = architectureOf(spec.preset);
  if (architecture.sizeIsFixed) {
    throw new ScaleError(`the ${spec.preset} preset is ${architecture.minSize === 1 ? 'one machine' : `${architecture.minSize} machines`}: there is nothing to scale`, 'preset');
  }
  const etcdSize = architecture.etcdSizeIsAnswer ? (request.etcdSize ?? spec.etcd!.size) : architecture.etcdSizeFor(request.size);
  if (request.etcdSize !== undefined && !architecture.etcdSizeIsAnswer && request.etcdSize !== etcdSize) {
    throw new ScaleError(`the ${spec.preset} preset's etcd size follows from --size (${etcdSize}); leave it out`, 'etcd.size');
  }
  const base: Answers = { ...old, size: request.size, etcd: { ...old.etcd, size: etcdSize } };
  delete base.machines;
  delete base.etcdMembership;
  // The new plan without pins: the planned names (stable across sizes) and the addresses a fresh plan gives.
  const fresh = planCluster(resolveSpec(base).spec);
  const oldByPlanned = new Map(before.planned.machines.map((m, i) => [m.name, before.final.machines[i]!]));
  const kept = fresh.machines.filter((m) => oldByPlanned.has(m.name));
  const used = new Set(kept.map((m) => oldByPlanned.get(m.name)!.address).filter((a): a is string => a !== null));
  const newcomers = fresh.machines.filter((m) => !oldByPlanned.has(m.name));
  const free = freeAddresses(fresh, used, newcomers.length);
  const net = fresh.spec.network;
  const macPrefix = !net.dhcp && 'macPrefix' in net.match ? net.match.macPrefix : null;

  const desired: Machine[] = fresh.machines.map((m) => {
    const was = oldByPlanned.get(m.name);
    if (was) return { ...was, role: m.role };
    const address = net.dhcp ? null : free[newcomers.indexOf(m)]!;
    return { ...m, address, mac: address && macPrefix ? macFor(macPrefix, address) : null };
  });
  const pins: MachinePin[] = [];
  fresh.machines.forEach((m, i) => {
    const d = desired[i]!;
    const pin: MachinePin = { planned: m.name };
    if (d.name !== m.name) pin.name = d.name;
    if (d.address !== m.address && d.address !== null) pin.address = d.address;
    const derived = pin.address && macPrefix ? macFor(macPrefix, pin.address) : m.mac;
    if (d.mac !== derived && d.mac !== null) pin.mac = d.mac;
    if (Object.keys(pin).length > 1) pins.push(pin);
  });

  // etcd: who joins, who leaves, and the settings each machine keeps or gets.
  const membersBefore = members(before.final);
  const desiredMembers = desired.filter((m) => m.role === 'etcd').map((m) => m.name);
  const removedNames = new Set(before.final.machines.map((m) => m.name).filter((n) => !desired.some((d) => d.name === n)));
  const leaving = membersBefore.filter((m) => !desiredMembers.includes(m.name)).reverse();
  const probe = customisePlan(fresh, { pins, snippets: [] });
  const membersAfter = members(probe);
  const joining = membersAfter.filter((m) => !membersBefore.some((b) => b.name === m.name));
  if ((joining.length || leaving.length) && spec.etcd?.discovery) {
    throw new ScaleError('this cluster found its etcd members by discovery URL: its membership cannot be changed by scale; scale the workers only', 'etcd.discovery');
  }
  const views = new Map<string, FullView>();
  for (const m of probe.machines) {
    const now = viewOf(probe, m.name);
    if (!now) continue;
    const was = before.final.machines.some((b) => b.name === m.name) ? viewOf(before.final, m.name) : null;
    if (was) {
      views.set(m.name, was);
      continue;
    }
    const j = joining.findIndex((x) => x.name === m.name);
    if (j >= 0) {
      const running = [...membersBefore.filter((b) => !leaving.some((l) => l.name === b.name)), ...joining.slice(0, j + 1)];
      views.set(m.name, { ...now, state: 'existing', initialCluster: running.map((r) => `${r.name}=${r.peerUrl}`).join(',') });
    }
  }
  const membership: EtcdMembershipEntry[] = [];
  for (const [name, v] of views) {
    const now = viewOf(probe, name)!;
    const entry: Omit<EtcdMembershipEntry, 'machines'> = {};
    if (v.initialCluster !== now.initialCluster) entry.initialCluster = v.initialCluster;
    if (v.state !== now.state) entry.state = v.state;
    if (v.clientEndpoints.join(',') !== now.clientEndpoints.join(',')) entry.clientEndpoints = [...v.clientEndpoints];
    if (!Object.keys(entry).length) continue;
    const key = (e: Omit<EtcdMembershipEntry, 'machines'>) => JSON.stringify([e.initialCluster, e.state, e.clientEndpoints]);
    const same = membership.find((e) => key(e) === key(entry));
    if (same) same.machines.push(name);
    else membership.push({ machines: [name], ...entry });
  }
  const answers: Answers = { ...base };
  if (pins.length) answers.machines = pins;
  if (membership.length) answers.etcdMembership = membership;
  // Snippets that target a removed machine by name would fail: say so plainly.
  for (const s of old.snippets ?? []) {
    if (removedNames.has(s.target)) throw new ScaleError(`the snippet ${s.file} targets ${s.target}, which this size removes; remove the snippet from cluster.yaml first`);
  }

  const result = await generateCluster(answers, { existing, ...(options.outDir ? { outDir: options.outDir } : {}), ...(options.now ? { now: options.now } : {}) });
  const keptNames = kept.map((m) => oldByPlanned.get(m.name)!.name);
  for (const name of keptNames) {
    for (const ext of ['.bu', '.ign']) {
      const file = result.files.find((f) => f.name === name + ext);
      const was = current(name + ext);
      if (was === undefined) throw new ScaleError(`${name}${ext} is missing: the directory does not match its cluster.yaml`, 'dir');
      if (file?.contents !== was) {
        throw new ScaleError(
          `${name}${ext} would change, and a machine's config must not (edited by hand, made with other templates or another version, or certificates due for renewal?); nothing was written`,
          'dir',
        );
      }
    }
  }
  return {
    answers,
    result,
    before: before.final,
    kept: keptNames,
    added: result.machines.filter((m) => !keptNames.includes(m.name)).map((m) => m.name),
    removed: [...removedNames],
    joining,
    leaving,
    membersBefore,
    membersAfter,
  };
}

export type { EtcdView };

/**
 * What the planner shares while it builds processes: the address book (machine address and port
 * -> where it is reached in the rehearsal) and the certificate files to write. Pure (no I/O: it
 * only computes paths).
 *
 * Two layouts. `addresses` (plain http): each member gets its own loopback address (127.0.0.11
 * upward) and each machine's 127.0.0.1 its own 127.0.1.x; ports stay as generated. `ports` (TLS):
 * the certificates name the machine's real address, its name, localhost and 127.0.0.1, so every
 * process runs on 127.0.0.1 and each machine gets its own block of ports instead (10 from
 * 22379 + 10*i: the client port first, then the peer port, then any other in order).
 */
import { hostKind, LoopbackPool, type Endpoint } from './addresses.js';
import type { AddressMapping, ConfigFile, Mount, PlannedFile } from './types.js';

/** What planning one process needs: the address book, the work dir, and where notes and problems go. */
export interface PlanContext {
  book: AddressBook;
  workDir: string;
  notes: Set<string>;
  problems: string[];
}

export const DEFAULT_MEMBER_BASE = '127.0.0.11';
export const DEFAULT_MACHINE_BASE = '127.0.1.1';
export const DEFAULT_PORT_BASE = 22379;
/** Ports per machine in the `ports` layout. */
export const PORT_BLOCK = 10;
/** The address every process runs on in the `ports` layout: every generated certificate names it. */
export const PORTS_HOST = '127.0.0.1';

export type Layout = 'addresses' | 'ports' | 'lan';

/** The machine whose flags the planner is rewriting (what 0.0.0.0 and 127.0.0.1 mean depends on it). */
export interface Self {
  machine: string;
}

export interface AddressBook {
  readonly layout: Layout;
  /** What stands for what, in the order first seen. */
  readonly mappings: AddressMapping[];
  /** A member: every host that names it (address, host name) and its ports, the client port first. */
  addMember(machine: string, hosts: string[], ports: string[]): void;
  /** Where `host:port` (port `null`: none written), as `self` sees it, is reached in the rehearsal. */
  endpoint(host: string, port: string | null, self: Self): Endpoint;
}

/** Hosts that name a member, by lower-case name; a host claimed by two members is a problem. */
class MemberHosts {
  private readonly owners = new Map<string, string>();

  constructor(private readonly problems: string[]) {}

  /** The hosts newly claimed by `machine`. */
  claim(machine: string, hosts: string[]): string[] {
    const claimed: string[] = [];
    for (const host of hosts) {
      const key = host.toLowerCase();
      const owner = this.owners.get(key);
      if (owner !== undefined && owner !== machine) this.problems.push(`${host} is the address of both ${owner} and ${machine}`);
      if (owner !== undefined) continue;
      this.owners.set(key, machine);
      claimed.push(host);
    }
    return claimed;
  }

  owner(host: string): string | undefined {
    return this.owners.get(host.toLowerCase());
  }
}

/** The `addresses` layout: a loopback address per member and per machine's 127.0.0.1; ports as generated. */
export class LoopbackBook implements AddressBook {
  readonly layout = 'addresses';
  readonly mappings: AddressMapping[] = [];
  private readonly byHost = new Map<string, AddressMapping>();
  private readonly memberAddress = new Map<string, string>();
  private readonly loopbacks = new Map<string, string>();
  private readonly members: LoopbackPool;
  private readonly machines: LoopbackPool;
  private readonly hosts: MemberHosts;

  constructor(memberBase: string, machineBase: string, problems: string[]) {
    this.members = new LoopbackPool(memberBase);
    this.machines = new LoopbackPool(machineBase);
    this.hosts = new MemberHosts(problems);
  }

  addMember(machine: string, hosts: string[]): void {
    const address = this.members.take();
    this.memberAddress.set(machine, address);
    for (const host of this.hosts.claim(machine, hosts)) {
      const m: AddressMapping = { original: host, mapped: address, owner: machine };
      this.byHost.set(host.toLowerCase(), m);
      this.mappings.push(m);
    }
  }

  /** The machine's own loopback (what 127.0.0.1 means on that machine), one per machine. */
  private loopback(machine: string): string {
    let ip = this.loopbacks.get(machine);
    if (!ip) {
      ip = this.machines.take();
      this.loopbacks.set(machine, ip);
      this.mappings.push({ original: `${machine}'s 127.0.0.1`, mapped: ip, owner: machine });
    }
    return ip;
  }

  private host(host: string, self: Self): string {
    switch (hostKind(host)) {
      case 'wildcard':
        return this.memberAddress.get(self.machine) ?? this.loopback(self.machine);
      case 'loopback':
        return this.loopback(self.machine);
      case 'other': {
        const key = host.toLowerCase();
        let m = this.byHost.get(key);
        if (!m) {
          m = { original: host, mapped: this.members.take(), owner: null };
          this.byHost.set(key, m);
          this.mappings.push(m);
        }
        return m.mapped;
      }
    }
  }

  endpoint(host: string, port: string | null, self: Self): Endpoint {
    return { host: this.host(host, self), port };
  }
}

/**
 * The `lan` layout: every machine in a network namespace of its own at its planned address, so
 * nothing is mapped: every address and port is used as generated.
 */
export class LanBook implements AddressBook {
  readonly layout = 'lan';
  readonly mappings: AddressMapping[] = [];

  addMember(): void {}

  endpoint(host: string, port: string | null): Endpoint {
    return { host, port };
  }
}

/** A machine's (or an unknown host's) ports in the `ports` layout. */
interface PortBlock {
  owner: string | null;
  first: number;
  /** Port as generated (`2379`, or `lo:2379` for the machine's 127.0.0.1) -> port in the rehearsal. */
  slots: Map<string, number>;
}

/** The `ports` layout: everything on 127.0.0.1, each machine with its own block of ports. */
export class PortBook implements AddressBook {
  readonly layout = 'ports';
  readonly mappings: AddressMapping[] = [];
  private readonly blocks = new Map<string, PortBlock>();
  private readonly seen = new Set<string>();
  private readonly hosts: MemberHosts;
  private readonly members = new Set<string>();

  constructor(
    private readonly base: number,
    private readonly problems: string[],
  ) {
    if (!Number.isInteger(base) || base < 1024 || base > 65535) throw new Error(`${base} is no port base (a whole number from 1024 to 65535)`);
    this.hosts = new MemberHosts(problems);
  }

  private block(key: string, owner: string | null): PortBlock {
    let b = this.blocks.get(key);
    if (!b) {
      b = { owner, first: this.base + PORT_BLOCK * this.blocks.size, slots: new Map() };
      this.blocks.set(key, b);
    }
    return b;
  }

  private slot(b: PortBlock, key: string, original: string): number {
    let port = b.slots.get(key);
    if (port === undefined) {
      port = b.first + b.slots.size;
      if (b.slots.size === PORT_BLOCK) this.problems.push(`${b.owner ?? original}: more than ${PORT_BLOCK} ports: the rehearsal gives each machine ${PORT_BLOCK}`);
      if (port > 65535) this.problems.push(`${original}: no port left above the port base ${this.base} (it would be ${port})`);
      b.slots.set(key, port);
    }
    if (!this.seen.has(original)) {
      this.seen.add(original);
      this.mappings.push({ original, mapped: `${PORTS_HOST}:${port}`, owner: b.owner });
    }
    return port;
  }

  addMember(machine: string, hosts: string[], ports: string[]): void {
    this.members.add(machine);
    const b = this.block(machine, machine);
    this.hosts.claim(machine, hosts);
    for (const port of ports) for (const host of hosts.length ? hosts : [machine]) this.slot(b, port, `${host}:${port}`);
  }

  endpoint(host: string, port: string | null, self: Self): Endpoint {
    if (port === null) {
      this.problems.push(`${self.machine}: ${host} without a port: the rehearsal runs everything on ${PORTS_HOST} and needs a port to give it one of its own`);
      return { host: PORTS_HOST, port };
    }
    const kind = hostKind(host);
    // 0.0.0.0 on a member is where its address is served; elsewhere, like 127.0.0.1, the machine itself.
    if (kind === 'wildcard' && this.members.has(self.machine))
      return { host: PORTS_HOST, port: String(this.slot(this.block(self.machine, self.machine), port, `${self.machine}'s ${host || '*'}:${port}`)) };
    if (kind !== 'other') return { host: PORTS_HOST, port: String(this.slot(this.block(self.machine, self.machine), `lo:${port}`, `${self.machine}'s ${host}:${port}`)) };
    const owner = this.hosts.owner(host);
    const b = owner !== undefined ? this.block(owner, owner) : this.block(`?${host.toLowerCase()}`, null);
    return { host: PORTS_HOST, port: String(this.slot(b, port, `${host}:${port}`)) };
  }
}

/** The host file a container path names, through the mounts (longest container prefix wins). */
export function hostPath(containerPath: string, mounts: Mount[]): string | null {
  const covering = mounts
    .filter((m) => m.container === '/' || containerPath === m.container || containerPath.startsWith(m.container.replace(/\/$/, '') + '/'))
    .sort((a, b) => b.container.length - a.container.length)[0];
  if (!covering) return null;
  const rest = covering.container === '/' ? containerPath : containerPath.slice(covering.container.replace(/\/$/, '').length);
  return covering.host.replace(/\/$/, '') + (rest.startsWith('/') ? rest : '/' + rest);
}

/**
 * The file a path flag names, written under `home` for the rehearsal, or why it cannot be: not
 * visible in the container, or not written by the machine's config.
 */
export function materialise(containerPath: string, mounts: Mount[], files: Map<string, ConfigFile>, home: string): { file: PlannedFile } | { error: string } {
  const host = hostPath(containerPath, mounts);
  if (host === null) {
    const seen = mounts.map((m) => `${m.host} at ${m.container}`).join(', ') || 'nothing';
    return { error: `${containerPath} is not mounted into the container (it sees ${seen})` };
  }
  const file = files.get(host);
  if (!file) return { error: `the config writes no ${host}${host === containerPath ? '' : ` (seen as ${containerPath} in the container)`}` };
  return { file: { path: `${home}/files${host}`, contents: file.contents, mode: file.mode ?? 0o644 } };
}

/**
 * What the planner shares while it builds processes: the address book (machine address ->
 * loopback address) and the certificate files to write. Pure (no I/O: it only computes paths).
 */
import { hostKind, LoopbackPool } from './addresses.js';
import type { AddressMapping, ConfigFile, Mount, PlannedFile } from './types.js';

export const DEFAULT_MEMBER_BASE = '127.0.0.11';
export const DEFAULT_MACHINE_BASE = '127.0.1.1';

/** Where a machine's own process lives while the planner rewrites its flags. */
export interface Self {
  machine: string;
  /** The member's mapped address (wildcard listens go there); null for a proxy. */
  address: string | null;
}

export class AddressBook {
  readonly mappings: AddressMapping[] = [];
  private readonly byHost = new Map<string, AddressMapping>();
  private readonly loopbacks = new Map<string, string>();
  private readonly members: LoopbackPool;
  private readonly machines: LoopbackPool;

  constructor(
    memberBase: string,
    machineBase: string,
    private readonly problems: string[],
  ) {
    this.members = new LoopbackPool(memberBase);
    this.machines = new LoopbackPool(machineBase);
  }

  /** A member's own address; every host that names it maps there. */
  addMember(machine: string, hosts: string[]): string {
    const address = this.members.take();
    for (const host of hosts) {
      const key = host.toLowerCase();
      const taken = this.byHost.get(key);
      if (taken && taken.owner !== machine) {
        this.problems.push(`${host} is the address of both ${taken.owner} and ${machine}`);
        continue;
      }
      if (taken) continue;
      const m: AddressMapping = { original: host, mapped: address, owner: machine };
      this.byHost.set(key, m);
      this.mappings.push(m);
    }
    return address;
  }

  /** The machine's own loopback (what 127.0.0.1 means on that machine), one per machine. */
  loopback(machine: string): string {
    let ip = this.loopbacks.get(machine);
    if (!ip) {
      ip = this.machines.take();
      this.loopbacks.set(machine, ip);
      this.mappings.push({ original: `${machine}'s 127.0.0.1`, mapped: ip, owner: machine });
    }
    return ip;
  }

  /** The loopback address standing for `host` as seen from `self`. */
  map(host: string, self: Self): string {
    switch (hostKind(host)) {
      case 'wildcard':
        return self.address ?? this.loopback(self.machine);
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
export function materialise(
  containerPath: string,
  mounts: Mount[],
  files: Map<string, ConfigFile>,
  home: string,
): { file: PlannedFile } | { error: string } {
  const host = hostPath(containerPath, mounts);
  if (host === null) {
    const seen = mounts.map((m) => `${m.host} at ${m.container}`).join(', ') || 'nothing';
    return { error: `${containerPath} is not mounted into the container (it sees ${seen})` };
  }
  const file = files.get(host);
  if (!file) return { error: `the config writes no ${host}${host === containerPath ? '' : ` (seen as ${containerPath} in the container)`}` };
  return { file: { path: `${home}/files${host}`, contents: file.contents, mode: file.mode ?? 0o644 } };
}

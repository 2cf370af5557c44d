/**
 * `machines:` in answers: pins of single machines, each chosen by its planned name, to a name, a
 * static address or a MAC. Applied to a finished plan (names, addresses, MACs, then the etcd
 * topology and boot order again from the pinned machines). Pure.
 */
import { shown } from '../answers/checks.js';
import { HOST_NAME, MAC } from '../answers/patterns.js';
import { SpecError, type Field, type Problem } from '../answers/types.js';
import { macFor } from './addresses.js';
import { planEtcd } from './etcd.js';
import { formatIPv4, isHost, parseCidr, parseIPv4, specialUse, type Network } from '../net/ipv4.js';
import type { Machine, Plan } from './types.js';

export interface MachinePin {
  /** The planned name of the machine, e.g. prod-worker-1. */
  planned: string;
  name?: string;
  address?: string;
  mac?: string;
}

/** Words a machine may not be called: snippet targets that mean a group of machines. */
export const RESERVED_NAMES = ['etcd', 'worker', 'laptop', 'all'];

/** Problems about pins name `machines[i].key`; they are not flags, so the type is widened. */
const at = (i: number, key: keyof MachinePin): Field => `machines[${i}].${key}` as Field;

function listNames(names: string[]): string {
  return names.length <= 6 ? names.join(', ') : `${names.slice(0, 3).join(', ')}, ..., ${names.slice(-2).join(', ')}`;
}

/** The plan with the pins applied; throws a SpecError naming every bad pin. */
export function pinMachines(plan: Plan, pins: readonly MachinePin[] | undefined): Plan {
  if (!pins?.length) return plan;
  const problems: Problem[] = [];
  const fail = (field: Field, message: string) => problems.push({ field, message });
  const net = plan.spec.network;
  const cidr = net.dhcp ? undefined : (parseCidr(net.cidr) as Network);
  const byPlanned = new Map(plan.machines.map((m, i) => [m.name, i]));
  const machines: Machine[] = plan.machines.map((m) => ({ ...m }));
  const pinnedBy = new Map<number, number>();

  pins.forEach((pin, i) => {
    const index = byPlanned.get(pin.planned);
    if (index === undefined) {
      fail(at(i, 'planned'), `no planned machine is called ${shown(pin.planned)}; the planned names are ${listNames(plan.machines.map((m) => m.name))}`);
      return;
    }
    const other = pinnedBy.get(index);
    if (other !== undefined) {
      fail(at(i, 'planned'), `${pin.planned} is pinned already by machines[${other}]; pin each machine once`);
      return;
    }
    pinnedBy.set(index, i);
    const m = machines[index]!;
    if (pin.name !== undefined) {
      if (!HOST_NAME.test(pin.name)) fail(at(i, 'name'), `${shown(pin.name)} is not a host name (1 to 63 lowercase letters, digits and dashes)`);
      else if (RESERVED_NAMES.includes(pin.name)) fail(at(i, 'name'), `${pin.name} names a group of machines for snippets; choose another name`);
      else m.name = pin.name;
    }
    if (pin.address !== undefined) {
      const n = parseIPv4(pin.address);
      if (net.dhcp || !cidr) fail(at(i, 'address'), 'not with DHCP: DHCP gives the machines their addresses');
      else if (n === undefined) fail(at(i, 'address'), `${shown(pin.address)} is not an IPv4 address`);
      else if (specialUse(n)) fail(at(i, 'address'), `${pin.address} is ${specialUse(n)}: it cannot be a host's address`);
      else if (!isHost(cidr, n)) fail(at(i, 'address'), `${pin.address} is not a host address of ${formatIPv4(cidr.base)}/${cidr.prefixLength}`);
      else if (pin.address === net.gateway) fail(at(i, 'address'), `${pin.address} is the gateway`);
      else if (net.dns.includes(pin.address)) fail(at(i, 'address'), `${pin.address} is a DNS server`);
      else {
        m.address = pin.address;
        if ('macPrefix' in net.match) m.mac = macFor(net.match.macPrefix, pin.address);
      }
    }
    if (pin.mac !== undefined) {
      const mac = pin.mac.toLowerCase();
      if (!MAC.test(mac)) fail(at(i, 'mac'), `${shown(pin.mac)} is not a MAC address like 52:54:00:12:34:56`);
      else if (parseInt(mac.slice(0, 2), 16) & 1) fail(at(i, 'mac'), `${pin.mac} is a multicast address (the first octet must be even)`);
      else m.mac = mac;
    }
  });

  // What is pinned must not collide with another machine, pinned or planned.
  const unique = (key: 'name' | 'address' | 'mac', what: string) => {
    const seen = new Map<string, number>();
    machines.forEach((m, index) => {
      const value = m[key];
      if (value === null) return;
      const first = seen.get(value);
      if (first === undefined) {
        seen.set(value, index);
        return;
      }
      const pinIndex = pinnedBy.get(index) ?? pinnedBy.get(first);
      const field = pinIndex === undefined ? ('network.macPrefix' as Field) : at(pinIndex, key);
      const [a, b] = [plan.machines[first]!.name, plan.machines[index]!.name];
      fail(field, `${value} would be the ${what} of both ${a} and ${b}; every machine needs its own`);
    });
  };
  if (!problems.length) {
    unique('name', 'name');
    unique('address', 'address');
    // A MAC derived from a clashing address clashes too: say it once.
    if (!problems.length) unique('mac', 'MAC');
  }
  if (problems.length) throw new SpecError(problems);

  const renamed = new Map(plan.machines.map((m, i) => [m.name, machines[i]!.name]));
  return {
    ...plan,
    machines,
    etcd: planEtcd(plan.spec, machines),
    bootOrder: plan.bootOrder.map((s) => ({ ...s, machines: s.machines.map((n) => renamed.get(n) ?? n) })),
  };
}

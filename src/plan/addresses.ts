/**
 * Static addresses, planned in order from the first address: inside the network, never its network
 * or broadcast address, the gateway or a DNS server, no two machines alike. MACs from --mac-prefix.
 */
import type { Problem, StaticNetwork } from '../answers/types.js';
import { formatIPv4, isHost, parseCidr, parseIPv4, type Network } from '../net/ipv4.js';

export function planAddresses(network: StaticNetwork, count: number, problems: Problem[]): string[] {
  const net = parseCidr(network.cidr) as Network;
  const reserved = new Set([network.gateway, ...network.dns].map((a) => parseIPv4(a)!));
  const out: number[] = [];
  let next = parseIPv4(network.firstAddress)!;
  while (out.length < count && isHost(net, next)) {
    if (!reserved.has(next)) out.push(next);
    next++;
  }
  if (out.length < count) {
    const last = formatIPv4(net.broadcast - 1);
    problems.push({
      field: 'size',
      code: 'addresses-do-not-fit',
      message: `${count} machines from ${network.firstAddress} do not fit in ${network.cidr} (last host address ${last}, gateway and DNS servers skipped); use an earlier --first-address or a larger --network`,
    });
    return [];
  }
  if (new Set(out).size !== out.length) throw new Error('internal: duplicate planned address');
  return out.map(formatIPv4);
}

/** A machine's MAC: the prefix followed by the last octets of its address. */
export function macFor(prefix: string, address: string): string {
  const octets = prefix.split(':');
  const ip = address.split('.').map((o) => Number(o).toString(16).padStart(2, '0'));
  return [...octets, ...['00', '00', ...ip].slice(-(6 - octets.length))].join(':');
}

export function planMacs(prefix: string, addresses: string[], names: string[], problems: Problem[]): string[] {
  const macs = addresses.map((a) => macFor(prefix, a));
  const seen = new Map<string, number>();
  macs.forEach((mac, i) => {
    const j = seen.get(mac);
    if (j !== undefined && !problems.some((p) => p.field === 'network.macPrefix')) {
      problems.push({
        field: 'network.macPrefix',
        message: `${names[j]} and ${names[i]} would both get MAC ${mac}; use a shorter prefix so more address octets fit`,
      });
    }
    seen.set(mac, i);
  });
  return macs;
}

/** IPv4 addresses as unsigned 32-bit numbers, and CIDR networks. Strict dotted-quad syntax only. */

const OCTET = '(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const DOTTED = new RegExp(`^${OCTET}\\.${OCTET}\\.${OCTET}\\.${OCTET}$`);

export interface Network {
  /** The network address as a number. */
  base: number;
  prefixLength: number;
  /** The broadcast address as a number. */
  broadcast: number;
}

/** The address as a number, or undefined if `text` is not a dotted quad (no leading zeros). */
export function parseIPv4(text: string): number | undefined {
  const m = DOTTED.exec(text);
  if (!m) return undefined;
  return ((Number(m[1]) << 24) >>> 0) + (Number(m[2]) << 16) + (Number(m[3]) << 8) + Number(m[4]);
}

export function formatIPv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

function maskOf(prefixLength: number): number {
  return prefixLength === 0 ? 0 : (0xffffffff << (32 - prefixLength)) >>> 0;
}

/** Parses `a.b.c.d/p`. Returns a reason instead when it is not a network address with a prefix. */
export function parseCidr(text: string): Network | { error: string } {
  const m = /^([^/]+)\/(\d{1,2})$/.exec(text);
  const address = m ? parseIPv4(m[1]!) : undefined;
  const prefixLength = m ? Number(m[2]) : NaN;
  if (address === undefined || !(prefixLength >= 0 && prefixLength <= 32)) {
    return { error: `${text} is not an IPv4 network like 10.0.0.0/24` };
  }
  const base = (address & maskOf(prefixLength)) >>> 0;
  if (base !== address) {
    return { error: `${text} has host bits set; the network is ${formatIPv4(base)}/${prefixLength}` };
  }
  return { base, prefixLength, broadcast: (base | ~maskOf(prefixLength)) >>> 0 };
}

export function contains(net: Network, address: number): boolean {
  return address >= net.base && address <= net.broadcast;
}

/** A host address: inside the network and neither its network nor its broadcast address. */
export function isHost(net: Network, address: number): boolean {
  return address > net.base && address < net.broadcast;
}

/**
 * Addresses no machine can have as its own (RFC 6890): "this network" 0.0.0.0/8, loopback 127/8,
 * link-local 169.254/16 (each host picks its own there), multicast 224/4, reserved 240/4 with the
 * limited broadcast address 255.255.255.255.
 */
const SPECIAL: readonly [number, number, string][] = [
  [0x00000000, 8, '"this network" (0.0.0.0/8)'],
  [0x7f000000, 8, 'loopback (127.0.0.0/8)'],
  [0xa9fe0000, 16, 'link-local (169.254.0.0/16)'],
  [0xe0000000, 4, 'multicast (224.0.0.0/4)'],
  [0xf0000000, 4, 'reserved (240.0.0.0/4, with the broadcast address 255.255.255.255)'],
];

/**
 * Test-only: FLATCAR_ARCHITECT_TEST_LOOPBACK_NETWORKS=1 lets tests that run a generated cluster's
 * real etcd on this machine's loopback (127.x addresses, certificates naming them) plan it there.
 * Like the FLATCAR_ARCHITECT_TEST_PAUSE_AT hooks, it is for the test suite, never documented for users.
 */
const special = (): typeof SPECIAL => (process.env.FLATCAR_ARCHITECT_TEST_LOOPBACK_NETWORKS === '1' ? SPECIAL.filter(([base]) => base !== 0x7f000000) : SPECIAL);

/** Why an address cannot be a host's own (e.g. "loopback (127.0.0.0/8)"), or undefined. */
export function specialUse(address: number, except: readonly string[] = []): string | undefined {
  for (const [base, len, why] of special()) {
    if (except.some((e) => why.startsWith(e))) continue;
    if ((address & maskOf(len)) >>> 0 === base) return why;
  }
  return undefined;
}

/** Why a network is no place for machines: "is <range>" (it lies in one) or "holds <range>", or undefined. */
export function networkSpecialUse(net: Network): string | undefined {
  for (const [base, len, why] of special()) {
    const broadcast = (base | ~maskOf(len)) >>> 0;
    if (net.base <= broadcast && base <= net.broadcast) return `${net.base >= base && net.broadcast <= broadcast ? 'is' : 'holds'} ${why}`;
  }
  return undefined;
}

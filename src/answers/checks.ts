/** Small checks of single answer values. Each returns a reason (for "--flag: reason") or undefined. */
import { networkSpecialUse, parseCidr, parseIPv4, specialUse } from '../plan/ipv4.js';
import { firstUnsafe, quote } from '../io/quote.js';

/**
 * A value shown in a message: JSON-quoted so that newlines and quotes stay visible on one line; at
 * most 80 characters, control, bidi and zero-width characters escaped (src/io/quote.ts).
 */
export const show = (value: unknown): string => (typeof value === 'string' ? quote(value) : quote(String(value)).slice(1, -1));

/** A value in a message: as it is when plain (no spaces, quotes or other doubt), else as `show` gives it. */
export const shown = (value: string): string => (/^[A-Za-z0-9_.:/@+,=*-]{1,80}$/.test(value) ? value : show(value));

/**
 * C0/C1 controls, DEL, the Unicode line and paragraph separators, and half a surrogate pair (which
 * no UTF-8 file can hold: written out, it would come back as U+FFFD).
 */
export const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]|\p{Cs}/u;

const LABEL = '[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?';

export function clusterName(v: string): string | undefined {
  return /^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$/.test(v)
    ? undefined
    : `must be 1 to 40 lowercase letters, digits and dashes, starting and ending with a letter or digit (got ${show(v)})`;
}

export function namePrefix(v: string): string | undefined {
  return /^([a-z0-9][a-z0-9-]{0,39})?$/.test(v)
    ? undefined
    : `must be up to 40 lowercase letters, digits and dashes, starting with a letter or digit (got ${show(v)})`;
}

export function dnsName(v: string): string | undefined {
  return v.length <= 253 && new RegExp(`^${LABEL}(\\.${LABEL})*$`, 'i').test(v)
    ? undefined
    : `${show(v)} is not a DNS domain name like example.com`;
}

export function etcdVersion(v: string): string | undefined {
  return /^v3\.\d+\.\d+$/.test(v) ? undefined : `must be an etcd v3 release tag like v3.5.16 (got ${show(v)})`;
}

/** The minor version of a `v3.N.M` tag. */
export const etcdMinor = (v: string): number => Number(v.split('.')[1]);

export function token(v: string): string | undefined {
  return /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(v)
    ? undefined
    : `must be up to 64 letters, digits, dots, dashes and underscores (got ${show(v)})`;
}

/** Longest discovery URL (UTF-8 bytes): its Environment= line, `%` doubled, stays under systemd's and Butane's 2048. */
export const MAX_DISCOVERY_URL = 1000;

export function discoveryUrl(v: string): string | undefined {
  const bad = `must be an http:// or https:// etcd discovery URL (got ${show(v)})`;
  if (CONTROL.test(v) || /[\s"'\\]/.test(v)) return bad;
  if (Buffer.byteLength(v) > MAX_DISCOVERY_URL) return `must be an etcd discovery URL of at most ${MAX_DISCOVERY_URL} bytes (got ${Buffer.byteLength(v)})`;
  try {
    const url = new URL(v);
    return url.protocol === 'http:' || url.protocol === 'https:' ? undefined : bad;
  } catch {
    return bad;
  }
}

/** A network such as 10.0.0.0/24, with a prefix length from /8 to /30. */
export function cidr(v: string): string | undefined {
  const net = parseCidr(v);
  if ('error' in net) return /^[\d./]+$/.test(v) ? net.error : `${show(v)} is not an IPv4 network like 10.0.0.0/24`;
  if (net.prefixLength < 8 || net.prefixLength > 30) return `use a prefix length from /8 to /30 (got ${v})`;
  const special = networkSpecialUse(net);
  return special ? `${v} ${special}: no machine can have an address there` : undefined;
}

/** An address a machine (or its gateway) can have: not loopback, multicast, link-local, reserved or 0/8. */
export function hostAddress(v: string): string | undefined {
  const n = parseIPv4(v);
  if (n === undefined) return `${show(v)} is not an IPv4 address`;
  const special = specialUse(n);
  return special ? `${v} is ${special}: it cannot be a host's address` : undefined;
}

/** A DNS server's address: link-local is allowed (cloud resolvers such as 169.254.169.253), loopback is not (networkd's DNS= on the machine itself). */
export function dnsServer(v: string): string | undefined {
  const n = parseIPv4(v);
  if (n === undefined) return `${show(v)} is not an IPv4 address`;
  const special = specialUse(n, ['link-local']);
  return special ? `${v} is ${special}: it cannot be a DNS server's address` : undefined;
}

export function interfaceMatch(v: string): string | undefined {
  return v.length <= 200 && /^[A-Za-z0-9_.:*?![\]-]+( [A-Za-z0-9_.:*?![\]-]+)*$/.test(v)
    ? undefined
    : `must be an interface name or a space-separated list of name globs, like eth0 or "en* eth*" (got ${show(v)})`;
}

export function macPrefix(v: string): string | undefined {
  if (!/^[0-9a-f]{2}(:[0-9a-f]{2}){1,4}$/i.test(v)) {
    return `must be the first 2 to 5 octets of a MAC address, like 52:54:00 (got ${show(v)})`;
  }
  return parseInt(v.slice(0, 2), 16) & 1 ? `${v} is a multicast prefix (the first octet must be even)` : undefined;
}

const KEY_TYPES = [
  'ssh-ed25519',
  'ssh-rsa',
  'ssh-dss',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'sk-ssh-ed25519@openssh.com',
  'sk-ecdsa-sha2-nistp256@openssh.com',
];
const KEY = new RegExp(`(^|\\s)(${KEY_TYPES.map((t) => t.replace(/[.@]/g, '\\$&')).join('|')}) [A-Za-z0-9+/]+={0,3}( |$)`);

/** True when the text looks like a public key line (so `--ssh-key` is not a file name). */
export const looksLikeKey = (v: string): boolean => KEY.test(v);

export function sshKey(v: string): string | undefined {
  if (CONTROL.test(v)) return `an SSH key is one line without control characters (got ${show(v)}; the first is ${firstUnsafe(v)})`;
  return KEY.test(v) ? undefined : `${show(v)} is not an OpenSSH public key line like "ssh-ed25519 AAAA... you@host"`;
}

export function updateGroup(v: string): string | undefined {
  return /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(v)
    ? undefined
    : `must be an update group such as stable, beta, alpha or lts, or your update server's group id (got ${show(v)})`;
}

export function windowStart(v: string): string | undefined {
  return /^((Mon|Tue|Wed|Thu|Fri|Sat|Sun) )?([01]?\d|2[0-3]):[0-5]\d$/.test(v)
    ? undefined
    : `must be a time like 04:00 or a weekday and time like "Thu 04:00" (got ${show(v)})`;
}

export function windowLength(v: string): string | undefined {
  return /^(?=.)(\d+h)?(\d+m)?(\d+s)?$/.test(v) && /[1-9]/.test(v)
    ? undefined
    : `must be a duration like 1h or 1h30m (got ${show(v)})`;
}

/** ETCD_INITIAL_CLUSTER as `name=peerURL,...` (also the JSON Schema's pattern for etcdMembership). */
export const INITIAL_CLUSTER_PATTERN = '^[a-z0-9-]+=https?://[^\\s,=]+(,[a-z0-9-]+=https?://[^\\s,=]+)*$';
/** An etcd client URL (also the JSON Schema's pattern for etcdMembership). */
export const CLIENT_URL_PATTERN = '^https?://[^\\s,]+$';

/** Unit file lines are at most 2048 bytes: these values go into one. */
export const MAX_INITIAL_CLUSTER = 1000;
export const MAX_CLIENT_URL = 200;

export function initialCluster(v: string): string | undefined {
  if (Buffer.byteLength(v) > MAX_INITIAL_CLUSTER) return `must be at most ${MAX_INITIAL_CLUSTER} bytes (got ${Buffer.byteLength(v)})`;
  return new RegExp(INITIAL_CLUSTER_PATTERN).test(v) && !CONTROL.test(v) && !/["'\\]/.test(v)
    ? undefined
    : `must be name=peerURL,... like etcd-1=https://10.0.0.101:2380 (got ${shown(v)})`;
}

export function clientUrl(v: string): string | undefined {
  if (Buffer.byteLength(v) > MAX_CLIENT_URL) return `must be at most ${MAX_CLIENT_URL} bytes (got ${Buffer.byteLength(v)})`;
  return new RegExp(CLIENT_URL_PATTERN).test(v) && !CONTROL.test(v) && !/["'\\]/.test(v)
    ? undefined
    : `must be an http:// or https:// etcd client URL like https://10.0.0.101:2379 (got ${shown(v)})`;
}

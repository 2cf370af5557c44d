/** Small checks of single answer values. Each returns a reason (for "--flag: reason") or undefined. */
import { looksLikeKeyLine, sshKeyProblem } from './ssh-key.js';
import { networkSpecialUse, parseCidr, parseIPv4, specialUse } from '../net/ipv4.js';
import { firstUnsafe, quote } from '../io/quote.js';
import {
  MAX_CLIENT_URL,
  MAX_CLUSTER_NAME,
  MAX_NAME_PREFIX,
  MAX_DISCOVERY_URL,
  MAX_DNS_NAME,
  MAX_INITIAL_CLUSTER,
  MAX_INTERFACE,
  MAX_PATH,
  MAX_IMAGE_REPO,
  MAX_UPDATE_SERVER,
} from './limits.js';
import * as P from './patterns.js';

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

export function clusterName(v: string): string | undefined {
  return P.CLUSTER_NAME.test(v) ? undefined : `must be 1 to ${MAX_CLUSTER_NAME} lowercase letters, digits and dashes, starting and ending with a letter or digit (got ${show(v)})`;
}

export function namePrefix(v: string): string | undefined {
  return P.NAME_PREFIX.test(v) ? undefined : `must be up to ${MAX_NAME_PREFIX} lowercase letters, digits and dashes, starting with a letter or digit (got ${show(v)})`;
}

export function dnsName(v: string): string | undefined {
  return v.length <= MAX_DNS_NAME && P.DNS_NAME.test(v) ? undefined : `${show(v)} is not a DNS domain name like example.com`;
}

export function etcdVersion(v: string): string | undefined {
  return P.ETCD_VERSION.test(v) ? undefined : `must be an etcd v3 release tag like v3.5.16 (got ${show(v)})`;
}

/** The minor version of a `v3.N.M` tag. */
export const etcdMinor = (v: string): number => Number(v.split('.')[1]);

export function token(v: string): string | undefined {
  return P.TOKEN.test(v) ? undefined : `must be up to 64 letters, digits, dots, dashes and underscores (got ${show(v)})`;
}

export function discoveryUrl(v: string): string | undefined {
  const bad = `must be an http:// or https:// etcd discovery URL (got ${show(v)})`;
  if (CONTROL.test(v) || !P.DISCOVERY_URL.test(v)) return bad;
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
  return v.length <= MAX_INTERFACE && P.INTERFACE.test(v)
    ? undefined
    : `must be an interface name or a space-separated list of name globs, like eth0 or "en* eth*" (got ${show(v)})`;
}

export function macPrefix(v: string): string | undefined {
  if (!P.MAC_PREFIX.test(v)) {
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

/** An OpenSSH public key line, checked down to its decoded key data (src/answers/ssh-key.ts). */
export function sshKey(v: string): string | undefined {
  if (CONTROL.test(v)) return `an SSH key is one line without control characters (got ${show(v)}; the first is ${firstUnsafe(v)})`;
  const notKey = `${show(v)} is not an OpenSSH public key line like "ssh-ed25519 AAAA... you@host"`;
  // Text with no key type in it is no key: shown (quoted) so the person sees what was taken. A line
  // that names a key type is checked down to its decoded data (ssh-key.ts), and never repeated.
  if (!looksLikeKeyLine(v)) return notKey;
  return sshKeyProblem(v) ?? (P.SSH_KEY_LINE.test(v) ? undefined : notKey);
}

export function updateGroup(v: string): string | undefined {
  return P.UPDATE_GROUP.test(v) ? undefined : `must be an update group such as stable, beta, alpha or lts, or your update server's group id (got ${show(v)})`;
}

export function windowStart(v: string): string | undefined {
  return P.WINDOW_START.test(v) ? undefined : `must be a time like 04:00 or a weekday and time like "Thu 04:00" (got ${show(v)})`;
}

export function windowLength(v: string): string | undefined {
  return P.WINDOW_LENGTH.test(v) && /[1-9]/.test(v) ? undefined : `must be a duration like 1h or 1h30m, at most 9999 of each unit (got ${show(v)})`;
}

export function initialCluster(v: string): string | undefined {
  if (Buffer.byteLength(v) > MAX_INITIAL_CLUSTER) return `must be at most ${MAX_INITIAL_CLUSTER} bytes (got ${Buffer.byteLength(v)})`;
  return P.INITIAL_CLUSTER.test(v) && !CONTROL.test(v) && !/["'\\]/.test(v) ? undefined : `must be name=peerURL,... like etcd-1=https://10.0.0.101:2380 (got ${shown(v)})`;
}

export function clientUrl(v: string): string | undefined {
  if (Buffer.byteLength(v) > MAX_CLIENT_URL) return `must be at most ${MAX_CLIENT_URL} bytes (got ${Buffer.byteLength(v)})`;
  return P.CLIENT_URL.test(v) && !CONTROL.test(v) && !/["'\\]/.test(v)
    ? undefined
    : `must be an http:// or https:// etcd client URL like https://10.0.0.101:2379 (got ${shown(v)})`;
}

/** A directory or file name given in answers (templates): not empty, one line, at most MAX_PATH characters. */
export function path(v: string): string | undefined {
  if (v === '' || CONTROL.test(v)) return `${show(v)} is not a directory name`;
  return v.length > MAX_PATH ? `must be at most ${MAX_PATH} characters (got ${v.length})` : undefined;
}

/** An image repository without tag or digest (the tag is the etcd version). */
export function imageRepo(v: string): string | undefined {
  if (/[@]/.test(v) || /:[^/]*$/.test(v.replace(/^[^/]*:\d{1,5}\//, ''))) return `must be an image repository without a tag or digest: the tag is --etcd-version (got ${show(v)})`;
  return v.length <= MAX_IMAGE_REPO && P.IMAGE_REPO.test(v)
    ? undefined
    : `must be an image repository like registry.example.com:5000/coreos/etcd (lowercase, no tag; got ${show(v)})`;
}

/** An NTP server: a host name or IPv4 address. */
export function ntpServer(v: string): string | undefined {
  return v.length <= MAX_DNS_NAME && P.DNS_NAME.test(v) ? undefined : `must be an NTP server's host name or IPv4 address like ntp.example.com (got ${show(v)})`;
}

/** update.conf SERVER=: an http(s) URL or "disabled". */
export function updateServer(v: string): string | undefined {
  const bad = `must be your update server's http:// or https:// URL, or disabled (got ${show(v)})`;
  if (v === 'disabled') return undefined;
  if (CONTROL.test(v) || /[\s"'\\]/.test(v) || v.length > MAX_UPDATE_SERVER) return bad;
  try {
    const url = new URL(v);
    return url.protocol === 'http:' || url.protocol === 'https:' ? undefined : bad;
  } catch {
    return bad;
  }
}

/**
 * The shapes of answer values, once: the published JSON Schema (definition.ts, via sourceOf), the
 * checks of flags and the wizard (checks.ts), pins, etcdMembership and the PKI's names all use these.
 * Plain ASCII, anchored, no flags, so each means the same as a JavaScript RegExp and as a JSON Schema
 * `pattern`.
 */

import { MAX_CLUSTER_NAME, MAX_NAME_PREFIX } from './limits.js';

const SOURCES = new Map<RegExp, string>();
function pattern(source: string): RegExp {
  const re = new RegExp(source);
  SOURCES.set(re, source);
  return re;
}

/** A pattern as written here, for a JSON Schema `pattern` (RegExp.source would escape every `/`). */
export const sourceOf = (re: RegExp): string => SOURCES.get(re) ?? re.source;

const OCTET = '(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])';
/** One DNS label, letters of either case (a search domain's label). */
const DNS_LABEL = '[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
const INTERFACE_WORD = '[A-Za-z0-9_.:*?!\\[\\]-]+';

/** A machine's host name: one DNS label, lowercase (1 to 63 letters, digits and dashes). */
export const HOST_NAME = pattern('^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$');
/** A cluster name: 1 to MAX_CLUSTER_NAME lowercase letters, digits and dashes, starting and ending with a letter or digit. */
export const CLUSTER_NAME = pattern(`^[a-z0-9]([a-z0-9-]{0,${MAX_CLUSTER_NAME - 2}}[a-z0-9])?$`);
/** A machine-name prefix: up to MAX_NAME_PREFIX lowercase letters, digits and dashes, starting with a letter or digit. */
export const NAME_PREFIX = pattern(`^([a-z0-9][a-z0-9-]{0,${MAX_NAME_PREFIX - 1}})?$`);
/** A MAC address, six octets. */
export const MAC = pattern('^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}$');
/** The first 2 to 5 octets of a MAC address. */
export const MAC_PREFIX = pattern('^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){1,4}$');
/** An etcd initial-cluster token and an update group: up to 64 letters, digits, dots, dashes and underscores. */
export const TOKEN = pattern('^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$');
/** An update group id (the same shape as a token). */
export const UPDATE_GROUP = TOKEN;
/** Start of a reboot window: `04:00` or `Thu 04:00`. */
export const WINDOW_START = pattern('^((Mon|Tue|Wed|Thu|Fri|Sat|Sun) )?([01]?[0-9]|2[0-3]):[0-5][0-9]$');
/**
 * Length of a reboot window: `1h`, `1h30m`, `90s` (not empty). At most 4 digits a unit, so that
 * locksmith's Go duration never overflows (20 digits of hours were accepted, then refused on the machine).
 */
export const WINDOW_LENGTH = pattern('^(?=.)([0-9]{1,4}h)?([0-9]{1,4}m)?([0-9]{1,4}s)?$');
/** An etcd v3 release tag like v3.5.16 (at most 3 digits a part: the tag goes into unit lines of at most 2048 bytes). */
export const ETCD_VERSION = pattern('^v3\\.[0-9]{1,3}\\.[0-9]{1,3}$');
/** An IPv4 address, dotted quad without leading zeros. */
export const IPV4 = pattern(`^${OCTET}\\.${OCTET}\\.${OCTET}\\.${OCTET}$`);
/** An IPv4 network `a.b.c.d/p`. */
export const CIDR = pattern(`^${OCTET}\\.${OCTET}\\.${OCTET}\\.${OCTET}/([0-9]|[12][0-9]|3[0-2])$`);
/** A DNS domain name like example.com (length is a limit, limits.ts). */
export const DNS_NAME = pattern(`^${DNS_LABEL}(\\.${DNS_LABEL})*$`);
/** systemd-networkd [Match] Name=: an interface name or space-separated globs. */
export const INTERFACE = pattern(`^${INTERFACE_WORD}( ${INTERFACE_WORD})*$`);
/** An http(s) etcd discovery URL without spaces, quotes or backslashes. */
export const DISCOVERY_URL = pattern('^https?://[^\\s"\'\\\\]+$');
/** One OpenSSH public key line. */
export const SSH_KEY_LINE = pattern(
  '^(ssh-(ed25519|rsa)|ecdsa-sha2-nistp(256|384|521)|sk-ssh-ed25519@openssh\\.com|sk-ecdsa-sha2-nistp256@openssh\\.com) [A-Za-z0-9+/]+={0,3}( [^\\n\\r]*)?$',
);
/** update.conf SERVER=: disabled, or an http(s) URL without spaces, quotes or backslashes. */
export const UPDATE_SERVER = pattern('^(disabled|https?://[^\\s"\'\\\\]+)$');
/** ETCD_INITIAL_CLUSTER as `name=peerURL,...`. */
export const INITIAL_CLUSTER = pattern('^[a-z0-9-]+=https?://[^\\s,=]+(,[a-z0-9-]+=https?://[^\\s,=]+)*$');
/** An etcd client URL. */
export const CLIENT_URL = pattern('^https?://[^\\s,]+$');
/** An image repository without tag or digest: `[registry[:port]/]path`, lowercase (the tag is the etcd version). */
export const IMAGE_REPO = pattern('^[a-z0-9]([a-z0-9._-]*[a-z0-9])?(:[0-9]{1,5})?(/[a-z0-9]([a-z0-9._-]*[a-z0-9])?)*$');

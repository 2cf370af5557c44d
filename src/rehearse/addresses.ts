/**
 * Addresses inside flag values: find the hosts in URL lists (`http://10.0.0.101:2379,...`,
 * `name=http://...` as in ETCD_INITIAL_CLUSTER, bare `host:port`) and rewrite them, leaving every
 * other character exactly as generated. Loopback addresses are handed out in order. Pure.
 */

export type HostKind = 'wildcard' | 'loopback' | 'other';

export function hostKind(host: string): HostKind {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === '' || h === '0.0.0.0' || h === '::') return 'wildcard';
  if (h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h)) return 'loopback';
  return 'other';
}

export const isLoopbackIPv4 = (host: string): boolean => /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.test(host) && host.split('.').every((p) => Number(p) <= 255);

interface Parts {
  before: string;
  host: string;
  after: string;
}

const URL_ITEM = /^([a-z][a-z0-9+.-]*:\/\/(?:[^@/]*@)?)(\[[^\]]*\]|[^:/?#]*)(.*)$/is;
const BARE_ITEM = /^()(\[[^\]]*\]|[A-Za-z0-9.-]+)(:\d+)$/;

/** The host inside one list item: a URL, `name=URL`, or (when `bare`) `host:port`. */
function parts(item: string, bare: boolean): Parts | null {
  const named = /^([^=:/]+=)(.*)$/s.exec(item);
  const prefix = named && URL_ITEM.test(named[2]!) ? named[1]! : '';
  const rest = item.slice(prefix.length);
  const m = URL_ITEM.exec(rest) ?? (bare ? BARE_ITEM.exec(rest) : null);
  return m ? { before: prefix + m[1]!, host: m[2]!, after: m[3]! } : null;
}

/** Every host in a comma-separated list of URLs (or `host:port` when `bare`). */
export function hostsIn(value: string, bare = false): string[] {
  return value
    .split(',')
    .map((item) => parts(item.trim(), bare)?.host)
    .filter((h): h is string => h !== undefined);
}

/** A host and its port (`null` when the item names none) as written in a URL or `host:port`. */
export interface Endpoint {
  host: string;
  port: string | null;
}

const splitPort = (after: string): { port: string | null; rest: string } => {
  const m = /^:(\d+)(.*)$/s.exec(after);
  return m ? { port: m[1]!, rest: m[2]! } : { port: null, rest: after };
};

/** Every host with its port in a comma-separated list of URLs (or `host:port` when `bare`). */
export function endpointsIn(value: string, bare = false): Endpoint[] {
  return value
    .split(',')
    .map((item) => parts(item.trim(), bare))
    .filter((p): p is Parts => p !== null)
    .map((p) => ({ host: p.host, port: splitPort(p.after).port }));
}

/**
 * The list with each host and port replaced by `map(host, port)`; items without a host are kept
 * as they are, and so is every other character (scheme, path, `name=`).
 */
export function rewriteEndpoints(value: string, map: (host: string, port: string | null) => Endpoint, bare = false): string {
  return value
    .split(',')
    .map((item) => {
      const p = parts(item, bare);
      if (!p) return item;
      const { port, rest } = splitPort(p.after);
      const to = map(p.host, port);
      return p.before + to.host + (to.port === null ? '' : `:${to.port}`) + rest;
    })
    .join(',');
}

/** Hands out consecutive IPv4 loopback addresses starting at `first` (for example 127.0.0.11). */
export class LoopbackPool {
  private next: number;

  constructor(first: string) {
    if (!isLoopbackIPv4(first)) throw new Error(`${first} is not an IPv4 loopback address (127.0.0.0/8)`);
    this.next = first.split('.').reduce((n, p) => n * 256 + Number(p), 0);
  }

  take(): string {
    for (;;) {
      const n = this.next++;
      if (n >>> 24 !== 127) throw new Error('no loopback addresses left in 127.0.0.0/8');
      if ((n & 255) !== 0 && (n & 255) !== 255) return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
    }
  }
}

/** Non-loopback IPv4 literals and URL hosts left in a text: nothing may escape 127.0.0.0/8. */
export function outsideLoopback(value: string): string[] {
  const found = new Set<string>();
  for (const ip of value.match(/\b\d{1,3}(?:\.\d{1,3}){3}\b/g) ?? []) if (!isLoopbackIPv4(ip)) found.add(ip);
  for (const host of hostsIn(value)) if (!isLoopbackIPv4(host)) found.add(host);
  return [...found];
}

/**
 * TLS settings that cannot work, found before anything starts: https URLs without the certificate
 * and key to serve them, a proxy that cannot verify or authenticate to https members, and server
 * or peer certificates that do not name the host the rehearsal dials their member at. Pure.
 */
import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { hostsIn } from './addresses.js';
import type { MachineReading, PlannedProcess } from './types.js';

const isHttps = (urls: string | undefined) => (urls ?? '').split(',').some((u) => u.trim().toLowerCase().startsWith('https://'));

const URL_VARS = ['ETCD_LISTEN_CLIENT_URLS', 'ETCD_ADVERTISE_CLIENT_URLS', 'ETCD_LISTEN_PEER_URLS', 'ETCD_INITIAL_ADVERTISE_PEER_URLS'];

/** Whether a member serves (client or peer) https: the rehearsal then runs in the `ports` layout. */
export function servesHttps(env: Record<string, string>): boolean {
  return URL_VARS.some((k) => isHttps(env[k]));
}

function memberProblems(r: MachineReading): string[] {
  const env = r.member!.env;
  const out: string[] = [];
  const needs = (what: string, urls: string[], cert: string, key: string, auto: string) => {
    if (!urls.some((k) => isHttps(env[k])) || env[auto] === 'true') return;
    const missing = [cert, key].filter((k) => !env[k]);
    if (missing.length) out.push(`${r.machine}: https ${what} URLs but no ${missing.join(' or ')}: etcd cannot serve them`);
  };
  needs('client', ['ETCD_LISTEN_CLIENT_URLS', 'ETCD_ADVERTISE_CLIENT_URLS'], 'ETCD_CERT_FILE', 'ETCD_KEY_FILE', 'ETCD_AUTO_TLS');
  needs('peer', ['ETCD_LISTEN_PEER_URLS', 'ETCD_INITIAL_ADVERTISE_PEER_URLS'], 'ETCD_PEER_CERT_FILE', 'ETCD_PEER_KEY_FILE', 'ETCD_PEER_AUTO_TLS');
  return out;
}

function proxyProblems(r: MachineReading, clientCertAuth: boolean): string[] {
  const out: string[] = [];
  for (const p of r.proxies) {
    const flag = (name: string) => p.args.some((a) => a === `--${name}` || a.startsWith(`--${name}=`));
    const endpoints = p.args.find((a) => a.startsWith('--endpoints'))?.replace(/^--endpoints=?/, '') ?? p.args[p.args.indexOf('--endpoints') + 1];
    if (!isHttps(endpoints)) continue;
    if (!flag('cacert') && !flag('insecure-skip-tls-verify')) out.push(`${r.machine}: grpc-proxy reaches https members without --cacert: it cannot verify their certificates`);
    if (clientCertAuth && !(flag('cert') && flag('key')))
      out.push(`${r.machine}: the members require client certificates (ETCD_CLIENT_CERT_AUTH) but grpc-proxy gives no --cert and --key`);
  }
  return out;
}

export function tlsProblems(readings: MachineReading[]): string[] {
  const members = readings.filter((r) => r.member);
  const clientCertAuth = members.some((r) => r.member!.env.ETCD_CLIENT_CERT_AUTH === 'true');
  return [...members.flatMap(memberProblems), ...readings.flatMap((r) => proxyProblems(r, clientCertAuth))];
}

/** The DNS names among a certificate's subject alternative names. */
const dnsNames = (cert: X509Certificate): string[] => [...(cert.subjectAltName ?? '').matchAll(/DNS:([^,\s]+)/g)].map((m) => m[1]!);

/**
 * The certificate a member serves on `urlVar` must name every host clients dial there, as mapped
 * for the rehearsal (127.0.0.1 in the `ports` layout): clients and peers verify it. For the peer
 * certificate, `resolve` (the `lan` layout: host names to the machines' addresses) lets a name that
 * resolves to the address count too: etcd checks a peer's certificate against its source address
 * by resolving the names it carries.
 */
function sanProblem(m: PlannedProcess, certVar: string, urlVar: string, resolve?: (name: string) => string | undefined): string | null {
  const hosts = [
    ...new Set(
      hostsIn(
        (m.env[urlVar] ?? '')
          .split(',')
          .filter((u) => /^https:\/\//i.test(u.trim()))
          .join(','),
      ),
    ),
  ];
  const file = m.files.find((f) => f.path === m.env[certVar]);
  if (!hosts.length || !file) return null;
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(file.contents);
  } catch {
    return null; // not a certificate: etcd says so when it starts
  }
  const bare = (h: string) => h.replace(/^\[|\]$/g, '');
  const viaName = (ip: string) => resolve !== undefined && dnsNames(cert).some((n) => resolve(n.toLowerCase()) === ip);
  const missing = hosts.filter((h) => (isIP(bare(h)) ? !cert.checkIP(bare(h)) && !viaName(bare(h)) : !cert.checkHost(h)));
  if (!missing.length) return null;
  return `${m.machine}: its ${certVar} names ${cert.subjectAltName ?? 'no address'}, not ${missing.join(', ')}, where the rehearsal reaches it: TLS would fail verification here`;
}

/** Members whose server or peer certificate does not cover the host the rehearsal dials them at. */
export function sanProblems(members: PlannedProcess[], resolve?: (name: string) => string | undefined): string[] {
  return members.flatMap((m) =>
    [sanProblem(m, 'ETCD_CERT_FILE', 'ETCD_ADVERTISE_CLIENT_URLS'), sanProblem(m, 'ETCD_PEER_CERT_FILE', 'ETCD_INITIAL_ADVERTISE_PEER_URLS', resolve)].filter(
      (p): p is string => p !== null,
    ),
  );
}

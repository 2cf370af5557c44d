/**
 * TLS settings that cannot work, found before anything starts: https URLs without the certificate
 * and key to serve them, a proxy that cannot verify or authenticate to https members, and server
 * certificates that do not name the loopback address the rehearsal gives their member. Pure.
 */
import { X509Certificate } from 'node:crypto';
import type { MachineReading, PlannedProcess } from './types.js';

const isHttps = (urls: string | undefined) => (urls ?? '').split(',').some((u) => u.trim().toLowerCase().startsWith('https://'));

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
    if (clientCertAuth && !(flag('cert') && flag('key'))) out.push(`${r.machine}: the members require client certificates (ETCD_CLIENT_CERT_AUTH) but grpc-proxy gives no --cert and --key`);
  }
  return out;
}

export function tlsProblems(readings: MachineReading[]): string[] {
  const members = readings.filter((r) => r.member);
  const clientCertAuth = members.some((r) => r.member!.env.ETCD_CLIENT_CERT_AUTH === 'true');
  return [...members.flatMap(memberProblems), ...readings.flatMap((r) => proxyProblems(r, clientCertAuth))];
}

/** The certificate a member serves on `urlVar` must name the address clients dial there. */
function sanProblem(m: PlannedProcess, certVar: string, urlVar: string): string | null {
  const url = (m.env[urlVar] ?? '').split(',')[0]!;
  const host = /^https:\/\/([^/:]+)/i.exec(url)?.[1];
  const file = m.files.find((f) => f.path === m.env[certVar]);
  if (!host || !file) return null;
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(file.contents);
  } catch {
    return null; // not a certificate: etcd says so when it starts
  }
  if (cert.checkIP(host)) return null;
  return `${m.machine}: its ${certVar} names ${cert.subjectAltName ?? 'no address'}, not ${host}, the loopback address the rehearsal runs it on: TLS would fail verification here`;
}

/** Members whose server or peer certificate does not cover their rehearsal address. */
export function sanProblems(members: PlannedProcess[]): string[] {
  return members.flatMap((m) =>
    [sanProblem(m, 'ETCD_CERT_FILE', 'ETCD_ADVERTISE_CLIENT_URLS'), sanProblem(m, 'ETCD_PEER_CERT_FILE', 'ETCD_INITIAL_ADVERTISE_PEER_URLS')].filter(
      (p): p is string => p !== null,
    ),
  );
}

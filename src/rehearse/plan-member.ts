/**
 * One etcd member's process: the generated ETCD_* environment with addresses (and, in the `ports`
 * layout, ports) mapped to loopback,
 * the data dir in the work dir, certificate paths pointing at files written for the rehearsal,
 * and wrapper-only variables dropped. Every other variable is passed exactly as generated. Pure.
 */
import { endpointsIn, hostKind, hostsIn, rewriteEndpoints } from './addresses.js';
import { materialise, type PlanContext, type Self } from './plan-context.js';
import { splitWords } from './systemd.js';
import type { MachineReading, MemberReading, PlannedFile, PlannedProcess } from './types.js';

/** Variables Flatcar's etcd-wrapper uses itself (image, user, mounts); etcd never sees them. */
export const WRAPPER_ONLY = ['ETCD_IMAGE', 'ETCD_IMAGE_URL', 'ETCD_IMAGE_TAG', 'ETCD_IMAGE_ARGS', 'ETCD_SSL_DIR', 'ETCD_USER'];
/** Variables a member of a multi-machine cluster needs, and what happens without them. */
const LOCAL_ONLY = "etcd's default is localhost only";
export const REQUIRED: Record<string, string> = {
  ETCD_NAME: "the unit's default is the machine id, which no initial cluster can name",
  ETCD_LISTEN_PEER_URLS: LOCAL_ONLY,
  ETCD_LISTEN_CLIENT_URLS: LOCAL_ONLY,
  ETCD_INITIAL_ADVERTISE_PEER_URLS: LOCAL_ONLY,
  ETCD_ADVERTISE_CLIENT_URLS: LOCAL_ONLY,
};
export const LISTEN_VARS = ['ETCD_LISTEN_PEER_URLS', 'ETCD_LISTEN_CLIENT_URLS', 'ETCD_LISTEN_METRICS_URLS'];
export const DISCOVERY_VARS = ['ETCD_DISCOVERY', 'ETCD_DISCOVERY_SRV', 'ETCD_DISCOVERY_SRV_NAME', 'ETCD_DISCOVERY_PROXY', 'ETCD_DISCOVERY_FALLBACK'];

/** The hosts that name this member: its advertised and listen addresses and its initial-cluster entry. */
export function memberHosts(env: Record<string, string>): string[] {
  const urls = ['ETCD_INITIAL_ADVERTISE_PEER_URLS', 'ETCD_ADVERTISE_CLIENT_URLS', 'ETCD_LISTEN_PEER_URLS', 'ETCD_LISTEN_CLIENT_URLS'].map((k) => env[k] ?? '').join(',');
  const own = (env.ETCD_INITIAL_CLUSTER ?? '')
    .split(',')
    .filter((entry) => entry.split('=')[0] === env.ETCD_NAME)
    .join(',');
  return [...new Set([...hostsIn(urls), ...hostsIn(own)])].filter((h) => hostKind(h) === 'other');
}

/** The ports this member serves on its own address (or 0.0.0.0): client ports first, then peer ports. */
export function memberPorts(env: Record<string, string>): string[] {
  const urls = ['ETCD_ADVERTISE_CLIENT_URLS', 'ETCD_LISTEN_CLIENT_URLS', 'ETCD_INITIAL_ADVERTISE_PEER_URLS', 'ETCD_LISTEN_PEER_URLS'].map((k) => env[k] ?? '').join(',');
  const ports = endpointsIn(urls)
    .filter((e) => hostKind(e.host) !== 'loopback')
    .map((e) => e.port)
    .filter((p): p is string => p !== null);
  return [...new Set(ports)];
}

/** `host:port` of each URL with a port (what a process binds). */
export function listenAddresses(urls: string): string[] {
  return urls
    .split(',')
    .map((u) => /^[a-z][a-z0-9+.-]*:\/\/([^/]+:\d+)/i.exec(u.trim())?.[1])
    .filter((a): a is string => a !== undefined);
}

export function planMember(reading: MachineReading, member: MemberReading, ctx: PlanContext): PlannedProcess {
  const { machine } = reading;
  const self: Self = { machine };
  const home = `${ctx.workDir}/${machine}`;
  const map = (value: string) => rewriteEndpoints(value, (host, port) => ctx.book.endpoint(host, port, self));
  const env: Record<string, string> = {};
  const args: string[] = [];
  const files: PlannedFile[] = [];
  const dirs = [`${home}/data`];
  for (const [name, why] of Object.entries(REQUIRED)) {
    if (!member.env[name]) ctx.problems.push(`${machine}: ${member.unit} sets no ${name} (${why})`);
  }
  if (!member.env.ETCD_INITIAL_CLUSTER && !DISCOVERY_VARS.some((k) => member.env[k])) {
    ctx.problems.push(`${machine}: ${member.unit} sets neither ETCD_INITIAL_CLUSTER nor ETCD_DISCOVERY: the member cannot find the others`);
  }
  for (const [name, value] of Object.entries(member.env)) {
    if (WRAPPER_ONLY.includes(name)) {
      ctx.notes.add(`${name} dropped: the etcd-wrapper's own setting, not etcd's`);
    } else if (DISCOVERY_VARS.includes(name)) {
      ctx.notes.add(`${name} replaced by a static ETCD_INITIAL_CLUSTER of the members found: the rehearsal runs offline`);
    } else if (name === 'ETCD_DATA_DIR') {
      // Passed as a flag so that the process's command line names the rehearsal's work dir.
      args.push('--data-dir', `${home}/data`);
    } else if (name === 'ETCD_WAL_DIR') {
      env[name] = `${home}/wal`;
      dirs.push(`${home}/wal`);
    } else if (name === 'ETCD_OPTS') {
      args.push(...splitWords(value).map(map));
      ctx.notes.add('ETCD_OPTS passed as etcd arguments, as the etcd-wrapper does');
    } else if (name.endsWith('_FILE') && value !== '') {
      const got = materialise(value, member.mounts, reading.files, home);
      if ('error' in got) ctx.problems.push(`${machine}: ${name}=${value}: ${got.error}`);
      else {
        files.push(got.file);
        env[name] = got.file.path;
      }
    } else {
      env[name] = map(value);
    }
  }
  if (!args.includes('--data-dir')) args.push('--data-dir', `${home}/data`);
  // Without client URLs etcd serves localhost:2379 (a problem above: no one else could reach it).
  const clientUrl = (env.ETCD_ADVERTISE_CLIENT_URLS || env.ETCD_LISTEN_CLIENT_URLS || map('http://localhost:2379')).split(',')[0]!.trim();
  return {
    kind: 'member',
    machine,
    name: member.env.ETCD_NAME ?? machine,
    clientUrl,
    listens: LISTEN_VARS.flatMap((k) => listenAddresses(env[k] ?? '')),
    args,
    env,
    dirs,
    files,
    home,
  };
}

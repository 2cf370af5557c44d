/**
 * The `lan` layout: the cluster as a LAN on this host. One network namespace per machine (its own
 * loopback, so each worker's proxy has its own 127.0.0.1:2379), a veth pair from each to one
 * bridge that lives in a namespace of its own (never the host's), and the machine's planned
 * address from its generated systemd-networkd file. Machines without a static address (DHCP
 * clusters) get a lease-like address of the LAN; host names resolve through the LAN's hosts file
 * (in the work dir), bind-mounted over /etc/hosts in a private mount namespace for every process
 * run on a machine (`nsenter --net` + `unshare --mount`). An operator namespace on the same bridge (at the gateway's address
 * when the networkd files name one) is where the harness's own etcdctl calls come from.
 *
 * Nothing is reachable from or leaks into the host's network: no address is added in the host's
 * namespace, no route, no NAT. Everything is named with one prefix (`fa-<pid>-`), torn down by
 * `down()`, and by a detached watchdog should this process die without cleaning up.
 */
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { isIPv4 } from 'node:net';
import { findOnPath } from './binaries.js';
import type { MachineReading } from './types.js';

/** Where `ip netns add` pins the namespaces it makes. */
export const NETNS_RUN = '/run/netns';
/**
 * Runs "$@" with the hosts file $0 bind-mounted over /etc/hosts: inside a mount namespace of its
 * own (`unshare --mount`), so nothing changes for the host or the other machines.
 */
const WITH_HOSTS = 'mount --bind "$0" /etc/hosts && exec "$@"';
/** The LAN a DHCP cluster gets (no networkd file names one): private, and only inside the namespaces. */
export const DHCP_SUBNET = '10.77.0.0/24';
const SYSTEM_PATH = ['/usr/sbin', '/sbin', '/usr/bin', '/bin'].join(':');

export interface LanHost {
  machine: string;
  /** Its host name (from /etc/hostname, else the machine's name). */
  hostname: string;
  netns: string;
  address: string;
  /** How it got the address: its networkd file, its advertised address, or a lease of the LAN. */
  source: 'networkd' | 'advertised' | 'lease' | 'gateway';
  /** The bridge's end of its veth pair (in the bridge's namespace). */
  veth: string;
}

export interface LanPlan {
  /** Every namespace's name starts with it (`fa-<pid>-`). */
  prefix: string;
  bridgeNs: string;
  /** The harness's own namespace on the LAN. */
  operator: LanHost;
  hosts: LanHost[];
  /** `10.0.0.0/24` */
  subnet: string;
  prefixLength: number;
  /** Whether the machines' addresses are leases (no machine has a static one). */
  dhcp: boolean;
  hostsFile: string;
}

const toInt = (ip: string): number => ip.split('.').reduce((n, p) => n * 256 + Number(p), 0) >>> 0;
const toIp = (n: number): string => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
const maskOf = (len: number): number => (len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0);

/** The host part of the first advertised URL when it is an IPv4 address. */
function advertisedIp(r: MachineReading): string | undefined {
  const url = (r.member?.env.ETCD_INITIAL_ADVERTISE_PEER_URLS ?? r.member?.env.ETCD_ADVERTISE_CLIENT_URLS ?? '').split(',')[0] ?? '';
  const host = /^[a-z]+:\/\/([^/:]+)/i.exec(url.trim())?.[1];
  return host && isIPv4(host) ? host : undefined;
}

/**
 * Where each machine sits on the LAN. Static addresses come from the networkd files (a member
 * without one: its advertised address); all must share one subnet. Problems: a member advertising
 * another address than its networkd file gives it, two machines with one address, machines on
 * different subnets.
 */
export function planLan(readings: MachineReading[], machines: string[], prefix: string, problems: string[], notes: Set<string>): LanPlan {
  const chosen = readings.filter((r) => machines.includes(r.machine));
  const fixed = new Map<string, { address: string; length: number; source: LanHost['source']; gateway?: string }>();
  for (const r of chosen) {
    const adv = advertisedIp(r);
    if (r.network) {
      if (adv && adv !== r.network.address)
        problems.push(`${r.machine}: etcd advertises ${adv} but ${r.network.file} gives the machine ${r.network.address}: the other members could not reach it`);
      fixed.set(r.machine, { address: r.network.address, length: r.network.prefix, source: 'networkd', ...(r.network.gateway ? { gateway: r.network.gateway } : {}) });
    } else if (adv) {
      fixed.set(r.machine, { address: adv, length: 24, source: 'advertised' });
    }
  }
  const first = [...fixed.values()][0];
  const [subnetIp, subnetLen] = first
    ? [toIp(toInt(first.address) & maskOf(first.length)), first.length]
    : (DHCP_SUBNET.split('/').map((x, i) => (i ? Number(x) : x)) as [string, number]);
  const net = toInt(subnetIp as string);
  const mask = maskOf(subnetLen as number);
  for (const [machine, f] of fixed) {
    if ((toInt(f.address) & mask) >>> 0 !== net) problems.push(`${machine}: ${f.address} is outside the cluster's network ${subnetIp}/${subnetLen}`);
  }
  const taken = new Map<string, string>();
  for (const [machine, f] of fixed) {
    const other = taken.get(f.address);
    if (other) problems.push(`${f.address} is the address of both ${other} and ${machine}`);
    taken.set(f.address, machine);
  }
  // Leases count down from the top of the network, as a DHCP pool would hand them out.
  let next = (net | (~mask >>> 0)) - 1;
  const lease = (): string => {
    while (taken.has(toIp(next >>> 0)) && next > net) next--;
    if (next <= net) {
      problems.push(`no address left in ${subnetIp}/${subnetLen} for the rehearsal's machines`);
      return toIp(net);
    }
    const ip = toIp(next >>> 0);
    taken.set(ip, '');
    next--;
    return ip;
  };
  const gateway = [...fixed.values()].find((f) => f.gateway && isIPv4(f.gateway))?.gateway;
  const gatewayFree = gateway !== undefined && !taken.has(gateway) && (toInt(gateway) & mask) >>> 0 === net;
  if (gatewayFree) taken.set(gateway, 'operator');
  const hosts: LanHost[] = chosen.map((r, i) => {
    const f = fixed.get(r.machine);
    return {
      machine: r.machine,
      hostname: r.hostname ?? r.machine,
      netns: `${prefix}${r.machine}`,
      address: f ? f.address : lease(),
      source: f ? f.source : 'lease',
      veth: `v${i}`,
    };
  });
  const operator: LanHost = {
    machine: 'operator',
    hostname: 'rehearsal-operator',
    netns: `${prefix}-operator`,
    address: gatewayFree ? gateway! : lease(),
    source: gatewayFree ? 'gateway' : 'lease',
    veth: 'vop',
  };
  const leased = hosts.filter((h) => h.source === 'lease');
  if (leased.length)
    notes.add(
      `no static address for ${leased.map((h) => h.machine).join(', ')}: each gets one of ${subnetIp}/${subnetLen} as a DHCP lease would, its host name resolving through /etc/hosts in its own mount namespace`,
    );
  const lines = ['127.0.0.1\tlocalhost', '::1\tlocalhost', ...hosts.map((h) => `${h.address}\t${[...new Set([h.hostname, h.machine])].join(' ')}`)];
  return {
    prefix,
    bridgeNs: `${prefix}-lan`,
    operator,
    hosts,
    subnet: `${subnetIp}/${subnetLen}`,
    prefixLength: subnetLen as number,
    dhcp: fixed.size === 0,
    hostsFile: lines.join('\n') + '\n',
  };
}

/** Whether this process may build the LAN, or why not (the loopback layout is used then). */
export function lanSupport(prefix: string): { ok: true } | { ok: false; why: string } {
  if (process.platform !== 'linux') return { ok: false, why: 'network namespaces need Linux' };
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    return {
      ok: false,
      why: 'not root, and `ip netns` needs root (the CLI runs the rehearsal in a user namespace of its own where the kernel allows ordinary users one; here it does not)',
    };
  }
  const path = `${process.env.PATH ?? ''}:${SYSTEM_PATH}`;
  for (const tool of ['ip', 'ss']) if (!findOnPath(tool, path)) return { ok: false, why: `\`${tool}\` not found (apt-get install iproute2)` };
  const probe = `${prefix}-probe`;
  const add = spawnSync('ip', ['netns', 'add', probe], { encoding: 'utf8', timeout: 10_000, env: { ...process.env, PATH: path } });
  spawnSync('ip', ['netns', 'del', probe], { timeout: 10_000, env: { ...process.env, PATH: path } });
  if (add.status !== 0) return { ok: false, why: `the kernel refused a network namespace: ${(add.stderr || add.error?.message || '').trim()}` };
  return { ok: true };
}

/**
 * Tears the LAN down once `parent` is gone: kills what still runs in the namespaces, deletes them
 * (the bridge's namespace takes the veth pairs and the bridge with it).
 */
const TEARDOWN = ['for ns in "$@"; do', '  for p in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done', '  ip netns del "$ns" 2>/dev/null', 'done'].join(
  '\n',
);
const WATCHDOG = ['parent=$1; shift', 'while kill -0 "$parent" 2>/dev/null; do sleep 1; done', TEARDOWN].join('\n');

export class LanNetwork {
  private watchdog: number | undefined;
  private readonly made: string[] = [];
  private readonly env = { ...process.env, PATH: `${process.env.PATH ?? ''}:${SYSTEM_PATH}` };
  /** `ip`, found where root's tools are even when PATH lacks /usr/sbin. */
  private readonly ipBin = findOnPath('ip', this.env.PATH) ?? 'ip';
  private readonly nsenterBin = findOnPath('nsenter', this.env.PATH) ?? 'nsenter';
  private readonly hostsPath: string;

  constructor(
    readonly plan: LanPlan,
    /** Where the hosts file is written (the rehearsal's work dir). */
    dir: string,
  ) {
    this.hostsPath = `${dir}/hosts`;
  }

  /** The words that run a command in namespace `ns`'s network (no mount namespace: ss, nft). */
  private inNet(ns: string, command: string, args: string[]): { command: string; args: string[] } {
    return { command: this.nsenterBin, args: [`--net=${NETNS_RUN}/${ns}`, command, ...args] };
  }

  /** Every namespace, the bridge's first. */
  get namespaces(): string[] {
    return [this.plan.bridgeNs, this.plan.operator.netns, ...this.plan.hosts.map((h) => h.netns)];
  }

  host(machine: string): LanHost {
    const h = this.plan.hosts.find((x) => x.machine === machine);
    if (!h) throw new Error(`${machine} has no place on the rehearsal's LAN`);
    return h;
  }

  /**
   * The words that run a command on `machine` (the operator's place when `null`): in its network
   * namespace, and in a private mount namespace where the LAN's hosts file is /etc/hosts.
   */
  wrap(machine: string | null, command: string, args: string[]): { command: string; args: string[] } {
    const ns = machine === null ? this.plan.operator.netns : this.host(machine).netns;
    return this.inNet(ns, 'unshare', ['--mount', '--propagation', 'private', '/bin/sh', '-c', WITH_HOSTS, this.hostsPath, command, ...args]);
  }

  private ip(...args: string[]): void {
    const r = spawnSync(this.ipBin, args, { encoding: 'utf8', timeout: 10_000, env: this.env });
    if (r.status !== 0) throw new Error(`ip ${args.join(' ')}: ${(r.stderr || r.error?.message || `exit ${r.status}`).trim()}`);
  }

  private addNs(ns: string): void {
    this.ip('netns', 'add', ns);
    this.made.push(ns);
    this.ip('-n', ns, 'link', 'set', 'lo', 'up');
  }

  private attach(h: LanHost): void {
    this.addNs(h.netns);
    this.ip('-n', this.plan.bridgeNs, 'link', 'add', h.veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', h.netns);
    this.ip('-n', this.plan.bridgeNs, 'link', 'set', h.veth, 'master', 'br0', 'up');
    this.ip('-n', h.netns, 'addr', 'add', `${h.address}/${this.plan.prefixLength}`, 'dev', 'eth0');
    this.ip('-n', h.netns, 'link', 'set', 'eth0', 'up');
  }

  /** Starts the watchdog, then builds the bridge and every machine's namespace. Throws on the first failure. */
  up(): void {
    const child = spawn('/bin/sh', ['-c', WATCHDOG, 'flatcar-rehearse-lan', String(process.pid), ...this.namespaces], {
      detached: true,
      stdio: 'ignore',
      env: this.env,
    });
    child.unref();
    this.watchdog = child.pid;
    writeFileSync(this.hostsPath, this.plan.hostsFile, { mode: 0o644 });
    this.addNs(this.plan.bridgeNs);
    this.ip('-n', this.plan.bridgeNs, 'link', 'add', 'br0', 'type', 'bridge');
    this.ip('-n', this.plan.bridgeNs, 'link', 'set', 'br0', 'up');
    for (const h of [this.plan.operator, ...this.plan.hosts]) this.attach(h);
  }

  private cutBy: 'nft' | 'link' | null = null;
  private cutMachines: string[] = [];

  /**
   * Splits the LAN: `side` can still reach each other but nothing else (or, given `from`, only not
   * those machines). With nft, drop rules on the bridge for frames between the side's veths and the
   * others'; without it, the side's veths go down (each of them then alone, cut from everyone).
   * Returns how it was done.
   */
  cut(side: string[], from?: string[]): string {
    this.heal();
    const set = (machines: string[]) => `{ ${machines.map((m) => `"${this.host(m).veth}"`).join(', ')} }`;
    const a = set(side);
    const b = from ? set(from) : `!= ${a}`;
    const rules = `table bridge flatcar_rehearse {\n chain cut {\n  type filter hook forward priority 0; policy accept;\n  iifname ${a} oifname ${b} drop\n  oifname ${a} iifname ${b} drop\n }\n}\n`;
    const run = this.inNet(this.plan.bridgeNs, 'nft', ['-f', '-']);
    const nft = findOnPath('nft', this.env.PATH) ? spawnSync(run.command, run.args, { input: rules, encoding: 'utf8', timeout: 10_000, env: this.env }) : null;
    this.cutMachines = side;
    const veths = (machines: string[]) => machines.map((m) => this.host(m).veth).join(', ');
    if (nft?.status === 0) {
      this.cutBy = 'nft';
      return `drop rules on the bridge between ${veths(side)} and ${from ? veths(from) : 'the other ports'} (nft)`;
    }
    this.cutBy = 'link';
    for (const m of side) this.ip('-n', this.plan.bridgeNs, 'link', 'set', this.host(m).veth, 'down');
    return `the bridge's end of ${side.map((m) => `${m}'s veth`).join(', ')} down${nft ? ` (nft refused: ${nft.stderr.trim().split('\n')[0]})` : ' (no nft)'}`;
  }

  private refusedIn: string | null = null;

  /**
   * `target` refuses TCP connections from `from` to `port` (a reset, as a machine whose etcd is
   * stopped answers: connection refused); everything else still passes. An nft rule in the
   * target's own namespace; returns how it was done, or null when nft is missing or refuses.
   */
  refuse(target: string, from: string, port: number): string | null {
    this.heal();
    if (!findOnPath('nft', this.env.PATH)) return null;
    const source = this.host(from).address;
    const rules = `table inet flatcar_rehearse {\n chain refuse {\n  type filter hook input priority 0; policy accept;\n  ip saddr ${source} tcp dport ${port} reject with tcp reset\n }\n}\n`;
    const ns = this.host(target).netns;
    const nft = spawnSync(this.nsenterBin, [`--net=${NETNS_RUN}/${ns}`, 'nft', '-f', '-'], { input: rules, encoding: 'utf8', timeout: 10_000, env: this.env });
    if (nft.status !== 0) return null;
    this.refusedIn = ns;
    return `${target} answers ${from}'s connections to port ${port} with a reset (nft in ${target}'s namespace): connection refused`;
  }

  /** Undoes `cut` (nothing when the LAN is whole). */
  heal(): void {
    if (this.refusedIn) {
      const r = spawnSync(this.nsenterBin, [`--net=${NETNS_RUN}/${this.refusedIn}`, 'nft', 'delete', 'table', 'inet', 'flatcar_rehearse'], {
        encoding: 'utf8',
        timeout: 10_000,
        env: this.env,
      });
      if (r.status !== 0) throw new Error(`nft delete table: ${(r.stderr || `exit ${r.status}`).trim()}`);
      this.refusedIn = null;
    }
    if (this.cutBy === 'nft') {
      const run = this.inNet(this.plan.bridgeNs, 'nft', ['delete', 'table', 'bridge', 'flatcar_rehearse']);
      const r = spawnSync(run.command, run.args, { encoding: 'utf8', timeout: 10_000, env: this.env });
      if (r.status !== 0) throw new Error(`nft delete table: ${(r.stderr || `exit ${r.status}`).trim()}`);
    }
    if (this.cutBy === 'link') for (const m of this.cutMachines) this.ip('-n', this.plan.bridgeNs, 'link', 'set', this.host(m).veth, 'up');
    this.cutBy = null;
    this.cutMachines = [];
  }

  /** The TCP sockets listening in `machine`'s namespace (`10.0.0.101:2379`), as `ss -ltn` lists them there. */
  listening(machine: string): string[] {
    const run = this.inNet(this.host(machine).netns, 'ss', ['-Hltn']);
    const r = spawnSync(run.command, run.args, { encoding: 'utf8', timeout: 10_000, env: this.env });
    if (r.status !== 0) return [];
    return r.stdout
      .split('\n')
      .map((l) => l.trim().split(/\s+/)[3])
      .filter((a): a is string => Boolean(a));
  }

  /** Everything removed (also what the watchdog would); returns what is still there. */
  down(): string[] {
    spawnSync('/bin/sh', ['-c', TEARDOWN, 'flatcar-rehearse-lan', ...[...this.made].reverse()], { timeout: 30_000, env: this.env });
    if (this.watchdog !== undefined) {
      try {
        process.kill(-this.watchdog, 'SIGKILL');
      } catch {
        // gone
      }
    }
    const listed = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8', timeout: 10_000, env: this.env }).stdout ?? '';
    const names = new Set(listed.split('\n').map((l) => l.split(' ')[0]));
    return this.namespaces.filter((ns) => names.has(ns));
  }
}

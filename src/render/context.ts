/**
 * What a machine's templates see. Every key is always present (null or [] when it does not apply),
 * so that strict Handlebars can tell a template's typo from a value that is simply absent.
 */
import type { EtcdMember, Machine, Plan } from '../plan/index.js';

export const ETCD_DATA_DIR = '/var/lib/etcd';
export const DOCKER_PORT = 2375;
export const PROXY_LISTEN = '127.0.0.1:2379';

export interface MachineContext {
  cluster: { name: string; preset: string };
  machine: { name: string; role: string; address: string | null; addressWithPrefix: string | null; mac: string | null };
  network: {
    static: boolean;
    /** The .network file's path. */
    file: string | null;
    /** [Match] Name= when not matching by MAC. */
    interface: string | null;
    gateway: string | null;
    dns: string[];
    domains: string[];
  };
  ssh: { keys: string[] };
  updates: {
    group: string;
    rebootStrategy: string;
    rebootWindow: { start: string; length: string } | null;
    etcdLock: boolean;
  };
  etcd: {
    version: string;
    image: string;
    dataDir: string;
    /** This machine's own member settings, on etcd machines. */
    self: EtcdMember | null;
    clientEndpoints: string[];
    initialCluster: string;
    discovery: string | null;
    token: string;
    enableV2: boolean;
    proxyListen: string;
  } | null;
  docker: { port: number } | null;
}

function networkFile(match: { interface: string } | { macPrefix: string }): string {
  const simple = 'interface' in match && /^[A-Za-z0-9_.-]+$/.test(match.interface);
  return `/etc/systemd/network/00-${simple ? (match as { interface: string }).interface : 'static'}.network`;
}

export function machineContext(plan: Plan, machine: Machine): MachineContext {
  const { spec, etcd } = plan;
  const net = spec.network;
  return {
    cluster: { name: spec.name, preset: spec.preset },
    machine: {
      name: machine.name,
      role: machine.role,
      address: machine.address,
      addressWithPrefix: machine.address && !net.dhcp ? `${machine.address}/${net.prefixLength}` : null,
      mac: machine.mac,
    },
    network: net.dhcp
      ? { static: false, file: null, interface: null, gateway: null, dns: [], domains: [] }
      : {
          static: true,
          file: networkFile(net.match),
          interface: 'interface' in net.match ? net.match.interface : null,
          gateway: net.gateway,
          dns: net.dns,
          domains: net.domains,
        },
    ssh: { keys: spec.ssh.keys },
    updates: {
      group: spec.updates.group,
      rebootStrategy: spec.updates.rebootStrategy,
      rebootWindow: spec.updates.rebootWindow,
      etcdLock: spec.updates.rebootStrategy === 'etcd-lock',
    },
    etcd: etcd && {
      version: etcd.version,
      image: etcd.image,
      dataDir: ETCD_DATA_DIR,
      self: etcd.members.find((m) => m.name === machine.name) ?? null,
      clientEndpoints: etcd.clientEndpoints,
      initialCluster: etcd.initialCluster,
      discovery: etcd.discovery,
      token: etcd.token,
      enableV2: etcd.enableV2,
      proxyListen: PROXY_LISTEN,
    },
    docker: machine.role === 'laptop' ? { port: DOCKER_PORT } : null,
  };
}

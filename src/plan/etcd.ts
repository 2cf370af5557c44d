/** The etcd layout: members' URLs, the static initial cluster, endpoints for proxies and locksmith. */
import type { ClusterSpec } from '../answers/types.js';
import { faultTolerance } from './names.js';
import type { EtcdMember, EtcdTopology, Machine } from './types.js';

export const ETCD_IMAGE = 'quay.io/coreos/etcd';
export const PEER_PORT = 2380;
export const CLIENT_PORT = 2379;

function member(m: Machine, tls: boolean): EtcdMember {
  const host = m.address ?? m.name;
  const listen = m.address ?? '0.0.0.0';
  const scheme = tls ? 'https' : 'http';
  return {
    name: m.name,
    host,
    peerUrl: `${scheme}://${host}:${PEER_PORT}`,
    clientUrl: `${scheme}://${host}:${CLIENT_PORT}`,
    listenPeerUrls: `${scheme}://${listen}:${PEER_PORT}`,
    listenClientUrls: `${scheme}://${listen}:${CLIENT_PORT}`,
  };
}

export function planEtcd(spec: ClusterSpec, machines: Machine[]): EtcdTopology | null {
  if (!spec.etcd) return null;
  const tls = spec.security.etcdTls === true;
  const members = machines.filter((m) => m.role === 'etcd').map((m) => member(m, tls));
  return {
    tls,
    version: spec.etcd.version,
    image: `${spec.etcd.image}:${spec.etcd.version}`,
    imageRepo: spec.etcd.image,
    members,
    clientEndpoints: members.map((m) => m.clientUrl),
    initialCluster: members.map((m) => `${m.name}=${m.peerUrl}`).join(','),
    discovery: spec.etcd.discovery,
    token: spec.etcd.token,
    faultTolerance: faultTolerance(members.length),
    quorum: Math.floor(members.length / 2) + 1,
    enableV2: spec.updates.rebootStrategy === 'etcd-lock',
  };
}

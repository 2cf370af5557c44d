/** The planned cluster: which machines exist, what they are called, where they live, how etcd is laid out. */
import type { ClusterSpec } from '../answers/types.js';

import type { Role } from '../architectures/index.js';

/** A machine's role (src/architectures/types.ts). */
export type { Role };

export interface Machine {
  name: string;
  role: Role;
  /** Static IPv4 address, or null with DHCP. */
  address: string | null;
  /** The MAC address the .network file matches (with --mac-prefix), else null. */
  mac: string | null;
}

export interface EtcdMember {
  name: string;
  /** The address or, with DHCP, the host name others reach the member by. */
  host: string;
  peerUrl: string;
  clientUrl: string;
  listenPeerUrls: string;
  listenClientUrls: string;
}

export interface EtcdTopology {
  /** TLS with client certificates on the client and peer ports (https URLs); false with --insecure. */
  tls: boolean;
  version: string;
  /** The container image of etcd members (Flatcar's etcd-wrapper) and of the workers' proxy. */
  image: string;
  /** The image repository (ETCD_IMAGE_URL), without tag. */
  imageRepo: string;
  members: EtcdMember[];
  /** The members' client URLs: the proxy's and locksmith's endpoints. */
  clientEndpoints: string[];
  /** name=peerURL,... for ETCD_INITIAL_CLUSTER. */
  initialCluster: string;
  discovery: string | null;
  token: string;
  /** Members that may fail while the cluster keeps working: floor((n-1)/2). */
  faultTolerance: number;
  quorum: number;
  /** etcd's v2 API, needed by locksmith's etcd-lock strategy. */
  enableV2: boolean;
}

export interface BootStep {
  machines: string[];
  note: string;
}

export interface Plan {
  spec: ClusterSpec;
  machines: Machine[];
  etcd: EtcdTopology | null;
  bootOrder: BootStep[];
  /** Machines (by name) made for another etcd membership (answers' etcdMembership, src/scale/). */
  etcdViews?: Readonly<Record<string, EtcdView>>;
}

/** The etcd settings one machine was made with, where they differ from the plan's. */
export interface EtcdView {
  initialCluster?: string;
  state?: 'new' | 'existing';
  clientEndpoints?: string[];
}

/**
 * Every numeric limit of an answer, once: the published JSON Schema (definition.ts), the checks of
 * flags and the wizard (checks.ts, resolve.ts) read them from here, so an
 * answer the flags accept is one its own cluster.yaml accepts (test/answers/limits.test.ts).
 */

/** A cluster name: 1 to 40 characters. */
export const MAX_CLUSTER_NAME = 40;
/** A machine-name prefix: the default (the cluster name and a dash) of any cluster name fits. */
export const MAX_NAME_PREFIX = MAX_CLUSTER_NAME + 1;

/** Most machines in one cluster. */
export const MAX_SIZE = 10_000;
/** Most etcd members any preset runs (small: every machine); each architecture's own limits are in src/architectures/. */
export { MAX_ETCD_SIZE } from '../architectures/index.js';

/** Longest discovery URL (UTF-8 bytes): its Environment= line, `%` doubled, stays under systemd's and Butane's 2048. */
export const MAX_DISCOVERY_URL = 1000;
/** Unit file lines are at most 2048 bytes: these values go into one. */
export const MAX_INITIAL_CLUSTER = 1000;
export const MAX_CLIENT_URL = 200;
/** A DNS name (RFC 1035). */
export const MAX_DNS_NAME = 253;
/** systemd-networkd [Match] Name= of the static address. */
export const MAX_INTERFACE = 200;
/** A file or directory name in answers (templates, snippet files). */
export const MAX_PATH = 4096;
/** An image repository (docker's reference limit for a name). */
export const MAX_IMAGE_REPO = 255;
/** An update server URL (update.conf SERVER=). */
export const MAX_UPDATE_SERVER = 1024;

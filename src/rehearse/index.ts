/** Rehearse a generated cluster's etcd topology on this machine with the real etcd. */
export { rehearse, DEFAULT_TIMEOUT_SECONDS, LAYOUT_TEXT, WORK_DIR_PREFIX, type RehearseOptions } from './run.js';
export { readClusterDir, RehearseUsageError } from './read-dir.js';
export { readMachine, configFiles } from './read-ignition.js';
export { planRehearsal, DEFAULT_PROXIES, type PlanOptions } from './plan.js';
export { DEFAULT_PORT_BASE, type Layout } from './plan-context.js';
export { findEtcdTools, INSTALL_HINT } from './binaries.js';
export { faultTolerance } from './drill.js';
export type * from './types.js';

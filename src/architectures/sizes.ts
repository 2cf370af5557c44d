/**
 * The architectures' size numbers, in a module of their own without imports: the flags' help and
 * the answers' schema texts (loaded by every command at start-up) name them without loading the
 * architecture modules (which read presets/*.yaml). Each module re-exports its own.
 */

/** small: 3 to 9 machines, every one an etcd member. */
export const SMALL_MIN_SIZE = 3;
export const SMALL_MAX_SIZE = 9;
/** dev: 1 etcd machine and at least 1 worker. */
export const DEV_MIN_SIZE = 2;
/** production: 3 or 5 central etcd machines, 5 from this many machines on. */
export const PRODUCTION_ETCD_SIZES = [3, 5] as const;
export const PRODUCTION_FIVE_FROM = 10;

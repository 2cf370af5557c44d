/** dev: one etcd machine with a static address (boot it first) and workers using it through a local proxy. */
import { CENTRAL_ETCD, defineArchitecture } from './preset-file.js';

import { DEV_MIN_SIZE } from './sizes.js';

export { DEV_MIN_SIZE };

export const dev = defineArchitecture({
  name: 'dev',
  shape: '1 etcd machine + workers',
  minSize: DEV_MIN_SIZE,
  maxSize: undefined,
  sizeIsFixed: false,
  checkSize: (size) => (size < DEV_MIN_SIZE ? `the dev preset needs at least ${DEV_MIN_SIZE} machines: 1 etcd machine and 1 or more workers (got ${size})` : undefined),
  sizeHint: () => `${DEV_MIN_SIZE} or more`,
  suggestedSizes: () => [DEV_MIN_SIZE],
  runsEtcd: true,
  ...CENTRAL_ETCD,
  etcdSizeIsAnswer: false,
  etcdSizeChoices: [],
  maxEtcdSize: 1,
  etcdSizeFor: () => 1,
  checkEtcdSize: (etcdSize) =>
    etcdSize !== 1 ? { field: 'etcd.size', message: `the dev preset has exactly 1 etcd machine (got ${etcdSize}); use production for 3 or 5` } : undefined,
  bootOrder: [
    { role: 'etcd', note: 'first: the etcd machine, at its static address' },
    { role: 'worker', note: 'then the workers, in any order' },
  ],
  bootAdvice: (first, address) => `Boot the etcd machine first (${first}${address ? ` at ${address}` : ''}), then the workers.`,
});

/** production: a central etcd cluster of 3 or 5 machines and workers using it through a local proxy. */
import { CENTRAL_ETCD, defineArchitecture } from './preset-file.js';

import { PRODUCTION_ETCD_SIZES, PRODUCTION_FIVE_FROM } from './sizes.js';

export { PRODUCTION_ETCD_SIZES, PRODUCTION_FIVE_FROM };

export const production = defineArchitecture({
  name: 'production',
  shape: '3 or 5 etcd machines + workers',
  minSize: PRODUCTION_ETCD_SIZES[0] + 1,
  maxSize: undefined,
  sizeIsFixed: false,
  // Whether the size leaves a worker depends on the etcd size: checkEtcdSize says it.
  checkSize: () => undefined,
  sizeHint: (etcdSize) => `${(etcdSize ?? PRODUCTION_ETCD_SIZES[0]) + 1} or more`,
  suggestedSizes: (etcdSize) => [Number.isFinite(etcdSize) ? etcdSize + 1 : PRODUCTION_ETCD_SIZES[0] + 1, PRODUCTION_ETCD_SIZES[0] + 1],
  runsEtcd: true,
  ...CENTRAL_ETCD,
  etcdSizeIsAnswer: true,
  etcdSizeChoices: [
    { size: PRODUCTION_ETCD_SIZES[0], note: `the usual choice below ${PRODUCTION_FIVE_FROM} machines` },
    { size: PRODUCTION_ETCD_SIZES[1], note: `needs ${PRODUCTION_ETCD_SIZES[1] + 1} or more machines; the usual choice from ${PRODUCTION_FIVE_FROM} machines on` },
  ],
  maxEtcdSize: Math.max(...PRODUCTION_ETCD_SIZES),
  etcdSizeFor: (size) => (size >= PRODUCTION_FIVE_FROM ? PRODUCTION_ETCD_SIZES[1] : PRODUCTION_ETCD_SIZES[0]),
  checkEtcdSize: (etcdSize, size) =>
    !(PRODUCTION_ETCD_SIZES as readonly number[]).includes(etcdSize)
      ? { field: 'etcd.size', message: `production runs ${PRODUCTION_ETCD_SIZES.join(' or ')} etcd machines (got ${etcdSize})` }
      : size - etcdSize < 1
        ? {
            field: 'size',
            code: 'etcd-needs-workers',
            message: `production with ${etcdSize} etcd machines needs at least ${etcdSize + 1} machines in total, so that 1 or more are workers (got ${size})`,
          }
        : undefined,
  bootOrder: [
    { role: 'etcd', note: 'first, together: the etcd cluster forms once a majority of the members is up' },
    { role: 'worker', note: 'then the workers, in any order' },
  ],
  bootAdvice: () => undefined,
});

/** small: 3 to 9 machines, every one an etcd member that also runs your workloads. */
import { defineArchitecture, series } from './preset-file.js';

import { SMALL_MAX_SIZE, SMALL_MIN_SIZE } from './sizes.js';

export { SMALL_MAX_SIZE, SMALL_MIN_SIZE };

export const small = defineArchitecture({
  name: 'small',
  shape: '3-9 machines, etcd on each',
  minSize: SMALL_MIN_SIZE,
  maxSize: SMALL_MAX_SIZE,
  sizeIsFixed: false,
  checkSize: (size) =>
    size < SMALL_MIN_SIZE || size > SMALL_MAX_SIZE
      ? `the small preset has ${SMALL_MIN_SIZE} to ${SMALL_MAX_SIZE} machines (got ${size}); use dev or production otherwise`
      : undefined,
  sizeHint: () => `${SMALL_MIN_SIZE} to ${SMALL_MAX_SIZE}`,
  suggestedSizes: () => [SMALL_MIN_SIZE],
  runsEtcd: true,
  everyMachineIsMember: true,
  etcdSizeIsAnswer: false,
  etcdSizeChoices: [],
  maxEtcdSize: SMALL_MAX_SIZE,
  etcdSizeFor: (size) => size,
  checkEtcdSize: (etcdSize, size) =>
    etcdSize !== size ? { field: 'etcd.size', message: `in the small preset every machine is an etcd member: leave it out or make it equal --size (${size})` } : undefined,
  machines: (prefix, size) => series(prefix, 'node', 'etcd', size),
  bootOrder: [{ role: 'etcd', note: 'all together: etcd starts answering once a majority of the members is up' }],
  memberLabel: 'etcd member + workloads',
  memberBoxLabel: 'member + workloads',
  memberNodeLabel: 'member + workloads',
  membersRunWorkloads: true,
  localVm: false,
  servesDockerApi: false,
  bootAdvice: () => undefined,
});

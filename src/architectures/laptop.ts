/** laptop: one Flatcar VM on your computer whose Docker API is reachable from the host. No etcd. */
import { defineArchitecture, series } from './preset-file.js';

export const laptop = defineArchitecture({
  name: 'laptop',
  shape: '1 machine',
  minSize: 1,
  maxSize: 1,
  sizeIsFixed: true,
  checkSize: (size) => (size !== 1 ? `the laptop preset is exactly 1 machine (got ${size})` : undefined),
  sizeHint: () => '1',
  suggestedSizes: () => [1],
  runsEtcd: false,
  everyMachineIsMember: false,
  etcdSizeIsAnswer: false,
  etcdSizeChoices: [],
  maxEtcdSize: 0,
  etcdSizeFor: () => 0,
  checkEtcdSize: () => undefined,
  machines: (prefix) => series(prefix, 'node', 'laptop', 1),
  bootOrder: [{ role: 'laptop', note: 'the only machine' }],
  memberLabel: 'etcd member',
  memberBoxLabel: 'etcd member',
  memberNodeLabel: 'member',
  membersRunWorkloads: false,
  localVm: true,
  servesDockerApi: true,
  bootAdvice: () => undefined,
});

/**
 * What every architecture (preset) answers about itself. The rest of the program asks these
 * questions instead of comparing preset names: `architectureOf(spec.preset).runsEtcd`, not
 * `spec.preset !== 'laptop'` (test/architecture.test.ts fails on such a comparison outside
 * src/architectures/).
 */

/** The four architectures, in the order they are offered. */
export const PRESETS = ['laptop', 'small', 'dev', 'production'] as const;
export type PresetName = (typeof PRESETS)[number];

/** etcd: an etcd member (small's machines also run workloads); worker: uses etcd through a local proxy. */
export type Role = 'etcd' | 'worker' | 'laptop';

/** A machine as an architecture names it, in boot and address order. */
export interface NamedMachine {
  name: string;
  role: Role;
}

/** One step of the boot order: every machine of a role, and how to boot them. */
export interface BootGroup {
  role: Role;
  note: string;
}

/** A refusal of an answer, with the answer it concerns. */
export interface SizeProblem {
  field: 'size' | 'etcd.size';
  message: string;
  /** etcd-needs-workers: the wizard asks size or etcd size again (src/wizard/context.ts conflictOf). */
  code?: 'etcd-needs-workers';
}

export interface Architecture {
  readonly name: PresetName;
  /** One line from presets/<name>.yaml (`description`), shown in the wizard and SUMMARY.md. */
  readonly description: string;
  /** The published defaults of presets/<name>.yaml, in the shape of answers (without `description`). */
  readonly defaults: Readonly<Record<string, unknown>>;
  /** Its shape in a few words, for the wizard's menu of architectures. */
  readonly shape: string;

  // Size.
  /** Fewest machines it has. */
  readonly minSize: number;
  /** Most machines it has (undefined: the global MAX_SIZE). */
  readonly maxSize: number | undefined;
  /** Always the same number of machines: size is not asked, and there is nothing to scale. */
  readonly sizeIsFixed: boolean;
  /** Why a total size (already 1 to MAX_SIZE) does not fit this architecture; undefined when it does. */
  checkSize(size: number): string | undefined;
  /** The sizes it takes, in words, for the wizard's question (`etcdSize`: an etcd size chosen already). */
  sizeHint(etcdSize: number | undefined): string;
  /** Sizes the wizard offers as examples (`etcdSize`: the current etcd size, NaN when there is none). */
  suggestedSizes(etcdSize: number): number[];

  // etcd.
  /** It runs etcd (members, proxies, a PKI for them, the etcd-lock reboot strategy). */
  readonly runsEtcd: boolean;
  /** Every machine is an etcd member (an even size then tolerates no more failures than one less). */
  readonly everyMachineIsMember: boolean;
  /** The number of etcd members is an answer of its own (etcd.size); otherwise it follows from size. */
  readonly etcdSizeIsAnswer: boolean;
  /** Most etcd members it runs at any size. */
  readonly maxEtcdSize: number;
  /** The etcd members it runs for a total size (0: none). */
  etcdSizeFor(size: number): number;
  /** The etcd sizes the wizard offers when it is an answer of its own, each with when to choose it. */
  readonly etcdSizeChoices: readonly { size: number; note: string }[];
  /** Why an etcd size does not fit a total size here; undefined when it does. */
  checkEtcdSize(etcdSize: number, size: number): SizeProblem | undefined;

  // Machines.
  /** The machines' names and roles for a name prefix, a total size and the etcd members. */
  machines(prefix: string, size: number, etcdSize: number): NamedMachine[];
  /** The boot order: each role's machines, with a note, first group first. */
  readonly bootOrder: readonly BootGroup[];
  /** How an etcd member is described in SUMMARY.md's table ("etcd member + workloads"). */
  readonly memberLabel: string;
  /** An etcd member's third line in topology.svg. */
  readonly memberBoxLabel: string;
  /** An etcd member's last line in SUMMARY.md's Mermaid drawing. */
  readonly memberNodeLabel: string;
  /** etcd members also run the user's containers. */
  readonly membersRunWorkloads: boolean;

  // What it allows.
  /** One VM on the user's computer (its one NIC: an interface pattern matches nothing else). */
  readonly localVm: boolean;
  /** It serves the Docker API on TCP (--docker-insecure; TLS with the Docker client certificates). */
  readonly servesDockerApi: boolean;
  /** Next steps: how to boot the first machines, when the boot order alone does not say it well. */
  bootAdvice(first: string, address: string | undefined): string | undefined;
}

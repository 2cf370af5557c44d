/**
 * The answers a user gives (flags, an answers file, a preset's defaults) and the validated
 * ClusterSpec they resolve to. Answers are loosely typed because they come from users; a
 * ClusterSpec is complete and checked.
 */

export { PRESETS, REBOOT_STRATEGIES, SECRETS_DELIVERY, type PresetName, type RebootStrategy, type SecretsDelivery } from './choices.js';
import type { PresetName, RebootStrategy, SecretsDelivery } from './choices.js';
import { ANSWER_FIELDS, ANSWER_FLAGS, type AnswerField, type AnswersValue } from './definition.js';

/**
 * Answers as given; every field optional. This is also the shape of `cluster.yaml`. Read off the
 * definition (src/answers/definition.ts), where each answer's meaning is described.
 */
export type Answers = AnswersValue;

/** The etcd settings some machines were made with (src/scale/); absent fields: the plan's. */
export type EtcdMembershipEntry = NonNullable<Answers['etcdMembership']>[number];

export interface StaticNetwork {
  dhcp: false;
  cidr: string;
  prefixLength: number;
  gateway: string;
  firstAddress: string;
  dns: string[];
  domains: string[];
  /** How the .network file finds the interface: by name (glob list) or by planned MAC. */
  match: { interface: string } | { macPrefix: string };
}

export interface DhcpNetwork {
  dhcp: true;
}

/** The validated, fully resolved cluster design. */
export interface ClusterSpec {
  preset: PresetName;
  name: string;
  namePrefix: string;
  size: number;
  /** Absent for the laptop preset, which runs no etcd. */
  etcd: { size: number; version: string; token: string; discovery: string | null; image: string } | null;
  network: StaticNetwork | DhcpNetwork;
  ssh: { keys: string[] };
  updates: {
    group: string;
    rebootStrategy: RebootStrategy;
    rebootWindow: { start: string; length: string } | null;
    /** update.conf SERVER=, or null for the public server. */
    server: string | null;
  };
  /** NTP servers for timesyncd; [] keeps the image's defaults. */
  ntp: string[];
  /** null where it does not apply: etcdTls on the laptop (no etcd), dockerTls elsewhere. */
  security: { etcdTls: boolean | null; dockerTls: boolean | null; secrets: SecretsDelivery };
  templates: string | null;
}

/** An answer path such as `size` or `network.gateway`: every answer of the definition that has a flag. */
export type Field = AnswerField;

/** The command-line flag of every answer, for messages. */
export const FLAG_OF: Record<Field, string> = ANSWER_FLAGS;

/** Every answer path, in the definition's order. */
export const FIELDS: Field[] = [...ANSWER_FIELDS];

/** One problem with one answer. */
/** Problems the wizard treats apart (who can fix them, which answers they involve): matched by code, never by text. */
export type ProblemCode = 'addresses-do-not-fit' | 'etcd-needs-workers' | 'group-not-public' | 'first-address-taken';

export interface Problem {
  field: Field;
  message: string;
  code?: ProblemCode;
}

/** Thrown when answers cannot make a cluster; `problems` has one entry per problem. */
export class SpecError extends Error {
  constructor(readonly problems: Problem[]) {
    super(problems.map((p) => `${p.field}: ${p.message}`).join('\n'));
    this.name = 'SpecError';
  }
}

/** Reads an answer by its path. */
export function getField(answers: Answers, field: Field): unknown {
  let value: unknown = answers;
  for (const key of field.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/**
 * `cluster.yaml`: the fully resolved answers of a generated cluster. Feeding it back with
 * `--answers` reproduces the same output byte for byte, so it holds every answer explicitly
 * (SSH keys as keys, not file names) and nothing that varies between runs.
 */
import { isMap, LineCounter, parseDocument, stringify } from 'yaml';
import { FIELDS, type Answers, type ClusterSpec } from './types.js';

export class AnswersFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AnswersFileError';
  }
}

const HEADER =
  '# flatcar-architect answers: every setting of this cluster, resolved.\n' +
  '# Regenerate the same files with: flatcar-architect --answers cluster.yaml --out DIR\n';

/** The spec as explicit answers (the inverse of resolving). */
export function specToAnswers(spec: ClusterSpec): Answers {
  const { network: n, updates: u } = spec;
  const answers: Answers = { preset: spec.preset, name: spec.name, namePrefix: spec.namePrefix, size: spec.size };
  if (spec.etcd) {
    answers.etcd = { size: spec.etcd.size, version: spec.etcd.version, token: spec.etcd.token };
    if (spec.etcd.discovery) answers.etcd.discovery = spec.etcd.discovery;
  }
  answers.network = n.dhcp
    ? { dhcp: true }
    : { dhcp: false, cidr: n.cidr, gateway: n.gateway, firstAddress: n.firstAddress, dns: n.dns, domains: n.domains, ...n.match };
  answers.ssh = { keys: spec.ssh.keys };
  answers.updates = { group: u.group, rebootStrategy: u.rebootStrategy };
  if (u.rebootWindow) {
    answers.updates.rebootWindowStart = u.rebootWindow.start;
    answers.updates.rebootWindowLength = u.rebootWindow.length;
  }
  answers.security = spec.security.etcdTls !== null ? { etcdTls: spec.security.etcdTls } : {};
  if (spec.security.dockerTls !== null) answers.security.dockerTls = spec.security.dockerTls;
  if (spec.templates !== null) answers.templates = spec.templates;
  return answers;
}

export function formatAnswersFile(spec: ClusterSpec): string {
  return HEADER + stringify(specToAnswers(spec), { lineWidth: 0 });
}

const SECTIONS = new Set(FIELDS.map((f) => f.split('.')[0]!));

/** Reads an answers file (YAML or JSON). Unknown keys are errors, so typos do not pass silently. */
export function parseAnswersFile(text: string, label: string): Answers {
  const lines = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true, lineCounter: lines });
  const error = doc.errors[0];
  if (error) {
    const at = lines.linePos(error.pos[0]);
    throw new AnswersFileError(`${label}${at ? `:${at.line}:${at.col}` : ''}: ${error.message.split('\n')[0]}`);
  }
  if (doc.contents === null) return {};
  if (!isMap(doc.contents)) throw new AnswersFileError(`${label}: expected a mapping of answers like "preset: production"`);
  let answers: Record<string, unknown>;
  try {
    answers = doc.toJS({ maxAliasCount: 100 }) as Record<string, unknown>;
  } catch (e) {
    if (!(e instanceof ReferenceError)) throw e;
    throw new AnswersFileError(`${label}: too many alias expansions (more than 100); write the values out`);
  }
  for (const [key, value] of Object.entries(answers)) {
    if (!SECTIONS.has(key)) throw new AnswersFileError(`${label}: unknown key "${key}"`);
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      for (const sub of Object.keys(value)) {
        if (!(FIELDS as string[]).includes(`${key}.${sub}`)) throw new AnswersFileError(`${label}: unknown key "${key}.${sub}"`);
      }
    } else if (FIELDS.some((f) => f.startsWith(`${key}.`))) {
      throw new AnswersFileError(`${label}: "${key}" must be a mapping`);
    }
  }
  return answers as Answers;
}

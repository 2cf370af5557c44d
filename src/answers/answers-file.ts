/**
 * `cluster.yaml`: the fully resolved answers of a generated cluster. Feeding it back with
 * `--answers` reproduces the same output byte for byte, so it holds every answer explicitly
 * (SSH keys as keys, not file names) and nothing that varies between runs.
 */
import { RESOLVED_FILE_MARK } from './flags-over-file.js';
import { stringify } from 'yaml';
import { readAnswersText } from './answers-source.js';
import type { Answers, ClusterSpec } from './types.js';
import { ETCD_IMAGE_REPO } from './resolve.js';

const HEADER = `${RESOLVED_FILE_MARK}\n` + '# Regenerate the same files with: flatcar-architect --answers cluster.yaml --out DIR\n';

/** The spec as explicit answers (the inverse of resolving). */
export function specToAnswers(spec: ClusterSpec): Answers {
  const { network: n, updates: u } = spec;
  const answers: Answers = { preset: spec.preset, name: spec.name, namePrefix: spec.namePrefix, size: spec.size };
  if (spec.etcd) {
    answers.etcd = { size: spec.etcd.size, version: spec.etcd.version, token: spec.etcd.token };
    if (spec.etcd.discovery) answers.etcd.discovery = spec.etcd.discovery;
    if (spec.etcd.image !== ETCD_IMAGE_REPO) answers.etcd.image = spec.etcd.image;
  }
  answers.network = n.dhcp ? { dhcp: true } : { dhcp: false, cidr: n.cidr, gateway: n.gateway, firstAddress: n.firstAddress, dns: n.dns, domains: n.domains, ...n.match };
  if (spec.ntp.length) answers.network.ntp = spec.ntp;
  answers.ssh = { keys: spec.ssh.keys };
  answers.updates = { group: u.group, rebootStrategy: u.rebootStrategy };
  if (u.rebootWindow) {
    answers.updates.rebootWindowStart = u.rebootWindow.start;
    answers.updates.rebootWindowLength = u.rebootWindow.length;
  }
  if (u.server !== null) answers.updates.server = u.server;
  answers.security = spec.security.etcdTls !== null ? { etcdTls: spec.security.etcdTls } : {};
  if (spec.security.dockerTls !== null) answers.security.dockerTls = spec.security.dockerTls;
  if (spec.security.secrets !== 'inline') answers.security.secrets = spec.security.secrets;
  if (spec.templates !== null) answers.templates = spec.templates;
  return answers;
}

export function formatAnswersFile(spec: ClusterSpec): string {
  return HEADER + stringify(specToAnswers(spec), { lineWidth: 0 });
}

/**
 * Reads an answers file (YAML or JSON) exactly as `--answers` does (readAnswersText: the published
 * schema, positions in messages), and returns its answers. Throws an AnswersError listing every
 * problem. `dir`: what relative paths in the file (snippets) are relative to.
 */
export function parseAnswersFile(text: string, label: string, dir = '.'): Answers {
  return readAnswersText(text, label, dir).answers;
}

/**
 * Issue 16: cluster.yaml replays the cluster. Written with pins, etcdMembership and snippets, read
 * back by the CLI's own reader (`--answers`): the same files. Two sizes:
 * - 12 machines through the real CLI, twice (the second run from the first one's cluster.yaml and
 *   PKI): every file byte for byte;
 * - 10,000 machines (the most the flags allow; the schema used to stop at 1,000) in process, through
 *   the CLI's flags (flagsToAnswers), its answers-file reader (readAnswersForCli, readSnippets) and
 *   the generator's planning (planAnswers, clusterYaml): the same cluster.yaml byte for byte and the
 *   same plan for every machine. Rendering 10,000 machines takes minutes (bench/), so the configs
 *   themselves are compared at 12 machines, where they are a function of that same plan.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mergeAnswers } from '../../src/answers/merge.js';
import { flagsToAnswers } from '../../src/cli/generate.js';
import { readAnswersForCli, readSnippets } from '../../src/cli/input.js';
import { clusterYaml, planAnswers } from '../../src/generate.js';
import { KEY } from '../helpers/generator.js';
import { runCli } from '../helpers/run.js';
import { filesBelow, tempDirs } from '../helpers/tmp.js';

const tmp = tempDirs('fa-replay-');

const SNIPPET = (path: string, text: string) =>
  `variant: flatcar\nversion: 1.0.0\nstorage:\n  files:\n    - path: ${path}\n      mode: 0644\n      contents:\n        inline: ${text}\n`;

/** An answers file with pins, etcdMembership and snippets (relative to it) for a production cluster called prod. */
function customisedAnswers(dir: string, size: number, network: string): string {
  mkdirSync(join(dir, 'snippets'), { recursive: true });
  writeFileSync(join(dir, 'snippets', 'workers.bu'), SNIPPET('/etc/role-note', 'worker'));
  writeFileSync(join(dir, 'snippets', 'db.bu'), SNIPPET('/etc/db-note', 'database'));
  const [a, b, c] = network.split('.');
  return [
    'preset: production',
    'name: prod',
    `size: ${size}`,
    'network:',
    `  cidr: ${network}`,
    '  macPrefix: "52:54:00"',
    'ssh:',
    `  keys: ["${KEY}"]`,
    'machines:',
    '  - planned: prod-worker-1',
    '    name: db-1',
    `    address: ${a}.${b}.${c}.50`,
    '  - planned: prod-worker-2',
    '    mac: "02:00:00:aa:bb:cc"',
    'snippets:',
    '  - target: worker',
    '    file: snippets/workers.bu',
    '  - target: db-1',
    '    file: snippets/db.bu',
    'etcdMembership:',
    '  - machines: [prod-etcd-1]',
    `    initialCluster: prod-etcd-1=https://${a}.${b}.${c}.101:2380`,
    '    state: new',
    '  - machines: [prod-etcd-5]',
    '    state: existing',
    '',
  ].join('\n');
}

describe('cluster.yaml with pins, etcdMembership and snippets replays the cluster', () => {
  it('12 machines, real CLI: --answers DIR/cluster.yaml --pki DIR writes every file byte for byte', () => {
    const cwd = tmp();
    writeFileSync(join(cwd, 'answers.yaml'), customisedAnswers(cwd, 12, '10.0.0.0/24'));
    const first = runCli(['--answers', 'answers.yaml', '--out', 'first'], { cwd });
    expect(first.status, first.stderr).toBe(0);
    const yaml = readFileSync(join(cwd, 'first', 'cluster.yaml'), 'utf8');
    for (const part of ['machines:', 'snippets:', 'etcdMembership:', 'name: db-1', 'state: existing']) expect(yaml).toContain(part);
    const second = runCli(['--answers', 'first/cluster.yaml', '--pki', 'first', '--out', 'second'], { cwd });
    expect(second.status, second.stderr).toBe(0);
    const before = filesBelow(join(cwd, 'first'), (b) => b.toString('base64'));
    expect(filesBelow(join(cwd, 'second'), (b) => b.toString('base64'))).toEqual(before);
    expect(Object.keys(before)).toEqual(expect.arrayContaining(['db-1.ign', 'prod-etcd-5.ign', 'pki/ca.pem']));
    expect(Buffer.from(before['db-1.bu']!, 'base64').toString()).toContain('/etc/db-note');
  });

  it('10,000 machines from flags and an answers file: the CLI reads its cluster.yaml back to the same cluster.yaml and plan', () => {
    const cwd = tmp();
    writeFileSync(join(cwd, 'answers.yaml'), customisedAnswers(cwd, 3, '10.8.0.0/16'));
    const stdin = () => '';
    // As the CLI runs: the answers file, then the flags over it (--size 10000 --network 10.8.0.0/16 --insecure).
    const source = readAnswersForCli('answers.yaml', cwd, stdin)!;
    const flags = { size: '10000', network: '10.8.0.0/16', insecure: true };
    const first = planAnswers(mergeAnswers(source.answers, flagsToAnswers(flags, cwd)), readSnippets(source, {}, cwd));
    expect(first.plan.machines).toHaveLength(10_000);
    const yaml = clusterYaml(first);
    expect(yaml).toMatch(/^size: 10000$/m);
    mkdirSync(join(cwd, 'out'));
    writeFileSync(join(cwd, 'out', 'cluster.yaml'), yaml);

    const again = readAnswersForCli('out/cluster.yaml', cwd, stdin)!;
    const second = planAnswers(again.answers, readSnippets(again, {}, cwd));
    expect(clusterYaml(second)).toBe(yaml);
    expect(second.plan).toEqual(first.plan);
    expect(second.custom.snippets.map((s) => [s.target, s.path])).toEqual(first.custom.snippets.map((s) => [s.target, s.path]));
    const db = second.plan.machines.find((m) => m.name === 'db-1');
    expect(db?.address).toBe('10.8.0.50');
    expect(second.plan.etcdViews?.['prod-etcd-5']).toEqual({ state: 'existing' });
  });
});

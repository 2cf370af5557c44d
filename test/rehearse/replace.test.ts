/**
 * `rehearse DIR --replace MACHINE` (issue 17, Day-2 drills), with the real etcd: the cluster forms,
 * keys are written, MACHINE is lost (etcd stopped, data dir wiped), `replace` writes its replacement
 * config into a copy of DIR, the printed etcdctl lines run (member remove, health wait, member add),
 * the old config on an empty disk stops by itself, the replacement joins with an empty data dir and
 * has the keys. DIR stays byte for byte. The lan layout (a small 3 with TLS, the default) and the
 * loopback fallback (plain http, on a loopback block of its own); the refusals through the CLI.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { rehearse, RehearseUsageError, type RehearsalResult } from '../../src/rehearse/index.js';
import { printedSteps } from '../../src/rehearse/drill-replace.js';
import { assertNothingLeft } from '../helpers/rehearse-leftovers.js';
import { loopbackBlock } from '../helpers/loopback.js';
import { cliPath } from '../helpers/paths.js';
import { runCli } from '../helpers/run.js';
import { filesBelow, tempDirs } from '../helpers/tmp.js';
import { requireEtcd } from '../helpers/tools.js';

requireEtcd();
const block = loopbackBlock();
const tmp = tempDirs('rehearse-replace-');
const made: string[] = [];
afterAll(() =>
  made.forEach((d) => {
    rmSync(d, { recursive: true, force: true });
  }),
);

/** The built CLI, run without blocking the other test. */
function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [cliPath, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

function generate(args: string[]): string {
  const cwd = tmp();
  made.push(cwd);
  const gen = runCli([...args, '--out', 'c'], { cwd });
  if (gen.status !== 0) throw new Error(`generate: ${gen.stderr}`);
  return join(cwd, 'c');
}

const REPLACE_IDS = ['replace:write', 'replace:lose', 'replace:config', 'replace:remove', 'replace:add', 'replace:old-config', 'replace:boot', 'replace:data'];

/**
 * `state`: what MACHINE's old config says; `existing` for a member scale added, whose config replace
 * leaves as it was (it already joins a running cluster): no old config to try then.
 */
function expectReplaced(r: RehearsalResult, name: string, others: string[], tls: boolean, state: 'new' | 'existing', joins: string[] = []): void {
  expect(
    r.steps.filter((s) => s.status !== 'passed'),
    JSON.stringify(r.steps, null, 1),
  ).toEqual([]);
  const ids = REPLACE_IDS.filter((id) => state === 'new' || id !== 'replace:old-config');
  expect(r.steps.map((s) => s.id)).toEqual(['plan', r.layout === 'lan' ? 'network' : 'ports', 'members', ...joins.map((j) => `join:${j}`), ...ids, 'cleanup']);
  const n = others.length + 1;
  const other = `(${others.join('|')})`;
  for (const s of r.steps) expect(s.ms).toBeGreaterThanOrEqual(0);
  const step = (id: string) => r.steps.find((s) => s.id === id)!;
  expect(step('replace:lose').title).toBe(`${name} is lost: its etcd stopped, its data dir wiped`);
  const changed =
    state === 'new' ? `${name}\\.bu, ${name}\\.ign, cluster\\.yaml` : `cluster\\.yaml \\(${name}\\.ign unchanged: it already joins a running cluster, as scale wrote it\\)`;
  expect(step('replace:config').detail).toMatch(new RegExp(`^changed ${changed} \\(DIR untouched\\); ${name}'s config now says ETCD_INITIAL_CLUSTER_STATE=existing`));
  expect(step('replace:config').detail).toContain(`printed ${tls ? 2 : 1} exports and 5 commands`);
  expect(step('replace:remove').detail).toMatch(
    new RegExp(`^Member +[0-9a-f]+ removed from cluster [0-9a-f]+; the member list names ${Array(others.length).fill(other).join(', ')}$`),
  );
  // etcd 3.4 refuses the add for a few seconds after the remove: the drill runs it again, as the steps say.
  expect(step('replace:add').detail).toMatch(
    /^health: .* is healthy.*; member add `sleep 10` not waited out: (run again every 0\.5s while etcd answered .*(unhealthy cluster|member not found), accepted after [\d.]+s|accepted at once) \(Member +[0-9a-f]+ added to cluster/,
  );
  expect(step('replace:add').detail).toContain(`ETCD_INITIAL_CLUSTER_STATE="existing"`);
  // Its old member id was removed: the cluster turns it away.
  if (state === 'new')
    expect(step('replace:old-config').detail).toMatch(
      new RegExp(
        `^started from ${name}\\.ign as it was \\(ETCD_INITIAL_CLUSTER_STATE=new\\), it stopped by itself after .*: .*(has been permanently removed from the cluster|has already been bootstrapped)`,
      ),
    );
  expect(step('replace:boot').detail).toMatch(
    new RegExp(`^all ${n} healthy after .*; the member list names .*${name}; printed step 3 \\(etcdctl endpoint health --cluster\\): .* is healthy`),
  );
  expect(step('replace:data').detail).toMatch(new RegExp(`^4 keys written before \\(3 with ${name}, 1 while it was lost\\) read from ${name} itself`));
  assertNothingLeft(expect, r.workDir);
}

describe('rehearse --replace, with the real etcd', () => {
  let small = '';
  let insecure = '';
  beforeAll(() => {
    // Generated before any rehearsal starts: the CLI runs synchronously and would stall the other.
    small = generate(['--preset', 'small', '--size', '3', '--name', 'rr']);
    insecure = generate(['--preset', 'small', '--size', '3', '--name', 'ri', '--insecure']);
    const grown = runCli(['scale', insecure, '--size', '4']);
    if (grown.status !== 0) throw new Error(`scale: ${grown.stderr}`);
  });

  test.concurrent('a small 3 with TLS, in the lan layout, through the CLI with --json: rr-node-2 replaced by following the printed steps; DIR byte for byte', async ({
    expect,
  }) => {
    const before = filesBelow(small, (b) => b.toString('base64'));
    const run = await cli(['rehearse', small, '--replace', 'rr-node-2', '--json', '--timeout', '120']);
    expect(run.code, run.stderr).toBe(0);
    const r = JSON.parse(run.stdout) as RehearsalResult;
    expect(r.layout).toBe('lan');
    expect(r.replaced).toBe('rr-node-2');
    // The pass/fail table (on standard error with --json): every step with its time.
    for (const s of r.steps) expect(run.stderr).toMatch(new RegExp(`^${s.title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} +pass +\\d+\\.\\ds$`, 'm'));
    expect(run.stderr).toContain(`rehearsal passed: ${r.steps.length}/${r.steps.length} steps`);
    expectReplaced(r, 'rr-node-2', ['rr-node-1', 'rr-node-3'], true, 'new');
    // The printed lines run unchanged on the LAN: the real addresses.
    expect(r.steps.find((s) => s.id === 'replace:add')!.detail).toMatch(/https:\/\/10\.0\.0\.10[13]:2379 is healthy/);
    expect(r.steps.find((s) => s.id === 'replace:config')!.detail).not.toContain('mapped');
    expect(filesBelow(small, (b) => b.toString('base64'))).toEqual(before);
  });

  test.concurrent('the loopback fallback (plain http, --layout loopback), a small 3 scaled to 4: ri-node-4, which scale added, replaced; the printed URLs mapped to loopback addresses', async ({
    expect,
  }) => {
    const before = filesBelow(insecure, (b) => b.toString('base64'));
    const r = await rehearse(insecure, { replace: 'ri-node-4', network: 'loopback', memberBase: block.memberBase, machineBase: block.machineBase, timeoutSeconds: 120 });
    expect(r.layout).toBe('addresses');
    expect(r.fallback).toBe('asked for');
    expectReplaced(r, 'ri-node-4', ['ri-node-1', 'ri-node-2', 'ri-node-3'], false, 'existing', ['ri-node-4']);
    expect(r.replaced).toBe('ri-node-4');
    expect(r.steps.find((s) => s.id === 'replace:config')!.detail).toContain('the printed URLs mapped as the layout maps the members');
    expect(r.steps.find((s) => s.id === 'replace:boot')!.detail).toContain(`http://${block.member(3)}:2379 is healthy`);
    expect(filesBelow(insecure, (b) => b.toString('base64'))).toEqual(before);
  });
});

describe('interrupted during the replacement: nothing is left behind', () => {
  test('SIGINT once the copy of DIR (certificates, not the CA key) is in the work dir: exit 130, no process, namespace or work dir left', async () => {
    const dir = generate(['--preset', 'small', '--size', '3', '--name', 'rs']);
    const child = spawn(process.execPath, [cliPath, 'rehearse', dir, '--replace', 'rs-node-2', '--timeout', '60'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const until = Date.now() + 60_000;
    while (!out.includes('ok   flatcar-architect replace DIR rs-node-2, in a copy of DIR') && Date.now() < until && child.exitCode === null)
      await new Promise((r) => setTimeout(r, 50));
    expect(out).toContain('ok   flatcar-architect replace DIR rs-node-2, in a copy of DIR');
    const pid = child.pid!;
    const workDirs = [
      ...new Set([...spawnSync('pgrep', ['-af', `flatcar-rehearse ${pid} `], { encoding: 'utf8' }).stdout.matchAll(/flatcar-rehearse \d+ (\S+)/g)].map((m) => m[1]!)),
    ];
    expect(workDirs).toHaveLength(1);
    // The copy has the certificates the printed steps name, never the CA's key.
    expect(existsSync(join(workDirs[0]!, 'operator', 'cluster', 'pki', 'ca.pem'))).toBe(true);
    expect(existsSync(join(workDirs[0]!, 'operator', 'cluster', 'pki', 'ca-key.pem'))).toBe(false);
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(spawnSync('pgrep', ['-af', workDirs[0]!], { encoding: 'utf8' }).stdout.trim()).toBe('');
    expect(existsSync(workDirs[0]!)).toBe(false);
    const netns = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' })
      .stdout.split('\n')
      .filter((l) => l.startsWith(`fa-${pid}-`));
    expect(netns).toEqual([]);
  });
});

describe('what --replace refuses: one line, exit 2, nothing started', () => {
  let production = '';
  let discovery = '';
  beforeAll(() => {
    production = generate(['--preset', 'production', '--size', '5', '--name', 'rp']);
    discovery = generate(['--preset', 'small', '--size', '3', '--name', 'rd', '--discovery', 'https://discovery.example/abc']);
  });

  const refused = (dir: string, machine: string) => {
    const r = runCli(['rehearse', dir, '--replace', machine]);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.status).toBe(2);
    return r.stderr.trim();
  };

  test('an unknown machine', () => {
    expect(refused(production, 'rp-etcd-9')).toMatch(/--replace rp-etcd-9: no machine is called rp-etcd-9; this cluster has rp-etcd-1, /);
  });

  test('a worker: nothing to replace in etcd', () => {
    expect(refused(production, 'rp-worker-1')).toMatch(/--replace rp-worker-1: rp-worker-1 is a worker, not an etcd member: there is nothing to replace in etcd/);
  });

  test('a cluster formed by discovery', () => {
    expect(refused(discovery, 'rd-node-2')).toMatch(/--replace rd-node-2: .*discovery URL, which works once/);
  });

  test('a directory without cluster.yaml, through the library too (before anything starts)', async () => {
    const dir = generate(['--preset', 'small', '--size', '3', '--name', 'rn']);
    rmSync(join(dir, 'cluster.yaml'));
    await expect(rehearse(dir, { replace: 'rn-node-2' })).rejects.toThrow(RehearseUsageError);
    expect(refused(dir, 'rn-node-2')).toMatch(/--replace rn-node-2: .* holds no cluster\.yaml/);
  });
});

describe('the printed steps the drill follows', () => {
  test('exports, member remove, health, sleep, member add, health are picked out in order', () => {
    const p = printedSteps([
      'Replacing ...:',
      '',
      '  export ETCDCTL_API=3 ETCDCTL_ENDPOINTS=http://a:2379',
      '  # 1. remove',
      '  etcdctl member remove "$(x)"',
      '  etcdctl endpoint health --cluster',
      '  sleep 10',
      '  etcdctl member add n --peer-urls=http://b:2380',
      '  etcdctl endpoint health --cluster',
    ]);
    expect(p).toEqual({
      exports: ['export ETCDCTL_API=3 ETCDCTL_ENDPOINTS=http://a:2379'],
      remove: 'etcdctl member remove "$(x)"',
      healthWait: 'etcdctl endpoint health --cluster',
      sleep: 'sleep 10',
      add: 'etcdctl member add n --peer-urls=http://b:2380',
      healthFinal: 'etcdctl endpoint health --cluster',
    });
  });

  test('steps in another order (add before remove) fail the drill instead of being run', () => {
    expect(() =>
      printedSteps(['  export ETCDCTL_API=3', '  etcdctl member add n --peer-urls=http://b:2380', '  etcdctl member remove x', '  etcdctl endpoint health --cluster']),
    ).toThrow(/replace printed steps this drill does not know/);
  });
});

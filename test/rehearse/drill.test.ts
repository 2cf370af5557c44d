/**
 * The drill with the real etcd (v3.4 from Debian's etcd-server) on hand-written clusters: forms,
 * writes through proxies, tolerates (n-1)/2 stopped members, refuses writes with one more, heals;
 * and never leaves a process or a directory behind, on success, failure or interruption.
 * Clusters run one after another, on a loopback block of this file's own (test/helpers/loopback.ts).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { afterAll, describe, expect, test } from 'vitest';
import { rehearse, type RehearsalResult, type RehearseOptions } from '../../src/rehearse/index.js';
import { clusterConfigs, staticCluster, writeClusterDir, type Ign } from '../helpers/rehearse-fixtures.js';
import { loopbackBlock } from '../helpers/loopback.js';
import { requireEtcd } from '../helpers/tools.js';

requireEtcd();
const block = loopbackBlock();
// The loopback fallback (the lan layout is lan.test.ts's): what runs where network namespaces cannot be built.
const BLOCK: RehearseOptions = { memberBase: block.memberBase, machineBase: block.machineBase, portBase: block.portBase, timeoutSeconds: 60, network: 'loopback' };
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function fixtureDir(configs: Record<string, Ign>): string {
  const dir = writeClusterDir(configs);
  dirs.push(dir);
  return dir;
}

const byId = (r: RehearsalResult) => Object.fromEntries(r.steps.map((s) => [s.id, s]));

/** No process whose command line names the work dir, and the dir itself is gone. */
function assertNothingLeft(r: RehearsalResult): void {
  const left = spawnSync('pgrep', ['-f', r.workDir], { encoding: 'utf8' });
  expect(left.stdout.trim(), `processes left: ${left.stdout}`).toBe('');
  expect(existsSync(r.workDir)).toBe(false);
}

describe.sequential('the drill with real etcd', () => {
  test('3 members, 2 workers: forms, writes through both proxies, tolerates 1, refuses with 2 down, heals', async () => {
    const r = await rehearse(fixtureDir(clusterConfigs(staticCluster('three', 3, 2))), BLOCK);
    const s = byId(r);
    expect(
      r.steps.filter((x) => x.status !== 'passed'),
      JSON.stringify(r.steps, null, 1),
    ).toEqual([]);
    expect(r.ok).toBe(true);
    expect([r.layout, r.fallback, r.lan]).toEqual(['addresses', 'asked for', null]);
    expect(r.faultTolerance).toBe(1);
    expect(r.steps.map((x) => x.id)).toEqual(['plan', 'ports', 'members', 'proxy:three-worker-1', 'proxy:three-worker-2', 'tolerate', 'quorum', 'heal', 'cleanup']);
    expect(r.members.map((m) => m.clientUrl)).toEqual([0, 1, 2].map((i) => `http://${block.member(i)}:2379`));
    expect(r.proxies.map((p) => p.clientUrl)).toEqual([0, 1].map((i) => `http://${block.machine(i)}:2379`));
    expect(s.tolerate!.title).toBe('stop 1 of 3 members: still writable');
    expect(s.tolerate!.detail).toMatch(/^stopped three-etcd-\d \(leader: three-etcd-\d\); written via three-worker-1's proxy and member three-etcd-\d/);
    expect(s.quorum!.detail).toMatch(/1 of 3 up, quorum is 2; writes via three-worker-1's proxy and member three-etcd-\d refused/);
    expect(s.heal!.detail).toMatch(/all 3 healthy/);
    assertNothingLeft(r);
  });

  test('5 members: tolerates 2 stopped, refuses writes with 3 down, heals', async () => {
    const r = await rehearse(fixtureDir(clusterConfigs(staticCluster('five', 5, 1))), BLOCK);
    const s = byId(r);
    expect(
      r.steps.filter((x) => x.status !== 'passed'),
      JSON.stringify(r.steps, null, 1),
    ).toEqual([]);
    expect(r.faultTolerance).toBe(2);
    expect(s.tolerate!.title).toBe('stop 2 of 5 members: still writable');
    expect(s.quorum!.detail).toMatch(/2 of 5 up, quorum is 3; writes via five-worker-1's proxy and member five-etcd-\d refused/);
    expect(s.heal!.detail).toMatch(/all 5 healthy/);
    assertNothingLeft(r);
  });

  test('a member etcd rejects: fails fast with its log, the rest is skipped, everything cleaned up', async () => {
    const configs = clusterConfigs(staticCluster('bad', 3, 1));
    const dropins = configs['bad-etcd-2']!.systemd.units[0].dropins;
    dropins[1].contents = dropins[1].contents.replace('ETCD_INITIAL_CLUSTER_STATE=new', 'ETCD_INITIAL_CLUSTER_STATE=bogus');
    const t0 = Date.now();
    const r = await rehearse(fixtureDir(configs), BLOCK);
    expect(Date.now() - t0).toBeLessThan(15_000);
    const s = byId(r);
    expect(r.ok).toBe(false);
    expect(s.members!.status).toBe('failed');
    expect(s.members!.detail).toMatch(/^member bad-etcd-2 exited \(code 1\): etcdmain: error verifying flags, invalid value "bogus" for ETCD_INITIAL_CLUSTER_STATE/);
    expect(['proxy:bad-worker-1', 'tolerate', 'quorum', 'heal'].map((id) => s[id]!.status)).toEqual(['skipped', 'skipped', 'skipped', 'skipped']);
    expect(s.cleanup!.status).toBe('passed');
    assertNothingLeft(r);
  });

  test('the overall deadline bounds everything: a step that runs out fails, the rest is skipped, all cleaned up', async () => {
    const t0 = Date.now();
    const r = await rehearse(fixtureDir(clusterConfigs(staticCluster('late', 3, 1))), { ...BLOCK, timeoutSeconds: 0.2 });
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(r.ok).toBe(false);
    const failed = r.steps.filter((s) => s.status === 'failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]!.detail).toMatch(/the overall deadline of 0.2s passed|within/);
    expect(byId(r).heal!.status).toBe('skipped');
    expect(byId(r).cleanup!.status).toBe('passed');
    assertNothingLeft(r);
  });

  test('interrupted (the abort signal, as on Ctrl-C) once the cluster formed: stops, cleans up, says so', async () => {
    const abort = new AbortController();
    const r = await rehearse(fixtureDir(clusterConfigs(staticCluster('int', 3, 1))), {
      ...BLOCK,
      signal: abort.signal,
      onEvent: (e) => {
        if (e.type === 'end' && e.step.id === 'members') abort.abort();
      },
    });
    expect(r.interrupted).toBe(true);
    expect(r.ok).toBe(false);
    expect(byId(r).cleanup!.status).toBe('passed');
    assertNothingLeft(r);
  });
});

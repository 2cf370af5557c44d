/**
 * Issue 15, item 2, with the real etcd: a 3-member cluster generated and run from its configs (each
 * member as the etcd-wrapper runs it, test/helpers/etcd-machine.ts) loses a member with its disk.
 * Its original config, booted again after the printed steps, stops by itself without joining. `replace DIR
 * MACHINE` writes its replacement config, keeps every other file byte for byte, and prints the
 * steps; the test runs the printed etcdctl lines with sh, boots the replacement, and the cluster has
 * three healthy members again and keeps its data.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateCluster } from '../../src/generate.js';
import { writeOutputDir } from '../../src/write/output.js';
import { runReplaceMachine } from '../../src/cli/replace-machine.js';
import { findOnPath } from '../../src/rehearse/binaries.js';
import { withKey } from '../helpers/generator.js';
import { applyMember, etcdctl, loopbackNet, startMember, stopMember, waitFor, type RunningMember } from '../helpers/etcd-machine.js';
import { filesBelow, tempDirs } from '../helpers/tmp.js';

// These clusters run on this machine's loopback (127.x networks): a test-only hook lets the planner use them (src/net/ipv4.ts).
process.env.FLATCAR_ARCHITECT_TEST_LOOPBACK_NETWORKS = '1';

const usable = findOnPath('etcd') !== null && findOnPath('etcdctl') !== null && findOnPath('unshare') !== null && process.getuid?.() === 0;
const tmp = tempDirs('fa-replace-');
const running: RunningMember[] = [];
afterAll(async () => {
  await Promise.all(running.map(stopMember));
});

describe('replace DIR MACHINE, with the real etcd', () => {
  it('the replaced member joins after the printed steps; the cluster keeps its data; other files stay byte for byte', async () => {
    expect(usable, 'needs root, etcd, etcdctl and unshare').toBe(true);
    const net = loopbackNet();
    const work = tmp();
    const answers = withKey({ preset: 'small', size: 3, name: 'rep', network: { cidr: `${net}.0/24`, gateway: `${net}.1`, firstAddress: `${net}.101`, interface: 'eth0' } });
    const result = await generateCluster(answers);
    const dir = join(work, 'rep');
    writeOutputDir(dir, result.files);
    const before = filesBelow(dir, (b) => b.toString('utf8'));
    const client = { cacert: join(dir, 'pki/ca.pem'), cert: join(dir, 'pki/etcd/member/rep-node-1/server.pem'), key: join(dir, 'pki/etcd/member/rep-node-1/server-key.pem') };
    const endpoints = result.plan.etcd!.clientEndpoints;

    const members = result.machines.map((m) => applyMember(m.name, m.ignition, work));
    const started = members.map((m) => startMember(m, join(work, `${m.name}-data`), join(work, `${m.name}.log`)));
    running.push(...started);
    if (!(await waitFor(() => etcdctl(endpoints, client, 'endpoint', 'health').status === 0, 60_000, 1000))) {
      throw new Error(`not formed:\n${started.map((s) => readFileSync(s.log, 'utf8').split('\n').slice(-6).join('\n')).join('\n---\n')}`);
    }
    for (let i = 0; i < 50; i++) expect(etcdctl(endpoints, client, 'put', `key-${i}`, `value-${i}`).status).toBe(0);

    // rep-node-2 fails with its disk.
    await stopMember(started[1]!);
    rmSync(started[1]!.dataDir, { recursive: true, force: true });

    const out: string[] = [];
    const err: string[] = [];
    const code = await runReplaceMachine('rep', 'rep-node-2', { cwd: work, stdout: (t) => out.push(t), stderr: (t) => err.push(t) });
    expect(err.join('')).toBe('');
    expect(code).toBe(0);
    const printed = out.join('');
    const after = filesBelow(dir, (b) => b.toString('utf8'));
    const changed = Object.keys(after).filter((f) => after[f] !== before[f]);
    expect(changed.sort()).toEqual(['cluster.yaml', 'rep-node-2.bu', 'rep-node-2.ign']);
    expect(Object.keys(after).sort()).toEqual(Object.keys(before).sort());
    expect(after['cluster.yaml']).toContain('etcdMembership:');

    // The steps in order: remove, then add, then boot.
    const lines = printed.split('\n').map((l) => l.trim());
    const remove = lines.findIndex((l) => l.startsWith('etcdctl member remove'));
    const add = lines.findIndex((l) => l.startsWith('etcdctl member add rep-node-2 --peer-urls=https://'));
    expect(remove).toBeGreaterThan(0);
    expect(add).toBeGreaterThan(remove);
    expect(printed).toMatch(/install rep-node-2 on a fresh disk with rep\/rep-node-2\.ign/);

    // Run the printed shell lines (exports, member remove, member add) from the directory's parent.
    const shell = lines
      .slice(0, add + 1)
      .filter((l) => /^(export|etcdctl|sleep) /.test(l))
      .join('\n');
    const ran = spawnSync('sh', ['-ec', shell], { cwd: work, encoding: 'utf8', env: { PATH: process.env.PATH ?? '' }, timeout: 60_000 });
    expect(ran.stderr).not.toMatch(/Error|unhealthy/);
    expect(ran.status).toBe(0);
    expect(ran.stdout).toMatch(/Member .* removed from cluster/);
    expect(ran.stdout).toMatch(/ETCD_INITIAL_CLUSTER_STATE="existing"/);

    // Its original config on a fresh disk does not join.
    const oldApplied = applyMember('rep-node-2', result.machines[1]!.ignition, work);
    expect(oldApplied.env.ETCD_INITIAL_CLUSTER_STATE).toBe('new');
    const old = startMember(oldApplied, join(work, 'old-data'), join(work, 'old.log'));
    running.push(old);
    const oldFailed = await waitFor(() => old.child.exitCode !== null || etcdctl([endpoints[1]!], client, 'endpoint', 'health').status === 0, 30_000, 1000);
    expect(oldFailed).toBe(true);
    // It stops by itself (under systemd's Restart=always: a loop), never a member.
    expect(old.child.exitCode ?? old.child.signalCode).not.toBeNull();
    expect(readFileSync(old.log, 'utf8')).toMatch(/has been permanently removed from the cluster|has already been bootstrapped/);
    expect(etcdctl([endpoints[0]!], client, 'member', 'list').out).not.toMatch(/ started, rep-node-2, /);
    await stopMember(old);

    // The replacement config joins.
    const fresh = applyMember('rep-node-2', after['rep-node-2.ign']!, work);
    expect(fresh.env.ETCD_INITIAL_CLUSTER_STATE).toBe('existing');
    expect(fresh.env.ETCD_INITIAL_CLUSTER).toBe(result.plan.etcd!.initialCluster);
    const replacement = startMember(fresh, join(work, 'new-data'), join(work, 'new.log'));
    running.push(replacement);
    // Health of every member the cluster lists, once the replacement has started (an unstarted member has no client URL).
    const startedCount = () =>
      etcdctl(endpoints, client, 'member', 'list')
        .out.split('\n')
        .filter((l) => / started, rep-node-\d, /.test(l)).length;
    const healthy = await waitFor(() => startedCount() === 3 && etcdctl(endpoints, client, 'endpoint', 'health', '--cluster').status === 0, 60_000, 1000);
    if (!healthy) throw new Error(`replacement did not join:\n${readFileSync(replacement.log, 'utf8').split('\n').slice(-8).join('\n')}`);
    const list = etcdctl(endpoints, client, 'member', 'list').out;
    expect(list.split('\n').filter((l) => / started, rep-node-\d, /.test(l))).toHaveLength(3);
    // The data is there, read from the replacement itself (serializable: its own copy).
    expect(await waitFor(() => etcdctl([endpoints[1]!], client, 'get', 'key-49', '--print-value-only', '--consistency=s').out.trim() === 'value-49', 20_000)).toBe(true);
    const keys = etcdctl([endpoints[1]!], client, 'get', 'key-', '--prefix', '--keys-only', '--consistency=s')
      .out.split('\n')
      .filter((l) => l.startsWith('key-'));
    expect(keys).toHaveLength(50);
  }, 300_000);
});

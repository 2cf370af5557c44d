/** `replace DIR MACHINE` refusals and the worker case, in-process (the real-etcd run is test/e2e/replace-etcd.test.ts). */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateCluster } from '../../src/generate.js';
import { writeOutputDir } from '../../src/write/output.js';
import { runReplaceMachine } from '../../src/cli/replace-machine.js';
import { runReported } from '../../src/cli/errors.js';
import { withKey } from '../helpers/generator.js';
import { filesBelow, tempDirs } from '../helpers/tmp.js';

const tmp = tempDirs('fa-replace-cli-');

async function cluster(answers: Parameters<typeof generateCluster>[0]): Promise<{ cwd: string; dir: string }> {
  const cwd = tmp();
  const dir = join(cwd, 'c');
  writeOutputDir(dir, (await generateCluster(answers)).files);
  return { cwd, dir };
}

const run = async (cwd: string, dir: string, name: string) => {
  const out: string[] = [];
  const err: string[] = [];
  // As main.ts runs it: what it throws goes through the CLI's one failure mapping.
  const code = await runReported(
    () => runReplaceMachine(dir, name, { cwd, stdout: (t) => out.push(t), stderr: (t) => err.push(t) }),
    false,
    (t) => err.push(t),
  );
  return { code, out: out.join(''), err: err.join('') };
};

describe('replace DIR MACHINE', () => {
  it('an unknown machine, or a cluster formed by discovery: one clear line, nothing written', async () => {
    const { cwd, dir } = await cluster(withKey({ preset: 'production', size: 4, network: { interface: 'eth0' } }));
    const before = filesBelow(dir, (b) => b.toString('hex'));
    expect(await run(cwd, 'c', 'nope')).toEqual({
      code: 2,
      out: '',
      err: 'flatcar-architect: no machine is called nope; this cluster has production-etcd-1, production-etcd-2, production-etcd-3, production-worker-1\n',
    });
    expect(filesBelow(dir, (b) => b.toString('hex'))).toEqual(before);
    const disco = await cluster(withKey({ preset: 'small', size: 3, network: { interface: 'eth0' }, etcd: { discovery: 'https://discovery.etcd.io/x' } }));
    const refused = await run(disco.cwd, 'c', 'small-node-1');
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/^flatcar-architect: --discovery: this cluster formed through a discovery URL, which works once[^\n]*\n$/);
  });

  it('a worker: nothing changes; it boots again with its own config', async () => {
    const { cwd, dir } = await cluster(withKey({ preset: 'production', size: 4, network: { interface: 'eth0' } }));
    const before = filesBelow(dir, (b) => b.toString('hex'));
    const r = await run(cwd, 'c', 'production-worker-1');
    expect(r.code).toBe(0);
    expect(r.out).toBe('production-worker-1 is a worker: it holds no etcd data. Re-provision it (a fresh disk) and boot it with c/production-worker-1.ign, unchanged.\n');
    expect(filesBelow(dir, (b) => b.toString('hex'))).toEqual(before);
  });

  it('a member: only its config and cluster.yaml change; running it again changes nothing more', async () => {
    const { cwd, dir } = await cluster(withKey({ preset: 'production', size: 4, network: { interface: 'eth0' } }));
    const before = filesBelow(dir, (b) => b.toString('utf8'));
    const r = await run(cwd, 'c', 'production-etcd-2');
    expect(r.code).toBe(0);
    expect(r.out).toContain('etcdctl member add production-etcd-2 --peer-urls=https://10.0.0.102:2380');
    // etcd 3.4 answers "member not found" to an add just after a remove (seen by the replace drill): the steps say to run it again.
    expect(r.out).toMatch(/"unhealthy cluster", or etcd 3.4's "member not found": wait a little longer and run it again/);
    expect(r.out).toContain('export ETCDCTL_API=3 ETCDCTL_ENDPOINTS=https://10.0.0.101:2379,https://10.0.0.103:2379');
    const after = filesBelow(dir, (b) => b.toString('utf8'));
    expect(
      Object.keys(after)
        .filter((f) => after[f] !== before[f])
        .sort(),
    ).toEqual(['cluster.yaml', 'production-etcd-2.bu', 'production-etcd-2.ign']);
    expect(after['production-etcd-2.bu']).toContain('Environment="ETCD_INITIAL_CLUSTER_STATE=existing"');
    const again = await run(cwd, 'c', 'production-etcd-2');
    expect(again.code).toBe(0);
    expect(filesBelow(dir, (b) => b.toString('utf8'))).toEqual(after);
  });
});

/**
 * Issue 4's and issue 6's "real etcd" check: clusters written by the built CLI
 * (dist/src/cli/main.js, built by `pretest`) are rehearsed with the real etcd exactly as generated:
 * with TLS (the default) every member runs on 127.0.0.1, which its certificates name, with ports of
 * its own (from 25379, 100 apart per case: the cases run at once); with --insecure each member on its own 127.0.30.x. They form (over
 * https peer URLs), refuse etcdctl without a client certificate, every worker's proxy reaches them
 * with its client certificate, they tolerate (n-1)/2 stopped members, refuse writes with one more,
 * and heal.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, test, type ExpectStatic } from 'vitest';
import { rehearse } from '../../src/rehearse/index.js';
import { runCli } from '../helpers/run.js';
import { loopbackBlock } from '../helpers/loopback.js';
import { requireEtcd } from '../helpers/tools.js';

requireEtcd();
const block = loopbackBlock();
const dirs: string[] = [];
afterAll(() =>
  dirs.forEach((d) => {
    rmSync(d, { recursive: true, force: true });
  }),
);

function generated(args: string[]): string {
  const parent = mkdtempSync(join(tmpdir(), 'generated-etcd-'));
  dirs.push(parent);
  const out = join(parent, 'cluster');
  const r = runCli([...args, '--out', out]);
  if (r.status !== 0) throw new Error(`generate ${args.join(' ')}: ${r.stderr}`);
  return out;
}

const cases = [
  { args: ['--preset', 'small', '--size', '3'], members: ['small-node-1', 'small-node-2', 'small-node-3'], proxies: [] as string[], tolerance: 1 },
  { args: ['--preset', 'dev', '--size', '3'], members: ['dev-etcd-1'], proxies: ['dev-worker-1', 'dev-worker-2'], tolerance: 0 },
  {
    args: ['--preset', 'production', '--size', '6'],
    members: ['production-etcd-1', 'production-etcd-2', 'production-etcd-3'],
    proxies: ['production-worker-1', 'production-worker-2', 'production-worker-3'],
    tolerance: 1,
  },
];

/** No process whose command line names the work dir, and the dir itself is gone. */
function assertNothingLeft(expect: ExpectStatic, workDir: string): void {
  const left = spawnSync('pgrep', ['-f', workDir], { encoding: 'utf8' });
  expect(left.stdout.trim(), `processes left: ${left.stdout}`).toBe('');
  expect(existsSync(workDir)).toBe(false);
}

const stepIds = (proxies: string[], tls: boolean) => [
  'plan',
  'ports',
  'members',
  ...(tls ? ['client-cert'] : []),
  ...proxies.map((p) => `proxy:${p}`),
  'tolerate',
  'quorum',
  'heal',
  'cleanup',
];

// The four rehearsals run at once (each on ports or addresses of its own): they mostly wait for etcd.
describe('generated clusters run on the real etcd', () => {
  const tlsDirs: string[] = [];
  let insecureDir = '';
  beforeAll(() => {
    // Generated before any rehearsal starts: the CLI runs synchronously and would stall the others.
    for (const c of cases) tlsDirs.push(generated(c.args));
    insecureDir = generated([...cases[2]!.args, '--insecure']);
  });

  for (const [i, c] of cases.entries()) {
    test.concurrent(`${c.args.join(' ')} with TLS (the default): on 127.0.0.1 with ports of their own, forms over https, refuses etcdctl without a client certificate, proxies write with theirs, tolerates ${c.tolerance}, refuses one more, heals`, async ({
      expect,
    }) => {
      const dir = tlsDirs[i]!;
      expect(readFileSync(join(dir, `${c.members[0]}.ign`), 'utf8'), 'the generator writes TLS settings into the etcd-member drop-ins').toContain('ETCD_CERT_FILE');
      const portBase = block.portBase + 100 * i;
      const r = await rehearse(dir, { portBase, timeoutSeconds: 60, network: 'loopback' });
      expect(
        r.steps.filter((s) => s.status !== 'passed'),
        JSON.stringify(r.steps, null, 1),
      ).toEqual([]);
      expect(r.layout).toBe('ports');
      expect(r.members.map((m) => m.name)).toEqual(c.members);
      expect(r.members.map((m) => m.clientUrl)).toEqual(c.members.map((_, n) => `https://127.0.0.1:${portBase + 10 * n}`));
      expect(r.proxies.map((p) => p.machine)).toEqual(c.proxies);
      expect(r.faultTolerance).toBe(c.tolerance);
      expect(r.steps.map((s) => s.id)).toEqual(stepIds(c.proxies, true));
      expect(r.steps.find((s) => s.id === 'client-cert')!.detail).toMatch(/^refused by .*\(the members log: tls: .*certificate.*\); with the certificate it answers$/);
      expect(r.notes.some((n) => n.startsWith('ports remapped: the members serve TLS'))).toBe(true);
      assertNothingLeft(expect, r.workDir);
    });
  }

  test.concurrent('production --insecure (plain http): each member on its own loopback address, ports as generated; the drill passes', async ({ expect }) => {
    const c = cases[2]!;
    const r = await rehearse(insecureDir, { memberBase: block.memberBase, machineBase: block.machineBase, timeoutSeconds: 60, network: 'loopback' });
    expect(
      r.steps.filter((s) => s.status !== 'passed'),
      JSON.stringify(r.steps, null, 1),
    ).toEqual([]);
    expect(r.layout).toBe('addresses');
    expect(r.members.map((m) => m.clientUrl)).toEqual([0, 1, 2].map((i) => `http://${block.member(i)}:2379`));
    expect(r.proxies.map((p) => p.machine)).toEqual(c.proxies);
    expect(r.steps.map((s) => s.id)).toEqual(stepIds(c.proxies, false));
    assertNothingLeft(expect, r.workDir);
  });
});

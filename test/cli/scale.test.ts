/** `flatcar-architect scale DIR --size N`: existing files byte for byte, new machines certified by the same CA, membership steps. */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run.js';
import { environment, butaneUnits } from '../helpers/generator.js';
import { filesBelow, tempDirs } from '../helpers/tmp.js';

const tmp = tempDirs('fa-scale-');

/** sha256 of every file below dir, by relative path. */
const hashes = (dir: string): Record<string, string> => filesBelow(dir, (b) => createHash('sha256').update(b).digest('hex'));

/** Files that say what the cluster is as a whole: they change with its size. */
const WHOLE = ['cluster.yaml', 'SUMMARY.md', 'topology.svg'];

function expectKept(before: Record<string, string>, after: Record<string, string>, gone: string[] = []): void {
  for (const [file, hash] of Object.entries(before)) {
    if (WHOLE.includes(file)) continue;
    if (gone.some((g) => file.includes(g))) {
      expect(after[file], `${file} should be gone`).toBeUndefined();
      continue;
    }
    expect(after[file], `${file} changed`).toBe(hash);
  }
}

function verify(dir: string, cert: string): void {
  const r = spawnSync('openssl', ['verify', '-CAfile', join(dir, 'pki', 'ca.pem'), join(dir, 'pki', cert)], { encoding: 'utf8' });
  expect(r.status, r.stdout + r.stderr).toBe(0);
}

function sans(dir: string, cert: string): string {
  return spawnSync('openssl', ['x509', '-noout', '-ext', 'subjectAltName', '-in', join(dir, 'pki', cert)], { encoding: 'utf8' }).stdout;
}

const env = (dir: string, machine: string) =>
  environment(butaneUnits(readFileSync(join(dir, `${machine}.bu`), 'utf8'))['etcd-member.service']!.dropins!.find((d) => d.name === '20-cluster.conf')!.contents);

let runs = 0;
function reproduces(cwd: string, dir: string): void {
  const out = `${dir}-again-${++runs}`;
  const again = runCli(['--answers', `${dir}/cluster.yaml`, '--pki', dir, '--out', out], { cwd });
  expect(again.status, again.stderr).toBe(0);
  expect(hashes(join(cwd, out))).toEqual(hashes(join(cwd, dir)));
}

describe('scale production 5 -> 8 -> 5 (workers)', () => {
  const cwd = tmp();
  const gen = runCli(['--preset', 'production', '--size', '5', '--mac-prefix', '52:54:00', '--out', 'prod'], { cwd });
  const dir = join(cwd, 'prod');
  const before = hashes(dir);
  const grown = runCli(['scale', 'prod', '--size', '8'], { cwd });
  const after = hashes(dir);

  it('keeps every existing file byte for byte and adds three workers at the next addresses', () => {
    expect(gen.status, gen.stderr).toBe(0);
    expect(grown.status, grown.stderr).toBe(0);
    expectKept(before, after);
    for (const [i, n] of [3, 4, 5].entries()) {
      const name = `production-worker-${n}`;
      expect(after[`${name}.ign`]).toBeDefined();
      expect(grown.stdout).toContain(`added: ${name}  worker  10.0.0.${106 + i}  52:54:00:00:00:${(106 + i).toString(16)}`);
      verify(dir, `etcd/proxy/${name}/client.pem`);
      verify(dir, `etcd/locksmith/${name}/client.pem`);
    }
    expect(grown.stdout).not.toContain('etcdctl member');
  });

  it('keeps the etcd size (5 would be the default for 8+ machines only from 10 on, but never silently)', () => {
    expect(readFileSync(join(dir, 'cluster.yaml'), 'utf8')).toMatch(/etcd:\n {2}size: 3\n/);
    expect(readFileSync(join(dir, 'production-worker-5.bu'), 'utf8')).toContain('--endpoints=https://10.0.0.101:2379,https://10.0.0.102:2379,https://10.0.0.103:2379 ');
  });

  it('--answers DIR/cluster.yaml --pki DIR writes the same files', () => reproduces(cwd, 'prod'));

  it('growing to 10 keeps 3 etcd members unless --etcd-size says otherwise', () => {
    const c = tmp();
    cpSync(dir, join(c, 'p'), { recursive: true });
    const r = runCli(['scale', 'p', '--size', '10'], { cwd: c });
    expect(r.status, r.stderr).toBe(0);
    expect(existsSync(join(c, 'p', 'production-etcd-4.ign'))).toBe(false);
    expect(existsSync(join(c, 'p', 'production-worker-7.ign'))).toBe(true);
  });

  it('shrinking needs --force, then removes the highest-numbered workers only', () => {
    const refused = runCli(['scale', 'prod', '--size', '5'], { cwd });
    expect(refused.status).toBe(2);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(hashes(dir)).toEqual(after);
    const shrunk = runCli(['scale', 'prod', '--size', '5', '--force'], { cwd });
    expect(shrunk.status, shrunk.stderr).toBe(0);
    const final = hashes(dir);
    expectKept(after, final, ['production-worker-3', 'production-worker-4', 'production-worker-5']);
    expect(Object.keys(final).filter((f) => f.endsWith('.ign'))).toHaveLength(5);
    expect(shrunk.stdout).toContain('removed: production-worker-3, production-worker-4, production-worker-5');
    // The removed machines' certificates are not lost: the old pki/ is kept beside DIR, and said where.
    const kept = /^PKI: the previous pki\/ is kept in (prod\.previous-pki\/[^/]+)\/ /m.exec(shrunk.stdout);
    expect(kept, shrunk.stdout).not.toBeNull();
    expect(existsSync(join(cwd, kept![1]!, 'etcd', 'proxy', 'production-worker-5', 'client.pem'))).toBe(true);
    reproduces(cwd, 'prod');
  });
});

describe('scale small 3 -> 5: every machine is an etcd member', () => {
  const cwd = tmp();
  runCli(['--preset', 'small', '--size', '3', '--out', 'small'], { cwd });
  const dir = join(cwd, 'small');
  const before = hashes(dir);
  const r = runCli(['scale', 'small', '--size', '5'], { cwd });

  it('keeps the members byte for byte; the new ones join the running cluster one at a time', () => {
    expect(r.status, r.stderr).toBe(0);
    expectKept(before, hashes(dir));
    const m4 = env(dir, 'small-node-4');
    const m5 = env(dir, 'small-node-5');
    expect(m4.ETCD_INITIAL_CLUSTER_STATE).toBe('existing');
    expect(m5.ETCD_INITIAL_CLUSTER_STATE).toBe('existing');
    const first3 = [1, 2, 3].map((i) => `small-node-${i}=https://10.0.0.10${i}:2380`).join(',');
    expect(m4.ETCD_INITIAL_CLUSTER).toBe(`${first3},small-node-4=https://10.0.0.104:2380`);
    expect(m5.ETCD_INITIAL_CLUSTER).toBe(`${first3},small-node-4=https://10.0.0.104:2380,small-node-5=https://10.0.0.105:2380`);
    expect(env(dir, 'small-node-1').ETCD_INITIAL_CLUSTER).toBe(first3);
    expect(env(dir, 'small-node-1').ETCD_INITIAL_CLUSTER_STATE).toBe('new');
    for (const n of [4, 5]) {
      verify(dir, `etcd/member/small-node-${n}/server.pem`);
      verify(dir, `etcd/member/small-node-${n}/peer.pem`);
      expect(sans(dir, `etcd/member/small-node-${n}/server.pem`)).toContain(`IP Address:10.0.0.10${n}`);
    }
  });

  it('prints the member add steps in order, with a health check between', () => {
    const lines = r.stdout.split('\n');
    const at = (re: RegExp) => lines.findIndex((l) => re.test(l));
    const add4 = at(/etcdctl member add small-node-4 --peer-urls=https:\/\/10\.0\.0\.104:2380/);
    const boot4 = at(/boot small-node-4 with small\/small-node-4\.ign/);
    const health = lines.findIndex((l, i) => i > boot4 && /etcdctl endpoint health --cluster/.test(l));
    const add5 = at(/etcdctl member add small-node-5 --peer-urls=https:\/\/10\.0\.0\.105:2380/);
    expect(add4).toBeGreaterThan(0);
    expect(boot4).toBeGreaterThan(add4);
    expect(health).toBeGreaterThan(boot4);
    expect(add5).toBeGreaterThan(health);
    expect(r.stdout).toContain('ETCDCTL_CACERT=small/pki/ca.pem');
  });

  it('--answers DIR/cluster.yaml --pki DIR writes the same files', () => reproduces(cwd, 'small'));

  it('shrinking back prints member remove steps, the highest first', () => {
    const s = runCli(['scale', 'small', '--size', '3', '--force'], { cwd });
    expect(s.status, s.stderr).toBe(0);
    expect(s.stdout.indexOf('member remove <id>    # the id of small-node-5')).toBeLessThan(s.stdout.indexOf('member remove <id>    # the id of small-node-4'));
    expect(s.stdout.indexOf('small-node-5')).toBeGreaterThan(0);
    expect(hashes(dir)['small-node-1.ign']).toBe(before['small-node-1.ign']);
    reproduces(cwd, 'small');
  });
});

describe('scale production --etcd-size 3 -> 5', () => {
  const cwd = tmp();
  runCli(['--preset', 'production', '--size', '8', '--out', 'p'], { cwd });
  const before = hashes(join(cwd, 'p'));
  const r = runCli(['scale', 'p', '--size', '10', '--etcd-size', '5'], { cwd });

  it('adds two members at the next free addresses; the workers keep theirs', () => {
    expect(r.status, r.stderr).toBe(0);
    expectKept(before, hashes(join(cwd, 'p')));
    expect(r.stdout).toContain('etcdctl member add production-etcd-4 --peer-urls=https://10.0.0.109:2380');
    expect(r.stdout).toContain('etcdctl member add production-etcd-5 --peer-urls=https://10.0.0.110:2380');
    verify(join(cwd, 'p'), 'etcd/member/production-etcd-5/server.pem');
    reproduces(cwd, 'p');
  });
});

describe('scale: bad input exits 2 with one line', () => {
  const cwd = tmp();
  runCli(['--preset', 'laptop', '--out', 'laptop'], { cwd });
  runCli(['--preset', 'small', '--size', '3', '--out', 'small'], { cwd });
  runCli(['--preset', 'production', '--size', '5', '--out', 'prod'], { cwd });
  mkdirSync(join(cwd, 'empty'));
  writeFileSync(join(cwd, 'empty', 'x'), '');
  const cases: [string, string[], RegExp][] = [
    ['a DIR without cluster.yaml', ['scale', 'empty', '--size', '3'], /holds no cluster\.yaml/],
    ['a DIR that does not exist', ['scale', 'nothing', '--size', '3'], /is not a directory/],
    ['the laptop', ['scale', 'laptop', '--size', '2'], /laptop preset is one machine/],
    ['small beyond 9', ['scale', 'small', '--size', '12'], /--size: the small preset has 3 to 9 machines/],
    ['production without workers', ['scale', 'prod', '--size', '3'], /--size: production with 3 etcd machines needs at least 4/],
    ['production etcd 4', ['scale', 'prod', '--size', '9', '--etcd-size', '4'], /--etcd-size: production runs 3 or 5/],
    ['--etcd-size with small', ['scale', 'small', '--size', '5', '--etcd-size', '3'], /^flatcar-architect: --etcd-size: the small preset's etcd size follows/],
    ['no --size', ['scale', 'small'], /--size/],
    ['a size that is no number', ['scale', 'small', '--size', 'four'], /--size: four is not a whole number/],
  ];
  for (const [what, args, message] of cases) {
    it(what, () => {
      const before = existsSync(join(cwd, args[1]!)) ? hashes(join(cwd, args[1]!)) : {};
      const r = runCli(args, { cwd });
      expect(r.status).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      if (existsSync(join(cwd, args[1]!))) expect(hashes(join(cwd, args[1]!))).toEqual(before);
    });
  }

  it('a DIR whose configs were edited by hand is refused (exit 1), not overwritten', () => {
    const c = tmp();
    cpSync(join(cwd, 'prod'), join(c, 'prod'), { recursive: true });
    writeFileSync(join(c, 'prod', 'production-worker-1.bu'), readFileSync(join(c, 'prod', 'production-worker-1.bu'), 'utf8') + '# edited\n');
    const before = hashes(join(c, 'prod'));
    const r = runCli(['scale', 'prod', '--size', '6'], { cwd: c });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/production-worker-1\.bu would change/);
    expect(hashes(join(c, 'prod'))).toEqual(before);
  });
});

describe('etcdMembership in answers (what scale records)', async () => {
  const { generate } = await import('../../src/generate.js');
  const { SpecError } = await import('../../src/answers/types.js');
  const base = { preset: 'small' as const, size: 3 };

  it('gives the listed machines their recorded settings and joins with state existing', () => {
    const r = generate({
      ...base,
      etcdMembership: [
        {
          machines: ['small-node-3'],
          initialCluster: 'small-node-1=https://10.0.0.101:2380,small-node-3=https://10.0.0.103:2380',
          state: 'existing',
          clientEndpoints: ['https://10.0.0.101:2379'],
        },
      ],
    });
    const bu = r.machines.find((m) => m.name === 'small-node-3')!.butane;
    const e = environment(butaneUnits(bu)['etcd-member.service']!.dropins!.find((d) => d.name === '20-cluster.conf')!.contents);
    expect(e.ETCD_INITIAL_CLUSTER_STATE).toBe('existing');
    expect(e.ETCD_INITIAL_CLUSTER).toBe('small-node-1=https://10.0.0.101:2380,small-node-3=https://10.0.0.103:2380');
    expect(r.files.find((f) => f.name === 'cluster.yaml')!.contents).toContain('etcdMembership:\n  - machines:\n      - small-node-3\n');
    const other = r.machines.find((m) => m.name === 'small-node-1')!.butane;
    expect(other).toContain('ETCD_INITIAL_CLUSTER_STATE=new');
  });

  it('refuses an unknown machine', () => {
    expect(() => generate({ ...base, etcdMembership: [{ machines: ['nope'], state: 'existing' }] })).toThrow(SpecError);
  });
});

describe('--json: scale and replace print one JSON document on stdout', () => {
  const cwd = tmp();
  const gen = runCli(
    [
      '--preset',
      'production',
      '--size',
      '4',
      '--interface',
      'eth0',
      '--ssh-key',
      'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMx7q3Yd0o8Q2pZk1v4cHqR9Wn6yT2eLbF5sJgKaPuXr admin@example',
      '--out',
      'p',
    ],
    { cwd },
  );

  it('scale --json: the machines kept, added (role, address, MAC) and removed, the members, the steps', () => {
    expect(gen.status, gen.stderr).toBe(0);
    const r = runCli(['scale', 'p', '--size', '5', '--json'], { cwd });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({
      cluster: 'production',
      dir: join(cwd, 'p'),
      machinesBefore: 4,
      machinesAfter: 5,
      kept: ['production-etcd-1', 'production-etcd-2', 'production-etcd-3', 'production-worker-1'],
      added: [{ name: 'production-worker-2', role: 'worker', address: '10.0.0.105', mac: null }],
      removed: [],
      etcdMembers: ['production-etcd-1', 'production-etcd-2', 'production-etcd-3'],
      steps: [],
    });
    const again = runCli(['scale', 'p', '--size', '5', '--json'], { cwd });
    expect(JSON.parse(again.stdout)).toMatchObject({ machinesBefore: 5, machinesAfter: 5, added: [], removed: [] });
  });

  it('replace --json: the files written and the steps printed without it', () => {
    const text = runCli(['replace', 'p', 'production-worker-1'], { cwd });
    const r = runCli(['replace', 'p', 'production-worker-1', '--json'], { cwd });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ machine: 'production-worker-1', dir: join(cwd, 'p'), changed: [], steps: text.stdout.trimEnd().split('\n') });
  });
});

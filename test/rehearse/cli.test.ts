/** `flatcar-architect rehearse DIR` (the built CLI): exit codes, one-line usage errors, JSON output. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { cliPath, repoRoot } from '../helpers/paths.js';
import { holdDefaultLoopback } from '../helpers/loopback.js';
import { runCli } from '../helpers/run.js';
import { clusterConfigs, file, staticCluster, writeClusterDir, type Ign } from '../helpers/rehearse-fixtures.js';
import { requireEtcd } from '../helpers/tools.js';

const dirs: string[] = [];
afterAll(() =>
  dirs.forEach((d) => {
    rmSync(d, { recursive: true, force: true });
  }),
);
const fixtureDir = (configs: Record<string, Ign>) => {
  const dir = writeClusterDir(configs);
  dirs.push(dir);
  return dir;
};
requireEtcd();

describe('bad usage: exit 2 with one line and no stack trace', () => {
  test('a missing DIR', () => {
    const r = runCli(['rehearse', '/nonexistent/cluster']);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('flatcar-architect: cannot read /nonexistent/cluster: no such directory\n');
  });

  test('no DIR argument at all', () => {
    const r = runCli(['rehearse']);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  test('a DIR without etcd members (a laptop)', () => {
    const dir = fixtureDir({ laptop: { ignition: { version: '3.3.0' }, storage: { files: [file('/etc/hostname', 'laptop')] } } });
    const r = runCli(['rehearse', dir]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`flatcar-architect: no etcd members found in ${dir}: no machine there runs etcd-member.service (a laptop cluster has no etcd)\n`);
  });

  test('etcd not installed: names the install command', () => {
    const dir = fixtureDir(clusterConfigs(staticCluster('x', 1, 0)));
    const r = runCli(['rehearse', dir], { env: { PATH: '/nonexistent-bin' } });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('flatcar-architect: etcd and etcdctl not found on PATH: install with `apt-get install etcd-server etcd-client`\n');
  });

  test('bad --timeout, --proxies and --layout values', () => {
    const dir = fixtureDir(clusterConfigs(staticCluster('x', 1, 0)));
    expect(runCli(['rehearse', dir, '--layout', 'bridge']).stderr).toBe('flatcar-architect: --layout takes auto, lan, loopback (got bridge)\n');
    expect(runCli(['rehearse', dir, '--timeout', '0']).stderr).toBe('flatcar-architect: --timeout takes seconds, more than 0 and at most 3600 (got 0)\n');
    const r = runCli(['rehearse', dir, '--proxies', '-1']);
    expect([r.status, r.stderr]).toEqual([2, 'flatcar-architect: --proxies takes a whole number, 0 or more (got -1)\n']);
  });
});

describe.sequential('running (real etcd; the lan layout by default, as root)', () => {
  // The --layout loopback case runs on the default addresses (127.0.0.11, 127.0.1.x): held for this block.
  holdDefaultLoopback();
  test('a dev cluster: exit 0, plain progress on stderr, the result as JSON on stdout, the layout and the etcd versions named', () => {
    // etcd-lock on the member (its locksmithd pointed at the members, v2 enabled): the lan layout takes the lock from there.
    const dir = fixtureDir(clusterConfigs(staticCluster('dev', 1, 2, true)));
    const r = runCli(['rehearse', dir, '--json', '--proxies', '1', '--timeout', '40'], { env: { NO_COLOR: '1' } });
    expect(r.status, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result.ok).toBe(true);
    expect(result.steps.map((s: { status: string }) => s.status).every((s: string) => s === 'passed')).toBe(true);
    expect(result.skippedProxies).toEqual(['dev-worker-2']);
    expect(r.stderr).toContain('ok   stop one more: writes refused');
    expect(r.stderr).toContain('ok   dev-etcd-1 takes and releases the reboot lock as locksmithd does');
    expect(r.stderr).toMatch(/rehearsal passed: 9\/9 steps; the cluster tolerates 0 failed members/);
    expect(r.stderr).not.toMatch(/\x1b\[/);
    expect([result.layout, result.fallback, result.lan.machines.map((m: { address: string }) => m.address)]).toEqual(['lan', null, ['10.0.0.101', '10.0.0.254']]);
    expect(r.stderr).toContain('\nlayout: lan: every machine in a network namespace of its own at its planned address, on one bridge\n');
    expect(r.stderr).toMatch(/^etcd: local 3\.4\.\d+; the configs deploy v3\.5\.16\nwarning: the local etcd is 3\.4\.\d+ but the configs deploy v3\.5\.16: 3\.4 and 3\.5 differ/m);
    expect(r.stderr).toMatch(/^note: etcd: local 3\.4\.\d+ \(\S+\/etcd\); the configs deploy v3\.5\.16$/m);
  });

  test('--layout loopback: the fallback, named as such in the output and in --json', () => {
    const dir = fixtureDir(clusterConfigs(staticCluster('loop', 1, 0, false)));
    const r = runCli(['rehearse', dir, '--json', '--layout', 'loopback', '--timeout', '40'], { env: { NO_COLOR: '1' } });
    expect(r.status, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout);
    expect([result.layout, result.fallback, result.lan]).toEqual(['addresses', 'asked for', null]);
    expect(r.stderr).toContain('\nlayout: loopback fallback (addresses): each member on a loopback address of its own, ports as generated (asked for with --layout loopback)\n');
  });

  test('a member etcd refuses to start: exit 1, the table says FAIL', () => {
    const configs = clusterConfigs(staticCluster('bad', 1, 0, false));
    const dropin = configs['bad-etcd-1']!.systemd.units[0].dropins[1];
    dropin.contents = dropin.contents.replace('ETCD_INITIAL_CLUSTER_STATE=new', 'ETCD_INITIAL_CLUSTER_STATE=bogus');
    const r = runCli(['rehearse', fixtureDir(configs), '--timeout', '20']);
    expect(r.status, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toMatch(/^1 member start and form the cluster +FAIL/m);
    expect(r.stdout).toContain('invalid value "bogus" for ETCD_INITIAL_CLUSTER_STATE');
    expect(r.stdout).toMatch(/rehearsal failed/);
  });
});

/** The CLI running in the background, its output so far, and a way to wait for a line. */
function startCli(args: string[]) {
  const child: ChildProcess = spawn(process.execPath, [cliPath, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const waitFor = async (text: string, ms = 30_000) => {
    const until = Date.now() + ms;
    while (!out.includes(text)) {
      if (Date.now() > until || child.exitCode !== null) throw new Error(`never saw ${JSON.stringify(text)}:\n${out}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  return { child, exited, waitFor, output: () => out };
}

/** Processes whose command line names the work dir (etcd, grpc-proxy and their watchdog shells). */
const named = (workDir: string) => spawnSync('pgrep', ['-af', workDir], { encoding: 'utf8' }).stdout.trim();

/** The rehearsal's processes (the watchdog shells name the CLI's pid, the LAN's watchdog too) and their work dir. */
function leftovers(pid: number): { lines: string; workDirs: string[] } {
  const lines = spawnSync('pgrep', ['-af', `flatcar-rehearse(-lan)? ${pid} `], { encoding: 'utf8' }).stdout.trim();
  const workDirs = [...new Set([...lines.matchAll(/flatcar-rehearse \d+ (\S+)/g)].map((m) => m[1]!))];
  return { lines, workDirs };
}

/** The CLI's network namespaces (fa-<its pid>-...). */
function namespaces(pid: number): string[] {
  const listed = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' })
    .stdout.split('\n')
    .map((l) => l.split(' ')[0]!);
  return listed.filter((n) => n.startsWith(`fa-${pid}-`));
}

describe.sequential('stopped from outside: nothing is left behind (lan layout: no namespace, veth or bridge either)', () => {
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    test(`${signal} once the cluster formed: exit ${code}, every process stopped, the namespaces and the work dir removed`, async () => {
      const cli = startCli(['rehearse', fixtureDir(clusterConfigs(staticCluster('sig', 3, 1, false))), '--timeout', '40']);
      await cli.waitFor('ok   3 members start and form the cluster');
      const { workDirs } = leftovers(cli.child.pid!);
      expect(workDirs).toHaveLength(1);
      expect(namespaces(cli.child.pid!)).toHaveLength(6); // bridge, operator, 3 members, 1 worker
      cli.child.kill(signal);
      expect(await cli.exited).toBe(code);
      expect(cli.output()).toContain('interrupted: everything it started is stopped and removed');
      expect(leftovers(cli.child.pid!).lines).toBe('');
      expect(named(workDirs[0]!)).toBe('');
      expect(existsSync(workDirs[0]!)).toBe(false);
      expect(namespaces(cli.child.pid!)).toEqual([]);
    });
  }

  test('the CLI killed outright (SIGKILL): the watchdogs stop etcd, remove the namespaces and the work dir within seconds', async () => {
    const cli = startCli(['rehearse', fixtureDir(clusterConfigs(staticCluster('kill', 3, 1, false))), '--timeout', '40']);
    await cli.waitFor('ok   3 members start and form the cluster');
    const pid = cli.child.pid!;
    const { workDirs } = leftovers(pid);
    expect(named(workDirs[0]!)).toMatch(/etcd --data-dir/);
    expect(namespaces(pid).length).toBeGreaterThan(0);
    cli.child.kill('SIGKILL');
    await cli.exited;
    const left = () => named(workDirs[0]!) !== '' || existsSync(workDirs[0]!) || namespaces(pid).length > 0 || leftovers(pid).lines !== '';
    const until = Date.now() + 15_000;
    while (left() && Date.now() < until) await new Promise((r) => setTimeout(r, 200));
    expect(named(workDirs[0]!)).toBe('');
    expect(existsSync(workDirs[0]!)).toBe(false);
    expect(namespaces(pid)).toEqual([]);
    expect(leftovers(pid).lines).toBe('');
  });
});

/**
 * The production dependencies (the bin keeps them external, in node_modules): each package dir of
 * `npm ls --omit=dev --all --parseable`, relative to the checkout, outermost first (a package's own
 * node_modules comes with it).
 */
let runtimeDeps: string[] | undefined;
function productionDependencies(): string[] {
  if (runtimeDeps) return runtimeDeps;
  const ls = spawnSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], { cwd: repoRoot, encoding: 'utf8', timeout: 60_000 });
  if (ls.status !== 0) throw new Error(`npm ls --omit=dev: ${ls.stderr}`);
  const dirs = [...new Set(ls.stdout.split('\n').filter((l) => l.startsWith(join(repoRoot, 'node_modules') + '/')))].sort();
  runtimeDeps = dirs.filter((d) => !dirs.some((o) => o !== d && d.startsWith(o + '/'))).map((d) => relative(repoRoot, d));
  return runtimeDeps;
}

/**
 * The built CLI as `nobody` sees it: a copy of dist/bin, package.json and the production
 * dependencies, readable by everyone (the checkout itself may not be), and a cluster dir it may read.
 */
function asNobody(): { cli: string; dir: (configs: Record<string, Ign>) => string } {
  const root = mkdtempSync(join(tmpdir(), 'rehearse-nobody-'));
  dirs.push(root);
  cpSync(join(repoRoot, 'dist', 'bin'), join(root, 'dist', 'bin'), { recursive: true });
  cpSync(join(repoRoot, 'package.json'), join(root, 'package.json'));
  const deps = productionDependencies();
  expect(deps).toContain(join('node_modules', 'commander'));
  for (const d of deps) cpSync(join(repoRoot, d), join(root, d), { recursive: true });
  const readable = (d: string) => spawnSync('chmod', ['-R', 'a+rX', d]);
  readable(root);
  return {
    cli: join(root, 'dist', 'bin', 'flatcar-architect.js'),
    dir: (configs) => {
      const d = fixtureDir(configs);
      readable(d);
      return d;
    },
  };
}

/** Whether the kernel lets an ordinary user make a user namespace with its own network (else: the loopback fallback). */
const usernsAllowed = spawnSync('runuser', ['-u', 'nobody', '--', 'unshare', '--user', '--map-root-user', '--net', 'true']).status === 0;

describe.sequential('as an ordinary user (nobody): the lan layout in a user namespace of its own', () => {
  test('a dev cluster passes in the lan layout (or, where the kernel refuses user namespaces, in the named fallback)', () => {
    const { cli, dir } = asNobody();
    const cluster = dir(clusterConfigs(staticCluster('user', 1, 1, true)));
    const r = spawnSync('runuser', ['-u', 'nobody', '--', process.execPath, cli, 'rehearse', cluster, '--json', '--timeout', '40'], {
      cwd: tmpdir(),
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout);
    if (usernsAllowed) {
      expect([result.layout, result.fallback, result.userNamespace]).toEqual(['lan', null, true]);
      expect(r.stderr).toContain('note: as an ordinary user, inside a user namespace of its own (unshare --user --map-root-user --net --mount)');
      expect(result.steps.find((s: { id: string }) => s.id === 'members').detail).toMatch(/listening \(ss -ltn in each namespace\): user-etcd-1 (10\.0\.0\.101:\d+ ?){2}$/);
    } else {
      expect([result.layout, result.userNamespace]).toEqual(['addresses', false]);
      expect(result.fallback).toMatch(/^not root/);
    }
    expect(spawnSync('pgrep', ['-u', 'nobody', '-af', 'flatcar-rehearse'], { encoding: 'utf8' }).stdout).toBe('');
  });

  test('the outer process killed outright (SIGKILL): the rehearsal inside notices, stops everything and removes its work dir', async () => {
    const { cli, dir } = asNobody();
    const cluster = dir(clusterConfigs(staticCluster('ukill', 3, 0, false)));
    const child = spawn('runuser', ['-u', 'nobody', '--', process.execPath, cli, 'rehearse', cluster, '--timeout', '40'], { cwd: tmpdir(), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    const until = Date.now() + 30_000;
    while (!out.includes('ok   3 members start and form the cluster') && Date.now() < until && child.exitCode === null) await new Promise((r) => setTimeout(r, 50));
    expect(out).toContain('ok   3 members start and form the cluster');
    const running = () => spawnSync('pgrep', ['-u', 'nobody', '-af', 'flatcar-rehearse|etcd'], { encoding: 'utf8' }).stdout.trim();
    const workDir = /flatcar-rehearse \d+ (\S+)/.exec(running())?.[1];
    expect(workDir).toMatch(/flatcar-rehearse-/);
    // The outer node process (runuser's child): killed outright.
    const outer = spawnSync('pgrep', ['-u', 'nobody', '-f', `${cli} rehearse`], { encoding: 'utf8' })
      .stdout.trim()
      .split('\n')[0]!;
    process.kill(Number(outer), 'SIGKILL');
    const gone = Date.now() + 15_000;
    while ((running() !== '' || existsSync(workDir!)) && Date.now() < gone) await new Promise((r) => setTimeout(r, 200));
    expect(running()).toBe('');
    expect(existsSync(workDir!)).toBe(false);
    child.kill('SIGKILL');
  });
});

// The CLI writes the `.ign` files it reads, so a directory with a non-Ignition file named .ign is bad input.
test('a .ign file that is not JSON: exit 2', () => {
  const dir = fixtureDir({});
  writeFileSync(join(dir, 'm.ign'), 'nope');
  const r = runCli(['rehearse', dir]);
  expect(r.status).toBe(2);
  expect(r.stderr).toMatch(/^flatcar-architect: .*m\.ign is not Ignition JSON: .*\n$/);
});

/**
 * Issue 15, item 4: `--secrets ssh` configs hold no private key, and `deliver DIR` copies each
 * machine's keys over SSH. Every machine here is a test-owned Debian sshd (its own config, host key
 * and port, keys-only auth) on the machine's own loopback address, run in a private mount namespace
 * where /etc/ssl is a directory of the test's (what the machine's disk would be) and `systemctl` is
 * a stand-in that records its arguments. The test logs in as its own user (root here, so without
 * sudo) and checks owner, mode and contents of every delivered file, and the restarted units.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateCluster } from '../../src/generate.js';
import { writeOutputDir } from '../../src/write/output.js';
import { runDeliver } from '../../src/cli/deliver.js';
import { findOnPath } from '../../src/rehearse/binaries.js';
import { withKey } from '../helpers/generator.js';
import { loopbackNet, waitFor } from '../helpers/etcd-machine.js';
import { tempDirs } from '../helpers/tmp.js';

// These clusters run on this machine's loopback (127.x networks): a test-only hook lets the planner use them (src/net/ipv4.ts).
process.env.FLATCAR_ARCHITECT_TEST_LOOPBACK_NETWORKS = '1';

const usable =
  findOnPath('ssh') !== null && existsSync('/usr/sbin/sshd') && findOnPath('unshare') !== null && process.getuid?.() === 0 && spawnSync('getent', ['passwd', 'etcd']).status === 0;
const tmp = tempDirs('fa-deliver-');
const daemons: ChildProcess[] = [];
afterAll(() => {
  for (const d of daemons) d.kill('SIGTERM');
});

function sh(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 20_000 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
}

/** An sshd for one machine at `address:port`; its /etc/ssl is `home/etc-ssl`, systemctl calls go to `home/systemctl.log`. */
function machineSshd(home: string, address: string, port: number, authorizedKey: string): ChildProcess {
  mkdirSync(join(home, 'etc-ssl'), { recursive: true });
  mkdirSync(join(home, 'sbin'), { recursive: true });
  writeFileSync(join(home, 'sbin/systemctl'), `#!/bin/sh\necho "$@" >> '${home}/systemctl.log'\n`);
  chmodSync(join(home, 'sbin/systemctl'), 0o755);
  sh('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(home, 'host_key')]);
  writeFileSync(join(home, 'authorized_keys'), authorizedKey);
  writeFileSync(
    join(home, 'sshd_config'),
    [
      `Port ${port}`,
      `ListenAddress ${address}`,
      `HostKey ${home}/host_key`,
      `PidFile ${home}/sshd.pid`,
      `AuthorizedKeysFile ${home}/authorized_keys`,
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PermitRootLogin prohibit-password',
      'UsePAM no',
      'StrictModes no',
      'LogLevel ERROR',
      '',
    ].join('\n'),
  );
  const script = [
    'set -e',
    'mount -t tmpfs fa-deliver-run /run',
    'mkdir -m 0755 /run/sshd',
    `mount --bind '${home}/etc-ssl' /etc/ssl`,
    `mount --bind '${home}/sbin' /usr/local/sbin`,
    `exec /usr/sbin/sshd -D -e -f '${home}/sshd_config'`,
  ].join('\n');
  const child = spawn('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', script], { stdio: ['ignore', 'ignore', 'pipe'] });
  daemons.push(child);
  return child;
}

describe('--secrets ssh and deliver, against local sshds', () => {
  it('configs without private keys; deliver puts every key in place (owner, mode 0600, contents) and restarts the units', async () => {
    expect(usable, "needs root, ssh, Debian's sshd (openssh-server), unshare and an etcd user (etcd-server)").toBe(true);
    const net = loopbackNet();
    const work = tmp();
    chmodSync(work, 0o755);
    const answers = withKey({
      preset: 'production',
      size: 4,
      name: 'dl',
      network: { cidr: `${net}.0/24`, gateway: `${net}.1`, firstAddress: `${net}.101`, interface: 'eth0' },
      security: { secrets: 'ssh' },
    });
    const result = await generateCluster(answers);
    for (const m of result.machines) {
      expect(m.butane).not.toContain('PRIVATE KEY');
      expect(m.holdsKeys).toBe(false);
      expect(m.butane).toContain('BEGIN CERTIFICATE');
    }
    for (const f of result.files.filter((f) => /\.(bu|ign)$/.test(f.name))) expect(f.mode).toBe(0o644);
    const dir = join(work, 'dl');
    writeOutputDir(dir, result.files);

    sh('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(work, 'id')]);
    const port = 20000 + Math.floor(Math.random() * 20000);
    const homes = new Map<string, string>();
    for (const m of result.machines) {
      const home = join(work, m.name);
      homes.set(m.name, home);
      machineSshd(home, m.address!, port, readFileSync(join(work, 'id.pub'), 'utf8'));
    }
    const up = (addr: string) =>
      spawnSync('sh', ['-c', `exec 3<>/dev/tcp/${addr}/${port}`], { timeout: 2000 }).status === 0 ||
      spawnSync('bash', ['-c', `exec 3<>/dev/tcp/${addr}/${port}`], { timeout: 2000 }).status === 0;
    for (const m of result.machines) expect(await waitFor(() => up(m.address!), 15_000)).toBe(true);

    const out: string[] = [];
    const err: string[] = [];
    const me = spawnSync('id', ['-un'], { encoding: 'utf8' }).stdout.trim();
    const code = await runDeliver(
      'dl',
      undefined,
      { user: me, port: String(port), identity: 'id', sshOption: [`UserKnownHostsFile=${join(work, 'known_hosts')}`] },
      { cwd: work, stdout: (t) => out.push(t), stderr: (t) => err.push(t) },
    );
    expect(err.join('')).toBe('');
    expect(code).toBe(0);
    expect(out.join('')).toMatch(/dl-etcd-1: 3 keys and \d+ certificates delivered to .*; restarted etcd-member.service, locksmithd.service/);

    const etcdUid = Number(spawnSync('id', ['-u', 'etcd'], { encoding: 'utf8' }).stdout.trim());
    const pki = (name: string) => readFileSync(join(dir, 'pki', name), 'utf8');
    const expected: Record<string, [string, string, number][]> = {
      'dl-etcd-1': [
        ['etcd/server-key.pem', 'etcd/member/dl-etcd-1/server-key.pem', etcdUid],
        ['etcd/peer-key.pem', 'etcd/member/dl-etcd-1/peer-key.pem', etcdUid],
        ['locksmith/client-key.pem', 'etcd/locksmith/dl-etcd-1/client-key.pem', 0],
      ],
      'dl-worker-1': [
        ['etcd/client-key.pem', 'etcd/proxy/dl-worker-1/client-key.pem', etcdUid],
        ['locksmith/client-key.pem', 'etcd/locksmith/dl-worker-1/client-key.pem', 0],
      ],
    };
    for (const [machine, files] of Object.entries(expected)) {
      const ssl = join(homes.get(machine)!, 'etc-ssl');
      for (const [path, source, uid] of files) {
        const st = statSync(join(ssl, path));
        expect(st.mode & 0o777, `${machine} ${path}`).toBe(0o600);
        expect(st.uid, `${machine} ${path}`).toBe(uid);
        expect(readFileSync(join(ssl, path), 'utf8')).toBe(pki(source));
      }
      // The certificates and the CA come along (renewed certificates have new keys): 0644, as in a config.
      const certs: [string, string][] =
        machine === 'dl-etcd-1'
          ? [
              ['etcd/server.pem', 'etcd/member/dl-etcd-1/server.pem'],
              ['etcd/peer.pem', 'etcd/member/dl-etcd-1/peer.pem'],
              ['etcd/ca.pem', 'ca.pem'],
            ]
          : [
              ['etcd/client.pem', 'etcd/proxy/dl-worker-1/client.pem'],
              ['etcd/ca.pem', 'ca.pem'],
            ];
      for (const [path, source] of certs) {
        expect(statSync(join(ssl, path)).mode & 0o777, `${machine} ${path}`).toBe(0o644);
        expect(readFileSync(join(ssl, path), 'utf8'), `${machine} ${path}`).toBe(pki(source));
      }
      expect(statSync(join(ssl, 'etcd')).mode & 0o777).toBe(0o700);
      expect(statSync(join(ssl, 'etcd')).uid).toBe(etcdUid);
      expect(existsSync(join(ssl, 'etcd/server-key.pem.new'))).toBe(false);
    }
    expect(readFileSync(join(homes.get('dl-etcd-1')!, 'systemctl.log'), 'utf8')).toBe('restart --no-block etcd-member.service locksmithd.service\n');
    expect(readFileSync(join(homes.get('dl-worker-1')!, 'systemctl.log'), 'utf8')).toBe('restart --no-block etcd-grpc-proxy.service locksmithd.service\n');

    // One machine, and a machine that cannot be reached: a clear line and a failure exit.
    const one: string[] = [];
    expect(
      await runDeliver(
        'dl',
        'dl-etcd-2',
        { user: me, port: String(port), identity: 'id', sshOption: [`UserKnownHostsFile=${join(work, 'known_hosts')}`] },
        { cwd: work, stdout: (t) => one.push(t), stderr: () => {} },
      ),
    ).toBe(0);
    expect(one.join('')).toMatch(/^dl-etcd-2: 3 keys and \d+ certificates delivered/);
    const bad: string[] = [];
    expect(
      await runDeliver(
        'dl',
        'dl-etcd-3',
        { user: me, port: String(port === 65535 ? port - 1 : port + 1), identity: 'id', timeout: '20' },
        { cwd: work, stdout: () => {}, stderr: (t) => bad.push(t) },
      ),
    ).toBe(1);
    expect(bad.join('')).toMatch(/^flatcar-architect: dl-etcd-3: delivery to .* failed: .*(refused|timed out)/);

    // --json: each machine's outcome in one document on stdout, the failure there too (nothing on stderr).
    const doc: string[] = [];
    const quiet: string[] = [];
    const options = { user: me, identity: 'id', sshOption: [`UserKnownHostsFile=${join(work, 'known_hosts')}`], json: true };
    expect(await runDeliver('dl', 'dl-etcd-2', { ...options, port: String(port) }, { cwd: work, stdout: (t) => doc.push(t), stderr: (t) => quiet.push(t) })).toBe(0);
    expect(JSON.parse(doc.join(''))).toEqual({
      machines: [
        {
          name: 'dl-etcd-2',
          target: `${me}@${result.machines.find((m) => m.name === 'dl-etcd-2')!.address}`,
          delivered: true,
          keys: 3,
          certificates: expect.any(Number),
          units: ['etcd-member.service', 'locksmithd.service'],
        },
      ],
    });
    doc.length = 0;
    expect(
      await runDeliver(
        'dl',
        'dl-etcd-3',
        { ...options, port: String(port === 65535 ? port - 1 : port + 1), timeout: '20' },
        { cwd: work, stdout: (t) => doc.push(t), stderr: (t) => quiet.push(t) },
      ),
    ).toBe(1);
    expect(JSON.parse(doc.join(''))).toMatchObject({ machines: [{ name: 'dl-etcd-3', delivered: false, error: expect.stringMatching(/refused|timed out/) }] });
    expect(quiet).toEqual([]);
  }, 180_000);
});

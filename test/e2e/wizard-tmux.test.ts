/**
 * The built CLI's wizard in a real terminal (tmux): a full production design typed as a user
 * would, compared file by file with the same design given as flags; and Ctrl-C midway, which
 * must leave nothing behind and exit 130.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { cliPath } from '../helpers/paths.js';
import { runCli } from '../helpers/run.js';
import { Tmux } from '../helpers/tmux.js';
import { tempDir } from '../helpers/tmp.js';

const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMx7q3Yd0o8Q2pZk1v4cHqR9Wn6yT2eLbF5sJgKaPuXr ops@bastion';
let tmux: Tmux | undefined;
afterEach(() => tmux?.kill());

function workspace() {
  const dir = tempDir('wizard-e2e-');
  const home = join(dir, 'home');
  mkdirSync(join(home, '.ssh'), { recursive: true });
  writeFileSync(join(home, '.ssh', 'id_ed25519.pub'), KEY + '\n');
  return { dir, home };
}

const command = `${process.execPath} ${cliPath}`;

describe('the wizard in a real terminal', () => {
  it('designs a production cluster that matches the same design given as flags', async () => {
    const { dir, home } = workspace();
    tmux = new Tmux(command, { cwd: dir, env: { HOME: home, NO_COLOR: '1' } });
    await tmux.answer(/Which cluster architecture\?/, 'Down', 'Down', 'Down', 'Enter');
    await tmux.answer(/How many machines in all\?/, 'text:6', 'Enter');
    await tmux.answer(/How many central etcd machines\?/, 'Enter');
    await tmux.answer(/How do the machines get their addresses\?/, 'Enter');
    await tmux.answer(/Network \(CIDR\):/, 'Enter');
    await tmux.answer(/Gateway:/, 'Enter');
    await tmux.answer(/DNS servers/, 'Enter');
    await tmux.answer(/First machine address:/, 'Enter');
    await tmux.answer(/Interface name/, 'Enter');
    await tmux.answer(/Cluster name/, 'text:prod', 'Enter');
    await tmux.answer(/Machine name prefix:/, 'Enter');
    await tmux.answer(/SSH keys that may log in as core/, 'Enter');
    await tmux.answer(/Update channel:/, 'Enter');
    await tmux.answer(/Reboot strategy after an update:/, 'Enter');
    await tmux.answer(/When may machines reboot into an update\?/, 'Enter');
    await tmux.answer(/Output directory:/, 'text:wizard', 'Enter');
    const summary = await tmux.waitFor(/Write these files\?/);
    expect(summary).toContain('prod-etcd-3');
    expect(summary).toContain('prod-worker-3');
    expect(summary).toContain('etcd: 3 members, tolerates 1 failed member (quorum 2)');
    tmux.keys('Enter');
    const done = await tmux.waitFor(/EXIT=\d+/);
    expect(done).toContain('EXIT=0');
    // The re-run command it prints works as printed, from where the wizard ran.
    const rerun = /without questions:\n {2}(.+)\n/.exec(tmux.screen(true))?.[1];
    expect(rerun).toMatch(/flatcar-architect(\.js)? --answers wizard\/cluster\.yaml --out wizard --force$/);
    const again = spawnSync('sh', ['-c', rerun!], { cwd: dir, encoding: 'utf8', env: { ...process.env, HOME: home } });
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toContain('Wrote the prod cluster');
    expect(done).toMatch(/Try the cluster's etcd here before booting anything: .*flatcar-architect(\.js)? rehearse wizard/);
    expect(done).toContain('ssh core@10.0.0.101');

    // The same design by flags, with the wizard's PKI (certificates are random when first made).
    const flags = runCli(['--preset', 'production', '--size', '6', '--name', 'prod', '--ssh-key', join(home, '.ssh', 'id_ed25519.pub'), '--pki', 'wizard', '--out', 'flags'], {
      cwd: dir,
    });
    expect(flags.status, flags.stderr).toBe(0);
    const names = readdirSync(join(dir, 'flags')).sort();
    expect(readdirSync(join(dir, 'wizard')).sort()).toEqual(names);
    expect(names).toContain('pki');
    const files = names.filter((n) => n !== 'pki');
    expect(files).toHaveLength(6 * 2 + 3); // the configs, cluster.yaml, SUMMARY.md and topology.svg
    for (const name of files) {
      expect(readFileSync(join(dir, 'wizard', name), 'utf8'), name).toBe(readFileSync(join(dir, 'flags', name), 'utf8'));
    }
  });

  it('Ctrl-C midway quits at once, writes nothing and exits 130', async () => {
    const { dir, home } = workspace();
    tmux = new Tmux(command, { cwd: dir, env: { HOME: home } });
    await tmux.answer(/Which cluster architecture\?/, 'Down', 'Enter');
    await tmux.answer(/How many machines in all\?/, 'Enter');
    await tmux.waitFor(/How do the machines get their addresses\?/);
    tmux.keys('C-c');
    const screen = await tmux.waitFor(/EXIT=\d+/);
    expect(screen).toContain('Interrupted: nothing was written.');
    expect(screen).toContain('EXIT=130');
    expect(readdirSync(dir).sort()).toEqual(['home']);
  });

  it('without a terminal and without --preset it exits 2 at once, naming the flags to give', () => {
    const r = runCli([], { input: '' });
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/--preset .* or --answers FILE/);
  });
});

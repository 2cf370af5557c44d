/**
 * Ctrl-C while the wizard writes a 300-machine cluster (issue 14), in a real terminal (tmux): the run
 * is stopped in the middle of writing its staging directory by the test-only pause hook
 * (FLATCAR_ARCHITECT_TEST_PAUSE_AT, src/write/output.ts), so the keypress lands during the write
 * whatever the machine's speed. Ctrl-C must exit 130, leave no `.NAME.new-*` staging directory
 * (which holds private keys) and leave the target as it was: absent when it was new, byte for byte
 * the old tree when the wizard was replacing one.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cliPath } from '../helpers/paths.js';
import { runCli } from '../helpers/run.js';
import { Tmux } from '../helpers/tmux.js';
import { filesBelow, keysOutside, tempDir } from '../helpers/tmp.js';

const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMx7q3Yd0o8Q2pZk1v4cHqR9Wn6yT2eLbF5sJgKaPuXr ops@bastion';
const command = `${process.execPath} ${cliPath}`;
let tmux: Tmux | undefined;
afterEach(() => tmux?.kill());

const staging = (dir: string) => readdirSync(dir).filter((e) => /^\.big\.(new|old)-/.test(e));

async function waitForFile(path: string, what: () => string): Promise<void> {
  const end = Date.now() + 180_000;
  while (!existsSync(path)) {
    if (Date.now() > end) throw new Error(`the write never reached its pause point; screen:\n${what()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Designs a 300-machine production cluster named big in the wizard, up to the review, and writes (or stops at the Replace question). */
async function designAndWrite(t: Tmux, replacing: boolean, answerReplace: boolean): Promise<void> {
  await t.answer(/Which cluster architecture\?/, 'Down', 'Down', 'Down', 'Enter');
  await t.answer(/How many machines in all\?/, 'text:300', 'Enter');
  await t.answer(/How many central etcd machines\?/, 'Enter');
  await t.answer(/How do the machines get their addresses\?/, 'Enter');
  await t.answer(/Network \(CIDR\):/, 'text:10.0.0.0/16', 'Enter');
  await t.answer(/Gateway:/, 'Enter');
  await t.answer(/DNS servers/, 'Enter');
  await t.answer(/First machine address:/, 'Enter');
  await t.answer(/Interface name/, 'Enter');
  await t.answer(/Cluster name/, 'text:big', 'Enter');
  await t.answer(/Machine name prefix:/, 'Enter');
  await t.answer(/SSH keys that may log in as core/, 'Enter');
  await t.answer(/Update channel:/, 'Enter');
  await t.answer(/Reboot strategy after an update:/, 'Enter');
  await t.answer(/When may machines reboot into an update\?/, 'Enter');
  await t.answer(/Output directory:/, 'Enter');
  const review = await t.waitFor(/Write these files\?/, 60_000);
  expect(review).toContain('big-worker-');
  t.keys('Enter');
  if (replacing) {
    // The existing DIR: a per-file summary, then "Replace"; Down once is "Yes: replace big/".
    await t.waitFor(/Yes: replace \.?\/?big\//, 120_000);
    if (answerReplace) t.keys('Down', 'Enter');
  }
}

// Where Ctrl-C lands: in the middle of streaming a new DIR's files into the staging directory; with
// every file staged just before the commit, replacing an existing DIR; at the Replace question.
const CASES: { at: 'staging' | 'before-commit' | 'replace-question'; replacing: boolean; label: string }[] = [
  { at: 'staging', replacing: false, label: 'a new directory, in the middle of writing its files' },
  { at: 'before-commit', replacing: true, label: 'replacing an existing directory, with every file staged' },
  { at: 'replace-question', replacing: true, label: 'replacing an existing directory, at the Replace question' },
];

describe('Ctrl-C while the wizard writes', () => {
  for (const { at, replacing, label } of CASES) {
    it(`300 machines, ${label}: exit 130, no staging dir, the target as it was`, async () => {
      const dir = tempDir('wizard-write-int-');
      const home = join(dir, 'home');
      mkdirSync(join(home, '.ssh'), { recursive: true });
      writeFileSync(join(home, '.ssh', 'id_ed25519.pub'), KEY + '\n');
      let before: Record<string, string> | undefined;
      if (replacing) {
        // An older design in big/ (60 machines), so that the wizard's write would change it.
        const old = runCli(['--preset', 'production', '--size', '60', '--network', '10.0.0.0/16', '--name', 'big', '--ssh-key', KEY, '--out', 'big'], { cwd: dir });
        expect(old.status, old.stderr).toBe(0);
        before = filesBelow(join(dir, 'big'), (b) => b.toString('base64'));
      }
      const marker = join(dir, 'paused');
      tmux = new Tmux(command, {
        cwd: dir,
        env: { HOME: home, NO_COLOR: '1', ...(at === 'replace-question' ? {} : { FLATCAR_ARCHITECT_TEST_PAUSE_AT: at, FLATCAR_ARCHITECT_TEST_PAUSE_FILE: marker }) },
      });
      await designAndWrite(tmux, replacing, at !== 'replace-question');
      if (at !== 'replace-question') {
        // Paused while writing: the staging directory beside big/ holds (some of) the new files.
        await waitForFile(marker, () => tmux!.screen());
        expect(staging(dir)).toHaveLength(1);
      }
      tmux.keys('C-c');
      // A synchronous pause (staging) goes on once the marker is gone and handles the signal before the commit.
      rmSync(marker, { force: true });
      const screen = await tmux.waitFor(/EXIT=\d+/, 120_000);
      expect(screen).toContain('EXIT=130');
      expect(screen).toMatch(at === 'replace-question' ? /nothing was written/i : /interrupted \(SIGINT\): nothing was written/);
      expect(staging(dir)).toEqual([]);
      expect(readdirSync(dir).filter((e) => e.startsWith('.'))).toEqual([]);
      if (before) expect(filesBelow(join(dir, 'big'), (b) => b.toString('base64'))).toEqual(before);
      else expect(existsSync(join(dir, 'big'))).toBe(false);
      expect(keysOutside(dir, join(dir, 'big'))).toEqual([]);
    }, 400_000);
  }
});

/**
 * The wizard in a real terminal (tmux) when you change your mind: each defect of issue 14 as a
 * person meets it. Change network keeps the network, a rename moves the output directory, an
 * address that leaves no room is refused at its question and the review still comes, a bad
 * pre-filled flag exits 2 at once, the reviews fit 80x24 and 60x20 without a word broken across
 * lines, a pasted key survives a change of the SSH section, Esc goes back, Cancel exits 1.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cliPath } from '../helpers/paths.js';
import { Tmux } from '../helpers/tmux.js';
import { tempDirs } from '../helpers/tmp.js';

const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMx7q3Yd0o8Q2pZk1v4cHqR9Wn6yT2eLbF5sJgKaPuXr ops@bastion';
const PASTED = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBdWq0m3gSx1yL2p7cVnH4eR6tKj9ZaQ8uF5oP1wYhXs dev@laptop';
let tmux: Tmux | undefined;
afterEach(() => tmux?.kill());
const tmp = tempDirs('wizard-change-e2e-');

function workspace() {
  const dir = tmp();
  const home = join(dir, 'home');
  mkdirSync(join(home, '.ssh'), { recursive: true });
  writeFileSync(join(home, '.ssh', 'id_ed25519.pub'), KEY + '\n');
  return { dir, home };
}

const command = `${process.execPath} ${cliPath}`;

function start(args = 'init', size: { width?: number; height?: number } = { width: 80, height: 24 }) {
  const { dir, home } = workspace();
  tmux = new Tmux(`${command} ${args}`, { cwd: dir, env: { HOME: home, NO_COLOR: '1' }, ...size });
  return { dir, t: tmux };
}

/** production, 5 machines, 192.168.7.0/24, named edge; Enter on everything else; up to the review. */
async function edge(t: Tmux, name = 'edge'): Promise<string> {
  await t.answer(/Which cluster architecture\?/, 'Down', 'Down', 'Down', 'Enter');
  await t.answer(/How many machines in all\?/, 'Enter');
  await t.answer(/How many central etcd machines\?/, 'Enter');
  await t.answer(/How do the machines get their addresses\?/, 'Enter');
  await t.answer(/Network \(CIDR\):/, 'text:192.168.7.0/24', 'Enter');
  for (const q of [/Gateway:/, /DNS servers/, /First machine address:/, /Interface name/]) await t.answer(q, 'Enter');
  await t.answer(/Cluster name/, `text:${name}`, 'Enter');
  for (const q of [
    /Machine name prefix:/,
    /SSH keys that may log in as core/,
    /Update channel:/,
    /Reboot strategy after an update:/,
    /When may machines reboot/,
    /Output directory:/,
  ]) {
    await t.answer(q, 'Enter');
  }
  return t.waitFor(/Write these files\?/);
}

/** The text after the last review heading. */
const lastReview = (screen: string) => screen.slice(screen.lastIndexOf('Cluster '));

const count = (text: string, re: RegExp) => text.match(new RegExp(re.source, 'gm'))?.length ?? 0;

/** Answers a question asked again (its earlier answer is still in the scrollback): waits for the live prompt, then for one more answer line. */
async function again(t: Tmux, question: RegExp, ...keys: string[]) {
  const done = new RegExp(`✔ ${question.source}`);
  const before = count(t.screen(), done);
  await t.waitFor(new RegExp(`^\\? ${question.source}`, 'm'));
  for (const k of keys) {
    if (k.startsWith('text:')) t.type(k.slice(5));
    else t.keys(k);
  }
  const end = Date.now() + 15_000;
  while (count(t.screen(), done) <= before) {
    if (Date.now() > end) throw new Error(`no answer to ${question} again; screen:\n${t.screen()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Picks "Change <label>" in the review menu (its place in the menu) and waits for the section's first question. */
async function change(t: Tmux, downs: number, first: RegExp) {
  t.keys(...Array<string>(downs).fill('Down'), 'Enter');
  await t.waitFor(first);
}

describe('the wizard keeps what you said (real terminal)', () => {
  it('Change network, Enter through: 192.168.7.0/24 stays; a rename moves the output directory', async () => {
    const { t } = start();
    await edge(t);
    await change(t, 2, /\? How do the machines get their addresses\?/);
    for (const q of [/How do the machines get their addresses\?/, /Network \(CIDR\):/, /Gateway:/, /DNS servers/, /First machine address:/, /Interface name/]) {
      await again(t, q, 'Enter');
    }
    await t.waitFor(/(Write these files\?[\s\S]*){2}/);
    let review = lastReview(t.screen());
    expect(review).toContain('edge-etcd-1    etcd member  192.168.7.101/24');
    expect(review).not.toContain('10.0.0.');

    await change(t, 3, /\? Cluster name/);
    await again(t, /Cluster name/, 'C-u', 'text:core', 'Enter');
    await again(t, /Machine name prefix:/, 'Enter');
    await t.waitFor(/(Write these files\?[\s\S]*){3}/);
    review = lastReview(t.screen());
    expect(review).toContain('core-etcd-1');
    expect(review).toMatch(/output: \.\/core \(new\) \(changed\)/);
  });

  it('first address 10.0.0.253 for 5 machines is refused at its question, naming the size; the review comes', async () => {
    const { t } = start();
    await t.answer(/Which cluster architecture\?/, 'Down', 'Down', 'Down', 'Enter');
    await t.answer(/How many machines in all\?/, 'Enter');
    await t.answer(/How many central etcd machines\?/, 'Enter');
    await t.answer(/How do the machines get their addresses\?/, 'Enter');
    for (const q of [/Network \(CIDR\):/, /Gateway:/, /DNS servers/]) await t.answer(q, 'Enter');
    await t.waitFor(/\? First machine address:/);
    t.type('10.0.0.253');
    t.keys('Enter');
    const refused = await t.waitFor(/do not fit in 10\.0\.0\.0\/24/);
    expect(refused.replace(/\n/g, ' ')).toMatch(/5 machines from 10\.0\.0\.253 do not fit .*Number of machines: 5/);
    t.keys('C-u');
    t.type('10.0.0.200');
    t.keys('Enter');
    await t.waitFor(/✔ First machine address: 10\.0\.0\.200/);
    for (const q of [
      /Interface name/,
      /Cluster name/,
      /Machine name prefix:/,
      /SSH keys that may log in as core/,
      /Update channel:/,
      /Reboot strategy after an update:/,
      /When may machines reboot/,
      /Output directory:/,
    ]) {
      await t.answer(q, 'Enter');
    }
    const review = lastReview(await t.waitFor(/Write these files\?/));
    expect(review).toContain('production-worker-2  worker       10.0.0.204/24');
  });

  it('a bad pre-filled --size exits 2 at once with one line, before any question', async () => {
    for (const args of ['init --preset small --size 12', 'init --size abc', 'init --preset laptop --network 10.0.0.5/24']) {
      const { dir, t } = start(args);
      const screen = await t.waitFor(/EXIT=\d+/);
      expect(screen, args).toContain('EXIT=2');
      expect(screen, args).not.toContain('?');
      expect(
        screen.split('\n').filter((l) => l.startsWith('flatcar-architect:')),
        args,
      ).toHaveLength(1);
      expect(existsSync(join(dir, 'small')) || existsSync(join(dir, 'laptop'))).toBe(false);
      t.kill();
    }
  });

  for (const [width, height] of [
    [80, 24],
    [60, 20],
  ] as const) {
    it(`the ${width}x${height} review has no word broken across lines`, async () => {
      const { t } = start('init', { width, height });
      await edge(t, 'a-rather-long-cluster-name');
      const joined = t.screen(true);
      const review = joined.slice(joined.lastIndexOf('Cluster a-rather-long-cluster-name'), joined.lastIndexOf('? Write these files?'));
      expect(review).toContain('a-rather-long-cluster-name-worker-2');
      expect(review).toContain('SHA256:');
      expect(review.split('\n').filter((l) => [...l].length > width)).toEqual([]);
    });
  }

  it('a pasted key survives a change of the SSH section', async () => {
    const { dir, t } = start('init --preset laptop --out vm');
    await t.answer(/How do the machines get their addresses\?/, 'Enter');
    await t.answer(/Cluster name/, 'Enter');
    await t.answer(/Machine name prefix:/, 'Enter');
    await t.waitFor(/\? SSH keys that may log in as core/);
    t.keys('Down', 'Down', 'Enter'); // Paste a key or give a path
    await t.waitFor(/\? Public key line, or the path/);
    t.type(PASTED);
    t.keys('Enter');
    await t.waitFor(/\? SSH keys that may log in as core \(2 chosen/);
    t.keys('Enter');
    for (const q of [/Update channel:/, /Reboot strategy after an update:/, /When may machines reboot/]) await t.answer(q, 'Enter');
    await t.waitFor(/Write these files\?/);
    await change(t, 3, /\? SSH keys that may log in as core \(2 chosen/); // the laptop has no architecture questions left: no "Change architecture"
    await again(t, /SSH keys that may log in as core/, 'Enter');
    await t.waitFor(/(Write these files\?[\s\S]*){2}/);
    const review = lastReview(t.screen());
    expect(review).toContain('SSH keys: 2');
    expect(review).toContain('dev@laptop');
    t.keys('Enter');
    expect(await t.waitFor(/EXIT=\d+/)).toContain('EXIT=0');
    expect(readFileSync(join(dir, 'vm', 'cluster.yaml'), 'utf8')).toContain(PASTED);
  });

  it('Esc goes back one question; Esc at the first asks to quit; Cancel in the menu exits 1', async () => {
    const { dir, t } = start('init --preset laptop');
    await t.answer(/How do the machines get their addresses\?/, 'Enter');
    await t.waitFor(/\? Cluster name/);
    t.keys('Escape');
    await t.waitFor(/\? How do the machines get their addresses\?[^✔]*$/);
    t.keys('Escape');
    await t.waitFor(/\? Quit without writing\?/);
    await again(t, /Quit without writing\?/, 'n', 'Enter');
    for (const q of [
      /How do the machines get their addresses\?/,
      /Cluster name/,
      /Machine name prefix:/,
      /SSH keys that may log in as core/,
      /Update channel:/,
      /Reboot strategy after an update:/,
      /When may machines reboot/,
      /Output directory:/,
    ]) {
      await again(t, q, 'Enter');
    }
    await t.waitFor(/Write these files\?/);
    t.keys('Up', 'Enter'); // Cancel (write nothing), the last item
    const done = await t.waitFor(/EXIT=\d+/);
    expect(done).toContain('Cancelled: nothing was written.');
    expect(done).toContain('EXIT=1');
    expect(existsSync(join(dir, 'laptop'))).toBe(false);
  });
});

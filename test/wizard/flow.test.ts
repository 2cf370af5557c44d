/**
 * The wizard's question flow with scripted answers: each architecture's path, re-asking after an
 * invalid answer with the flags' message, pre-filled answers skipped, changing a section, and the
 * same files as the flags for the same answers.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generate } from '../../src/generate.js';
import type { Answers } from '../../src/answers/types.js';
import { runWizard, WizardCancelled, type WizardContext } from '../../src/wizard/index.js';
import { scriptedPrompts } from '../helpers/scripted-prompts.js';
import { tempDir } from '../helpers/tmp.js';

const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMx7q3Yd0o8Q2pZk1v4cHqR9Wn6yT2eLbF5sJgKaPuXr ops@bastion';
const home = tempDir('wizard-home-');
mkdirSync(join(home, '.ssh'));
writeFileSync(join(home, '.ssh', 'id_ed25519.pub'), KEY + '\n');

function context(script: unknown[], given: Answers = {}, outDir?: string) {
  const prompts = scriptedPrompts(script);
  const printed: string[] = [];
  const ctx: WizardContext = { given, answers: {}, prompts, print: (t) => printed.push(t), home, outGiven: outDir !== undefined, outDir };
  return { ctx, prompts, printed: () => printed.join('') };
}

const filesOf = (answers: Answers) => generate(answers).files.map((f) => [f.name, f.contents]);

describe('the wizard', () => {
  it('walks a production design and produces the same files as the flags', async () => {
    const { ctx, prompts } = context([
      'production', // architecture
      '6', // size
      3, // etcd members
      false, // static addresses
      '10.1.0.0/24', // network
      undefined, // gateway: default 10.1.0.1
      '10.1.0.53', // DNS
      undefined, // first address: default .101
      undefined, // interface: default
      'prod', // cluster name
      undefined, // prefix: default prod-
      [KEY], // SSH keys found in ~/.ssh
      'stable',
      'etcd-lock',
      './prod-out',
      { action: 'write' },
    ]);
    const result = await runWizard(ctx, false);
    expect(prompts.remaining()).toBe(0);
    expect(prompts.rejected).toEqual([]);
    expect(result.outDir).toBe('./prod-out');
    const flags: Answers = {
      preset: 'production', size: '6', etcd: { size: '3' }, name: 'prod',
      network: { cidr: '10.1.0.0/24', dns: ['10.1.0.53'] }, ssh: { keys: [KEY] },
    };
    expect(filesOf(result.answers)).toEqual(filesOf(flags));
  });

  it('asks a laptop only what a laptop needs', async () => {
    const { ctx, prompts } = context(['laptop', true, undefined, undefined, [], 'stable', 'reboot', undefined, { action: 'write' }]);
    const result = await runWizard(ctx, false);
    expect(prompts.asked.some((q) => /How many machines/.test(q))).toBe(false);
    expect(prompts.asked.some((q) => /etcd (machines|discovery)/.test(q))).toBe(false);
    expect(generate(result.answers).machines).toHaveLength(1);
  });

  it('re-asks an invalid answer with the same message the flag gets', async () => {
    const { ctx, prompts } = context(['small', '4x', '10', '5', true, '', 'lab', undefined, [], 'beta', 'reboot', 'out', { action: 'write' }]);
    const result = await runWizard(ctx, false);
    expect(prompts.rejected).toEqual([
      'must be a whole number (got "4x")',
      'the small preset has 3 to 9 machines (got 10); use dev or production otherwise',
    ]);
    expect(result.answers).toMatchObject({ preset: 'small', size: 5, network: { dhcp: true }, name: 'lab' });
  });

  it('does not ask what flags already answered', async () => {
    const given: Answers = { preset: 'dev', size: '3', name: 'devbox', network: { dhcp: true }, ssh: { keys: [KEY] }, updates: { group: 'alpha', rebootStrategy: 'off' } };
    const { ctx, prompts } = context(['', undefined, { action: 'write' }], given, './devbox');
    const result = await runWizard(ctx, false);
    expect(prompts.asked).toEqual([
      'etcd discovery URL (leave empty: members find each other by host name):',
      'Machine name prefix:',
      'Write these files?',
    ]);
    expect(filesOf(result.answers)).toEqual(filesOf(given));
  });

  it('goes back to a section and returns to the summary', async () => {
    const { ctx, prompts, printed } = context([
      'dev', '2', true, '', 'x', undefined, [], 'stable', 'reboot', 'out',
      { action: 'change', section: 'network' },
      false, '192.168.50.0/24', undefined, undefined, undefined, undefined,
      { action: 'write' },
    ]);
    const result = await runWizard(ctx, false);
    expect(prompts.asked.filter((q) => q === 'Write these files?')).toHaveLength(2);
    expect(result.answers.network).toMatchObject({ dhcp: false, cidr: '192.168.50.0/24' });
    expect(printed()).toContain('192.168.50.101/24');
  });

  it('cancel from the menu writes nothing and says so to the caller', async () => {
    const { ctx } = context(['laptop', true, undefined, undefined, [], 'stable', 'reboot', undefined, { action: 'cancel' }]);
    await expect(runWizard(ctx, false)).rejects.toBeInstanceOf(WizardCancelled);
  });

  it('the summary shows machines, fault tolerance and warnings', async () => {
    const { ctx, printed } = context(['small', '4', true, '', 'even', undefined, [], 'stable', 'etcd-lock', 'o', { action: 'write' }]);
    await runWizard(ctx, false);
    const text = printed();
    expect(text).toContain('even-node-4');
    expect(text).toContain('etcd: 4 members, tolerates 1 failed member (quorum 3)');
    expect(text).toMatch(/warning: .*--size 4/);
    expect(text).toContain('SSH keys: none');
  });
});

/**
 * The wizard's question flow with scripted answers: each architecture's path, re-asking after an
 * invalid answer, pre-filled answers skipped, and the same files as the flags for the same answers.
 */
import { describe, expect, it } from 'vitest';
import { generate } from '../../src/generate.js';
import type { Answers } from '../../src/answers/types.js';
import { updateServer } from '../../src/answers/checks.js';
import { resolveSpec } from '../../src/answers/resolve.js';
import { inWords } from '../../src/wizard/context.js';

/** The resolver's warning about the interface for these answers. */
function problemsAndWarnings(answers: Answers): string {
  const found = resolveSpec(answers).warnings.filter((w) => w.code === 'glob-interface');
  expect(found).toHaveLength(1);
  return found[0]!.text;
}
import { runWizard, WizardQuit } from '../../src/wizard/index.js';

import { context, KEY, NO_KEY } from '../helpers/wizard.js';
import { ESC } from '../helpers/scripted-prompts.js';

const filesOf = (answers: Answers) => generate(answers).files.map((f) => [f.name, f.contents]);

describe('the wizard', () => {
  it('walks a production design and produces the same files as the flags', async () => {
    const { ctx, prompts, printed } = context([
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
      undefined, // SSH keys: the one found in ~/.ssh
      'stable',
      'etcd-lock',
      undefined, // reboot window: any time
      './prod-out',
      { action: 'write' },
    ]);
    const result = await runWizard(ctx, false);
    expect(prompts.remaining()).toBe(0);
    expect(prompts.rejected).toEqual([]);
    expect(result.outDir).toBe('./prod-out');
    const flags: Answers = {
      preset: 'production',
      size: '6',
      etcd: { size: '3' },
      name: 'prod',
      network: { cidr: '10.1.0.0/24', dns: ['10.1.0.53'] },
      ssh: { keys: [KEY] },
    };
    expect(filesOf(result.answers)).toEqual(filesOf(flags));
    // The first screen says how many questions there are and how to go back and quit.
    expect(printed()).toMatch(/^9 to 16 questions \(depending on the architecture\) in 6 sections .*Esc goes back one question; Ctrl-C quits without writing\./s);
  });

  it('asks a laptop only what a laptop needs', async () => {
    const { ctx, prompts } = context(['laptop', true, undefined, undefined, ...NO_KEY, 'stable', 'reboot', undefined, undefined, { action: 'write' }]);
    const result = await runWizard(ctx, false);
    expect(prompts.asked.some((q) => /How many machines/.test(q))).toBe(false);
    expect(prompts.asked.some((q) => /etcd (machines|discovery)/.test(q))).toBe(false);
    expect(prompts.remaining()).toBe(0);
    expect(generate(result.answers).machines).toHaveLength(1);
  });

  it('re-asks an invalid answer with the same message the flag gets', async () => {
    const { ctx, prompts } = context(['small', '4x', '10', '5', true, '', 'lab', undefined, undefined, 'beta', 'reboot', undefined, 'out', { action: 'write' }]);
    const result = await runWizard(ctx, false);
    expect(prompts.rejected).toEqual(['must be a whole number (got "4x")', 'the small preset has 3 to 9 machines (got 10); use dev or production otherwise']);
    expect(result.answers).toMatchObject({ preset: 'small', size: 5, network: { dhcp: true }, name: 'lab' });
  });

  it('does not ask what flags already answered', async () => {
    const given: Answers = { preset: 'dev', size: '3', name: 'devbox', network: { dhcp: true }, ssh: { keys: [KEY] }, updates: { group: 'alpha', rebootStrategy: 'off' } };
    const { ctx, prompts } = context(['', undefined, { action: 'write' }], given, './devbox');
    const result = await runWizard(ctx, false);
    expect(prompts.asked).toEqual(['etcd discovery URL (leave empty: members find each other by host name):', 'Machine name prefix:', 'Write these files?']);
    expect(filesOf(result.answers)).toEqual(filesOf(given));
  });

  it('the review offers no "Change" for a section whose every question was given', async () => {
    const given: Answers = { preset: 'laptop', name: 'vm', ssh: { keys: [KEY] }, updates: { group: 'alpha', rebootStrategy: 'off' } };
    const menus: string[][] = [];
    const { ctx, prompts } = context([undefined, undefined, { action: 'write' }], given, './vm');
    const select = prompts.select.bind(prompts);
    prompts.select = (q) => {
      if (q.message === 'Write these files?') menus.push(q.choices.map((c) => c.name));
      return select(q);
    };
    await runWizard(ctx, false);
    expect(menus[0]).toEqual(['Write the configs', 'Change network', 'Change names', 'Cancel (write nothing)']);
  });

  it('cancel from the menu writes nothing and says so to the caller', async () => {
    const { ctx } = context(['laptop', true, undefined, undefined, undefined, 'stable', 'reboot', undefined, undefined, { action: 'cancel' }]);
    await expect(runWizard(ctx, false)).rejects.toBeInstanceOf(WizardQuit);
  });

  it('the summary shows machines, fault tolerance, network, keys and warnings in words', async () => {
    const { ctx, printed } = context(['small', '4', true, '', 'even', undefined, undefined, 'stable', 'etcd-lock', undefined, 'o', { action: 'write' }]);
    await runWizard(ctx, false);
    const text = printed();
    expect(text).toContain('even-node-4');
    expect(text).toContain('etcd: 4 members, tolerates 1 failed member (quorum 3)');
    expect(text).toMatch(/warning: 4 machines: an etcd cluster of 4 members/);
    expect(text).not.toContain('--size');
    expect(text).toContain('network: DHCP');
    expect(text).toMatch(/ED25519 SHA256:[A-Za-z0-9+/]{43} ops@bastion/);
    expect(text).toContain('output: o (new)');
  });

  it('? at a text question shows its help line; Esc in the review menu asks before quitting', async () => {
    const { ctx, prompts } = context(['small', '?', '3', true, '', 'lab', undefined, undefined, 'stable', 'reboot', undefined, 'o', ESC, false, { action: 'write' }]);
    await runWizard(ctx, false);
    expect(prompts.rejected).toEqual(['Every machine counts: etcd members and workers. Production uses 5 etcd members from 10 machines on.']);
    expect(prompts.asked.slice(-3)).toEqual(['Write these files?', 'Quit without writing?', 'Write these files?']);
  });

  it('a custom update group and a reboot window; Esc at the group id goes back to the channels', async () => {
    const CUSTOM = '\u0000custom';
    const WINDOW = '\u0000window';
    const SERVER = 'https://nebraska.example/v1/update/';
    const { ctx, prompts, printed } = context([
      'laptop',
      true,
      undefined,
      undefined,
      undefined,
      CUSTOM,
      ESC,
      CUSTOM,
      'Bad Group!',
      'my-group',
      '?',
      'ftp://nebraska.example/',
      SERVER,
      'reboot',
      WINDOW,
      'Thu 04:00',
      '2h',
      undefined,
      { action: 'write' },
    ]);
    const result = await runWizard(ctx, false);
    // The update server's URL is asked right after a custom group, with a help line and --update-server's check.
    expect(prompts.rejected).toEqual([
      expect.stringMatching(/^must be an update group/),
      expect.stringMatching(/^The URL of the update server that serves this group/),
      updateServer('ftp://nebraska.example/'),
    ]);
    expect(prompts.rejected[2]).toMatch(/^must be your update server's http:\/\/ or https:\/\/ URL/);
    expect(prompts.asked.filter((q) => q === 'Update channel:')).toHaveLength(2);
    expect(prompts.asked).toContain('Update server URL for group my-group (empty: back to the channels):');
    expect(result.answers.updates).toMatchObject({ group: 'my-group', server: SERVER, rebootStrategy: 'reboot', rebootWindowStart: 'Thu 04:00', rebootWindowLength: '2h' });
    expect(printed()).toMatch(/updates: group my-group from https:\/\/nebraska\.example\/v1\/update\/, reboot strategy reboot/);
  });

  it('warnings that name flags read in words: the interface glob warning names the question and the answers-file key', () => {
    const { ctx } = context([]);
    const warning = problemsAndWarnings({ preset: 'small' });
    expect(warning).toMatch(/^--interface "en\* eth\*": .*give --mac-prefix \(each machine's NIC by MAC\) or one interface name$/);
    const said = inWords(ctx, warning);
    expect(said).toBe(
      `the interface "en* eth*": the static address goes on every interface whose name matches and that has a link, so a machine with several NICs gets it on each of them; give a MAC prefix (each machine's NIC by MAC; network.macPrefix in an answers file) or one interface name`,
    );
    // Any other flag: by its question, else by its answers-file key; flags given up front keep their names.
    expect(inWords(ctx, 'use --etcd-image or --update-group')).toBe('use etcd.image in an answers file or the update channel');
    expect(inWords(ctx, 'see --ntp and (--secrets)')).toBe('see network.ntp in an answers file and (security.secrets in an answers file)');
    expect(inWords({ ...ctx, given: { network: { interface: 'en* eth*' } } }, warning)).toMatch(/^--interface "en\* eth\*": /);
  });

  it("an empty update server URL goes back to the channels; a public channel does not keep the custom group's server", async () => {
    const CUSTOM = '\u0000custom';
    const { ctx, prompts } = context(['laptop', true, undefined, undefined, undefined, CUSTOM, 'my-group', '', 'beta', 'reboot', undefined, undefined, { action: 'write' }]);
    const result = await runWizard(ctx, false);
    expect(prompts.asked.filter((q) => q === 'Update channel:')).toHaveLength(2);
    expect(result.answers.updates?.group).toBe('beta');
    expect(result.answers.updates?.server ?? null).toBeNull();
    const again = context([
      'laptop',
      true,
      undefined,
      undefined,
      undefined,
      CUSTOM,
      'my-group',
      'https://u.example/v1/update/',
      'reboot',
      undefined,
      undefined,
      { action: 'change', section: 'updates' },
      'stable',
      'reboot',
      undefined,
      { action: 'write' },
    ]);
    const switched = await runWizard(again.ctx, false);
    expect(switched.answers.updates?.group).toBe('stable');
    expect(switched.answers.updates?.server ?? null).toBeNull();
    expect(again.printed()).toMatch(/updates: stable channel/);
  });
});

/**
 * Changing your mind: "Change <section>" starts from the current answers, derived values follow
 * their source unless set, cross-field checks re-ask the question that can fix them, Esc goes back,
 * and the SSH step keeps pasted keys and reads paths like --ssh-key.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runWizard, precheckGiven } from '../../src/wizard/index.js';
import { formatReview } from '../../src/wizard/review.js';
import { DONE, KEYGEN_HINT, PASTE } from '../../src/wizard/steps/ssh.js';
import { visible, wrap } from '../../src/wizard/text.js';
import { ESC, scriptedPrompts } from '../helpers/scripted-prompts.js';
import { runGenerate } from '../../src/cli/generate.js';
import { runReported } from '../../src/cli/errors.js';
import { readSshKeyArgument } from '../../src/answers/ssh-key.js';
import { tempDirs } from '../helpers/tmp.js';
import { context, KEY } from '../helpers/wizard.js';

const OTHER = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBdWq0m3gSx1yL2p7cVnH4eR6tKj9ZaQ8uF5oP1wYhXs dev@laptop';
const tmp = tempDirs('wizard-change-');
const write = { action: 'write' };
const change = (section: string) => ({ action: 'change', section });

/** production, 5 machines, static on 192.168.7.0/24, named edge, the found key, defaults elsewhere. */
const EDGE = [
  'production',
  undefined,
  undefined,
  false,
  '192.168.7.0/24',
  undefined,
  undefined,
  undefined,
  undefined,
  'edge',
  undefined,
  undefined,
  'stable',
  undefined,
  undefined,
  undefined,
];

describe('change a section', () => {
  it('Change network, Enter through: keeps 192.168.7.0/24 and its addresses', async () => {
    const { ctx, prompts, printed } = context([...EDGE, change('network'), undefined, undefined, undefined, undefined, undefined, undefined, write]);
    const result = await runWizard(ctx, false);
    expect(prompts.remaining()).toBe(0);
    expect(result.answers.network).toMatchObject({ cidr: '192.168.7.0/24', gateway: '192.168.7.1', firstAddress: '192.168.7.101' });
    const reviews = printed().split('Cluster edge');
    expect(reviews).toHaveLength(3);
    expect(reviews[2]).toContain('edge-etcd-1    etcd member  192.168.7.101/24');
    expect(reviews[2]).not.toContain('10.0.0.');
    expect(reviews[2]).not.toContain('(changed)');
  });

  it('a new network moves the gateway, DNS and first address that followed it, and marks what changed', async () => {
    const { ctx, printed } = context([...EDGE, change('network'), undefined, '10.9.0.0/16', undefined, undefined, undefined, undefined, write]);
    const result = await runWizard(ctx, false);
    expect(result.answers.network).toMatchObject({ cidr: '10.9.0.0/16', gateway: '10.9.0.1', dns: ['10.9.0.1'], firstAddress: '10.9.0.101' });
    const last = printed().split('Cluster edge')[2]!;
    expect(last).toMatch(/network: 10\.9\.0\.0\/16.* \(changed\)/);
    expect(last).toMatch(/updates: .*etcd-lock$/m);
  });

  it('keeps a custom name, and the output directory follows it unless set', async () => {
    const { ctx, prompts } = context([...EDGE, change('names'), undefined, undefined, change('names'), 'core', undefined, write]);
    const result = await runWizard(ctx, false);
    expect(prompts.asked.filter((q) => q.startsWith('Cluster name'))).toHaveLength(3);
    expect(result.answers.name).toBe('core');
    expect(result.answers.namePrefix).toBe('core-');
    expect(result.outDir).toBe('./core');
    const set = context([...EDGE.slice(0, -1), 'out-here', change('names'), 'core', undefined, write]);
    expect((await runWizard(set.ctx, false)).outDir).toBe('out-here');
  });

  it('the etcd size follows the number of machines unless set: 6 -> 12 machines makes 3 -> 5 members', async () => {
    const rest = [false, undefined, undefined, undefined, undefined, undefined, 'p', undefined, undefined, 'stable', undefined, undefined, undefined];
    const follows = context(['production', '6', undefined, ...rest, change('architecture'), undefined, '12', undefined, write]);
    expect((await runWizard(follows.ctx, false)).answers.etcd?.size).toBe(5);
    const set = context(['production', '7', 5, ...rest, change('architecture'), undefined, '12', undefined, change('architecture'), undefined, '8', undefined, write]);
    expect((await runWizard(set.ctx, false)).answers.etcd?.size).toBe(5);
  });

  it('switching small -> dev: the reboot strategy that followed small (etcd-lock) follows dev (reboot)', async () => {
    const { ctx } = context([
      'small',
      undefined,
      true,
      '',
      'lab',
      undefined,
      undefined,
      'stable',
      undefined,
      undefined,
      undefined,
      change('architecture'),
      'dev',
      undefined,
      write,
    ]);
    const result = await runWizard(ctx, false);
    expect(result.answers.updates?.rebootStrategy).toBe('reboot');
    expect(result.answers.preset).toBe('dev');
  });

  it('first address 10.0.0.253 with 5 machines is refused at its question, naming the number of machines, and the review comes', async () => {
    const { ctx, prompts } = context([
      'production',
      '5',
      3,
      false,
      undefined,
      undefined,
      undefined,
      '10.0.0.253',
      undefined,
      undefined,
      'x',
      undefined,
      undefined,
      'stable',
      undefined,
      undefined,
      undefined,
      write,
    ]);
    const result = await runWizard(ctx, false);
    expect(prompts.rejected).toHaveLength(1);
    expect(prompts.rejected[0]).toMatch(
      /^5 machines from 10\.0\.0\.253 do not fit in 10\.0\.0\.0\/24 .*use an earlier first machine address or a larger network \(Number of machines: 5; Network: 10\.0\.0\.0\/24\)$/,
    );
    expect(prompts.asked.filter((q) => q === 'Write these files?')).toHaveLength(1);
    expect(result.answers.network?.firstAddress).toBe('10.0.0.101');
  });

  it('a larger size from the review re-asks the first address with a default that fits', async () => {
    const { ctx, prompts, printed } = context([
      'production',
      '5',
      3,
      false,
      undefined,
      undefined,
      undefined,
      '10.0.0.240',
      undefined,
      'x',
      undefined,
      undefined,
      'stable',
      undefined,
      undefined,
      undefined,
      change('architecture'),
      undefined,
      '20',
      undefined,
      undefined, // the first address, asked again: Enter takes the default that fits
      write,
    ]);
    const result = await runWizard(ctx, false);
    expect(printed()).toMatch(/First machine address: 20 machines from 10\.0\.0\.240 do not fit/);
    expect(prompts.remaining()).toBe(0);
    expect(result.answers.network?.firstAddress).toBe('10.0.0.101');
  });

  it('production with 5 etcd machines and 5 in all re-asks the size with a default that works', async () => {
    const script = context([
      'production',
      '5',
      5,
      undefined,
      false,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      'p',
      undefined,
      undefined,
      'stable',
      undefined,
      undefined,
      undefined,
      write,
    ]);
    const result = await runWizard(script.ctx, false);
    expect(script.printed()).toMatch(/Number of machines: production with 5 etcd machines needs at least 6 machines/);
    expect(result.answers).toMatchObject({ size: 6, etcd: { size: 5 } });
    expect(script.prompts.asked.filter((q) => q.startsWith('How many machines in all? (6 or more)'))).toHaveLength(1);
  });

  it('the live hint of the size question: only for a number the architecture accepts, with the etcd size chosen', async () => {
    const hints: ((t: string) => string)[] = [];
    const { ctx, prompts } = context([
      'production',
      '5',
      5,
      '6',
      false,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      'p',
      undefined,
      undefined,
      'stable',
      undefined,
      undefined,
      undefined,
      write,
    ]);
    const input = prompts.input.bind(prompts);
    prompts.input = (q) => {
      if (q.message.startsWith('How many machines') && q.transformer) hints.push(q.transformer);
      return input(q);
    };
    await runWizard(ctx, false);
    expect(hints).toHaveLength(2);
    expect(hints[0]!('12')).toBe('12  (etcd: 5 members, tolerates 2 failed members)');
    expect(hints[0]!('3')).toBe('3');
    // Asked again after 5 etcd machines: 5 in all is refused, 6 shows the 5 members chosen.
    expect(hints[1]!('5')).toBe('5');
    expect(hints[1]!('6')).toBe('6  (etcd: 5 members, tolerates 2 failed members)');
  });

  it('Esc goes back one question; Esc at the first asks to quit', async () => {
    const { ctx, prompts } = context([
      ESC,
      false,
      'small',
      '5',
      ESC,
      '3',
      ESC,
      ESC,
      'dev',
      undefined,
      true,
      '',
      'b',
      undefined,
      undefined,
      'stable',
      undefined,
      undefined,
      undefined,
      write,
    ]);
    const result = await runWizard(ctx, false);
    expect(prompts.asked.slice(0, 3)).toEqual(['Which cluster architecture?', 'Quit without writing?', 'Which cluster architecture?']);
    expect(result.answers).toMatchObject({ preset: 'dev', size: 3 });
  });

  it('a file as the output directory is refused at its question', async () => {
    const cwd = tmp();
    writeFileSync(join(cwd, 'taken'), 'x');
    const { ctx, prompts } = context(['laptop', true, undefined, undefined, undefined, 'stable', 'reboot', undefined, 'taken', 'free', write], {}, undefined, { cwd });
    const result = await runWizard(ctx, false);
    expect(prompts.rejected).toEqual(['taken exists and is not a directory: choose another output directory']);
    expect(result.outDir).toBe('free');
  });

  it('the review says whether the output directory exists (then the files are compared before replacing)', async () => {
    const cwd = tmp();
    mkdirSync(join(cwd, 'o'));
    writeFileSync(join(cwd, 'o', 'old.txt'), 'x');
    const { ctx, printed } = context(['laptop', true, undefined, undefined, undefined, 'stable', 'reboot', undefined, 'o', change('output'), 'p', write], {}, undefined, { cwd });
    await runWizard(ctx, false);
    const [, first, second] = printed().split('Cluster laptop');
    expect(first).toContain('output: o (exists: you will see what changes and be asked before anything is replaced)');
    expect(second).toContain('output: p (new) (changed)');
  });

  it('a name whose ./NAME is a file re-asks the output directory', async () => {
    const cwd = tmp();
    writeFileSync(join(cwd, 'clash'), 'x');
    const { ctx, printed } = context(
      ['laptop', true, undefined, undefined, undefined, 'stable', 'reboot', undefined, undefined, change('names'), 'clash', 'elsewhere', undefined, write],
      {},
      undefined,
      { cwd },
    );
    const result = await runWizard(ctx, false);
    expect(printed()).toContain('Output directory: ./clash exists and is not a directory');
    expect(result.outDir).toBe('elsewhere');
  });
});

describe('the SSH step', () => {
  it('a pasted key survives a change of the SSH section, and a path is read like --ssh-key', async () => {
    const cwd = tmp();
    writeFileSync(join(cwd, 'other.pub'), OTHER + '\n');
    const { ctx, prompts } = context(
      ['laptop', true, undefined, undefined, PASTE, OTHER, DONE, 'stable', 'reboot', undefined, undefined, change('ssh'), DONE, write],
      {},
      undefined,
      { cwd },
    );
    const result = await runWizard(ctx, false);
    expect(prompts.remaining()).toBe(0);
    expect(result.answers.ssh?.keys).toEqual([KEY, OTHER]);
    const relative = context(['laptop', true, undefined, undefined, KEY, PASTE, 'other.pub', DONE, 'stable', 'reboot', undefined, undefined, write], {}, undefined, { cwd });
    expect((await runWizard(relative.ctx, false)).answers.ssh?.keys).toEqual([OTHER]);
  });

  it('a found key unchecked stays unchecked when the SSH section is asked again', async () => {
    const { ctx } = context(['laptop', true, undefined, undefined, KEY, PASTE, OTHER, DONE, 'stable', 'reboot', undefined, undefined, change('ssh'), DONE, write]);
    expect((await runWizard(ctx, false)).answers.ssh?.keys).toEqual([OTHER]);
  });

  it('~ in a typed path is the home directory', async () => {
    const { ctx } = context(['laptop', true, undefined, undefined, KEY, PASTE, '~/.ssh/id_ed25519.pub', DONE, 'stable', 'reboot', undefined, undefined, write]);
    expect((await runWizard(ctx, false)).answers.ssh?.keys).toEqual([KEY]);
  });

  it('refuses a private key, a missing file and a non-key with the messages --ssh-key gives', async () => {
    const cwd = tmp();
    writeFileSync(join(cwd, 'id_ed25519'), '-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n-----END OPENSSH PRIVATE KEY-----\n');
    const { ctx, prompts } = context(
      ['laptop', true, undefined, undefined, PASTE, 'id_ed25519', 'nope.pub', 'hello there', '', DONE, 'stable', 'reboot', undefined, undefined, write],
      {},
      undefined,
      { cwd },
    );
    await runWizard(ctx, false);
    // Exactly what --ssh-key says (the one key checker), without the flag's name.
    const flagSays = (value: string): string => {
      try {
        readSshKeyArgument(value, cwd);
      } catch (e) {
        return (e as Error).message;
      }
      throw new Error(`${value} was accepted`);
    };
    expect(prompts.rejected).toEqual(['id_ed25519', 'nope.pub', 'hello there'].map(flagSays));
    expect(prompts.rejected[0]).toBe('id_ed25519 is a private key; give the public key (id_ed25519.pub) instead');
    expect(prompts.rejected[1]).toMatch(/^nope\.pub: no such file /);
    expect(prompts.rejected[2]).toMatch(/^the value given is neither an OpenSSH public key line .* nor an existing file/);
    expect(prompts.rejected.join('\n')).not.toMatch(/--ssh-key|hello there/);
  });

  it('no key found: shows ssh-keygen and asks before going on without', async () => {
    const empty = tmp();
    const { ctx, prompts, printed } = context(['laptop', true, undefined, undefined, DONE, false, DONE, true, 'stable', 'reboot', undefined, undefined, write], {}, undefined, {
      home: empty,
    });
    const result = await runWizard(ctx, false);
    expect(printed()).toContain('ssh-keygen -t ed25519');
    // Once, wrapped by words to the terminal's 100 columns; each "Done" with no key says what that means.
    expect(printed().split('ssh-keygen -t ed25519')).toHaveLength(2);
    expect(
      printed()
        .split('\n')
        .filter((l) => l.length > 100),
    ).toEqual([]);
    expect(printed()).toContain(
      'No SSH public key found in ~/.ssh. Make one with:\n  ssh-keygen -t ed25519\nthen choose "Paste a key or give a path" and give ~/.ssh/id_ed25519.pub.\n',
    );
    expect(printed().split('No SSH key chosen: nobody will be able to log in')).toHaveLength(3);
    expect(prompts.asked.filter((q) => q === 'Continue without an SSH key?')).toHaveLength(2);
    expect(result.answers.ssh?.keys).toEqual([]);
    // The review says it once, on its SSH keys line (not again as a warning in flag words).
    const review = formatReview(ctx, false, 100).text;
    expect(review).toContain('SSH keys: none (nobody can log in over SSH)');
    expect(review).not.toMatch(/warning: no SSH key|\(SSH key\)/);
  });

  it('the ssh-keygen hint keeps the command whole at every terminal width', () => {
    for (let width = 24; width <= 160; width++) expect(wrap(KEYGEN_HINT, width).split('\n'), `${width} columns`).toContain('  ssh-keygen -t ed25519');
  });
});

describe('answers given up front', () => {
  it('a value wrong whatever the wizard asks is found before the first question', () => {
    expect(precheckGiven({ size: 'abc' }).map((p) => p.message)).toEqual(['must be a whole number (got "abc")']);
    expect(precheckGiven({ preset: 'small', size: '12' }).map((p) => p.field)).toEqual(['size']);
    expect(precheckGiven({ preset: 'laptop', network: { cidr: '10.0.0.5/24' } }).map((p) => p.field)).toEqual(['network.cidr']);
    expect(precheckGiven({ size: '12' })).toEqual([]);
  });

  it('init: a bad flag exits 2 with one line before any question; --out that is a file too', async () => {
    const cwd = tmp();
    writeFileSync(join(cwd, 'afile'), 'x');
    const asked: string[] = [];
    const prompts = scriptedPrompts([]);
    const io = { cwd, stdout: () => undefined, stderr: (t: string) => void asked.push(t), interactive: false, prompts };
    expect(await runReported(() => runGenerate({ preset: 'small', size: '12' }, io, { wizard: true }), false, io.stderr)).toBe(2);
    expect(asked).toEqual(['flatcar-architect: --size: the small preset has 3 to 9 machines (got 12); use dev or production otherwise\n']);
    await expect(runGenerate({ out: 'afile' }, io, { wizard: true })).rejects.toThrow(/^--out: .*afile exists and is not a directory$/);
    expect(prompts.asked).toEqual([]);
  });

  it('a given size the chosen architecture refuses is asked once, with the reason', async () => {
    const { ctx, prompts, printed } = context(['small', '5', true, '', 'lab', undefined, undefined, 'stable', undefined, undefined, undefined, write], { size: '12' });
    const result = await runWizard(ctx, false);
    expect(printed()).toContain('Number of machines: --size: the small preset has 3 to 9 machines (got 12)');
    expect(prompts.asked.filter((q) => q.startsWith('How many machines'))).toHaveLength(1);
    expect(result.answers.size).toBe(5);
  });
});

describe('the review fits the terminal', () => {
  for (const width of [80, 60]) {
    it(`at ${width} columns no line is wider, and 200 machines stay short`, async () => {
      const { ctx } = context(
        [
          'production',
          '200',
          undefined,
          false,
          '192.168.0.0/16',
          undefined,
          undefined,
          undefined,
          undefined,
          'a-rather-long-cluster-name',
          undefined,
          PASTE,
          OTHER,
          DONE,
          'stable',
          undefined,
          undefined,
          undefined,
          write,
        ],
        {},
        undefined,
        { columns: width },
      );
      await runWizard(ctx, false);
      const { text } = formatReview(ctx, false, width);
      const lines = text.split('\n');
      expect(lines.filter((l) => visible(l) > width)).toEqual([]);
      expect(lines.length).toBeLessThan(40);
      expect(text).toContain('195 workers: a-rather-long-cluster-name-worker-1 …');
      expect(text).toMatch(/a-rather-long-cluster-name-etcd-5/);
      ctx.fullTable = true;
      expect(formatReview(ctx, false, width).text).toContain('a-rather-long-cluster-name-worker-195');
    });
  }
});

/** Re-running into an existing non-empty DIR: a per-file summary of what would change (the full diff on request), then a question (or --force in scripts). */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runGenerate, type GenerateFlags } from '../../src/cli/generate.js';
import { runReported } from '../../src/cli/errors.js';
import type { Prompts } from '../../src/wizard/prompts.js';
import { diffDir, formatDiff } from '../../src/write/diff.js';
import { runCli } from '../helpers/run.js';
import { KEY } from '../helpers/generator.js';
import { scriptedPrompts } from '../helpers/scripted-prompts.js';
import { tempDirs } from '../helpers/tmp.js';

const tmp = tempDirs('fa-replace-');

const ANSI = /\u001b\[/;

function filesOf(dir: string): Record<string, string> {
  return Object.fromEntries(
    (readdirSync(dir, { recursive: true }) as string[])
      .sort()
      .filter((f) => statSync(join(dir, f)).isFile())
      .map((f) => [f, readFileSync(join(dir, f), 'utf8')]),
  );
}

/** Prompts that answer "Replace DIR/?" with the given choices in turn (no, yes, full) and fail on any other question. */
function answering(answers: string[], asked: string[]): Prompts {
  const no = () => Promise.reject(new Error('unexpected question'));
  const queue = [...answers];
  return {
    input: no,
    checkbox: no,
    confirm: no,
    select: async (q) => {
      asked.push(q.message);
      const value = queue.shift();
      const hit = q.choices.find((c) => c.value === value);
      if (!hit) throw new Error(`no choice ${value}`);
      return hit.value;
    },
  };
}
const confirming = (answer: boolean, asked: string[]) => answering([answer ? 'yes' : 'no'], asked);

async function run(cwd: string, flags: GenerateFlags, options: { prompts?: Prompts; color?: boolean } = {}) {
  let stdout = '';
  let stderr = '';
  const toStderr = (t: string) => {
    stderr += t;
  };
  // As main.ts runs it: what it throws goes through the CLI's one failure mapping.
  const code = await runReported(
    () =>
      runGenerate(
        { sshKey: [KEY], ...flags },
        {
          cwd,
          stdout: (t) => {
            stdout += t;
          },
          stderr: toStderr,
          interactive: false,
          color: options.color ?? false,
          ...(options.prompts ? { prompts: options.prompts } : {}),
        },
      ),
    false,
    toStderr,
  );
  return { code, stdout, stderr };
}

describe('generating again into an existing DIR, with a terminal', () => {
  const cwd = tmp();
  const dir = join(cwd, 'lab');

  it('shows one line per file with its line counts, the full diff only on request, and writes nothing on no (exit 1)', async () => {
    expect((await run(cwd, { preset: 'dev', size: '2', out: 'lab' })).code).toBe(0);
    const before = filesOf(dir);
    const asked: string[] = [];
    const r = await run(cwd, { preset: 'dev', size: '3', out: 'lab' }, { prompts: answering(['full', 'no'], asked) });
    expect(r.code).toBe(1);
    expect(asked).toEqual(['Replace lab/ with these files?', 'Replace lab/ with these files?']);
    const [summary, rest] = [r.stdout.slice(0, r.stdout.indexOf('~ cluster.yaml (')), r.stdout];
    expect(summary).toMatch(/^lab\/ would change: 4 files added, 0 files removed, \d+ files changed, \d+ unchanged$/m);
    expect(rest).toMatch(/^\+ dev-worker-2\.ign \(new, \d+ lines\)$/m);
    expect(rest).toMatch(/^~ cluster\.yaml \(\+1 -1 lines\)$/m);
    // The changed lines come only with "Show the full diff", and the summary is shown again before the question.
    const first = r.stdout.indexOf('    -size: 2');
    expect(first).toBeGreaterThan(r.stdout.indexOf('~ cluster.yaml (+1 -1 lines)'));
    expect(r.stdout).toMatch(/ {4}-size: 2\n {4}\+size: 3\n/);
    expect(r.stdout.lastIndexOf('lab/ would change:')).toBeGreaterThan(first);
    expect(r.stdout).toContain('+ pki/etcd/proxy/dev-worker-2/client.pem');
    // The PKI is kept (as with --force): the etcd machine's config does not change.
    expect(r.stdout).not.toContain('~ dev-etcd-1.ign');
    expect(r.stdout).not.toMatch(ANSI);
    expect(r.stderr).toBe('Cancelled: nothing was written.\n');
    expect(filesOf(dir)).toEqual(before);
  });

  it('a long list stops short of the screen height, so the header stays above the question', async () => {
    const d = tmp();
    const files = Array.from({ length: 80 }, (_, i) => ({ name: `f${i}.txt`, contents: 'x\n' }));
    const { formatSummary } = await import('../../src/cli/replace.js');
    const text = formatSummary(diffDir(d, files), d, files, 'd', 24, false);
    expect(text.split('\n').filter((l) => l !== '').length).toBeLessThanOrEqual(24 - 5);
    expect(text).toMatch(/^d\/ would change: 80 files added/);
    const more = /… and (\d+) more files \(Show the full diff lists every change\)/.exec(text);
    expect(more).not.toBeNull();
    expect(text.split('\n').filter((l) => l.startsWith('+ ')).length + Number(more![1])).toBe(80);
  });

  it('Ctrl-C at the question: exit 130, nothing written', async () => {
    const before = filesOf(dir);
    const interrupted: Prompts = { ...answering([], []), select: () => Promise.reject(Object.assign(new Error('x'), { name: 'WizardCancelled' })) };
    const r = await run(cwd, { preset: 'dev', size: '3', out: 'lab' }, { prompts: interrupted });
    expect(r.code).toBe(130);
    expect(r.stderr).toBe('Interrupted: nothing was written.\n');
    expect(filesOf(dir)).toEqual(before);
  });

  it('replaces DIR when the answer is yes, keeping its PKI', async () => {
    const ca = readFileSync(join(dir, 'pki', 'ca.pem'), 'utf8');
    const r = await run(cwd, { preset: 'dev', size: '3', out: 'lab' }, { prompts: confirming(true, []) });
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(dir)).toContain('dev-worker-2.ign');
    expect(readFileSync(join(dir, 'pki', 'ca.pem'), 'utf8')).toBe(ca);
  });

  it('the same answers again: nothing to write, no question', async () => {
    const asked: string[] = [];
    const r = await run(cwd, { preset: 'dev', size: '3', out: 'lab' }, { prompts: confirming(true, asked) });
    expect(r.code).toBe(0);
    expect(asked).toEqual([]);
    expect(r.stdout).toBe('lab/ already holds exactly these files: nothing to write.\n');
  });

  it('colours the diff in a colour terminal, and not with --no-color', async () => {
    const coloured = await run(cwd, { preset: 'dev', size: '2', out: 'lab' }, { prompts: confirming(false, []), color: true });
    expect(coloured.stdout).toMatch(ANSI);
    expect(coloured.stdout).toContain('- dev-worker-2.ign (removed,');
    const plain = await run(cwd, { preset: 'dev', size: '2', out: 'lab', color: false }, { prompts: confirming(false, []), color: true });
    expect(plain.stdout).not.toMatch(ANSI);
  });
});

describe('without a terminal', () => {
  it('still needs --force: exit 2, one line, DIR untouched', () => {
    const cwd = tmp();
    expect(runCli(['--preset', 'dev', '--out', 'lab'], { cwd }).status).toBe(0);
    const before = filesOf(join(cwd, 'lab'));
    const r = runCli(['--preset', 'dev', '--size', '3', '--out', 'lab'], { cwd });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^flatcar-architect: --out: .*\/lab exists and is not empty; use --force to replace it\n$/);
    expect(filesOf(join(cwd, 'lab'))).toEqual(before);
  });
});

describe('diffDir / formatDiff', () => {
  it('lists removed files and caps the changed lines of a file', () => {
    const d = tmp();
    mkdirSync(join(d, 'sub'));
    writeFileSync(join(d, 'sub', 'old.txt'), 'x\n');
    writeFileSync(join(d, 'big.txt'), Array.from({ length: 100 }, (_, i) => `line ${i}`).join('\n'));
    writeFileSync(join(d, 'same.txt'), 'same');
    const diff = diffDir(d, [
      { name: 'big.txt', contents: Array.from({ length: 100 }, (_, i) => `line ${i % 2 ? i : 'changed ' + i}`).join('\n') },
      { name: 'same.txt', contents: 'same' },
      { name: 'new.txt', contents: 'n' },
    ]);
    expect(diff.added).toEqual(['new.txt']);
    expect(diff.removed).toEqual(['sub/old.txt']);
    expect(diff.unchanged).toBe(1);
    expect(diff.changed[0]!.lines).toHaveLength(12);
    expect(diff.changed[0]!.more).toBeGreaterThan(50);
    const text = formatDiff(diff, 'd', { color: false });
    expect(text).toContain('- sub/old.txt');
    expect(text).toMatch(/\.\.\. \d+ more changed lines/);
  });
});

describe('after the wizard', () => {
  it('warnings its review showed are not printed again once the files are written', async () => {
    const cwd = tmp();
    let stdout = '';
    let stderr = '';
    // No key in this home: Done, then yes to going on without one.
    const prompts = scriptedPrompts(['laptop', true, undefined, undefined, '\u0000done', true, 'stable', 'reboot', undefined, { action: 'write' }]);
    const code = await runGenerate(
      { out: 'lap' },
      {
        cwd,
        home: cwd,
        stdout: (t) => {
          stdout += t;
        },
        stderr: (t) => {
          stderr += t;
        },
        interactive: false,
        color: false,
        prompts,
      },
      { wizard: true },
    );
    expect(code).toBe(0);
    expect(existsSync(join(cwd, 'lap', 'laptop-node-1.ign'))).toBe(true);
    // The review said it (on its SSH keys line); after writing, nothing says it again.
    expect(stdout.match(/SSH keys: none/g)).toHaveLength(1);
    expect(stdout.slice(stdout.indexOf('Wrote the laptop cluster'))).not.toMatch(/warning/i);
    expect(stdout.indexOf('SSH keys: none (nobody can log in over SSH)')).toBeGreaterThan(-1);
    expect(stdout.indexOf('SSH keys: none (nobody can log in over SSH)')).toBeLessThan(stdout.indexOf('Wrote the laptop cluster'));
    expect(stderr).not.toMatch(/no SSH key/);
  });
});

/** Re-running into an existing non-empty DIR: a coloured diff of what would change, then a question (or --force in scripts). */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runGenerate, type GenerateFlags } from '../../src/cli/generate.js';
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

/** Prompts that answer the confirm question with `answer` and fail on any other. */
function confirming(answer: boolean, asked: string[]): Prompts {
  const no = () => Promise.reject(new Error('unexpected question'));
  return {
    input: no,
    select: no,
    checkbox: no,
    confirm: async (q) => {
      asked.push(q.message);
      return answer;
    },
  };
}

async function run(cwd: string, flags: GenerateFlags, options: { prompts?: Prompts; color?: boolean } = {}) {
  let stdout = '';
  let stderr = '';
  const code = await runGenerate(
    { sshKey: [KEY], ...flags },
    { cwd, stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), interactive: false, color: options.color ?? false, ...(options.prompts ? { prompts: options.prompts } : {}) },
  );
  return { code, stdout, stderr };
}

describe('generating again into an existing DIR, with a terminal', () => {
  const cwd = tmp();
  const dir = join(cwd, 'lab');

  it('shows the files added and the changed lines, and writes nothing when the answer is no', async () => {
    expect((await run(cwd, { preset: 'dev', size: '2', out: 'lab' })).code).toBe(0);
    const before = filesOf(dir);
    const asked: string[] = [];
    const r = await run(cwd, { preset: 'dev', size: '3', out: 'lab' }, { prompts: confirming(false, asked) });
    expect(r.code).toBe(130);
    expect(asked).toEqual(['Replace lab/ with these files?']);
    expect(r.stdout).toMatch(/^lab\/ would change: 4 files added, 0 files removed, \d+ files changed, \d+ unchanged$/m);
    expect(r.stdout).toContain('+ dev-worker-2.bu');
    expect(r.stdout).toContain('+ dev-worker-2.ign');
    expect(r.stdout).toContain('+ pki/etcd/proxy/dev-worker-2/client.pem');
    expect(r.stdout).toMatch(/    -size: 2\n    \+size: 3\n/);
    expect(r.stdout).toContain('~ cluster.yaml');
    expect(r.stdout).toContain('    -size: 2');
    expect(r.stdout).toContain('    +size: 3');
    // The PKI is kept (as with --force): the etcd machine's config does not change.
    expect(r.stdout).not.toContain('~ dev-etcd-1.ign');
    expect(r.stdout).not.toMatch(ANSI);
    expect(r.stderr).toBe('Cancelled: nothing was written.\n');
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
    expect(coloured.stdout).toContain('- dev-worker-2.ign');
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
      { cwd, home: cwd, stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), interactive: false, color: false, prompts },
      { wizard: true },
    );
    expect(code).toBe(0);
    expect(existsSync(join(cwd, 'lap', 'laptop-node-1.ign'))).toBe(true);
    expect((stdout + stderr).match(/warning: no SSH key given/g)).toHaveLength(1);
    expect(stdout.indexOf('warning: no SSH key given')).toBeLessThan(stdout.indexOf('Wrote the laptop cluster'));
  });
});

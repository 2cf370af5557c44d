/**
 * The CLI's one failure mapping (src/cli/errors.ts describeFailure): every kind of error a command
 * throws -> exit code and `flatcar-architect: ` lines, or one JSON error object with --json. And per
 * command that reads a cluster.yaml (scale, replace, deliver, generate/plan --answers): a broken
 * cluster.yaml gives exactly `file:line:col field: message` and exit 2, or with --json one JSON
 * error object listing the located problems.
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AnswersUsageError, CliError, describeFailure, Stopped, UsageError } from '../../src/cli/errors.js';
import { SpecError } from '../../src/answers/types.js';
import { AnswersError } from '../../src/answers/answers-source.js';
import { ScaleError } from '../../src/scale/index.js';
import { SecretsError } from '../../src/pki/types.js';
import { SnippetError } from '../../src/snippets/index.js';
import { TemplateError } from '../../src/render/errors.js';
import { GenerateError } from '../../src/generate.js';
import { MatchboxError } from '../../src/matchbox/index.js';
import { RehearseUsageError } from '../../src/rehearse/index.js';
import { runCli } from '../helpers/run.js';
import { filesBelow, tempDirs } from '../helpers/tmp.js';

const tmp = tempDirs('fa-failures-');

const text = async (e: unknown) => describeFailure(e, false);
const json = async (e: unknown) => {
  const f = await describeFailure(e, true);
  return { exitCode: f.exitCode, error: (JSON.parse(f.output) as { error: Record<string, unknown> }).error };
};

describe('describeFailure: every error -> exit code and lines, or one JSON error object', () => {
  it('usage errors: exit 2, one prefixed line per line of the message; JSON with code and field', async () => {
    expect(await text(new UsageError('--size: four is not a whole number', 'usage', 'size'))).toEqual({
      exitCode: 2,
      output: 'flatcar-architect: --size: four is not a whole number\n',
    });
    expect(await json(new UsageError('--out: x is not empty', 'output_exists', 'out'))).toEqual({
      exitCode: 2,
      error: { code: 'output_exists', message: '--out: x is not empty', field: 'out' },
    });
  });

  it('answers problems with positions: one `file:line:col field: message` line each; JSON lists them', async () => {
    const e = new AnswersUsageError(
      [
        { field: 'size', message: 'must be a whole number (got many)', file: 'p/cluster.yaml', line: 6, col: 1 },
        { field: 'network.cidr', message: 'must be an IPv4 network', flag: '--network' },
      ],
      'answers_invalid',
    );
    expect(await text(e)).toEqual({
      exitCode: 2,
      output: 'flatcar-architect: p/cluster.yaml:6:1 size: must be a whole number (got many)\nflatcar-architect: --network: must be an IPv4 network\n',
    });
    const j = await json(e);
    expect(j.exitCode).toBe(2);
    expect(j.error.code).toBe('answers_invalid');
    expect(j.error.field).toBe('size');
    expect(j.error.problems).toEqual([
      { field: 'size', message: 'must be a whole number (got many)', file: 'p/cluster.yaml', line: 6, col: 1 },
      { field: 'network.cidr', message: 'must be an IPv4 network', flag: '--network' },
    ]);
  });

  it('an AnswersError (an answers file read without the CLI reader) keeps its file, line and col', async () => {
    const e = new AnswersError('answers_syntax', 'a.yaml', [{ message: 'bad indentation', at: { line: 3, col: 5 } }]);
    expect(await text(e)).toEqual({ exitCode: 2, output: 'flatcar-architect: a.yaml:3:5 bad indentation\n' });
    expect((await json(e)).error).toMatchObject({ code: 'answers_syntax', problems: [{ file: 'a.yaml', line: 3, col: 5 }] });
  });

  it('a SpecError without a source names each answer by its flag, one line each', async () => {
    const e = new SpecError([
      { field: 'size', message: 'must be 1 to 10000 machines (got 0)' },
      { field: 'templates', message: 'must be a path' },
    ]);
    const f = await text(e);
    expect(f.exitCode).toBe(2);
    expect(f.output.split('\n').filter(Boolean)).toEqual(['flatcar-architect: --size: must be 1 to 10000 machines (got 0)', 'flatcar-architect: --templates: must be a path']);
    expect((await json(e)).error).toMatchObject({ code: 'spec_invalid', field: 'size' });
  });

  it('scale refusals: a field (its flag), an unknown machine (exit 2), a directory that does not match (exit 1)', async () => {
    expect(await text(new ScaleError('the small preset has 3 to 9 machines', 'size'))).toEqual({
      exitCode: 2,
      output: 'flatcar-architect: --size: the small preset has 3 to 9 machines\n',
    });
    expect(await json(new ScaleError('no machine is called x', 'machine'))).toEqual({
      exitCode: 2,
      error: { code: 'unknown_machine', message: 'no machine is called x', field: 'machine' },
    });
    expect(await text(new ScaleError('x.ign would change; nothing was written', 'dir'))).toEqual({
      exitCode: 1,
      output: 'flatcar-architect: x.ign would change; nothing was written\n',
    });
  });

  it('PKI, snippets, Matchbox and rehearsal refusals are bad input (exit 2) with their codes', async () => {
    expect(await text(new SecretsError('no CA key', 'pki/ca-key.pem'))).toEqual({ exitCode: 2, output: 'flatcar-architect: pki/ca-key.pem: no CA key\n' });
    expect(await json(new SnippetError('snippet_clash', 'snippet a.bu writes /etc/hostname'))).toEqual({
      exitCode: 2,
      error: { code: 'snippet_clash', message: 'snippet a.bu writes /etc/hostname', field: 'snippets' },
    });
    expect((await json(new MatchboxError(['m1']))).error).toMatchObject({ code: 'matchbox_needs_mac', field: 'matchbox' });
    expect((await text(new RehearseUsageError('etcd is not installed'))).exitCode).toBe(2);
  });

  it('broken templates and configs fail the run (exit 1), and so does a failed write', async () => {
    expect(await text(new TemplateError('etcd.bu.hbs', 3, 'unclosed block'))).toEqual({ exitCode: 1, output: 'flatcar-architect: template etcd.bu.hbs, line 3: unclosed block\n' });
    expect((await json(new GenerateError('not valid Butane'))).error).toEqual({ code: 'generate_failed', message: 'not valid Butane' });
    expect(await json(new CliError('cannot write d: ENOSPC', 'write_failed'))).toEqual({ exitCode: 1, error: { code: 'write_failed', message: 'cannot write d: ENOSPC' } });
  });

  it('output directories and the disk: a refused directory exit 2, a failed system call exit 1', async () => {
    const { OutputLockedError, OutputExistsError } = await import('../../src/write/output.js');
    expect(await json(new OutputLockedError('d is being written by another run (pid 7)', 7))).toEqual({
      exitCode: 2,
      error: { code: 'output_locked', message: 'd is being written by another run (pid 7)' },
    });
    expect((await json(new OutputExistsError('d is not empty'))).error.code).toBe('output_exists');
    const enospc = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' });
    expect(await text(enospc)).toEqual({ exitCode: 1, output: 'flatcar-architect: ENOSPC: no space left on device, write\n' });
  });

  it('interrupts: exit 130 (Ctrl-C) or 1 (Cancel), said as they are', async () => {
    expect(await text(new Stopped(true))).toEqual({ exitCode: 130, output: 'Interrupted: nothing was written.\n' });
    expect(await text(new Stopped(false))).toEqual({ exitCode: 1, output: 'Cancelled: nothing was written.\n' });
    expect(await json(new Stopped(true))).toEqual({ exitCode: 130, error: { code: 'interrupted', message: 'Interrupted: nothing was written.' } });
  });

  it('messages are made safe to print: control characters escaped, never raw', async () => {
    const f = await text(new UsageError('--name: bad \u001b[31mred\u0007'));
    expect(f.output).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/);
  });

  it('a commander parse error was printed by commander: nothing more; help and version exit 0', async () => {
    const parse = Object.assign(new Error('unknown option'), { name: 'CommanderError', exitCode: 1 });
    expect(await text(parse)).toEqual({ exitCode: 2, output: '' });
    expect(await text(Object.assign(new Error('(outputHelp)'), { name: 'CommanderError', exitCode: 0 }))).toEqual({ exitCode: 0, output: '' });
  });

  it('anything else is a bug: internal error with its stack, exit 1 (JSON code internal)', async () => {
    const f = await text(new TypeError('x is undefined'));
    expect(f.exitCode).toBe(1);
    expect(f.output).toMatch(/^flatcar-architect: internal error: TypeError: x is undefined\n/);
    expect((await json('thrown text')).error).toEqual({ code: 'internal', message: 'internal error: thrown text' });
    // An error that only shares a known name is not taken for it.
    expect((await text(Object.assign(new Error('fake'), { name: 'ScaleError' }))).output).toMatch(/internal error/);
  });
});

describe('a broken cluster.yaml: every command that reads one says `file:line:col field: message`, exit 2', () => {
  const cwd = tmp();
  const made = runCli(['--preset', 'production', '--size', '4', '--secrets', 'ssh', '--interface', 'eth0', '--out', 'good'], { cwd });
  // A value the schema refuses (read by the answers reader) and one only the checks of the whole refuse.
  cpSync(join(cwd, 'good'), join(cwd, 'schema'), { recursive: true });
  cpSync(join(cwd, 'good'), join(cwd, 'checks'), { recursive: true });
  const yaml = readFileSync(join(cwd, 'good', 'cluster.yaml'), 'utf8');
  writeFileSync(join(cwd, 'schema', 'cluster.yaml'), yaml.replace(/^size: 4$/m, 'size: many'));
  writeFileSync(join(cwd, 'checks', 'cluster.yaml'), yaml.replace(/^ {2}group: stable$/m, '  group: nightly'));
  const line = (pattern: RegExp) => yaml.split('\n').findIndex((l) => pattern.test(l)) + 1;
  const sizeAt = `schema/cluster.yaml:${line(/^size: /)}:1`;
  const groupAt = `checks/cluster.yaml:${line(/^ {2}group: /)}:3`;
  const SIZE = `${sizeAt} size: must be a whole number (got many)`;
  const GROUP = `${groupAt} updates.group: nightly is not a channel of Flatcar's public update server (stable, beta, alpha, lts): machines would never update; give --update-server URL of the update server that has this group`;

  const commands: [string, (dir: string) => string[]][] = [
    ['scale', (dir) => ['scale', dir, '--size', '5']],
    ['replace', (dir) => ['replace', dir, 'production-etcd-2']],
    ['deliver', (dir) => ['deliver', dir]],
    ['generate --answers', (dir) => ['--answers', `${dir}/cluster.yaml`, '--out', `${dir}-again`]],
    ['plan --answers', (dir) => ['plan', '--answers', `${dir}/cluster.yaml`]],
  ];
  for (const [name, args] of commands) {
    it(`${name}: exactly one line, exit 2, nothing written`, () => {
      expect(made.status, made.stderr).toBe(0);
      for (const [dir, expected] of [
        ['schema', SIZE],
        ['checks', GROUP],
      ] as const) {
        const before = filesBelow(join(cwd, dir), (b) => b.toString('hex'));
        const r = runCli(args(dir), { cwd });
        expect(r.status, r.stderr).toBe(2);
        expect(r.stdout).toBe('');
        expect(r.stderr).toBe(`flatcar-architect: ${expected}\n`);
        expect(filesBelow(join(cwd, dir), (b) => b.toString('hex'))).toEqual(before);
      }
    });

    it(`${name} --json: one JSON error object with the located problems`, () => {
      for (const [dir, expected, code] of [
        ['schema', SIZE, 'answers_invalid'],
        ['checks', GROUP, 'spec_invalid'],
      ] as const) {
        const r = runCli([...args(dir), '--json'], { cwd });
        expect(r.status, r.stderr).toBe(2);
        expect(r.stdout).toBe('');
        const { error } = JSON.parse(r.stderr) as { error: { code: string; message: string; problems: { file: string; line: number; col: number; field: string }[] } };
        expect(error.code).toBe(code);
        expect(error.message).toBe(expected);
        const [file, at, col] = expected.split(' ')[0]!.split(':');
        expect(error.problems).toEqual([expect.objectContaining({ file, line: Number(at), col: Number(col), field: expected.split(' ')[1]!.replace(/:$/, '') })]);
      }
    });
  }
});

describe('a cluster directory whose lock cannot be made', () => {
  it('scale and replace say which lock and why, in one line (not an internal error)', async () => {
    const { withClusterDir } = await import('../../src/cli/cluster-dir.js');
    const cwd = tmp();
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(cwd, 'c'));
    // The run's own helper file is in the way as a directory (as root, a read-only parent cannot be had).
    mkdirSync(join(cwd, `.c.lock.${process.pid}.tmp`, 'x'), { recursive: true });
    const io = { cwd, stdout: () => undefined, stderr: () => undefined };
    const thrown = await withClusterDir('c', io, 'test', {}, async () => 0).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(thrown).toBeInstanceOf(CliError);
    expect(await text(thrown)).toEqual({ exitCode: 1, output: `flatcar-architect: cannot lock c: ${join(cwd, '.c.lock')} cannot be created (EEXIST: open failed)\n` });
  });
});

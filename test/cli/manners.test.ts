/**
 * The CLI's manners (issue 13), through the built bin (package.json "bin": the loader and bundle):
 * `help <command>`, unknown commands, each command's --help (only its options, ending with its exit
 * codes), --no-color on every command, and colour following NO_COLOR, FORCE_COLOR, TERM=dumb and
 * whether the stream is a terminal (a real pseudo-terminal from util-linux `script`).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { repoRoot } from '../helpers/paths.js';
import { tempDirs } from '../helpers/tmp.js';

const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { bin: Record<string, string> };
const bin = join(repoRoot, manifest.bin['flatcar-architect']!);
const tmp = tempDirs('fa-manners-');
const ESC = '\u001b[';

/** The environment without any colour variable, plus `extra`. */
function envWith(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.NO_COLOR;
  delete env.FORCE_COLOR;
  env.TERM = 'xterm-256color';
  return { ...env, ...extra };
}

function run(args: string[], opts: { cwd?: string; env?: Record<string, string>; input?: string } = {}) {
  return spawnSync(process.execPath, [bin, ...args], { cwd: opts.cwd ?? tmp(), env: envWith(opts.env), encoding: 'utf8', input: opts.input ?? '', timeout: 60_000 });
}

/** The bin on a pseudo-terminal (stdin, stdout and stderr all the terminal); returns what it showed. */
function runOnTerminal(args: string[], env: Record<string, string> = {}) {
  const cwd = tmp();
  const quote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;
  const r = spawnSync('script', ['-qec', [process.execPath, bin, ...args].map(quote).join(' '), '/dev/null'], { cwd, env: envWith(env), encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, output: r.stdout, cwd };
}

const COMMANDS = ['plan', 'schema', 'init', 'transpile', 'rehearse', 'scale', 'replace', 'deliver'];

describe('help', () => {
  test('help plan is plan --help, and help alone is --help', () => {
    const viaHelp = run(['help', 'plan']);
    expect(viaHelp.status, viaHelp.stderr).toBe(0);
    expect(viaHelp.stdout).toContain('Usage: flatcar-architect plan');
    expect(viaHelp.stdout).toBe(run(['plan', '--help']).stdout);
    const top = run(['help']);
    expect(top.status).toBe(0);
    expect(top.stdout).toBe(run(['--help']).stdout);
    for (const c of COMMANDS) expect(top.stdout).toMatch(new RegExp(`^  ${c}\\b`, 'm'));
  });

  test.each([['frobnicate'], ['help', 'frobnicate'], ['--preset', 'dev', 'frobnicate']])(
    'an unknown command (%s ...) names it, lists the commands, exits 2, writes nothing',
    (...args) => {
      const cwd = tmp();
      const r = run(args, { cwd });
      expect(r.status).toBe(2);
      expect(r.stderr).toContain("unknown command 'frobnicate'");
      for (const c of COMMANDS) expect(r.stderr).toContain(c);
      expect(r.stderr).not.toMatch(/at .*\.c?js:\d+/);
      expect(r.stdout).toBe('');
      expect(readdirSync(cwd)).toEqual([]);
    },
  );

  const optionsOf = (help: string) => [...help.matchAll(/^ {2}(?:-\w, )?(--[a-z][a-z-]*)/gm)].map((m) => m[1]!);

  test.each([[''], ...COMMANDS.map((c) => [c])])("'%s --help' ends with its exit codes", (command) => {
    const r = run([...(command ? [command] : []), '--help']);
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines.at(-1)).toMatch(/^Exit codes: 0 /);
    expect(optionsOf(r.stdout)).toContain('--no-color');
  });

  test('each command lists only the options it takes', () => {
    expect(optionsOf(run(['schema', '--help']).stdout).sort()).toEqual(['--help', '--no-color']);
    const plan = optionsOf(run(['plan', '--help']).stdout);
    for (const gone of ['--out', '--force', '--stdout', '--machine', '--format', '--matchbox', '--matchbox-url', '--rotate-pki', '--dry-run']) expect(plan).not.toContain(gone);
    expect(plan).toContain('--preset');
    expect(plan).toContain('--json');
    const refused = run(['plan', '--preset', 'dev', '--out', 'x']);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain("unknown option '--out'");
    const transpile = optionsOf(run(['transpile', '--help']).stdout);
    expect(transpile).not.toContain('--preset');
    expect(optionsOf(run(['rehearse', '--help']).stdout)).not.toContain('--preset');
    expect(optionsOf(run(['scale', '--help']).stdout)).not.toContain('--preset');
    expect(optionsOf(run(['init', '--help']).stdout)).not.toContain('--json');
  });
});

describe('--no-color is accepted by every command', () => {
  test('the default command, plan, schema and transpile run with it', () => {
    const cwd = tmp();
    expect(run(['--no-color', '--preset', 'dev', '--size', '2', '--out', 'x'], { cwd }).status).toBe(0);
    expect(run(['plan', '--no-color', '--preset', 'dev']).status).toBe(0);
    expect(run(['schema', '--no-color']).status).toBe(0);
    const t = run(['transpile', '--no-color'], { input: 'variant: flatcar\nversion: 1.0.0\n' });
    expect(t.status, t.stderr).toBe(0);
    expect(JSON.parse(t.stdout).ignition.version).toBe('3.3.0');
  });

  test('init, rehearse and scale take it (and fail only for their own reasons)', () => {
    for (const args of [
      ['init', '--no-color'],
      ['rehearse', '--no-color', 'no-such-dir'],
      ['scale', '--no-color', 'no-such-dir', '--size', '3'],
    ]) {
      const r = run(args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr).not.toContain('unknown option');
      expect(r.stderr).not.toContain(ESC);
    }
  });
});

describe('colour follows the terminal rules', () => {
  // A dev cluster with no SSH key: a warning on standard error, coloured when colour is on.
  const args = ['--preset', 'dev', '--size', '2', '--out', 'out'];

  test('not a terminal: plain, unless FORCE_COLOR asks for colour', () => {
    expect(run(args).stderr).toMatch(/^warning: /m);
    expect(run(args).stderr).not.toContain(ESC);
    for (const level of ['1', '2', '3', '']) expect(run(args, { env: { FORCE_COLOR: level } }).stderr, `FORCE_COLOR=${level}`).toContain(ESC);
    expect(run(args, { env: { FORCE_COLOR: '0' } }).stderr).not.toContain(ESC);
    expect(run(args, { env: { FORCE_COLOR: '1', NO_COLOR: '' } }).stderr).not.toContain(ESC);
    expect(run(args, { env: { FORCE_COLOR: '1', NO_COLOR: '1' } }).stderr).not.toContain(ESC);
    expect(run(['--no-color', ...args], { env: { FORCE_COLOR: '1' } }).stderr).not.toContain(ESC);
  });

  test('a terminal: colour, except with NO_COLOR (even empty), FORCE_COLOR=0, TERM=dumb or --no-color', () => {
    const coloured = runOnTerminal(args);
    expect(coloured.status).toBe(0);
    expect(coloured.output).toContain(`${ESC}33mwarning${ESC}39m: no SSH key`);
    expect(existsSync(join(coloured.cwd, 'out', 'SUMMARY.md'))).toBe(true);
    for (const env of [{ NO_COLOR: '' }, { NO_COLOR: '1' }, { FORCE_COLOR: '0' }, { TERM: 'dumb' }]) {
      const plain = runOnTerminal(args, env);
      expect(plain.status, JSON.stringify(env)).toBe(0);
      expect(plain.output, JSON.stringify(env)).toContain('warning: no SSH key');
      expect(plain.output, JSON.stringify(env)).not.toContain(ESC);
    }
    const flag = runOnTerminal(['--no-color', ...args]);
    expect(flag.output).toContain('warning: no SSH key');
    expect(flag.output).not.toContain(ESC);
  });
});

test('the written files are the same whatever the colour', () => {
  const a = tmp();
  const b = tmp();
  run(['--preset', 'dev', '--size', '2', '--insecure', '--out', 'out'], { cwd: a, env: { FORCE_COLOR: '3' } });
  run(['--preset', 'dev', '--size', '2', '--insecure', '--out', 'out'], { cwd: b, env: { NO_COLOR: '' } });
  for (const f of ['dev-etcd-1.bu', 'dev-etcd-1.ign', 'SUMMARY.md', 'cluster.yaml']) {
    expect(readFileSync(join(a, 'out', f), 'utf8'), f).toBe(readFileSync(join(b, 'out', f), 'utf8'));
  }
});

describe('long lines fit the terminal', () => {
  const args = ['--preset', 'production', '--size', '5', '--matchbox', 'mb', '--mac-prefix', '52:54:00'];
  const pkiLine = 'PKI: a new CA and 13 certificates in production/pki/ (keep it private: ca-key.pem signs what the cluster trusts)';

  test('on a 60-column terminal every message is wrapped by words (the machine table stays as it is)', () => {
    const cwd = tmp();
    const quote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;
    const command = `stty cols 60 rows 24; ${[process.execPath, bin, ...args].map(quote).join(' ')}`;
    const r = spawnSync('script', ['-qec', command, '/dev/null'], { cwd, env: envWith({ NO_COLOR: '1' }), encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stdout).toBe(0);
    const lines = r.stdout.replaceAll('\r', '').split('\n');
    const table = lines.filter((l) => /^ {2}production-\S+ +(etcd|worker) /.test(l));
    expect(table).toHaveLength(5);
    expect(lines.filter((l) => l.length > 60 && !table.includes(l))).toEqual([]);
    // Words stay whole: the PKI sentence is the same words, only the breaks differ.
    const joined = lines.join('\n').replace(/\n {2}(?!production-)/g, ' ');
    expect(joined).toContain(pkiLine);
    expect(joined).toContain("warning: --matchbox: the profiles point at http://matchbox.example.com:8080; give --matchbox-url with your Matchbox's address");
  });

  test('not a terminal: one line per message, for scripts', () => {
    const r = run(args);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.split('\n')).toContain(pkiLine);
    expect(r.stderr.split('\n')).toContain("warning: --matchbox: the profiles point at http://matchbox.example.com:8080; give --matchbox-url with your Matchbox's address");
  });
});

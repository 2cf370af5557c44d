/**
 * Every supported Node runs every command (issue 13). Real Node binaries from the npm registry
 * (node-linux-<arch>@<version>, the only network this test uses; cached in
 * node_modules/.cache/node-matrix/ so reruns need none), the packed tarball (`npm pack`; `pretest`
 * has built dist/) installed into a clean prefix per Node version by npm running under that Node
 * (its dependencies resolved as a user's install resolves them, from npm's cache or the registry). Then, with each Node: `--version`, a
 * production run with one fixed PKI (twice: Node 22+ then runs from its compile cache), `transpile`,
 * `plan --json` and the wizard's no-terminal exit. The written files must be byte for byte the same
 * with every Node.
 * The versions: the oldest of each supported line (package.json engines: >=20.19 <21 || >=22.12), and
 * the newest 22.x, 24.x and 26.x when this was written.
 */
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { repoRoot } from '../helpers/paths.js';
import { filesBelow, tempDirs } from '../helpers/tmp.js';

const VERSIONS = ['20.19.0', '22.12.0', '22.23.5', '24.22.3', '26.12.1'];
const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string; engines: { node: string } };
const cacheDir = join(repoRoot, 'node_modules', '.cache', 'node-matrix');
const tmp = tempDirs('fa-node-matrix-');
const caseDir = join(repoRoot, 'test', 'fixtures', 'butane-conformance', 'cases');

/**
 * A command run without blocking the test worker (vitest's worker must stay responsive during the
 * long installs): its exit status and output.
 */
function sh(
  file: string,
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string; timeout?: number } = {},
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = execFile(
      file,
      args,
      { cwd: opts.cwd, env: opts.env, timeout: opts.timeout ?? 60_000, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? ((error as { code?: unknown }).code ?? null) : 0;
        done({ status: typeof code === 'number' ? code : null, stdout, stderr });
      },
    );
    child.stdin?.end(opts.input ?? '');
  });
}

/** node-linux-<arch>@version's node binary, from the cache or fetched once with `npm pack`. */
async function nodeBinary(version: string): Promise<string> {
  const node = join(cacheDir, version, 'bin', 'node');
  if (existsSync(node)) return node;
  const pkg = `node-linux-${process.arch}`;
  const staging = join(cacheDir, `.${version}-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  const packed = await sh('npm', ['pack', `${pkg}@${version}`, '--json', '--pack-destination', staging], { cwd: staging, timeout: 300_000 });
  if (packed.status !== 0) throw new Error(`npm pack ${pkg}@${version} failed: ${packed.stderr}`);
  const tarball = join(staging, (JSON.parse(packed.stdout) as { filename: string }[])[0]!.filename);
  execFileSync('tar', ['xzf', tarball, '-C', staging, '--strip-components=1', 'package/bin/node']);
  rmSync(tarball);
  rmSync(join(cacheDir, version), { recursive: true, force: true });
  renameSync(staging, join(cacheDir, version));
  return node;
}

interface Outcome {
  version: string;
  files: Record<string, string>;
  again: Record<string, string>;
  transpiled: Record<string, string>;
  plan: string;
}
const outcomes: Outcome[] = [];
let work: string;
let tarball: string;
let pki: string;

beforeAll(() => {
  work = tmp();
  const packed = spawnSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: repoRoot, encoding: 'utf8', timeout: 120_000 });
  expect(packed.status, packed.stderr).toBe(0);
  tarball = join(work, (JSON.parse(packed.stdout) as { filename: string }[])[0]!.filename);
  // One fixed PKI for every Node: made once, then reused (no new certificates) by every run.
  const made = spawnSync(process.execPath, [join(repoRoot, 'dist', 'bin', 'flatcar-architect.js'), '--preset', 'production', '--size', '5', '--out', join(work, 'fixed')], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(made.status, made.stderr).toBe(0);
  pki = join(work, 'fixed', 'pki');
}, 180_000);

describe.each(VERSIONS)('Node %s', (version) => {
  test('installs the packed tarball and runs every command', async () => {
    const node = await nodeBinary(version);
    expect(execFileSync(node, ['--version'], { encoding: 'utf8' }).trim()).toBe(`v${version}`);
    const dir = join(work, version);
    mkdirSync(dir);
    // npm itself runs under this Node (PATH); the dependencies come from npm's cache, or the registry.
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PATH: `${join(cacheDir, version, 'bin')}:${process.env.PATH}`,
      NODE_COMPILE_CACHE: join(dir, 'compile-cache'),
      npm_config_prefer_offline: 'true',
      npm_config_audit: 'false',
      npm_config_fund: 'false',
      npm_config_update_notifier: 'false',
      npm_config_engine_strict: 'true',
    };
    delete env.NODE_OPTIONS;
    const prefix = join(dir, 'prefix');
    const install = await sh('npm', ['install', '--prefix', prefix, '--no-package-lock', tarball], { env, timeout: 180_000 });
    expect(install.status, install.stderr).toBe(0);
    // No lifecycle script a consumer's npm would warn about (npm's install-scripts check).
    expect(install.stderr).not.toMatch(/flatcar-architect@[^ ]* \((preinstall|install|postinstall|prepare)/);
    const bin = join(prefix, 'node_modules', '.bin', 'flatcar-architect');
    const cwd = join(dir, 'cwd');
    mkdirSync(cwd);
    const run = (args: string[], input = '') => sh(node, [bin, ...args], { cwd, env, input });
    // The bin's shebang is `env node`: with this Node first on PATH it runs it too.
    const direct = await sh(bin, ['--version'], { cwd, env });
    expect(direct.status, direct.stderr).toBe(0);
    expect(direct.stdout.trim()).toBe(manifest.version);

    // The build-time V8 cache belongs to the Node that packed: never used by another one.
    const cache = await sh(node, [bin, '--help'], { cwd, env: { ...env, FLATCAR_ARCHITECT_DEBUG_CODE_CACHE: '1' } });
    expect(cache.status, cache.stderr).toBe(0);
    if (`v${version}` !== process.version) {
      expect(cache.stderr).toMatch(Number(version.split('.')[0]) >= 22 ? /^code cache: node compile cache \(on; cli\.cache: mismatch\)$/m : /^code cache: mismatch$/m);
    }

    const v = await run(['--version']);
    expect(v.status, v.stderr).toBe(0);
    expect(v.stdout.trim()).toBe(manifest.version);

    const generated = await run(['--preset', 'production', '--size', '5', '--pki', pki, '--out', 'out']);
    expect(generated.status, generated.stderr).toBe(0);
    expect(generated.stderr).not.toMatch(/internal error|ExperimentalWarning|DeprecationWarning/);
    expect(generated.stdout).toMatch(/reused 13 certificates, issued 0/);
    const again = await run(['--preset', 'production', '--size', '5', '--pki', pki, '--out', 'again']);
    expect(again.status, again.stderr).toBe(0);

    const transpiled: Record<string, string> = {};
    for (const c of ['048-flatcar-cluster-node', '005-file-inline-long-gzip', '044-flatcar-network-eth0']) {
      const t = await run(['transpile', join(caseDir, c, 'input.bu')]);
      expect(t.status, `${c}: ${t.stderr}`).toBe(0);
      transpiled[c] = t.stdout;
    }
    expect(transpiled['048-flatcar-cluster-node']).toBe(readFileSync(join(caseDir, '048-flatcar-cluster-node', 'expected.ign'), 'utf8'));

    const plan = await run(['plan', '--preset', 'small', '--size', '3', '--json']);
    expect(plan.status, plan.stderr).toBe(0);

    const wizard = await run(['init']);
    expect(wizard.status).toBe(2);
    expect(wizard.stderr).toMatch(/^flatcar-architect: no terminal to ask questions in: give --preset/);
    expect(wizard.stdout).toBe('');

    outcomes.push({
      version,
      files: filesBelow(join(cwd, 'out'), (b) => b.toString('base64')),
      again: filesBelow(join(cwd, 'again'), (b) => b.toString('base64')),
      transpiled,
      plan: plan.stdout.replaceAll(cwd, '<cwd>'),
    });
  }, 300_000);
});

test('every Node wrote the same bytes', () => {
  expect(outcomes.map((o) => o.version)).toEqual(VERSIONS);
  const [first, ...rest] = outcomes;
  expect(Object.keys(first!.files).length).toBeGreaterThan(20);
  expect(first!.again).toEqual(first!.files);
  for (const o of rest) {
    expect(Object.keys(o.files), o.version).toEqual(Object.keys(first!.files));
    for (const name of Object.keys(first!.files)) expect(o.files[name], `${o.version}: ${name}`).toBe(first!.files[name]);
    expect(o.again, o.version).toEqual(first!.files);
    expect(o.transpiled, o.version).toEqual(first!.transpiled);
    expect(o.plan, o.version).toBe(first!.plan);
  }
});

test('the matrix covers the oldest release of each line package.json supports', () => {
  expect(manifest.engines.node).toBe('>=20.19 <21 || >=22.12');
  expect(VERSIONS).toContain('20.19.0');
  expect(VERSIONS).toContain('22.12.0');
  expect(readdirSync(cacheDir).filter((d) => d.startsWith('.'))).toEqual([]);
});

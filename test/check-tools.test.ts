/**
 * `npm test` on a machine with only Node: scripts/check-tools.mjs (the pretest step, and .ci/run)
 * stops first with one message and the exact apt-get line, or (as root with apt-get) installs the
 * packages. Here the tools are installed; a PATH holding only node stands for a fresh machine, and
 * FLATCAR_ARCHITECT_NO_INSTALL keeps the script from installing anything during the test.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './helpers/paths.js';
import { tempDir } from './helpers/tmp.js';
// @ts-expect-error a plain .mjs script without types
import { TOOLS } from '../scripts/check-tools.mjs';

const tools = TOOLS as [string, string][];
const packages = (list: [string, string][]) => [...new Set(list.map(([, p]) => p))].join(' ');

const script = join(repoRoot, 'scripts', 'check-tools.mjs');
const run = (env: NodeJS.ProcessEnv) => spawnSync(process.execPath, [script], { encoding: 'utf8', env, timeout: 30_000 });

/** A PATH with node and nothing else. */
function bareBin(): string {
  const bin = tempDir('fa-bare-bin-');
  symlinkSync(process.execPath, join(bin, 'node'));
  return bin;
}

describe('scripts/check-tools.mjs', () => {
  it('with every tool installed: exit 0, says nothing', () => {
    const r = run({ ...process.env, FLATCAR_ARCHITECT_NO_INSTALL: '1' });
    expect([r.status, r.stdout, r.stderr]).toEqual([0, '', '']);
  });

  it('on a machine without them: exit 1, one message with the exact apt-get install line, nothing else', () => {
    const r = run({ PATH: bareBin(), FLATCAR_ARCHITECT_NO_INSTALL: '1' });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(tools.map(([c]) => c)).toEqual(expect.arrayContaining(['ignition-validate', 'etcd', 'etcdctl', 'systemd-analyze', 'openssl', 'tmux', 'xmllint', 'sshd', 'ip', 'nft']));
    expect(r.stderr).toBe(
      `npm test needs ${tools.map(([c]) => c).join(', ')}, which are not installed; install them with:\n` +
        `  sudo apt-get install -y --no-install-recommends ${packages(tools)}\n`,
    );
  });

  it('names only what is missing', () => {
    const bin = bareBin();
    for (const [tool] of tools.filter(([c]) => c !== 'ignition-validate')) {
      const found = spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim();
      symlinkSync(found, join(bin, tool));
    }
    const r = run({ PATH: bin, FLATCAR_ARCHITECT_NO_INSTALL: '1' });
    expect([r.status, r.stderr]).toEqual([
      1,
      'npm test needs ignition-validate, which is not installed; install it with:\n  sudo apt-get install -y --no-install-recommends ignition\n',
    ]);
  });

  it('as root without apt-get on PATH: the same message, no attempt to install', () => {
    const r = run({ PATH: bareBin() });
    expect(r.status).toBe(1);
    expect(r.stderr).not.toContain('installing');
    expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(2);
  });

  it('npm test runs it first, and .ci/run calls it', () => {
    expect(JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')).scripts.pretest).toMatch(/^node scripts\/check-tools\.mjs && /);
    expect(readFileSync(join(repoRoot, '.ci', 'run'), 'utf8')).toMatch(/^node scripts\/check-tools\.mjs$/m);
  });
});

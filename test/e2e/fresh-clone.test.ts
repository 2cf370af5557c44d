/**
 * The README's first command in a fresh clone: `npm install && npx flatcar-architect --preset
 * production --size 5` builds exactly once (issue 13: npm install built, then npx linked the clone into
 * its cache and built it again, 25 s): npm install runs no build script (a `prepare` would make npm
 * warn every consumer about an install script); bin/flatcar-architect.js builds dist/ on the first run
 * in a clone, and a second run does not build.
 * The clone is this working tree's tracked and untracked-but-not-ignored files; npm installs from its
 * local cache only (offline). The first run's wall time is printed (figures are not asserted: speed is
 * measured by `npm run bench`).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { repoRoot } from '../helpers/paths.js';
import { tempDirs } from '../helpers/tmp.js';

const tmp = tempDirs('fa-fresh-clone-');
let clone = '';

/** npx keeps one install per directory it linked: remove the one this test made. */
afterAll(() => {
  const npx = join(process.env.npm_config_cache ?? join(homedir(), '.npm'), '_npx');
  if (!clone || !existsSync(npx)) return;
  for (const entry of readdirSync(npx)) {
    const manifest = join(npx, entry, 'package.json');
    if (existsSync(manifest) && readFileSync(manifest, 'utf8').includes(JSON.stringify(clone).slice(1, -1))) rmSync(join(npx, entry), { recursive: true, force: true });
  }
});

test('npm install, then npx flatcar-architect: one build, and the runs write the cluster', () => {
  clone = join(tmp(), 'flatcar-architect');
  mkdirSync(clone);
  const tracked = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: repoRoot, encoding: 'utf8' }).split('\0').filter(Boolean);
  for (const f of tracked) {
    if (!existsSync(join(repoRoot, f))) continue; // deleted in the working tree
    mkdirSync(dirname(join(clone, f)), { recursive: true });
    cpSync(join(repoRoot, f), join(clone, f));
  }
  expect(existsSync(join(clone, 'dist'))).toBe(false);
  const env = { ...process.env, npm_config_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };
  const install = spawnSync('npm', ['install'], { cwd: clone, encoding: 'utf8', env, timeout: 280_000 });
  expect(install.status, install.stderr).toBe(0);
  // npm install builds nothing (no lifecycle script): the first run builds, once.
  expect(existsSync(join(clone, 'dist'))).toBe(false);
  const bundle = join(clone, 'dist', 'bin', 'cli.cjs');

  const npx = (out: string) => {
    const t0 = process.hrtime.bigint();
    const r = spawnSync('npx', ['flatcar-architect', '--preset', 'production', '--size', '5', '--out', out], { cwd: clone, encoding: 'utf8', env, timeout: 200_000 });
    return { ...r, seconds: Number(process.hrtime.bigint() - t0) / 1e9 };
  };
  const first = npx('production');
  expect(first.status, first.stderr).toBe(0);
  expect(first.stderr.match(/building dist\/ in this clone \(once\)/g)).toHaveLength(1);
  expect(first.stderr.match(/> flatcar-architect@[^ ]+ build/g)).toHaveLength(1);
  const builtAt = statSync(bundle).mtimeMs;
  const second = npx('production-2');
  expect(second.status, second.stderr).toBe(0);
  expect(second.stderr).not.toMatch(/building|> flatcar-architect@[^ ]+ build/);
  // Not built again: the bundle is the one the first run made.
  expect(statSync(bundle).mtimeMs).toBe(builtAt);
  console.log(
    `fresh clone: npm install, then the first npx flatcar-architect --preset production --size 5 took ${first.seconds.toFixed(1)} s (it builds dist/ once), the second ${second.seconds.toFixed(1)} s`,
  );
  for (const out of ['production', 'production-2']) {
    const written = readdirSync(join(clone, out));
    expect(written.filter((f) => f.endsWith('.ign'))).toHaveLength(5);
    expect(written).toContain('cluster.yaml');
  }
}, 300_000);

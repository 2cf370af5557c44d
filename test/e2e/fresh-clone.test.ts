/**
 * The README's first command in a fresh clone: `npm install && npx flatcar-architect --preset
 * production --size 5` builds once (npm install's `prepare`), and npx, which links the clone into its
 * cache and runs `prepare` again, does not build a second time (issue 13: it used to take 25 s).
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

test('npm install, then npx flatcar-architect: one build, and the run writes the cluster', () => {
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
  const bundle = join(clone, 'dist', 'bin', 'cli.cjs');
  expect(existsSync(bundle)).toBe(true);
  const builtAt = statSync(bundle).mtimeMs;

  const t0 = process.hrtime.bigint();
  const run = spawnSync('npx', ['flatcar-architect', '--preset', 'production', '--size', '5'], { cwd: clone, encoding: 'utf8', env, timeout: 120_000 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  expect(run.status, run.stderr).toBe(0);
  console.log(`fresh clone: first npx flatcar-architect --preset production --size 5 after npm install took ${(ms / 1000).toFixed(1)} s`);
  // Not built again: the bundle is the one npm install made.
  expect(statSync(bundle).mtimeMs).toBe(builtAt);
  const written = readdirSync(join(clone, 'production'));
  expect(written.filter((f) => f.endsWith('.ign'))).toHaveLength(5);
  expect(written).toContain('cluster.yaml');
}, 300_000);

/** Issue 7: the bash end-to-end test (test/e2e/scripted.sh) against the built CLI. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { cliPath, repoRoot } from '../helpers/paths.js';

it('test/e2e/scripted.sh provisions like a script: stdin answers, --json, --stdout per machine, ignition-validate, exit codes', () => {
  const r = spawnSync('bash', [join(repoRoot, 'test', 'e2e', 'scripted.sh')], { encoding: 'utf8', env: { ...process.env, CLI_JS: cliPath }, timeout: 120_000 });
  expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
  expect(r.stdout).toMatch(/^all \d+ checks passed$/m);
}, 120_000);

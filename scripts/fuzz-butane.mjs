#!/usr/bin/env node
/**
 * Developer tool: the differential test (test/butane/differential.test.ts) with a larger count and
 * a new seed, then the agreement rate and every disagreement class with examples.
 *
 *   node scripts/fuzz-butane.mjs [count=8000] [seed=random]
 *
 * Needs the real Butane at ../shared/tools/butane-bin/butane. To see one config and both outputs:
 * the report names example indices; regenerate them with generateConfig(seed, index) from
 * test/butane/fuzz/generate.ts.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const count = Number(process.argv[2] ?? 8000);
const seed = Number(process.argv[3] ?? Math.floor(Math.random() * 2 ** 31));
if (!Number.isInteger(count) || count <= 0 || !Number.isInteger(seed)) {
  console.error('usage: node scripts/fuzz-butane.mjs [count] [seed]');
  process.exit(2);
}
const dir = mkdtempSync(join(tmpdir(), 'fuzz-butane-'));
const report = join(dir, 'report.json');
console.error(`fuzz-butane: ${count} configs, seed ${seed}`);
const run = spawnSync(process.execPath, [join(root, 'node_modules', 'vitest', 'vitest.mjs'), 'run', 'test/butane/differential.test.ts'], {
  cwd: root,
  env: { ...process.env, FUZZ_COUNT: String(count), FUZZ_SEED: String(seed), FUZZ_REPORT: report },
  stdio: ['ignore', 'ignore', 'inherit'],
});
let summary;
try {
  summary = JSON.parse(readFileSync(report, 'utf8'));
} catch {
  console.error('fuzz-butane: no report was written (is the Butane binary there?)');
  rmSync(dir, { recursive: true, force: true });
  process.exit(run.status || 1);
}
rmSync(dir, { recursive: true, force: true });
const o = summary.butaneOutcomes;
console.log(`seed ${summary.seed}: ${summary.agree} of ${summary.count} agree (${(summary.rate * 100).toFixed(2)}%)`);
console.log(`Butane's outcomes: ${o.ok} ok, ${o.warning} with warnings, ${o.error} errors`);
for (const c of summary.classes) console.log(`${String(c.count).padStart(5)}  ${c.class}  (configs ${c.examples.join(', ')})`);
process.exit(summary.classes.length === 0 ? 0 : 1);

/**
 * Differential test: random Butane configs across the whole flatcar 1.0.0/1.1.0 spec (valid ones
 * and mutated ones, see fuzz/generate.ts) through the real Butane v0.19.0 and through ours,
 * compared by the conformance corpus's rules (fuzz/compare.ts). Fixed seed and a size that fits CI;
 * `node scripts/fuzz-butane.mjs [count] [seed]` runs a larger count with a new seed and prints the
 * agreement rate and the disagreement classes. Butane's answers for the fixed seed and count are
 * recorded in test/fixtures/butane-differential/ (`FUZZ_RECORD=1` writes them): with the binary the
 * test runs it and checks the recording is still what it says; without it (a clone with no
 * ../shared beside it) ours is compared with the recording, so the test never skips.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { butaneBin, repoRoot } from '../helpers/paths.js';
import { disagreement, type Outcome, runButaneAll, runOurs } from './fuzz/compare.js';
import { generateConfig } from './fuzz/generate.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20261206);
const COUNT = Number(process.env.FUZZ_COUNT ?? 500);
const REPORT = process.env.FUZZ_REPORT;
const filesDir = join(repoRoot, 'test', 'fixtures', 'butane-differential', 'files');
const haveButane = existsSync(butaneBin);
const recording = join(repoRoot, 'test', 'fixtures', 'butane-differential', `butane-v0.19.0-seed-${SEED}-count-${COUNT}.json.gz`);
type Reference = { plain: Outcome; strict: Outcome }[];
const FILES_DIR = '<files-dir>';
/** Butane's answers: live from the binary, else the recording (the default seed and count have one). */
async function reference(inputs: Uint8Array[]): Promise<Reference> {
  // The recording names the files directory by a placeholder, so that it holds wherever the clone is.
  const swap = (r: Reference, from: string, to: string): Reference =>
    r.map((x) => {
      const o = (y: Outcome) => ({ ...y, stdout: y.stdout.replaceAll(from, to), stderr: y.stderr.replaceAll(from, to) });
      return { plain: o(x.plain), strict: o(x.strict) };
    });
  const read = () => swap(JSON.parse(gunzipSync(readFileSync(recording)).toString('utf8')) as Reference, FILES_DIR, filesDir);
  if (!haveButane) return read();
  const live = await runButaneAll(butaneBin, work, inputs, filesDir, 4);
  if (process.env.FUZZ_RECORD) writeFileSync(recording, gzipSync(JSON.stringify(swap(live, filesDir, FILES_DIR))));
  else if (existsSync(recording)) {
    // Butane prints some warnings in map order: the same lines, in any order.
    const lines = (o: Outcome) => ({ ...o, stderr: o.stderr.split('\n').sort().join('\n') });
    const same = (r: Reference) => r.map((x) => ({ plain: lines(x.plain), strict: lines(x.strict) }));
    expect(same(read()), `the recording ${recording} is not what Butane answers now (FUZZ_RECORD=1 writes it again)`).toEqual(same(live));
  }
  return live;
}
const work = mkdtempSync(join(tmpdir(), 'butane-differential-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('differential: random configs through the real Butane and ours', () => {
  it('generates the same configs for the same seed, and varied ones', () => {
    expect(generateConfig(1, 7)).toBe(generateConfig(1, 7));
    const texts = new Set(Array.from({ length: 50 }, (_, i) => generateConfig(SEED, i)));
    expect(texts.size).toBeGreaterThanOrEqual(45);
  });

  it(haveButane
    ? `agrees with Butane (${butaneBin}) on ${COUNT} configs of seed ${SEED}`
    : `agrees with Butane's recorded answers on ${COUNT} configs of seed ${SEED} (no binary at ${butaneBin})`, async () => {
    const inputs = Array.from({ length: COUNT }, (_, i) => Buffer.from(generateConfig(SEED, i), 'utf8'));
    const answers = await reference(inputs);
    expect(answers).toHaveLength(COUNT);
    const classes = new Map<string, number[]>();
    let outcomes = { ok: 0, warning: 0, error: 0 };
    inputs.forEach((input, i) => {
      const ref = answers[i]!;
      outcomes = {
        ok: outcomes.ok + (ref.plain.exit === 0 && ref.strict.exit === 0 ? 1 : 0),
        warning: outcomes.warning + (ref.plain.exit === 0 && ref.strict.exit !== 0 ? 1 : 0),
        error: outcomes.error + (ref.plain.exit !== 0 ? 1 : 0),
      };
      const d = disagreement(runOurs(input, filesDir, false), runOurs(input, filesDir, true), ref.plain, ref.strict);
      if (d !== undefined) classes.set(d, [...(classes.get(d) ?? []), i]);
    });
    const disagreeing = [...classes.values()].reduce((n, xs) => n + xs.length, 0);
    const summary = {
      seed: SEED,
      count: COUNT,
      agree: COUNT - disagreeing,
      rate: (COUNT - disagreeing) / COUNT,
      butaneOutcomes: outcomes,
      classes: [...classes.entries()].sort((a, b) => b[1].length - a[1].length).map(([name, xs]) => ({ class: name, count: xs.length, examples: xs.slice(0, 3) })),
    };
    if (REPORT) writeFileSync(REPORT, JSON.stringify(summary, null, 2) + '\n');
    // Every outcome kind must be well represented, or the generator has drifted.
    expect(outcomes.ok).toBeGreaterThan(COUNT * 0.2);
    expect(outcomes.warning).toBeGreaterThan(COUNT * 0.03);
    expect(outcomes.error).toBeGreaterThan(COUNT * 0.2);
    const first = summary.classes[0];
    expect(summary.classes, first ? `first example (config ${first.examples[0]}):\n${generateConfig(SEED, first.examples[0]!)}` : '').toEqual([]);
  }, 600_000);
});

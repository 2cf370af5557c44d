/**
 * Every case of both Butane conformance corpora (test/fixtures/butane-conformance: hand-picked;
 * test/fixtures/butane-conformance-fuzz: minimal cases found by differential fuzzing), compared
 * with the real Butane's recorded behaviour: output (key order included; gzip compared by payload),
 * exit codes with and without --strict, the field paths of every error and warning, and
 * ignition-validate's verdict on our output. Every case runs in-process; the CLI runs a fixed
 * sample (one case of each kind, the byte-level and multi-document fuzz cases), which exercises
 * what the CLI adds (reading bytes, exit codes, --pretty, --strict, the summary line).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatFinding, transpile, TranspileError } from '../../src/butane/index.js';
import { canonical, filesDirOf, findingPaths, loadCases, reformat, type ConformanceCase } from '../helpers/conformance.js';
import { conformanceFuzzDir } from '../helpers/paths.js';
import { ignitionValidate, runCli } from '../helpers/run.js';
import { tempDir } from '../helpers/tmp.js';

const mainCases = loadCases();
const fuzzCases = loadCases(conformanceFuzzDir);
const work = tempDir('conformance-');

function runInProcess(c: ConformanceCase, options: { strict?: boolean; pretty?: boolean } = {}) {
  try {
    const r = transpile(c.inputBytes, { filesDir: filesDirOf(c), ...options });
    return { exit: 0, output: r.ignition, stderr: r.warnings.map(formatFinding).join('\n') };
  } catch (e) {
    if (!(e instanceof TranspileError)) throw e;
    return { exit: 1, output: undefined, stderr: e.findings.map(formatFinding).join('\n'), stage: e.stage };
  }
}

function checkCorpus(title: string, cases: ConformanceCase[], minimum: number) {
  describe(title, () => {
    it('has the cases its README describes', () => {
      expect(cases.length).toBeGreaterThanOrEqual(minimum);
    });

    describe.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
      it('matches the exit code, output and findings in-process', () => {
        const r = runInProcess(c);
        expect(r.exit, r.stderr).toBe(c.exit);
        if (c.expected !== undefined) {
          expect(canonical(r.output!)).toBe(canonical(c.expected));
          const pretty = runInProcess(c, { pretty: true }).output!;
          expect(reformat(pretty, 2)).toBe(pretty);
          expect(reformat(r.output!)).toBe(r.output);
          expect(canonical(pretty)).toBe(canonical(c.expected));
        } else {
          expect(r.output).toBeUndefined();
        }
        expect(findingPaths(r.stderr, 'warning')).toEqual(findingPaths(c.stderr, 'warning'));
        if (c.exit !== 0 && findingPaths(c.stderr, 'error').length === 0) {
          // Failures Butane reports without a field path (YAML syntax, value types, variant/version):
          // ours fail at the same stage, and name the field where there is one.
          expect(['yaml', 'type', 'version']).toContain(r.stage);
          expect(r.stderr).toMatch(/^error/);
        } else {
          expect(findingPaths(r.stderr, 'error')).toEqual(findingPaths(c.stderr, 'error'));
        }
      });

      it('matches the exit code under --strict', () => {
        expect(runInProcess(c, { strict: true }).exit).toBe(c.strictExit);
      });

      if (c.validateExit !== undefined) {
        it('passes the real ignition-validate as the reference output does', () => {
          const r = runInProcess(c);
          const file = join(work, `${c.name}.ign`);
          writeFileSync(file, r.output!);
          const v = ignitionValidate(file);
          expect(v.error).toBeUndefined();
          expect(v.status, v.stderr + v.stdout).toBe(c.validateExit);
        });
      }
    });
  });
}

checkCorpus('Butane conformance corpus', mainCases, 90);
checkCorpus('Butane conformance corpus: cases found by fuzzing', fuzzCases, 38);

/** One case of each kind and feature mix (every 9th), plus the fuzz cases about bytes and documents. */
const cliSample = [...mainCases.filter((_, i) => i % 9 === 0), ...fuzzCases.filter((c) => /invalid-utf8|multi-doc|merge-key|cr-final-break|clevis-order/.test(c.name))];

describe('Butane conformance through the CLI (a sample)', () => {
  it('samples every kind of case', () => {
    expect(new Set(cliSample.map((c) => c.kind))).toEqual(new Set(['ok', 'warning', 'error']));
    expect(cliSample.length).toBeGreaterThanOrEqual(14);
  });

  describe.each(cliSample.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    it('behaves the same through the CLI (exit code, stdout, --pretty, --strict)', () => {
      const r = runCli(['transpile', ...c.args, 'input.bu'], { cwd: c.dir });
      expect(r.status, r.stderr).toBe(c.exit);
      if (c.expected !== undefined) {
        expect(canonical(r.stdout)).toBe(canonical(c.expected));
        const pretty = runCli(['transpile', '--pretty', ...c.args, 'input.bu'], { cwd: c.dir });
        expect(pretty.status).toBe(0);
        expect(reformat(pretty.stdout, 2) + '\n').toBe(pretty.stdout);
      } else {
        expect(r.stdout).toBe('');
        expect(r.stderr).toMatch(/Error translating config: /);
      }
      if (c.exit === 0 || findingPaths(c.stderr, 'error').length > 0) {
        expect(findingPaths(r.stderr, 'error')).toEqual(findingPaths(c.stderr, 'error'));
      }
      expect(findingPaths(r.stderr, 'warning')).toEqual(findingPaths(c.stderr, 'warning'));
      const strict = runCli(['transpile', '--strict', ...c.args, 'input.bu'], { cwd: c.dir });
      expect(strict.status).toBe(c.strictExit);
    });
  });
});

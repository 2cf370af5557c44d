/**
 * Every case of ../shared/butane-conformance, compared with the real Butane's recorded behaviour:
 * output (key order included; gzip compared by payload), exit codes with and without --strict, the
 * field paths of every error and warning, and ignition-validate's verdict on our output.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatFinding, transpile, TranspileError } from '../../src/butane/index.js';
import { canonical, filesDirOf, findingPaths, loadCases } from '../helpers/conformance.js';
import { ignitionValidate, runCli } from '../helpers/run.js';
import { tempDir } from '../helpers/tmp.js';

const cases = loadCases();
const work = tempDir('conformance-');

function runInProcess(c: (typeof cases)[number], strict = false) {
  try {
    const r = transpile(c.input, { filesDir: filesDirOf(c), strict });
    return { exit: 0, output: r.ignition, stderr: r.warnings.map(formatFinding).join('\n') };
  } catch (e) {
    if (!(e instanceof TranspileError)) throw e;
    return { exit: 1, output: undefined, stderr: e.findings.map(formatFinding).join('\n'), stage: e.stage };
  }
}

describe('Butane conformance corpus', () => {
  it('has the cases the README describes', () => {
    expect(cases.length).toBeGreaterThanOrEqual(90);
  });

  describe.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    it('matches the exit code, output and findings in-process', () => {
      const r = runInProcess(c);
      expect(r.exit).toBe(c.exit);
      if (c.expected !== undefined) {
        expect(canonical(r.output!)).toBe(canonical(c.expected));
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
      expect(runInProcess(c, true).exit).toBe(c.strictExit);
    });

    it('behaves the same through the CLI (exit code, stdout, --pretty)', () => {
      const r = runCli(['transpile', ...c.args, 'input.bu'], { cwd: c.dir });
      expect(r.status).toBe(c.exit);
      if (c.expected !== undefined) {
        expect(canonical(r.stdout)).toBe(canonical(c.expected));
        const pretty = runCli(['transpile', '--pretty', ...c.args, 'input.bu'], { cwd: c.dir });
        expect(pretty.status).toBe(0);
        expect(JSON.stringify(JSON.parse(pretty.stdout), null, 2) + '\n').toBe(pretty.stdout);
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

/** The progress line of long writes: silent for half a second, then a counter rewritten in place, cleared at the end; never without a terminal or with --json. */
import { describe, expect, it, vi } from 'vitest';
import { runGenerate } from '../../src/cli/generate.js';
import { progressLine } from '../../src/cli/progress.js';
import { tempDirs } from '../helpers/tmp.js';

const tmp = tempDirs('progress-');

describe('progressLine', () => {
  it('shows nothing in the first half second, then counters at most ten times a second, then clears', () => {
    let t = 0;
    const out: string[] = [];
    const p = progressLine(
      (s) => out.push(s),
      true,
      () => t,
    );
    p.report!({ stage: 'certificates', done: 0, total: 30 });
    t = 499;
    p.report!({ stage: 'certificates', done: 10, total: 30 });
    expect(out).toEqual([]);
    t = 500;
    p.report!({ stage: 'certificates', done: 11, total: 30 });
    t = 550;
    p.report!({ stage: 'certificates', done: 12, total: 30 });
    t = 700;
    p.report!({ stage: 'machines', done: 3, total: 10 });
    p.done();
    expect(out).toEqual(['\r\u001b[Kcertificates issued 11/30', '\r\u001b[Kmachines rendered 3/10', '\r\u001b[K']);
  });

  it('a run shorter than half a second leaves no trace; disabled means no callback at all', () => {
    const out: string[] = [];
    const quick = progressLine(
      (s) => out.push(s),
      true,
      () => 0,
    );
    quick.report!({ stage: 'machines', done: 1, total: 2 });
    quick.done();
    expect(out).toEqual([]);
    expect(progressLine((s) => out.push(s), false).report).toBeUndefined();
  });
});

describe('the flag path', () => {
  it('a slow write on a terminal reports machines and certificates on stderr; --json stays silent', async () => {
    // A clock that moves 50 ms at every look: the run is "slow" however fast this machine is.
    let t = 0;
    const clock = vi.spyOn(Date, 'now').mockImplementation(() => (t += 50));
    try {
      for (const json of [false, true]) {
        const cwd = tmp();
        let stderr = '';
        const code = await runGenerate(
          { preset: 'production', size: '100', network: '10.0.0.0/16', out: 'big', json },
          {
            cwd,
            stdout: () => undefined,
            stderr: (t) => {
              stderr += t;
            },
            stderrTty: true,
            interactive: false,
          },
        );
        expect(code).toBe(0);
        if (json) expect(stderr).not.toMatch(/rendered|issued \d/);
        else {
          expect(stderr).toMatch(/machines rendered \d+\/100/);
          expect(stderr).toMatch(/certificates issued \d+\/\d+/);
          expect(stderr).toContain('\r\u001b[K');
        }
      }
    } finally {
      clock.mockRestore();
    }
  });
});

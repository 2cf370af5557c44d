/**
 * Warnings are values { code, text, loud } and the problems the wizard treats apart carry a code:
 * every consumer (SUMMARY.md, the CLI, the wizard, --json) goes by the code, never by the text.
 */
import { describe, expect, it } from 'vitest';
import { resolveSpec } from '../../src/answers/resolve.js';
import { WARNING_CODES, warning, type WarningCode } from '../../src/answers/warnings.js';
import type { Answers, Problem } from '../../src/answers/types.js';
import { formatSummary } from '../../src/render/summary.js';
import { plan } from '../../src/plan/index.js';
import { conflictOf, problemsOf } from '../../src/wizard/context.js';
import { inputsOf } from '../../src/wizard/precheck.js';
import { withKey } from '../helpers/generator.js';
import { resolverProblems } from '../helpers/plan.js';
import { context } from '../helpers/wizard.js';

const codes = (answers: Answers): WarningCode[] => resolveSpec(answers).warnings.map((w) => w.code);
const problems = resolverProblems;

describe('warnings by code', () => {
  it('each answer that warns gives its code; only the security holes are loud', () => {
    expect(codes({ preset: 'dev' })).toEqual(['glob-interface', 'no-ssh-key']);
    expect(codes(withKey({ preset: 'small', size: 4, network: { interface: 'eth0' } }))).toEqual(['even-etcd-size']);
    expect(codes(withKey({ preset: 'dev', network: { interface: 'eth0' }, updates: { rebootStrategy: 'off', rebootWindowStart: '04:00', rebootWindowLength: '1h' } }))).toEqual([
      'window-without-reboot',
    ]);
    expect(codes(withKey({ preset: 'dev', network: { interface: 'eth0' }, security: { etcdTls: false } }))).toEqual(['etcd-insecure']);
    expect(codes(withKey({ preset: 'laptop', security: { dockerTls: false } }))).toEqual(['docker-insecure']);
    const loud = WARNING_CODES.filter((c) => warning(c, '').loud);
    expect(loud).toEqual(['etcd-insecure', 'docker-insecure', 'matchbox-serves-keys']);
    for (const w of resolveSpec({ preset: 'dev', security: { etcdTls: false } }).warnings) expect(w.loud).toBe(w.code === 'etcd-insecure');
  });

  it("SUMMARY.md's loud paragraphs follow the code, whatever the text says", () => {
    const spec = resolveSpec(withKey({ preset: 'dev', network: { interface: 'eth0' } })).spec;
    const summary = (w: ReturnType<typeof warning>[]) => formatSummary(plan(spec), 'dev', w, []);
    // A text that names --insecure is not taken for the etcd-insecure warning, and the code needs no particular text.
    expect(summary([warning('glob-interface', '--insecure: etcd TLS is off')])).not.toContain('WARNING: etcd runs without TLS');
    const loud = summary([warning('etcd-insecure', 'any words')]);
    expect(loud).toContain('> **WARNING: etcd runs without TLS (--insecure).**');
    expect(loud).not.toContain('> **Warning:** any words');
    expect(summary([warning('window-without-reboot', 'a window, no reboots')])).toContain('> **Warning:** a window, no reboots');
  });
});

describe('problems the wizard treats apart carry a code', () => {
  it('the resolver and the planner give them', () => {
    expect(problems({ preset: 'production', size: 3, etcd: { size: 3 } }).map((p) => p.code)).toEqual(['etcd-needs-workers']);
    expect(problems({ preset: 'dev', updates: { group: 'nightly' } }).map((p) => p.code)).toEqual(['group-not-public']);
    expect(problems({ preset: 'dev', network: { cidr: '10.0.0.0/24', firstAddress: '10.0.0.1' } }).map((p) => p.code)).toEqual(['first-address-taken']);
    expect(problemsOf({ preset: 'dev', size: 40, network: { cidr: '10.0.0.0/26', firstAddress: '10.0.0.40' } }).map((p) => p.code)).toEqual(['addresses-do-not-fit']);
    // Other problems have none.
    expect(problems({ preset: 'dev', size: 'x' }).map((p) => p.code)).toEqual([undefined]);
  });

  it('the wizard goes by the code: the same problem in other words is still handled as that problem', () => {
    const { ctx } = context([], { preset: 'production' });
    const reworded = (code: Problem['code'], field: Problem['field']): Problem => ({ field, code, message: 'in other words' });
    expect(conflictOf(ctx, reworded('etcd-needs-workers', 'size')).inputs).toEqual(['size', 'etcd.size']);
    expect(conflictOf(ctx, reworded('addresses-do-not-fit', 'size')).inputs).toEqual(['size', 'network.cidr', 'network.firstAddress']);
    expect(conflictOf(ctx, reworded('group-not-public', 'updates.group')).inputs).toEqual(['updates.group', 'updates.server']);
    expect(conflictOf(ctx, reworded('first-address-taken', 'network.firstAddress')).inputs).toEqual(['network.gateway', 'network.dns', 'network.firstAddress']);
    // The old wording without the code is an ordinary problem of its own answer.
    expect(conflictOf(ctx, { field: 'size', message: 'production with 3 etcd machines needs at least 4 machines in total' }).inputs).toEqual(['size']);
    expect(inputsOf(reworded('addresses-do-not-fit', 'size'))).toEqual(['size', 'network.cidr', 'network.firstAddress']);
    expect(inputsOf(reworded('etcd-needs-workers', 'size'))).toEqual(['size', 'etcd.size']);
  });
});

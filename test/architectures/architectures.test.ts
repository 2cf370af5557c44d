/**
 * Issue 16: one module per architecture. Each module's rules (sizes, etcd members for a size, machine
 * names, boot order, labels, what it allows), and the rules that hold for all of them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadPreset } from '../../src/answers/presets.js';
import { MAX_ETCD_SIZE as ANSWERS_MAX_ETCD_SIZE } from '../../src/answers/limits.js';
import { ARCHITECTURES, architectureOf, findArchitecture, hasEtcdPki, MAX_ETCD_SIZE, PRESETS, type Architecture } from '../../src/architectures/index.js';
import { repoRoot } from '../helpers/paths.js';

const names = (a: Architecture, size: number, etcd = a.etcdSizeFor(size)) => a.machines('c-', size, etcd).map((m) => `${m.name}:${m.role}`);
/** Sizes 1..n the architecture takes, its etcd size derived from each. */
const accepted = (a: Architecture, n: number) =>
  Array.from({ length: n }, (_, i) => i + 1).filter((s) => a.checkSize(s) === undefined && a.checkEtcdSize(a.etcdSizeFor(s), s) === undefined);

describe('the registry', () => {
  it('has one architecture per preset name, in the order they are offered', () => {
    expect(Object.keys(ARCHITECTURES)).toEqual([...PRESETS]);
    expect(PRESETS).toEqual(['laptop', 'small', 'dev', 'production']);
    for (const p of PRESETS) expect(architectureOf(p).name).toBe(p);
  });

  it('finds an architecture by an unchecked name, and none for an unknown one', () => {
    expect(findArchitecture('dev')?.name).toBe('dev');
    expect(findArchitecture(undefined)).toBeUndefined();
    expect(findArchitecture('Production')).toBeUndefined();
    expect(findArchitecture(3)).toBeUndefined();
  });

  it('description and defaults are those of presets/<name>.yaml, the published file', () => {
    for (const p of PRESETS) {
      const { description, ...defaults } = parse(readFileSync(join(repoRoot, 'presets', `${p}.yaml`), 'utf8')) as Record<string, unknown>;
      expect(architectureOf(p).description).toBe(description);
      expect(architectureOf(p).defaults).toEqual(defaults);
      expect(loadPreset(p)).toEqual({ name: p, description, defaults: { ...defaults, preset: p } });
    }
  });

  it('MAX_ETCD_SIZE is the most any architecture runs (small: 9), the same the answers read', () => {
    expect(MAX_ETCD_SIZE).toBe(9);
    expect(ANSWERS_MAX_ETCD_SIZE).toBe(MAX_ETCD_SIZE);
  });

  it('a written cluster has etcd certificates unless it runs no etcd or etcd TLS is off', () => {
    expect(hasEtcdPki('laptop', undefined)).toBe(false);
    expect(hasEtcdPki('small', undefined)).toBe(true);
    expect(hasEtcdPki('production', true)).toBe(true);
    expect(hasEtcdPki('dev', false)).toBe(false);
    expect(hasEtcdPki(undefined, undefined)).toBe(true);
    expect(hasEtcdPki('unknown', undefined)).toBe(true);
  });
});

describe('laptop', () => {
  const a = architectureOf('laptop');
  it('is exactly 1 machine, not scaled, with no etcd', () => {
    expect(a.checkSize(1)).toBeUndefined();
    expect(a.checkSize(2)).toBe('the laptop preset is exactly 1 machine (got 2)');
    expect([a.minSize, a.maxSize, a.sizeIsFixed]).toEqual([1, 1, true]);
    expect([a.runsEtcd, a.etcdSizeFor(1), a.maxEtcdSize, a.etcdSizeIsAnswer]).toEqual([false, 0, 0, false]);
  });
  it('is one VM called node-1 serving the Docker API', () => {
    expect(names(a, 1)).toEqual(['c-node-1:laptop']);
    expect(a.bootOrder).toEqual([{ role: 'laptop', note: 'the only machine' }]);
    expect([a.localVm, a.servesDockerApi]).toEqual([true, true]);
    expect(a.bootAdvice('c-node-1', undefined)).toBeUndefined();
  });
});

describe('small', () => {
  const a = architectureOf('small');
  it('has 3 to 9 machines, every one an etcd member', () => {
    expect(accepted(a, 20)).toEqual([3, 4, 5, 6, 7, 8, 9]);
    expect(a.checkSize(2)).toBe('the small preset has 3 to 9 machines (got 2); use dev or production otherwise');
    expect(a.checkSize(10)).toBe('the small preset has 3 to 9 machines (got 10); use dev or production otherwise');
    expect([a.minSize, a.maxSize, a.sizeHint(undefined), a.suggestedSizes(NaN)]).toEqual([3, 9, '3 to 9', [3]]);
    for (const n of [3, 4, 9]) expect(a.etcdSizeFor(n)).toBe(n);
    expect(a.everyMachineIsMember).toBe(true);
  });
  it('refuses an etcd size other than its size', () => {
    expect(a.checkEtcdSize(5, 5)).toBeUndefined();
    expect(a.checkEtcdSize(3, 5)).toEqual({ field: 'etcd.size', message: 'in the small preset every machine is an etcd member: leave it out or make it equal --size (5)' });
  });
  it('names its machines node-1..n, boots them together, and labels members as running workloads', () => {
    expect(names(a, 3)).toEqual(['c-node-1:etcd', 'c-node-2:etcd', 'c-node-3:etcd']);
    expect(a.bootOrder.map((g) => g.role)).toEqual(['etcd']);
    expect([a.memberLabel, a.memberBoxLabel, a.memberNodeLabel, a.membersRunWorkloads]).toEqual(['etcd member + workloads', 'member + workloads', 'member + workloads', true]);
    expect([a.localVm, a.servesDockerApi, a.runsEtcd]).toEqual([false, false, true]);
  });
});

describe('dev', () => {
  const a = architectureOf('dev');
  it('has 2 or more machines and exactly 1 etcd machine', () => {
    expect(accepted(a, 30)).toEqual(Array.from({ length: 29 }, (_, i) => i + 2));
    expect(a.checkSize(1)).toBe('the dev preset needs at least 2 machines: 1 etcd machine and 1 or more workers (got 1)');
    for (const n of [2, 3, 10, 10_000]) expect(a.etcdSizeFor(n)).toBe(1);
    expect(a.checkEtcdSize(3, 5)).toEqual({ field: 'etcd.size', message: 'the dev preset has exactly 1 etcd machine (got 3); use production for 3 or 5' });
    expect([a.minSize, a.maxSize, a.sizeHint(undefined), a.etcdSizeIsAnswer]).toEqual([2, undefined, '2 or more', false]);
  });
  it('names etcd-1 and worker-1..n-1, and says to boot the etcd machine first', () => {
    expect(names(a, 3)).toEqual(['c-etcd-1:etcd', 'c-worker-1:worker', 'c-worker-2:worker']);
    expect(a.bootOrder.map((g) => g.role)).toEqual(['etcd', 'worker']);
    expect(a.bootAdvice('c-etcd-1', '10.0.0.101')).toBe('Boot the etcd machine first (c-etcd-1 at 10.0.0.101), then the workers.');
    expect(a.bootAdvice('c-etcd-1', undefined)).toBe('Boot the etcd machine first (c-etcd-1), then the workers.');
    expect([a.memberLabel, a.memberBoxLabel, a.memberNodeLabel, a.membersRunWorkloads]).toEqual(['etcd member', 'etcd member', 'member', false]);
  });
});

describe('production', () => {
  const a = architectureOf('production');
  it('runs 3 etcd machines below 10 machines and 5 from 10 on, with 1 or more workers', () => {
    expect([4, 9, 10, 11, 10_000].map((n) => a.etcdSizeFor(n))).toEqual([3, 3, 5, 5, 5]);
    expect(accepted(a, 12)).toEqual([4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(a.checkEtcdSize(3, 4)).toBeUndefined();
    expect(a.checkEtcdSize(5, 6)).toBeUndefined();
    expect(a.checkEtcdSize(4, 10)).toEqual({ field: 'etcd.size', message: 'production runs 3 or 5 etcd machines (got 4)' });
    expect(a.checkEtcdSize(5, 5)).toEqual({
      field: 'size',
      code: 'etcd-needs-workers',
      message: 'production with 5 etcd machines needs at least 6 machines in total, so that 1 or more are workers (got 5)',
    });
    expect([a.etcdSizeIsAnswer, a.minSize, a.maxSize, a.maxEtcdSize]).toEqual([true, 4, undefined, 5]);
  });
  it('offers 3 or 5 etcd machines in the wizard, saying when each is the usual choice', () => {
    expect(a.etcdSizeChoices).toEqual([
      { size: 3, note: 'the usual choice below 10 machines' },
      { size: 5, note: 'needs 6 or more machines; the usual choice from 10 machines on' },
    ]);
    for (const other of ['laptop', 'small', 'dev'] as const) expect(architectureOf(other).etcdSizeChoices).toEqual([]);
  });
  it('hints and suggests sizes from the etcd size chosen', () => {
    expect(a.sizeHint(undefined)).toBe('4 or more');
    expect(a.sizeHint(5)).toBe('6 or more');
    expect(a.suggestedSizes(NaN)).toEqual([4, 4]);
    expect(a.suggestedSizes(5)).toEqual([6, 4]);
  });
  it('names etcd-1..k then worker-1..', () => {
    expect(names(a, 5)).toEqual(['c-etcd-1:etcd', 'c-etcd-2:etcd', 'c-etcd-3:etcd', 'c-worker-1:worker', 'c-worker-2:worker']);
    expect(names(a, 6, 5).filter((n) => n.endsWith(':etcd'))).toHaveLength(5);
    expect(a.bootOrder.map((g) => g.role)).toEqual(['etcd', 'worker']);
    expect(a.bootAdvice('c-etcd-1', undefined)).toBeUndefined();
  });
});

describe('every architecture', () => {
  for (const p of PRESETS) {
    const a = architectureOf(p);
    it(`${p}: its published defaults are a cluster it takes`, () => {
      const d = a.defaults as { size: number; etcd?: unknown; updates: { rebootStrategy: string } };
      expect(a.checkSize(d.size)).toBeUndefined();
      expect(a.checkEtcdSize(a.etcdSizeFor(d.size), d.size)).toBeUndefined();
      expect(d.etcd !== undefined).toBe(a.runsEtcd);
      if (!a.runsEtcd) expect(d.updates.rebootStrategy).not.toBe('etcd-lock');
    });
    it(`${p}: each size it takes gives that many distinct machines, its etcd size of members, in an order its boot order covers`, () => {
      const sizes = accepted(a, 40);
      expect(sizes.length).toBeGreaterThan(0);
      expect(Math.min(...sizes)).toBe(a.minSize);
      if (a.maxSize !== undefined) expect(Math.max(...sizes)).toBe(a.maxSize);
      expect(a.sizeIsFixed).toBe(a.minSize === a.maxSize);
      for (const size of sizes) {
        const etcd = a.etcdSizeFor(size);
        const machines = a.machines('c-', size, etcd);
        expect(machines).toHaveLength(size);
        expect(new Set(machines.map((m) => m.name)).size).toBe(size);
        expect(machines.filter((m) => m.role === 'etcd')).toHaveLength(etcd);
        expect(etcd).toBeLessThanOrEqual(a.maxEtcdSize);
        expect(etcd > 0).toBe(a.runsEtcd);
        expect(a.everyMachineIsMember).toBe(etcd === size);
        // Members first, then workers: the boot order's groups in the order the machines are named.
        const roles = [...new Set(machines.map((m) => m.role))];
        expect(a.bootOrder.map((g) => g.role)).toEqual(roles);
      }
    });
  }
});

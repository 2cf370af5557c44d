/**
 * Issue 16: the resolver, the scaler and the plan ask the architecture. The exact refusals and
 * warnings each architecture's rules give, through the code that uses them (the messages users see
 * are unchanged from when these rules were preset-name comparisons).
 */
import { describe, expect, it } from 'vitest';
import { resolveSpec } from '../../src/answers/resolve.js';
import type { Answers } from '../../src/answers/types.js';
import { plan } from '../../src/plan/index.js';
import { scaleCluster, ScaleError } from '../../src/scale/index.js';
import { resolverProblems } from '../helpers/plan.js';

const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGJmZm9vYmFyYmF6cXV4cXV1eHF1dXhxdXV4cXV1eHF1 t@x';
const withKey = (a: Answers): Answers => ({ ssh: { keys: [KEY] }, ...a });

const problems = (answers: Answers): string[] => resolverProblems(withKey(answers)).map((p) => `${p.field}: ${p.message}`);
const warnings = (answers: Answers) => resolveSpec(withKey(answers)).warnings;

describe('the resolver asks the architecture', () => {
  it('what a laptop refuses: etcd, etcd-lock, --insecure, --secrets', () => {
    expect(problems({ preset: 'laptop', etcd: { size: 1 } })).toEqual(['etcd.size: the laptop preset runs no etcd; leave it out']);
    expect(problems({ preset: 'laptop', updates: { rebootStrategy: 'etcd-lock' } })).toEqual([
      'updates.rebootStrategy: etcd-lock needs etcd, which the laptop preset does not run; use reboot or off',
    ]);
    expect(problems({ preset: 'laptop', security: { etcdTls: false, secrets: 'ssh' } })).toEqual([
      'security.secrets: the laptop preset keeps its keys in its config; leave it out',
      'security.etcdTls: the laptop preset runs no etcd; for its Docker API use --docker-insecure',
    ]);
  });

  it('what the others refuse: --docker-insecure, an etcd size that does not fit', () => {
    expect(problems({ preset: 'small', security: { dockerTls: false } })).toEqual(['security.dockerTls: only the laptop preset serves the Docker API on TCP; leave it out']);
    expect(problems({ preset: 'production', size: 10, etcd: { size: 4 } })).toEqual(['etcd.size: production runs 3 or 5 etcd machines (got 4)']);
    expect(problems({ preset: 'production', size: 5, etcd: { size: 5 } })).toEqual([
      'size: production with 5 etcd machines needs at least 6 machines in total, so that 1 or more are workers (got 5)',
    ]);
    expect(problems({ preset: 'dev', size: 4, etcd: { size: 3 } })).toEqual(['etcd.size: the dev preset has exactly 1 etcd machine (got 3); use production for 3 or 5']);
  });

  it('warns of an even size only where every machine is an etcd member, and of an interface pattern only off the laptop', () => {
    expect(warnings({ preset: 'small', size: 4, network: { interface: 'eth0' } })).toEqual([
      { code: 'even-etcd-size', text: '--size 4: an etcd cluster of 4 members tolerates 1 failed member, no more than 3 members do; an odd size is better', loud: false },
    ]);
    expect(warnings({ preset: 'dev', size: 4, network: { interface: 'eth0' } })).toEqual([]);
    expect(warnings({ preset: 'dev', size: 4 }).filter((w) => w.code === 'glob-interface' && w.text.startsWith('--interface "en* eth*"'))).toHaveLength(1);
    expect(warnings({ preset: 'laptop', network: { dhcp: false, interface: 'eth*' } })).toEqual([]);
  });

  it('derives the etcd size from the size (production: 5 from 10 machines on)', () => {
    const etcdOf = (a: Answers) => resolveSpec(withKey(a)).spec.etcd?.size ?? 0;
    expect([
      etcdOf({ preset: 'laptop' }),
      etcdOf({ preset: 'small', size: 7 }),
      etcdOf({ preset: 'dev', size: 9 }),
      etcdOf({ preset: 'production', size: 9 }),
      etcdOf({ preset: 'production', size: 10 }),
    ]).toEqual([0, 7, 1, 3, 5]);
  });
});

describe('the plan asks the architecture', () => {
  it('for names, roles and boot order', () => {
    const p = plan(resolveSpec(withKey({ preset: 'dev', name: 'lab', size: 3 })).spec);
    expect(p.machines.map((m) => `${m.name}:${m.role}:${m.address}`)).toEqual(['lab-etcd-1:etcd:10.0.0.101', 'lab-worker-1:worker:10.0.0.102', 'lab-worker-2:worker:10.0.0.103']);
    expect(p.bootOrder).toEqual([
      { machines: ['lab-etcd-1'], note: 'first: the etcd machine, at its static address' },
      { machines: ['lab-worker-1', 'lab-worker-2'], note: 'then the workers, in any order' },
    ]);
  });
});

describe('scale asks the architecture', () => {
  const scale = (old: Answers, size: number, etcdSize?: number) => scaleCluster(withKey({ ...old, security: { etcdTls: false } }), null, { size, etcdSize }, () => undefined);

  it('a fixed-size architecture has nothing to scale', async () => {
    const old = withKey({ preset: 'laptop' });
    const refused = scaleCluster(old, null, { size: 2 }, () => undefined);
    await expect(refused).rejects.toThrow(new ScaleError('the laptop preset is one machine: there is nothing to scale', 'preset'));
    await expect(refused).rejects.toMatchObject({ field: 'preset' });
  });

  it('an etcd size that follows from the size is not an answer of its own', async () => {
    await expect(scale({ preset: 'small', size: 3 }, 5, 3)).rejects.toThrow("the small preset's etcd size follows from --size (5); leave it out");
    await expect(scale({ preset: 'dev', size: 3 }, 5, 3)).rejects.toThrow("the dev preset's etcd size follows from --size (1); leave it out");
  });
});

/**
 * Snapshots of every generated file for each preset at a few sizes, and every .ign through the real
 * ignition-validate. Update the snapshots on purpose with `npx vitest run -u test/generator-output.test.ts`.
 *
 * The snapshots are of the preview (`generate` without a PKI): certificates and keys are PEM-shaped
 * stand-ins naming their entry ("PREVIEW etcd/member/x/server: ..."), so the snapshots are
 * deterministic and hold no key material, while every file, path, owner, mode and setting is the one a
 * real run writes. Real keys would change on every run (ECDSA, random); a fixed pre-made bundle
 * would have to track every case's machine names and addresses. The real output (generateCluster, with
 * a fresh PKI) goes through ignition-validate here, and test/generator-tls.test.ts checks its
 * certificates, modes and owners.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generate, generateCluster } from '../../src/generate.js';
import type { Answers } from '../../src/answers/types.js';
import { ignitionValidate } from '../helpers/run.js';
import { withKey } from '../helpers/generator.js';

const CASES: [string, Answers][] = [
  ['laptop', withKey({ preset: 'laptop' })],
  ['laptop-static-mac', withKey({ preset: 'laptop', network: { cidr: '192.168.122.0/24', macPrefix: '52:54:00' } })],
  ['small-3', withKey({ preset: 'small', size: 3 })],
  ['small-4-window', withKey({ preset: 'small', size: 4, updates: { rebootWindowStart: 'Thu 04:00', rebootWindowLength: '1h' } })],
  [
    'small-5-dhcp-discovery',
    withKey({ preset: 'small', size: 5, network: { dhcp: true }, etcd: { discovery: 'https://discovery.etcd.io/3e86b59982e49066c5d813af1c2e2579cbf573de' } }),
  ],
  ['dev-2', withKey({ preset: 'dev', size: 2 })],
  ['dev-4-lab', withKey({ preset: 'dev', size: 4, name: 'lab', network: { cidr: '192.168.1.0/24', dns: ['1.1.1.1', '9.9.9.9'], domains: ['lab.example'], interface: 'ens3' } })],
  ['production-5-defaults', { preset: 'production', size: 5 }],
  ['production-10', withKey({ preset: 'production', size: 10, updates: { group: 'lts' } })],
  ['dev-3-insecure', withKey({ preset: 'dev', size: 3, security: { etcdTls: false } })],
  ['laptop-docker-insecure', withKey({ preset: 'laptop', security: { dockerTls: false } })],
];

describe.each(CASES)('%s', (name, answers) => {
  const result = generate(answers);

  it('matches the snapshots', async () => {
    for (const f of result.files) {
      await expect(f.contents).toMatchFileSnapshot(join('__snapshots__', 'generator', name, f.name));
    }
  });

  it('is a preview exactly when the cluster needs a PKI', () => {
    expect(result.preview).toBe(result.plan.machines.some((m) => (m.role !== 'laptop' ? result.spec.security.etcdTls : result.spec.security.dockerTls)));
    expect(result.files.some((f) => f.name.startsWith('pki/'))).toBe(false);
  });

  it('every .ign passes ignition-validate, the preview and the real one', async () => {
    const real = await generateCluster(answers);
    expect(real.preview).toBe(false);
    const dir = mkdtempSync(join(tmpdir(), 'fa-validate-'));
    for (const m of [...result.machines, ...real.machines]) {
      const file = join(dir, `${m.name}.ign`);
      writeFileSync(file, m.ignition);
      const r = ignitionValidate(file);
      expect(r.stdout + r.stderr, m.name).toBe('');
      expect(r.status, m.name).toBe(0);
    }
    rmSync(dir, { recursive: true, force: true });
  });
});

it('generate is deterministic', () => {
  const [a, b] = [generate(CASES[4]![1]), generate(CASES[4]![1])];
  expect(a.files).toEqual(b.files);
});

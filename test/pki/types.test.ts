/** The CA key cannot be put into what goes to machines: checked by compiling a snippet with tsc. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect, test } from 'vitest';

const repo = resolve(import.meta.dirname, '..', '..');

test('CaKeyPem is assignable to no machine-facing field; every @ts-expect-error below is needed', () => {
  const dir = mkdtempSync(join(tmpdir(), 'secrets-types-'));
  try {
    const index = JSON.stringify(join(repo, 'src/pki/index.js'));
    writeFileSync(
      join(dir, 'check.ts'),
      `import type { SecretsBundle, EtcdMemberSecrets, EtcdClientSecrets, MachineSecrets, LeafPair } from ${index};
declare const b: SecretsBundle;
// @ts-expect-error the CA key is not a leaf key
export const a: LeafPair = { certPem: b.ca.certPem, keyPem: b.ca.keyPem };
// @ts-expect-error the CA key is not a certificate
export const m: MachineSecrets = { caCertPem: b.ca.keyPem, certs: {} };
// @ts-expect-error the CA pair is not a leaf pair
export const e: EtcdMemberSecrets = { caCertPem: b.ca.certPem, server: b.ca, peer: b.ca };
// @ts-expect-error a plain string is not a leaf key either: only issueCert/loadBundle make them
export const c: EtcdClientSecrets = { caCertPem: b.ca.certPem, client: { certPem: b.ca.certPem, keyPem: 'x' } };
export const ok: MachineSecrets = { caCertPem: b.ca.certPem, certs: { x: b.certs['x']! } };
export const s: string = b.ca.keyPem;
`,
    );
    const tsc = join(repo, 'node_modules', '.bin', 'tsc');
    const r = spawnSync(
      tsc,
      [
        '--noEmit',
        '--strict',
        '--module',
        'nodenext',
        '--moduleResolution',
        'nodenext',
        '--target',
        'es2022',
        '--skipLibCheck',
        '--types',
        'node',
        '--typeRoots',
        join(repo, 'node_modules/@types'),
        join(dir, 'check.ts'),
      ],
      { encoding: 'utf8', timeout: 60_000 },
    );
    expect(`${r.stdout}${r.stderr}`).toBe('');
    expect(r.status).toBe(0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** saveBundle / loadBundle: round trip, file modes, stale files, and one clear error per broken file. */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { clusterSecretsRequest, loadBundle, pkiDir, planSecrets, saveBundle, SecretsError } from '../../src/pki/index.js';
import type { SecretsBundle } from '../../src/pki/index.js';

let root: string;
let bundle: SecretsBundle;
let other: SecretsBundle;
let dir: string;
let caseNo = 0;

const input = {
  clusterName: 'dev',
  etcdMembers: [{ name: 'etcd-1', address: '10.0.0.101' }],
  etcdProxies: ['worker-1', 'worker-2'],
};
const mode = (p: string) => statSync(p).mode & 0o777;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'secrets-store-'));
  bundle = (await planSecrets(clusterSecretsRequest(input))).bundle;
  other = (await planSecrets(clusterSecretsRequest(input))).bundle;
});
afterAll(() => rmSync(root, { recursive: true, force: true }));
beforeEach(() => {
  dir = pkiDir(join(root, `out${caseNo++}`));
});

function loadError(): string {
  try {
    loadBundle(dir);
  } catch (e) {
    expect(e).toBeInstanceOf(SecretsError);
    const msg = (e as Error).message;
    if (process.env.SHOW_ERRORS) console.log(msg);
    expect(msg).not.toContain('\n');
    return msg;
  }
  throw new Error('loadBundle did not fail');
}

describe('the whole PEM file is checked (issue 18)', () => {
  test('a second certificate appended to ca.pem is refused (every machine would trust it)', () => {
    saveBundle(dir, bundle);
    writeFileSync(join(dir, 'ca.pem'), bundle.ca.certPem + other.ca.certPem);
    expect(loadError()).toBe(`${join(dir, 'ca.pem')}: 2 PEM blocks where exactly one CERTIFICATE belongs; restore it, or make a new PKI on purpose (rotate)`);
  });

  test('text after the block, a key in a certificate file, two keys in a key file: refused', () => {
    saveBundle(dir, bundle);
    writeFileSync(join(dir, 'ca.pem'), bundle.ca.certPem + 'trust me\n');
    expect(loadError()).toMatch(/ca\.pem: text outside its PEM block; exactly one CERTIFICATE belongs here; /);
    writeFileSync(join(dir, 'ca.pem'), bundle.ca.certPem);
    const leaf = join(dir, 'etcd/member/etcd-1/server.pem');
    writeFileSync(leaf, bundle.ca.keyPem);
    expect(loadError()).toMatch(/server\.pem: a PRIVATE KEY PEM block where CERTIFICATE belongs; /);
    writeFileSync(leaf, bundle.certs['etcd/member/etcd-1/server']!.certPem);
    writeFileSync(join(dir, 'ca-key.pem'), bundle.ca.keyPem + other.ca.keyPem);
    expect(loadError()).toMatch(/ca-key\.pem: 2 PEM blocks where exactly one private key belongs; /);
    writeFileSync(join(dir, 'ca-key.pem'), bundle.ca.keyPem);
    expect(loadBundle(dir)).toEqual(bundle);
  });
});

describe('saveBundle / loadBundle', () => {
  test('round trip, byte for byte', () => {
    saveBundle(dir, bundle);
    expect(loadBundle(dir)).toEqual(bundle);
    expect(readFileSync(join(dir, 'etcd/member/etcd-1/server.pem'), 'utf8')).toBe(bundle.certs['etcd/member/etcd-1/server']!.certPem);
  });

  test('modes: directories 0700, keys 0600, certificates 0644, whatever the umask', () => {
    const old = process.umask(0o000);
    try {
      saveBundle(dir, bundle);
    } finally {
      process.umask(old);
    }
    expect(mode(dir)).toBe(0o700);
    for (const d of ['etcd', 'etcd/member', 'etcd/member/etcd-1', 'etcd/proxy/worker-1']) expect(mode(join(dir, d)), d).toBe(0o700);
    expect(mode(join(dir, 'ca-key.pem'))).toBe(0o600);
    expect(mode(join(dir, 'ca.pem'))).toBe(0o644);
    expect(mode(join(dir, 'etcd/member/etcd-1/peer-key.pem'))).toBe(0o600);
    expect(mode(join(dir, 'etcd/member/etcd-1/peer.pem'))).toBe(0o644);
  });

  test('an existing directory with loose modes is tightened', () => {
    mkdirSync(dir, { recursive: true, mode: 0o755 });
    chmodSync(dir, 0o755);
    saveBundle(dir, bundle);
    chmodSync(join(dir, 'ca-key.pem'), 0o644);
    saveBundle(dir, bundle);
    expect(mode(dir)).toBe(0o700);
    expect(mode(join(dir, 'ca-key.pem'))).toBe(0o600);
  });

  test('no directory, or one without .pem files: no bundle', () => {
    expect(loadBundle(dir)).toBeNull();
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'README'), 'x');
    expect(loadBundle(dir)).toBeNull();
  });

  test('saving a smaller bundle removes the dropped entries and their empty directories, nothing else', () => {
    saveBundle(dir, bundle);
    writeFileSync(join(dir, 'NOTES.txt'), 'mine');
    const { 'etcd/proxy/worker-2/client': _gone, ...rest } = bundle.certs;
    saveBundle(dir, { ca: bundle.ca, certs: rest });
    expect(existsSync(join(dir, 'etcd/proxy/worker-2'))).toBe(false);
    expect(existsSync(join(dir, 'etcd/proxy/worker-1/client.pem'))).toBe(true);
    expect(existsSync(join(dir, 'NOTES.txt'))).toBe(true);
    expect(Object.keys(loadBundle(dir)!.certs)).toEqual(Object.keys(rest));
  });

  test('unchanged files are not rewritten', () => {
    saveBundle(dir, bundle);
    const f = join(dir, 'ca-key.pem');
    const before = statSync(f).ino;
    saveBundle(dir, bundle);
    expect(statSync(f).ino).toBe(before);
  });

  test('a loaded bundle plans to the same bundle', async () => {
    saveBundle(dir, bundle);
    const p = await planSecrets(clusterSecretsRequest(input), loadBundle(dir));
    expect(p.issued).toEqual([]);
    expect(p.bundle).toEqual(bundle);
  });
});

describe('a broken bundle gives one line naming the file', () => {
  test('a corrupt certificate', () => {
    saveBundle(dir, bundle);
    const f = join(dir, 'etcd/member/etcd-1/server.pem');
    writeFileSync(f, '-----BEGIN CERTIFICATE-----\nnot base64 at all!\n-----END CERTIFICATE-----\n');
    expect(loadError()).toMatch(new RegExp(`^${f}: not a PEM certificate \\(.*\\); remove it and its key to have it issued again$`));
  });

  test('a corrupt CA key', () => {
    saveBundle(dir, bundle);
    const f = join(dir, 'ca-key.pem');
    writeFileSync(f, 'garbage');
    expect(loadError()).toMatch(new RegExp(`^${f}: not a PEM private key \\(.*\\); restore it, or make a new PKI on purpose \\(rotate\\)$`));
  });

  test('a missing CA certificate', () => {
    saveBundle(dir, bundle);
    unlinkSync(join(dir, 'ca.pem'));
    expect(loadError()).toBe(`${join(dir, 'ca.pem')}: missing; the PKI bundle is incomplete; restore it, or make a new PKI on purpose (rotate)`);
  });

  test('a missing leaf key, and a key without certificate', () => {
    saveBundle(dir, bundle);
    unlinkSync(join(dir, 'etcd/proxy/worker-1/client-key.pem'));
    expect(loadError()).toMatch(/etcd\/proxy\/worker-1\/client\.pem: its key etcd\/proxy\/worker-1\/client-key\.pem is missing/);
    saveBundle(dir, bundle);
    unlinkSync(join(dir, 'etcd/proxy/worker-1/client.pem'));
    expect(loadError()).toMatch(/client-key\.pem: a key without its certificate/);
  });

  test("a key that does not belong to its certificate; a certificate of another CA; another CA's key", () => {
    saveBundle(dir, bundle);
    const name = 'etcd/member/etcd-1/peer';
    writeFileSync(join(dir, `${name}-key.pem`), bundle.certs['etcd/member/etcd-1/server']!.keyPem);
    expect(loadError()).toBe(`${join(dir, `${name}-key.pem`)}: the key does not belong to ${name}.pem; remove it and its key to have it issued again`);
    saveBundle(dir, { ca: bundle.ca, certs: { ...bundle.certs, [name]: other.certs[name]! } });
    expect(loadError()).toMatch(/peer\.pem: not issued by this bundle's CA \(ca\.pem\)/);
    saveBundle(dir, bundle);
    writeFileSync(join(dir, 'ca-key.pem'), other.ca.keyPem);
    expect(loadError()).toMatch(/ca-key\.pem: the key does not belong to ca\.pem/);
  });

  test('a leaf certificate where the CA belongs, and the CA where a leaf belongs', () => {
    saveBundle(dir, bundle);
    writeFileSync(join(dir, 'ca.pem'), bundle.certs['etcd/member/etcd-1/server']!.certPem);
    expect(loadError()).toMatch(/ca\.pem: not a CA certificate/);
    saveBundle(dir, bundle);
    writeFileSync(join(dir, 'etcd/proxy/worker-1/client.pem'), bundle.ca.certPem);
    expect(loadError()).toMatch(/client\.pem: a CA certificate where a leaf certificate belongs/);
  });

  test('a non-P-256 key', async () => {
    const { generateKeyPairSync } = await import('node:crypto');
    saveBundle(dir, bundle);
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    writeFileSync(join(dir, 'etcd/proxy/worker-1/client-key.pem'), rsa);
    expect(loadError()).toMatch(/client-key\.pem: not an ECDSA P-256 key/);
  });

  test('a file that cannot be read (a dangling symlink, which even root cannot read)', () => {
    saveBundle(dir, bundle);
    const f = join(dir, 'etcd/proxy/worker-2/client.pem');
    unlinkSync(f);
    symlinkSync(join(dir, 'nowhere.pem'), f);
    expect(loadError()).toMatch(new RegExp(`^${f}: cannot read \\(ENOENT: `));
  });

  test('the PKI path is a file', () => {
    mkdirSync(join(dir, '..'), { recursive: true });
    writeFileSync(dir, 'x');
    expect(loadError()).toBe(`${dir}: the PKI directory is not a directory`);
  });
});

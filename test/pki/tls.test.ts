/**
 * Issue 6 in the generator: the PKI a generated cluster gets, where its files go, their modes, that the
 * CA key stays in DIR/pki/, that openssl accepts the certificates a machine's Ignition carries, and
 * that a re-run keeps (or on purpose rotates) the PKI.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeDataUrl } from '../../src/butane/index.js';
import { generate, generateCluster, GenerateError, type GenerateResult } from '../../src/generate.js';
import { loadBundle, mentionsCaKey, pkiDir, type LeafKeyPem, type SecretsBundle } from '../../src/pki/index.js';
import type { Answers } from '../../src/answers/types.js';
import { writeGenerated } from '../../src/write/output.js';
import { withKey } from '../helpers/generator.js';

const made: string[] = [];
afterAll(() =>
  made.forEach((d) => {
    rmSync(d, { recursive: true, force: true });
  }),
);
const tmp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'fa-tls-'));
  made.push(d);
  return d;
};

/** Writes a result as the command line does, into a fresh DIR. */
function written(result: GenerateResult, options: { dir?: string; force?: boolean } = {}): string {
  const dir = options.dir ?? join(tmp(), 'out');
  writeGenerated(dir, result, { force: options.force });
  return dir;
}

/** Every file of DIR (relative paths), with its contents. */
function tree(dir: string, base = dir): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) Object.assign(out, tree(p, base));
    else out[p.slice(base.length + 1)] = readFileSync(p, 'utf8');
  }
  return out;
}

const modeOf = (p: string) => (statSync(p).mode & 0o777).toString(8);

/** The files an Ignition config writes: path -> contents. */
function ignitionFiles(ignition: string): Record<string, string> {
  const config = JSON.parse(ignition) as { storage: { files: { path: string; contents: { source: string; compression?: string } }[] } };
  return Object.fromEntries(
    config.storage.files.map((f) => {
      const bytes = decodeDataUrl(f.contents.source);
      return [f.path, (f.contents.compression === 'gzip' ? gunzipSync(bytes) : bytes).toString('utf8')];
    }),
  );
}

function openssl(args: string[], input?: string): { status: number | null; out: string } {
  const r = spawnSync('openssl', args, { encoding: 'utf8', input, timeout: 30_000 });
  return { status: r.status, out: r.stdout + r.stderr };
}

const PRODUCTION: Answers = withKey({ preset: 'production', size: 5 });

describe('a production cluster with its PKI', async () => {
  const result = await generateCluster(PRODUCTION);
  const dir = written(result);
  const bundle = loadBundle(pkiDir(dir))!;

  it('DIR/pki holds the bundle (0700 directories, 0600 keys, 0644 certificates) and loads back as written', () => {
    expect(bundle).not.toBeNull();
    expect(result.pki).toMatchObject({ caCreated: true, reused: [], dropped: [] });
    expect(result.pki!.issued).toHaveLength(3 * 2 + 2 + 5);
    expect(Object.keys(bundle.certs).sort()).toEqual(result.pki!.issued);
    for (const [rel, contents] of Object.entries(tree(join(dir, 'pki')))) {
      expect(modeOf(join(dir, 'pki', rel)), rel).toBe(rel.endsWith('-key.pem') ? '600' : '644');
      expect(contents).toMatch(/^-----BEGIN /);
    }
    for (const d of ['pki', 'pki/etcd', 'pki/etcd/member', 'pki/etcd/member/production-etcd-1', 'pki/etcd/proxy/production-worker-1']) {
      expect(modeOf(join(dir, d)), d).toBe('700');
    }
    expect(modeOf(dir)).toBe('755');
  });

  it('.bu and .ign holding private keys are 0600; cluster.yaml and SUMMARY.md 0644', () => {
    for (const m of result.machines) {
      expect(m.holdsKeys).toBe(true);
      for (const ext of ['bu', 'ign']) expect(modeOf(join(dir, `${m.name}.${ext}`)), `${m.name}.${ext}`).toBe('600');
    }
    expect(modeOf(join(dir, 'cluster.yaml'))).toBe('644');
    expect(modeOf(join(dir, 'SUMMARY.md'))).toBe('644');
  });

  it('the CA key is in no file outside pki/: not in any .bu, .ign (decoded too), summary or cluster.yaml', () => {
    const caKey = readFileSync(join(dir, 'pki', 'ca-key.pem'), 'utf8');
    const body = caKey
      .split('\n')
      .filter((l) => l && !l.startsWith('-----'))
      .join('');
    for (const [rel, contents] of Object.entries(tree(dir)).filter(([rel]) => !rel.startsWith('pki/'))) {
      const texts = rel.endsWith('.ign') ? [contents, ...Object.values(ignitionFiles(contents))] : [contents];
      for (const t of texts) {
        expect(mentionsCaKey(bundle, t), rel).toBe(false);
        expect(t.replace(/\s|\\n/g, ''), rel).not.toContain(body);
      }
    }
  });

  it("openssl verifies the certificates in a member's Ignition against pki/ca.pem; SANs hold its address, name, localhost, 127.0.0.1", () => {
    const work = tmp();
    const files = ignitionFiles(readFileSync(join(dir, 'production-etcd-2.ign'), 'utf8'));
    expect(files['/etc/ssl/etcd/ca.pem']).toBe(readFileSync(join(dir, 'pki', 'ca.pem'), 'utf8'));
    for (const name of ['server', 'peer']) {
      const cert = join(work, `${name}.pem`);
      writeFileSync(cert, files[`/etc/ssl/etcd/${name}.pem`]!);
      const verify = openssl(['verify', '-CAfile', join(dir, 'pki', 'ca.pem'), cert]);
      expect(verify.out.trim(), name).toBe(`${cert}: OK`);
      expect(verify.status).toBe(0);
      const text = openssl(['x509', '-in', cert, '-noout', '-subject', '-ext', 'subjectAltName,extendedKeyUsage']).out;
      for (const san of ['DNS:production-etcd-2', 'DNS:localhost', 'IP Address:127.0.0.1', 'IP Address:10.0.0.102']) expect(text, name).toContain(san);
      expect(text).toContain('TLS Web Server Authentication, TLS Web Client Authentication');
      expect(text).toMatch(name === 'peer' ? /subject=CN\s?=\s?etcd-peer/ : /subject=CN\s?=\s?production-etcd-2/);
      // The key in the config belongs to the certificate.
      const key = join(work, `${name}-key.pem`);
      writeFileSync(key, files[`/etc/ssl/etcd/${name}-key.pem`]!);
      expect(openssl(['x509', '-in', cert, '-noout', '-pubkey']).out).toBe(openssl(['pkey', '-in', key, '-pubout']).out);
    }
    // Another member's certificate is not this one's.
    expect(files['/etc/ssl/etcd/server.pem']).not.toBe(ignitionFiles(readFileSync(join(dir, 'production-etcd-1.ign'), 'utf8'))['/etc/ssl/etcd/server.pem']);
  });

  it("a worker's proxy certificate verifies, has no CN (grpc-proxy refuses one) and is the worker's own", () => {
    const work = tmp();
    const files = ignitionFiles(readFileSync(join(dir, 'production-worker-2.ign'), 'utf8'));
    const cert = join(work, 'client.pem');
    writeFileSync(cert, files['/etc/ssl/etcd/client.pem']!);
    expect(openssl(['verify', '-CAfile', join(dir, 'pki', 'ca.pem'), cert]).status).toBe(0);
    const text = openssl(['x509', '-in', cert, '-noout', '-subject', '-ext', 'subjectAltName,extendedKeyUsage']).out;
    expect(text).not.toMatch(/CN\s?=/);
    expect(text).toContain('DNS:production-worker-2');
    expect(text).toContain('TLS Web Client Authentication');
    expect(files['/etc/ssl/locksmith/client.pem']).toBe(bundle.certs['etcd/locksmith/production-worker-2/client']!.certPem);
  });

  it('a re-run with the existing bundle reproduces every file byte for byte', async () => {
    const again = await generateCluster(PRODUCTION, { existing: loadBundle(pkiDir(dir)) });
    expect(again.pki).toMatchObject({ caCreated: false, issued: [], dropped: [] });
    expect(again.files).toEqual(result.files);
    const second = written(again, { dir, force: true });
    expect(tree(second)).toEqual(tree(written(result)));
  });

  it('more machines: the CA and every existing certificate are kept, only the new ones issued; fewer drop theirs', async () => {
    const bigger = await generateCluster({ ...PRODUCTION, size: 6 }, { existing: bundle });
    expect(bigger.pki).toMatchObject({ caCreated: false, issued: ['etcd/locksmith/production-worker-3/client', 'etcd/proxy/production-worker-3/client'], dropped: [] });
    const same = (r: GenerateResult, name: string) => r.files.find((f) => f.name === name)?.contents;
    for (const name of ['production-etcd-1.ign', 'production-worker-2.ign', 'pki/ca.pem', 'pki/ca-key.pem']) {
      expect(same(bigger, name), name).toBe(same(result, name));
    }
    const smaller = await generateCluster({ ...PRODUCTION, size: 4 }, { existing: bundle });
    expect(smaller.pki!.dropped).toEqual(['etcd/locksmith/production-worker-2/client', 'etcd/proxy/production-worker-2/client']);
    expect(smaller.files.some((f) => f.name.includes('production-worker-2'))).toBe(false);
  });

  it('rotate: a new CA and new certificates, none of the old ones', async () => {
    const rotated = await generateCluster(PRODUCTION, { existing: bundle, rotate: true });
    expect(rotated.pki).toMatchObject({ caCreated: true, reused: [] });
    const caOf = (r: GenerateResult) => r.files.find((f) => f.name === 'pki/ca.pem')!.contents;
    expect(caOf(rotated)).not.toBe(caOf(result));
    for (const m of rotated.machines) expect(m.ignition).not.toBe(result.machines.find((o) => o.name === m.name)!.ignition);
  });
});

describe('the laptop with Docker TLS', async () => {
  const result = await generateCluster(withKey({ preset: 'laptop', network: { cidr: '192.168.122.0/24' } }), { outDir: '/home/me/vm' });
  const dir = written(result);

  it('DIR/docker-client holds ca.pem, cert.pem, key.pem (0700, key 0600); the client certificate verifies against the CA', () => {
    expect(readdirSync(join(dir, 'docker-client')).sort()).toEqual(['ca.pem', 'cert.pem', 'key.pem']);
    expect(modeOf(join(dir, 'docker-client'))).toBe('700');
    expect(['ca.pem', 'cert.pem', 'key.pem'].map((f) => modeOf(join(dir, 'docker-client', f)))).toEqual(['644', '644', '600']);
    const verify = openssl(['verify', '-CAfile', join(dir, 'docker-client', 'ca.pem'), join(dir, 'docker-client', 'cert.pem')]);
    expect(verify.status, verify.out).toBe(0);
    expect(openssl(['x509', '-in', join(dir, 'docker-client', 'cert.pem'), '-noout', '-ext', 'extendedKeyUsage']).out).toContain('TLS Web Client Authentication');
  });

  it("the server certificate in the VM's config names its address and localhost, and verifies", () => {
    const files = ignitionFiles(result.machines[0]!.ignition);
    const cert = join(tmp(), 'server.pem');
    writeFileSync(cert, files['/etc/docker/server.pem']!);
    expect(openssl(['verify', '-CAfile', join(dir, 'pki', 'ca.pem'), cert]).status).toBe(0);
    const sans = openssl(['x509', '-in', cert, '-noout', '-ext', 'subjectAltName']).out;
    for (const san of ['IP Address:192.168.122.101', 'DNS:localhost', 'IP Address:127.0.0.1', 'DNS:laptop-node-1']) expect(sans).toContain(san);
    expect(modeOf(join(dir, 'laptop-node-1.ign'))).toBe('600');
  });

  it('SUMMARY.md gives DOCKER_HOST, DOCKER_TLS_VERIFY and DOCKER_CERT_PATH', () => {
    const summary = readFileSync(join(dir, 'SUMMARY.md'), 'utf8');
    expect(summary).toContain('export DOCKER_HOST=tcp://192.168.122.101:2376 DOCKER_TLS_VERIFY=1 DOCKER_CERT_PATH=/home/me/vm/docker-client');
    expect(summary).not.toContain('2375');
  });
});

describe('insecure on purpose', async () => {
  it('--insecure: no PKI at all for a new cluster, configs 0644, a loud warning in the summary', async () => {
    const result = await generateCluster(withKey({ preset: 'dev', size: 2, security: { etcdTls: false } }));
    expect(result.pki).toBeNull();
    const dir = written(result);
    expect(readdirSync(dir)).not.toContain('pki');
    expect(modeOf(join(dir, 'dev-etcd-1.ign'))).toBe('644');
    expect(readFileSync(join(dir, 'SUMMARY.md'), 'utf8')).toContain('> **WARNING: etcd runs without TLS (--insecure).**');
    expect(readFileSync(join(dir, 'cluster.yaml'), 'utf8')).toContain('security:\n  etcdTls: false\n');
  });

  it('--insecure over an existing PKI keeps its CA (for a later secure run) and drops the certificates', async () => {
    const secure = await generateCluster(withKey({ preset: 'dev', size: 2 }));
    const bundle = secure.files.find((f) => f.name === 'pki/ca.pem')!.contents;
    const existing = loadBundle(pkiDir(written(secure)));
    const insecure = await generateCluster(withKey({ preset: 'dev', size: 2, security: { etcdTls: false } }), { existing });
    expect(insecure.pki).toMatchObject({
      caCreated: false,
      issued: [],
      dropped: ['etcd/member/dev-etcd-1/peer', 'etcd/member/dev-etcd-1/server', 'etcd/proxy/dev-worker-1/client'],
    });
    expect(insecure.files.filter((f) => f.name.startsWith('pki/')).map((f) => f.name)).toEqual(['pki/ca.pem', 'pki/ca-key.pem']);
    expect(insecure.files.find((f) => f.name === 'pki/ca.pem')!.contents).toBe(bundle);
  });
});

describe('guards', () => {
  it('the CA key in a machine config fails generation loudly', async () => {
    const { files } = await generateCluster({ preset: 'laptop' });
    const dir = tmp();
    for (const f of files.filter((f) => f.name.startsWith('pki/'))) {
      const p = join(dir, f.name);
      spawnSync('mkdir', ['-p', join(p, '..')]);
      writeFileSync(p, f.contents);
    }
    const bundle = loadBundle(join(dir, 'pki'))!;
    // A bundle whose Docker server key is the CA key: the types forbid it, so force it.
    const bad: SecretsBundle = {
      ...bundle,
      certs: { ...bundle.certs, 'docker/server': { ...bundle.certs['docker/server']!, keyPem: bundle.ca.keyPem as unknown as LeafKeyPem } },
    };
    expect(() => generate({ preset: 'laptop' }, { secrets: bad })).toThrow(GenerateError);
    expect(() => generate({ preset: 'laptop' }, { secrets: bad })).toThrow(/the cluster CA's private key would go into laptop-node-1\.bu; nothing was written/);
  });

  it('a bundle that lacks a certificate the plan needs is an error naming it', async () => {
    const { files } = await generateCluster({ preset: 'dev', size: 2 });
    const dir = tmp();
    for (const f of files.filter((f) => f.name.startsWith('pki/'))) {
      spawnSync('mkdir', ['-p', join(dir, f.name, '..')]);
      writeFileSync(join(dir, f.name), f.contents);
    }
    const bundle = loadBundle(join(dir, 'pki'))!;
    expect(() => generate({ preset: 'dev', size: 3 }, { secrets: bundle })).toThrow(/dev-worker-2: .*no certificate etcd\/proxy\/dev-worker-2\/client/);
  });

  it('a preview (no PKI) is never written', () => {
    const preview = generate({ preset: 'small' });
    expect(preview.preview).toBe(true);
    const dir = join(tmp(), 'out');
    expect(() => writeGenerated(dir, preview)).toThrow(/a preview .* cannot be written/);
    expect(() => statSync(dir)).toThrow();
    expect(generate({ preset: 'small', security: { etcdTls: false } }).preview).toBe(false);
  });
});

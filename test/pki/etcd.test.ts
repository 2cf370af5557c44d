/**
 * The PKI against a real etcd (v3.4, /usr/bin/etcd) on 127.0.0.x: a member serving client and peer
 * TLS with client-certificate auth, etcdctl with and without a client certificate, a grpc-proxy with
 * a worker's client certificate, and the peer port refusing a non-peer certificate. Bounded in time;
 * every process started here is killed in afterAll.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { clusterSecretsRequest, entryNames, planSecrets, saveBundle } from '../../src/pki/index.js';

const ETCD = '/usr/bin/etcd';
const ETCDCTL = '/usr/bin/etcdctl';
const HOST = '127.0.0.2'; // the member's "address": proves the address SAN, not only 127.0.0.1
const have = existsSync(ETCD) && existsSync(ETCDCTL) && spawnSync('curl', ['--version']).status === 0;

let root: string;
let pki: string;
const children: ChildProcess[] = [];
let clientPort: number;
let peerPort: number;
let proxyPort: number;

function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, host, () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function start(args: string[], log: string): ChildProcess {
  const fd = openSync(join(root, log), 'a');
  const child = spawn(ETCD, args, { stdio: ['ignore', fd, fd], env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
  closeSync(fd);
  children.push(child);
  return child;
}

const f = (entry: string) => ({ cert: join(pki, `${entry}.pem`), key: join(pki, `${entry}-key.pem`) });

function etcdctl(endpoint: string, tls: { cacert?: string; cert?: string; key?: string }, ...args: string[]) {
  const flags = [`--endpoints=${endpoint}`, '--dial-timeout=2s', '--command-timeout=3s'];
  if (tls.cacert) flags.push(`--cacert=${tls.cacert}`);
  if (tls.cert) flags.push(`--cert=${tls.cert}`);
  if (tls.key) flags.push(`--key=${tls.key}`);
  const r = spawnSync(ETCDCTL, [...flags, ...args], { encoding: 'utf8', timeout: 15_000, env: { ETCDCTL_API: '3', PATH: process.env.PATH ?? '' } });
  return { ok: r.status === 0, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

async function waitFor(what: string, check: () => boolean, log = 'etcd.log', ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}; ${log}:\n${readFileSync(join(root, log), 'utf8').slice(-3000)}`);
}

beforeAll(async () => {
  if (!have) return;
  root = mkdtempSync(join(tmpdir(), 'secrets-etcd-'));
  pki = join(root, 'pki');
  const { bundle } = await planSecrets(
    clusterSecretsRequest({ clusterName: 'etcd-test', etcdMembers: [{ name: 'etcd-1', address: HOST }], etcdProxies: ['worker-1'], locksmiths: ['worker-1'] }),
  );
  saveBundle(pki, bundle);
  const other = await planSecrets(clusterSecretsRequest({ clusterName: 'other', etcdProxies: ['worker-1'] }));
  saveBundle(join(root, 'other-pki'), other.bundle);

  clientPort = await freePort(HOST);
  peerPort = await freePort(HOST);
  proxyPort = await freePort('127.0.0.1');
  const server = f(entryNames.etcdMemberServer('etcd-1'));
  const peer = f(entryNames.etcdMemberPeer('etcd-1'));
  const ca = join(pki, 'ca.pem');
  start(
    [
      '--name=etcd-1',
      `--data-dir=${join(root, 'data')}`,
      `--listen-client-urls=https://${HOST}:${clientPort}`,
      `--advertise-client-urls=https://${HOST}:${clientPort}`,
      `--listen-peer-urls=https://${HOST}:${peerPort}`,
      `--initial-advertise-peer-urls=https://${HOST}:${peerPort}`,
      `--initial-cluster=etcd-1=https://${HOST}:${peerPort}`,
      '--initial-cluster-state=new',
      `--cert-file=${server.cert}`,
      `--key-file=${server.key}`,
      `--trusted-ca-file=${ca}`,
      '--client-cert-auth',
      `--peer-cert-file=${peer.cert}`,
      `--peer-key-file=${peer.key}`,
      `--peer-trusted-ca-file=${ca}`,
      '--peer-client-cert-auth',
      '--peer-cert-allowed-cn=etcd-peer',
    ],
    'etcd.log',
  );
  const client = f(entryNames.locksmithClient('worker-1'));
  await waitFor('etcd to be healthy', () => etcdctl(`https://${HOST}:${clientPort}`, { cacert: ca, ...client }, 'endpoint', 'health').ok);
}, 40_000);

afterAll(async () => {
  for (const c of children) {
    if (c.exitCode === null && c.signalCode === null) {
      const gone = new Promise((r) => c.once('exit', r));
      c.kill('SIGTERM');
      const t = setTimeout(() => c.kill('SIGKILL'), 3000);
      await gone;
      clearTimeout(t);
    }
  }
  if (root) rmSync(root, { recursive: true, force: true });
}, 15_000);

describe('a real etcd with the PKI', () => {
  const ep = () => `https://${HOST}:${clientPort}`;
  const ca = () => join(pki, 'ca.pem');

  test('etcdctl with a client certificate works', () => {
    const client = f(entryNames.locksmithClient('worker-1'));
    expect(etcdctl(ep(), { cacert: ca(), ...client }, 'put', 'greeting', 'hello').out).toContain('OK');
    const got = etcdctl(ep(), { cacert: ca(), ...client }, 'get', 'greeting', '--print-value-only');
    expect(got.ok, got.out).toBe(true);
    expect(got.out.trim()).toBe('hello');
  });

  test('etcdctl without a client certificate is refused', () => {
    const r = etcdctl(ep(), { cacert: ca() }, 'get', 'greeting');
    expect(r.ok).toBe(false);
    expect(r.out).toMatch(/bad certificate|certificate required|context deadline exceeded/i);
  });

  test("etcdctl with another CA's client certificate is refused", () => {
    const other = join(root, 'other-pki');
    const entry = entryNames.etcdProxyClient('worker-1');
    const r = etcdctl(ep(), { cacert: ca(), cert: join(other, `${entry}.pem`), key: join(other, `${entry}-key.pem`) }, 'get', 'greeting');
    expect(r.ok).toBe(false);
  });

  test("etcdctl that does not trust the cluster CA refuses the member's certificate", () => {
    const client = f(entryNames.locksmithClient('worker-1'));
    const r = etcdctl(ep(), { cacert: join(root, 'other-pki', 'ca.pem'), ...client }, 'get', 'greeting');
    expect(r.ok).toBe(false);
    expect(r.out).toMatch(/certificate signed by unknown authority|context deadline exceeded/i);
  });

  test("a worker's grpc-proxy reaches the member with its client certificate", async () => {
    const proxy = f(entryNames.etcdProxyClient('worker-1'));
    start(['grpc-proxy', 'start', `--endpoints=${ep()}`, `--listen-addr=127.0.0.1:${proxyPort}`, `--cacert=${ca()}`, `--cert=${proxy.cert}`, `--key=${proxy.key}`], 'proxy.log');
    await waitFor('the grpc-proxy', () => etcdctl(`127.0.0.1:${proxyPort}`, {}, 'get', 'greeting', '--print-value-only').out.trim() === 'hello', 'proxy.log');
    expect(etcdctl(`127.0.0.1:${proxyPort}`, {}, 'put', 'from-proxy', 'yes').ok).toBe(true);
  }, 30_000);

  test('the peer port takes the peer certificate and refuses client and server certificates (peer-cert-allowed-cn)', () => {
    const curl = (pair: { cert: string; key: string }) =>
      spawnSync('curl', ['-sS', '--http1.1', '--max-time', '5', '--cacert', ca(), '--cert', pair.cert, '--key', pair.key, `https://${HOST}:${peerPort}/members`], {
        encoding: 'utf8',
        timeout: 10_000,
      });
    const asPeer = curl(f(entryNames.etcdMemberPeer('etcd-1')));
    expect(asPeer.status, asPeer.stderr).toBe(0);
    expect(asPeer.stdout).toContain('etcd-1');
    expect(curl(f(entryNames.etcdProxyClient('worker-1'))).status).not.toBe(0);
    expect(curl(f(entryNames.etcdMemberServer('etcd-1'))).status).not.toBe(0);
  });

  test("etcd logs no rejected connection from its own gRPC gateway (the server certificate's clientAuth)", () => {
    const log = readFileSync(join(root, 'etcd.log'), 'utf8');
    expect(log).not.toMatch(/incompatible key usage/);
  });
});

describe('tools', () => {
  test('etcd, etcdctl and curl are installed (.ci/run installs them; these tests never skip)', () => {
    expect(have).toBe(true);
  });
});

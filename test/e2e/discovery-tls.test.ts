/**
 * Issue 15, item 1, with the real etcd: a cluster generated with an https `--discovery` URL (and TLS,
 * the default) forms. The discovery service is a stand-in on a loopback address: a real etcd serving
 * its v2 keys API (what discovery.etcd.io speaks) over https, with a certificate of a test CA. That CA
 * is placed where the machine image's public bundle is (/etc/ssl/certs/ca-certificates.crt of the
 * applied root). Each member runs as the etcd-wrapper runs it (test/helpers/etcd-machine.ts):
 * ETCD_SSL_DIR mounted over /etc/ssl/certs, after the drop-in's ExecStartPre lines. Without them
 * (the configs before the fix) the member never forms: x509 "unknown authority", which is checked too.
 * Then locksmith's v2 requests (create and compare-and-swap of its semaphore) work with each
 * machine's locksmith certificate at the first endpoint of its own order (three different firsts),
 * and a member restarted with its data dir kept rejoins and the cluster keeps its keys.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateCluster } from '../../src/generate.js';
import { findOnPath } from '../../src/rehearse/binaries.js';
import { withKey } from '../helpers/generator.js';
import { applyMember, etcdctl, loopbackNet, startMember, stopMember, waitFor, type RunningMember } from '../helpers/etcd-machine.js';
import { tempDirs } from '../helpers/tmp.js';
import { addFlatcarBase, verifyUnits } from '../helpers/flatcar-root.js';

// These clusters run on this machine's loopback (127.x networks): a test-only hook lets the planner use them (src/net/ipv4.ts).
process.env.FLATCAR_ARCHITECT_TEST_LOOPBACK_NETWORKS = '1';

const usable = findOnPath('etcd') !== null && findOnPath('etcdctl') !== null && findOnPath('unshare') !== null && process.getuid?.() === 0;
const tmp = tempDirs('fa-discovery-');
const running: RunningMember[] = [];
const others: ChildProcess[] = [];
afterAll(async () => {
  await Promise.all(running.map(stopMember));
  for (const c of others) c.kill('SIGKILL');
});

function openssl(cwd: string, ...args: string[]): void {
  const r = spawnSync('openssl', args, { cwd, encoding: 'utf8', timeout: 20_000 });
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')}: ${r.stderr}`);
}

/** A test CA and a server certificate for `ip`, signed by it. */
function discoveryPki(dir: string, ip: string): { ca: string; cert: string; key: string } {
  openssl(dir, 'ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'ca.key');
  openssl(dir, 'req', '-x509', '-new', '-key', 'ca.key', '-subj', '/CN=discovery-standin-ca', '-days', '2', '-out', 'ca.crt');
  writeFileSync(join(dir, 'srv.ext'), `subjectAltName=IP:${ip}\nextendedKeyUsage=serverAuth\nkeyUsage=digitalSignature,keyEncipherment\n`);
  openssl(dir, 'ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'srv.key');
  openssl(dir, 'req', '-new', '-key', 'srv.key', '-subj', '/CN=discovery', '-out', 'srv.csr');
  openssl(dir, 'x509', '-req', '-in', 'srv.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-extfile', 'srv.ext', '-out', 'srv.crt');
  return { ca: join(dir, 'ca.crt'), cert: join(dir, 'srv.crt'), key: join(dir, 'srv.key') };
}

/** PUT a v2 key (form value) over https trusting `ca`. */
function v2Put(url: string, value: string, ca: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const body = `value=${encodeURIComponent(value)}`;
    const req = request(
      url,
      { method: 'PUT', ca: readFileSync(ca), headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** A v2 keys PUT as locksmith makes it (form value), with a client certificate; status, etcd index, body. */
function v2Request(url: string, value: string, tls: { ca: string; cert?: string; key?: string }): Promise<{ status: number; index: number; text: string }> {
  return new Promise((resolve, reject) => {
    const body = `value=${encodeURIComponent(value)}`;
    const req = request(
      url,
      {
        method: 'PUT',
        ca: readFileSync(tls.ca),
        ...(tls.cert ? { cert: readFileSync(tls.cert), key: readFileSync(tls.key!) } : {}),
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => {
          try {
            resolve({ status: res.statusCode ?? 0, index: (JSON.parse(text) as { node: { modifiedIndex: number } }).node?.modifiedIndex ?? 0, text });
          } catch {
            resolve({ status: res.statusCode ?? 0, index: 0, text });
          }
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('https discovery with TLS, with the real etcd', () => {
  it('forms through a discovery stand-in whose CA is in the image bundle; not without the ExecStartPre copy; keeps its keys across a member restart', async () => {
    expect(usable, 'needs root, etcd, etcdctl and unshare').toBe(true);
    const net = loopbackNet();
    const work = tmp();
    const standin = `${net}.250`;
    const pki = discoveryPki(work, standin);
    const disco = spawn(
      'etcd',
      [
        '--name=disco',
        `--data-dir=${join(work, 'disco')}`,
        '--enable-v2=true',
        `--listen-client-urls=https://${standin}:2379`,
        `--advertise-client-urls=https://${standin}:2379`,
        `--listen-peer-urls=http://${standin}:2380`,
        `--initial-advertise-peer-urls=http://${standin}:2380`,
        `--initial-cluster=disco=http://${standin}:2380`,
        `--cert-file=${pki.cert}`,
        `--key-file=${pki.key}`,
      ],
      { stdio: ['ignore', openSync(join(work, 'disco.log'), 'a'), openSync(join(work, 'disco.log'), 'a')] },
    );
    others.push(disco);
    const token = (t: string) => `https://${standin}:2379/v2/keys/_etcd/registry/${t}`;
    expect(await waitFor(() => etcdctl([`https://${standin}:2379`], null, '--cacert', pki.ca, 'endpoint', 'health').status === 0, 30_000)).toBe(true);
    for (const t of ['good', 'before-fix']) expect(await v2Put(`${token(t)}/_config/size`, '3', pki.ca)).toBe(201);

    const answers = withKey({
      preset: 'small',
      size: 3,
      network: { cidr: `${net}.0/24`, gateway: `${net}.1`, firstAddress: `${net}.101`, interface: 'eth0' },
      etcd: { discovery: token('good') },
    });
    const result = await generateCluster(answers);
    const bundle = result.files;
    const pem = (name: string) => {
      const f = join(work, name.replace(/\//g, '_'));
      writeFileSync(f, bundle.find((x) => x.name === `pki/${name}`)!.contents);
      return f;
    };
    const client = { cacert: pem('ca.pem'), cert: pem('etcd/member/small-node-1/server.pem'), key: pem('etcd/member/small-node-1/server-key.pem') };
    const members = result.machines.map((m) => {
      const applied = applyMember(m.name, m.ignition, work);
      // The image's public CA bundle, on the machine: here it holds the stand-in's CA.
      mkdirSync(join(applied.root, 'etc/ssl/certs'), { recursive: true });
      writeFileSync(join(applied.root, 'etc/ssl/certs/ca-certificates.crt'), readFileSync(pki.ca));
      return applied;
    });
    expect(members[0]!.env.ETCD_DISCOVERY).toBe(token('good'));
    expect(members[0]!.execStartPre).toEqual(['/usr/bin/install -m 0644 /etc/ssl/certs/ca-certificates.crt /etc/ssl/etcd/ca-certificates.crt']);
    // The drop-in with its ExecStartPre passes systemd-analyze verify against Flatcar's unit (coreutils' install is in the image).
    const verifyRoot = applyMember('verify', result.machines[0]!.ignition, work).root;
    addFlatcarBase(verifyRoot);
    writeFileSync(join(verifyRoot, 'usr/bin/install'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
    const verified = verifyUnits(verifyRoot, ['etcd-member.service']);
    expect(verified.output).toBe('');
    expect(verified.status).toBe(0);

    // Before the fix: the same member without the copy cannot reach discovery.
    const before = startMember(members[0]!, join(work, 'before-data'), join(work, 'before.log'), { runPre: false, env: { ETCD_DISCOVERY: token('before-fix') } });
    running.push(before);
    expect(await waitFor(() => /certificate signed by unknown authority/.test(readFileSync(before.log, 'utf8')), 30_000)).toBe(true);
    await stopMember(before);

    // With the generated configs: the three members form through discovery.
    const endpoints = result.plan.etcd!.clientEndpoints;
    const started = members.map((m) => startMember(m, join(work, `${m.name}-data`), join(work, `${m.name}.log`)));
    running.push(...started);
    const healthy = await waitFor(() => etcdctl(endpoints, client, 'endpoint', 'health').status === 0, 60_000, 1000);
    if (!healthy) throw new Error(`not formed:\n${started.map((s) => readFileSync(s.log, 'utf8').split('\n').slice(-5).join('\n')).join('\n---\n')}`);
    const list = etcdctl(endpoints, client, 'member', 'list');
    expect(list.out.split('\n').filter((l) => l.includes('started'))).toHaveLength(3);
    for (const m of members) expect(readFileSync(join(m.root, 'etc/ssl/etcd/ca-certificates.crt'), 'utf8')).toBe(readFileSync(pki.ca, 'utf8'));
    expect(etcdctl(endpoints, client, 'put', 'day', '200').status).toBe(0);

    // locksmith's v2 requests (create, then compare-and-swap of its semaphore) with each machine's
    // locksmith certificate, at the first endpoint of its own LOCKSMITHD_ENDPOINT order.
    const semaphore = '/v2/keys/coreos.com/updateengine/rebootlock/semaphore';
    const firsts = new Set<string>();
    let index = 0;
    for (const [i, m] of result.machines.entries()) {
      const dropin = readFileSync(join(members[i]!.root, 'etc/systemd/system/locksmithd.service.d/20-etcd-endpoints.conf'), 'utf8');
      const endpoint = /LOCKSMITHD_ENDPOINT=([^",]+)/.exec(dropin)![1]!;
      firsts.add(endpoint);
      const tls = { ca: pem('ca.pem'), cert: pem(`etcd/locksmith/${m.name}/client.pem`), key: pem(`etcd/locksmith/${m.name}/client-key.pem`) };
      const body = (holders: string[] | null) => JSON.stringify({ semaphore: holders ? 0 : 1, max: 1, holders });
      if (i === 0) {
        const created = await v2Request(`${endpoint}${semaphore}?prevExist=false`, body(null), tls);
        expect(created.status).toBe(201);
        index = created.index;
      }
      const swapped = await v2Request(`${endpoint}${semaphore}?prevIndex=${index}`, body(i % 2 ? null : [m.name]), tls);
      expect(swapped.status, swapped.text).toBe(200);
      index = swapped.index;
      // Without a client certificate the members refuse.
      await expect(v2Request(`${endpoint}${semaphore}`, body(null), { ca: tls.ca })).rejects.toThrow();
    }
    expect(firsts.size).toBe(3);

    // A member restarted with its data dir kept rejoins; the cluster keeps its keys.
    await stopMember(started[1]!);
    const again = startMember(members[1]!, started[1]!.dataDir, join(work, 'restart.log'));
    running.push(again);
    expect(await waitFor(() => etcdctl([endpoints[1]!], client, 'endpoint', 'health').status === 0, 30_000)).toBe(true);
    expect(etcdctl([endpoints[1]!], client, 'get', 'day', '--print-value-only').out.trim()).toBe('200');
  }, 240_000);
});

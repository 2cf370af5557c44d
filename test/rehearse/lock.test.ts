/**
 * The rehearsal's lock client picks its endpoint as locksmithctl's getClient does: in order, moving
 * on only when one refuses the connection; an endpoint that does not answer ends the attempt (a
 * booted locksmith stays stuck there too). Against a real etcd (v2 API) on loopback.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { LockClient } from '../../src/rehearse/lock.js';
import { ProcessSet } from '../../src/rehearse/processes.js';
import type { PlannedLock } from '../../src/rehearse/types.js';
import { tempDir } from '../helpers/tmp.js';
import { requireEtcd } from '../helpers/tools.js';

requireEtcd();

/** A port on 127.0.0.1 nothing listens on (bound by the kernel's choice, then closed): connections are refused. */
async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

let etcd: ChildProcess | undefined;
let silent: Server | undefined;
const sockets: Socket[] = [];
let etcdUrl = '';
let silentUrl = '';
let refusedUrl = '';
let silentConnections = 0;

beforeAll(async () => {
  const [client, peer] = [await freePort(), await freePort()];
  etcdUrl = `http://127.0.0.1:${client}`;
  const peerUrl = `http://127.0.0.1:${peer}`;
  const dir = tempDir('lock-etcd-');
  etcd = spawn(
    'etcd',
    [
      '--name',
      'lock',
      '--data-dir',
      join(dir, 'data'),
      '--enable-v2',
      '--listen-client-urls',
      etcdUrl,
      '--advertise-client-urls',
      etcdUrl,
      '--listen-peer-urls',
      peerUrl,
      '--initial-advertise-peer-urls',
      peerUrl,
      '--initial-cluster',
      `lock=${peerUrl}`,
    ],
    { stdio: 'ignore' },
  );
  // Accepts connections and never answers (a member whose machine hangs).
  silent = createServer((s) => {
    silentConnections++;
    sockets.push(s);
  });
  await new Promise<void>((r) => silent!.listen(0, '127.0.0.1', r));
  silentUrl = `http://127.0.0.1:${(silent.address() as { port: number }).port}`;
  refusedUrl = `http://127.0.0.1:${await freePort()}`;
  const until = Date.now() + 20_000;
  for (;;) {
    const ok = await fetch(`${etcdUrl}/v2/keys/`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > until) throw new Error('etcd did not answer within 20s');
    await new Promise((r) => setTimeout(r, 200));
  }
}, 30_000);

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((r) => (silent ? silent.close(r) : r(undefined)));
  if (etcd && etcd.exitCode === null) {
    const gone = new Promise((r) => etcd!.once('exit', r));
    etcd.kill('SIGTERM');
    await gone;
  }
});

const lock = (endpoints: string[]): PlannedLock => ({ machine: 'm1', endpoints, files: [], home: '' });

describe('the lock client fails over as locksmith does', () => {
  const client = new LockClient(new ProcessSet(), () => (command, args) => ({ command, args }), 500);

  test('a refused first endpoint: the next one takes the lock', async () => {
    const held = await client.run(lock([refusedUrl, etcdUrl]), 'lock');
    expect(held.ok, held.message).toBe(true);
    expect(held.endpoint).toBe(etcdUrl);
    expect(held.tried).toEqual([expect.stringMatching(new RegExp(`^${refusedUrl}: ECONNREFUSED `))]);
    expect(held.sem).toEqual({ semaphore: 0, max: 1, holders: ['m1'] });
    const freed = await client.run(lock([refusedUrl, etcdUrl]), 'unlock');
    expect([freed.ok, freed.sem]).toEqual([true, { semaphore: 1, max: 1, holders: [] }]);
  }, 30_000);

  test('a first endpoint that does not answer: the attempt ends there, the next one is never asked', async () => {
    const before = silentConnections;
    const r = await client.run(lock([silentUrl, etcdUrl]), 'lock');
    expect(r.ok).toBe(false);
    expect(r.message).toBe(`${silentUrl}: no answer within 500ms (locksmith moves to the next endpoint only when the connection is refused)`);
    expect(r.tried).toEqual([]);
    expect(silentConnections).toBe(before + 1);
    // Nothing was taken through the second endpoint.
    const after = await client.run(lock([etcdUrl]), 'status');
    expect(after.sem).toEqual({ semaphore: 1, max: 1, holders: [] });
  }, 30_000);

  test('every endpoint refused: says so, naming each', async () => {
    const other = `http://127.0.0.1:${await freePort()}`;
    const r = await client.run(lock([refusedUrl, other]), 'lock');
    expect(r.ok).toBe(false);
    expect(r.message).toMatch(new RegExp(`^no endpoint answered \\(${refusedUrl}: ECONNREFUSED .*; ${other}: ECONNREFUSED .*\\)$`));
  }, 30_000);
});

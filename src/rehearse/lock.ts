/**
 * The reboot lock, taken the way locksmithd takes it: etcd's v2 keys API, the semaphore key
 * `coreos.com/updateengine/rebootlock/semaphore` holding `{"semaphore":1,"max":1,"holders":[]}`
 * (created with prevExist=false when missing), taken and released by compare-and-swap on its
 * modifiedIndex (prevIndex). Endpoints as locksmithctl picks them: in order, moving on only when one
 * refuses the connection (a timeout, no route or TLS refusal ends the attempt). It runs as a small
 * Node program inside the machine's own network namespace, with the machine's own locksmith
 * certificate and endpoint list. The holder is the machine's name (a booted machine uses its
 * machine id, which the configs do not fix).
 */
import type { Wrap } from './etcdctl.js';
import type { ProcessSet } from './processes.js';
import type { PlannedLock } from './types.js';

export const SEMAPHORE_KEY = 'coreos.com/updateengine/rebootlock/semaphore';

/** The client, as the text of a CommonJS program: `node -e CLIENT JSON` prints one JSON line. */
const CLIENT = String.raw`
const fs = require('fs');
const o = JSON.parse(process.argv[1]);
const path = '/v2/keys/' + o.key;
const tls = {};
const tried = [];
function request(endpoint, method, query, form) {
  return new Promise((resolve, reject) => {
    const u = new URL(endpoint);
    const mod = u.protocol === 'https:' ? require('https') : require('http');
    const body = form === undefined ? undefined : 'value=' + encodeURIComponent(form);
    const req = mod.request({
      host: u.hostname, port: u.port || (u.protocol === 'https:' ? 443 : 80), method, path: path + query,
      headers: body === undefined ? {} : { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': Buffer.byteLength(body) },
      timeout: o.timeoutMs, ...tls,
    }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode, text }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('no answer within ' + o.timeoutMs + 'ms')));
    req.on('error', reject);
    req.end(body);
  });
}
// One line: OpenSSL's multi-line errors reduced to the alert the member sent.
function why(e) {
  const alert = /(?:sslv3|tlsv1[0-9]*) alert [a-z ]+/.exec(e.message || '');
  if (alert) return (e.code ? e.code + ' ' : '') + '(the member refused the TLS handshake: ' + alert[0].trim() + ')';
  return (e.code ? e.code + ' ' : '') + String(e.message).split('\n')[0];
}
// Like locksmithctl's getClient: one client per endpoint, in order; the first request (creating
// the semaphore unless it exists, as the lock client does when it is made) decides. Only a refused
// connection (ECONNREFUSED: the member's etcd down, its machine up) moves on to the next endpoint;
// any other failure (no answer, no route, a TLS refusal, an HTTP error) ends the attempt there, as it
// does for locksmith. Every later request goes to the endpoint chosen.
let chosen = null;
async function ask(endpoint, method, query, form) {
  const r = await request(endpoint, method, query, form);
  let json = null;
  try { json = JSON.parse(r.text); } catch {}
  if (r.status === 404 && !(json && json.errorCode === 100)) throw new Error('HTTP 404: no v2 keys API here (etcd serves it only with --enable-v2)');
  if (r.status >= 500) throw new Error('HTTP ' + r.status + ': ' + r.text.trim().slice(0, 200));
  return { endpoint, status: r.status, json };
}
const fresh = JSON.stringify({ semaphore: 1, max: 1, holders: [] });
async function choose() {
  for (const endpoint of o.endpoints) {
    try {
      const made = await ask(endpoint, 'PUT', '?prevExist=false', fresh);
      if (made.status !== 201 && !(made.json && made.json.errorCode === 105)) throw new Error('creating the semaphore: HTTP ' + made.status + ' ' + JSON.stringify(made.json));
      chosen = endpoint;
      return;
    } catch (e) {
      if (e.code === 'ECONNREFUSED') { tried.push(endpoint + ': ' + why(e)); continue; }
      throw new Error(endpoint + ': ' + why(e) + (o.endpoints.indexOf(endpoint) < o.endpoints.length - 1 ? ' (locksmith moves to the next endpoint only when the connection is refused)' : ''));
    }
  }
  throw new Error('no endpoint answered (' + tried.join('; ') + ')');
}
async function call(method, query, form) {
  try {
    return await ask(chosen, method, query, form);
  } catch (e) {
    throw new Error(chosen + ': ' + why(e));
  }
}
async function read() {
  const r = await call('GET', '');
  if (r.status !== 200 || !r.json || !r.json.node) throw new Error('reading the semaphore: HTTP ' + r.status + ' ' + JSON.stringify(r.json));
  return { sem: JSON.parse(r.json.node.value), index: r.json.node.modifiedIndex, endpoint: r.endpoint };
}
async function swap(change) {
  for (let attempt = 0; attempt < 5; attempt++) {
    const { sem, index } = await read();
    const next = change(sem);
    const r = await call('PUT', '?prevIndex=' + index, JSON.stringify(next));
    if (r.status === 200 || r.status === 201) return { sem: next, endpoint: r.endpoint };
    if (!(r.json && r.json.errorCode === 101)) throw new Error('compare-and-swap: HTTP ' + r.status + ' ' + JSON.stringify(r.json));
  }
  throw new Error('compare-and-swap kept failing: the semaphore changed under every attempt');
}
async function main() {
  if (o.ca) tls.ca = fs.readFileSync(o.ca);
  if (o.cert) tls.cert = fs.readFileSync(o.cert);
  if (o.key_file) tls.key = fs.readFileSync(o.key_file);
  await choose();
  if (o.action === 'lock') {
    return swap((sem) => {
      if (sem.holders.includes(o.id)) throw new Error('already held by ' + o.id);
      if (sem.semaphore <= 0) throw new Error('semaphore is at 0, held by ' + sem.holders.join(', '));
      return { ...sem, semaphore: sem.semaphore - 1, holders: [...sem.holders, o.id] };
    });
  }
  if (o.action === 'unlock') {
    return swap((sem) => {
      if (!sem.holders.includes(o.id)) throw new Error('not held by ' + o.id);
      return { ...sem, semaphore: sem.semaphore + 1, holders: sem.holders.filter((h) => h !== o.id) };
    });
  }
  return read();
}
main().then(
  (r) => console.log(JSON.stringify({ ok: true, sem: r.sem, endpoint: r.endpoint, tried })),
  (e) => console.log(JSON.stringify({ ok: false, message: e.message, tried })),
);
`;

export interface LockOutcome {
  ok: boolean;
  message: string;
  /** The endpoint that answered. */
  endpoint?: string;
  sem?: { semaphore: number; max: number; holders: string[] };
  /** Endpoints that did not answer, with why. */
  tried: string[];
}

export class LockClient {
  constructor(
    private readonly procs: ProcessSet,
    /** Runs on the lock's machine (inside its namespace). */
    private readonly on: (machine: string) => Wrap,
    private readonly timeoutMs = 1000,
  ) {}

  async run(lock: PlannedLock, action: 'lock' | 'unlock' | 'status'): Promise<LockOutcome> {
    const options = {
      action,
      id: lock.machine,
      key: SEMAPHORE_KEY,
      endpoints: lock.endpoints,
      ca: lock.ca,
      cert: lock.cert,
      key_file: lock.key,
      timeoutMs: this.timeoutMs,
    };
    const run = this.on(lock.machine)(process.execPath, ['-e', CLIENT, JSON.stringify(options)]);
    const budget = this.timeoutMs * (lock.endpoints.length + 1) * 8 + 5000;
    const r = await this.procs.exec(run.command, run.args, { env: { PATH: process.env.PATH ?? '' }, timeoutMs: budget });
    const line = r.stdout.trim().split('\n').pop() ?? '';
    try {
      const out = JSON.parse(line) as LockOutcome;
      return { ...out, message: out.message ?? `${action} via ${out.endpoint}` };
    } catch {
      return {
        ok: false,
        message: r.timedOut
          ? `the lock client did not return within ${budget}ms`
          : `the lock client failed: ${
              (r.stderr || line)
                .trim()
                .split('\n')
                .find((l) => /Error/.test(l)) ?? r.stderr.trim()
            }`,
        tried: [],
      };
    }
  }
}

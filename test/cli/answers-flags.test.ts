/**
 * A flag over a cluster.yaml (issue 13), through the built bin: a flag that contradicts a value the
 * file only holds as a resolved default replaces it; defaults derived from what a flag changes follow
 * it; a real contradiction (both explicit, or a hand-written file) still fails; replay without flags
 * stays byte for byte.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { beforeAll, expect, test } from 'vitest';
import { repoRoot } from '../helpers/paths.js';
import { tempDirs } from '../helpers/tmp.js';

const bin = join(repoRoot, 'dist', 'bin', 'flatcar-architect.js');
const tmp = tempDirs('fa-answers-flags-');
let cwd: string;

const run = (args: string[]) => spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', timeout: 60_000 });
const yamlOf = (dir: string) => parse(readFileSync(join(cwd, dir, 'cluster.yaml'), 'utf8')) as { network: Record<string, unknown>; namePrefix: string };

beforeAll(() => {
  cwd = tmp();
  const r = run(['--preset', 'production', '--size', '5', '--insecure', '--out', 'prod']);
  expect(r.status, r.stderr).toBe(0);
  const explicit = run(['--preset', 'production', '--size', '5', '--insecure', '--interface', 'eth0', '--out', 'explicit']);
  expect(explicit.status, explicit.stderr).toBe(0);
});

test('replay without flags is byte for byte', () => {
  const r = run(['--answers', 'prod/cluster.yaml', '--out', 'again']);
  expect(r.status, r.stderr).toBe(0);
  for (const f of readdirSync(join(cwd, 'prod')).filter((f) => !f.startsWith('.') && f !== 'pki')) {
    expect(readFileSync(join(cwd, 'again', f), 'utf8'), f).toBe(readFileSync(join(cwd, 'prod', f), 'utf8'));
  }
});

test('--mac-prefix replaces the default interface the file holds', () => {
  expect(yamlOf('prod').network.interface).toBe('en* eth*');
  const r = run(['--answers', 'prod/cluster.yaml', '--mac-prefix', '52:54:00', '--out', 'mac']);
  expect(r.status, r.stderr).toBe(0);
  const net = yamlOf('mac').network;
  expect(net.macPrefix).toBe('52:54:00');
  expect(net.interface).toBeUndefined();
  expect(readFileSync(join(cwd, 'mac', 'production-etcd-1.bu'), 'utf8')).toMatch(/MACAddress=52:54:00:/);
  // Replaying that file again is byte for byte too.
  const again = run(['--answers', 'mac/cluster.yaml', '--out', 'mac-again']);
  expect(again.status, again.stderr).toBe(0);
  expect(readFileSync(join(cwd, 'mac-again', 'production-etcd-1.ign'), 'utf8')).toBe(readFileSync(join(cwd, 'mac', 'production-etcd-1.ign'), 'utf8'));
});

test('defaults derived from what a flag changes follow it; explicit values stay', () => {
  const r = run(['--answers', 'prod/cluster.yaml', '--gateway', '10.0.0.254', '--out', 'gw']);
  expect(r.status, r.stderr).toBe(0);
  expect(yamlOf('gw').network.gateway).toBe('10.0.0.254');
  expect(yamlOf('gw').network.dns).toEqual(['10.0.0.254']);
  const dhcp = run(['--answers', 'prod/cluster.yaml', '--dhcp', '--out', 'dhcp']);
  expect(dhcp.status, dhcp.stderr).toBe(0);
  expect(yamlOf('dhcp').network).toEqual({ dhcp: true });
});

test('a real contradiction still fails: both explicit, or a hand-written file', () => {
  const both = run(['--answers', 'explicit/cluster.yaml', '--mac-prefix', '52:54:00', '--out', 'no']);
  expect(both.status).toBe(2);
  expect(both.stderr).toMatch(/choose one of --interface and --mac-prefix/);
  const text = readFileSync(join(cwd, 'prod', 'cluster.yaml'), 'utf8').replace(/^#.*\n/gm, '');
  writeFileSync(join(cwd, 'mine.yaml'), text);
  const hand = run(['--answers', 'mine.yaml', '--mac-prefix', '52:54:00', '--out', 'no2']);
  expect(hand.status).toBe(2);
  expect(hand.stderr).toMatch(/choose one of --interface and --mac-prefix/);
  expect(readdirSync(cwd).filter((f) => f.startsWith('no'))).toEqual([]);
});

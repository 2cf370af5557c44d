/**
 * `npm run bench`: speed figures, measured on this machine in one run (never asserted by tests).
 *  - transpiler in-process: configs per second for a ~1 KB and a ~100 KB Butane config
 *  - one `flatcar-architect transpile` process against bare `node -e ''`
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { transpile } from '../src/butane/index.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cli = join(root, 'dist', 'src', 'cli', 'main.js');

function node1k(): string {
  return `variant: flatcar
version: 1.0.0
passwd:
  users:
    - name: core
      ssh_authorized_keys:
        - ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMx7q3Yd0o8Q2pZk1v4cHqR9Wn6yT2eLbF5sJgKaPuXr ops@bastion
storage:
  files:
    - path: /etc/hostname
      mode: 0644
      contents:
        inline: etcd-01
    - path: /etc/systemd/network/00-eth0.network
      contents:
        inline: |
          [Match]
          Name=eth0
          [Network]
          Address=10.0.0.101/24
          Gateway=10.0.0.1
          DNS=10.0.0.1
    - path: /etc/flatcar/update.conf
      overwrite: true
      contents:
        inline: |
          GROUP=stable
          REBOOT_STRATEGY=etcd-lock
systemd:
  units:
    - name: etcd-member.service
      enabled: true
      dropins:
        - name: 20-cluster.conf
          contents: |
            [Service]
            Environment="ETCD_NAME=etcd-01"
            Environment="ETCD_ADVERTISE_CLIENT_URLS=http://10.0.0.101:2379"
            Environment="ETCD_INITIAL_ADVERTISE_PEER_URLS=http://10.0.0.101:2380"
            Environment="ETCD_LISTEN_CLIENT_URLS=http://0.0.0.0:2379"
            Environment="ETCD_LISTEN_PEER_URLS=http://10.0.0.101:2380"
            Environment="ETCD_INITIAL_CLUSTER=etcd-01=http://10.0.0.101:2380"
`;
}

function config100k(): string {
  const files: string[] = [];
  let i = 0;
  let text = 'variant: flatcar\nversion: 1.0.0\nstorage:\n  files:\n';
  while (text.length < 100 * 1024) {
    const body = Array.from({ length: 12 }, (_, k) => `          key_${i}_${k} = value ${(i * 7919 + k * 104729) % 100003}`).join('\n');
    const entry = `    - path: /etc/app/conf-${i}.conf\n      mode: 0644\n      contents:\n        inline: |\n${body}\n`;
    files.push(entry);
    text += entry;
    i++;
  }
  return text;
}

function perSecond(fn: () => void, minMs = 1500): { rate: number; ms: number } {
  for (let i = 0; i < 5; i++) fn();
  let n = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0;
  while (elapsed < minMs) {
    fn();
    n++;
    elapsed = Number(process.hrtime.bigint() - start) / 1e6;
  }
  return { rate: (n * 1000) / elapsed, ms: elapsed / n };
}

function medianMs(cmd: string, args: string[], runs = 15): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'inherit'] });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}`);
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

function fmt(n: number, digits = 1): string {
  return n.toFixed(digits);
}

const rows: string[][] = [];
const small = node1k();
const large = config100k();
const s = perSecond(() => transpile(small));
rows.push([`transpile in-process, ${fmt(small.length / 1024)} KB config`, `${fmt(s.rate, 0)} configs/s`, `${fmt(s.ms, 3)} ms each`]);
const l = perSecond(() => transpile(large));
rows.push([`transpile in-process, ${fmt(large.length / 1024)} KB config`, `${fmt(l.rate, 0)} configs/s`, `${fmt(l.ms, 2)} ms each`]);

const dir = mkdtempSync(join(tmpdir(), 'bench-'));
const file = join(dir, 'node.bu');
writeFileSync(file, small);
const bare = medianMs(process.execPath, ['-e', '']);
const one = medianMs(process.execPath, [cli, 'transpile', file]);
rows.push(["bare `node -e ''` (median of 15)", `${fmt(bare)} ms`, '']);
rows.push(['one `flatcar-architect transpile` process (median of 15)', `${fmt(one)} ms`, `${fmt(one / bare, 2)}x node -e ''`]);

const widths = [0, 1, 2].map((c) => Math.max(...rows.map((r) => r[c]!.length)));
console.log(`flatcar-architect bench: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), Node ${process.version}`);
console.log('');
console.log(`| ${['measure', 'result', 'detail'].map((h, c) => h.padEnd(widths[c]!)).join(' | ')} |`);
console.log(`| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`);
for (const r of rows) console.log(`| ${r.map((v, c) => v.padEnd(widths[c]!)).join(' | ')} |`);

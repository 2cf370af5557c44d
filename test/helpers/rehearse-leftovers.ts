/** After a rehearsal: no process whose command line names its work dir (etcd, grpc-proxy, their watchdog shells), and the dir is gone. */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { ExpectStatic } from 'vitest';

export function assertNothingLeft(expect: ExpectStatic, workDir: string): void {
  const left = spawnSync('pgrep', ['-af', workDir], { encoding: 'utf8' });
  expect(left.stdout.trim(), `processes left: ${left.stdout}`).toBe('');
  expect(existsSync(workDir), `${workDir} still there`).toBe(false);
}

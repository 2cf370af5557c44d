import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { cliPath } from './paths.js';

export function runCli(args: string[], opts: { cwd?: string; input?: string; env?: NodeJS.ProcessEnv } = {}): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [cliPath, ...args], {
    cwd: opts.cwd,
    input: opts.input ?? '',
    encoding: 'utf8',
    env: { ...process.env, ...opts.env },
    timeout: 60_000,
  });
}

export function ignitionValidate(file: string): SpawnSyncReturns<string> {
  return spawnSync('ignition-validate', [file], { encoding: 'utf8', timeout: 60_000 });
}

/** Finds the real `etcd` and `etcdctl` on PATH, or says how to install them. */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { RehearseUsageError } from './read-dir.js';

export const INSTALL_HINT = 'apt-get install etcd-server etcd-client';

export interface EtcdTools {
  etcd: string;
  etcdctl: string;
  /** `3.4.23`, from `etcd --version`. */
  version: string;
}

export function findOnPath(name: string, path = process.env.PATH ?? ''): string | null {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

export function findEtcdTools(path = process.env.PATH ?? ''): EtcdTools {
  const etcd = findOnPath('etcd', path);
  const etcdctl = findOnPath('etcdctl', path);
  const missing = [etcd ? null : 'etcd', etcdctl ? null : 'etcdctl'].filter(Boolean);
  if (missing.length) throw new RehearseUsageError(`${missing.join(' and ')} not found on PATH: install with \`${INSTALL_HINT}\``);
  const out = spawnSync(etcd!, ['--version'], { encoding: 'utf8', timeout: 10_000 });
  const version = /etcd Version:\s*(\S+)/.exec(out.stdout ?? '')?.[1];
  if (!version) throw new RehearseUsageError(`${etcd} --version did not answer like etcd: is it the etcd server? (${INSTALL_HINT})`);
  return { etcd: etcd!, etcdctl: etcdctl!, version };
}

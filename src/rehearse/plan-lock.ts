/**
 * The reboot lock as each machine's locksmithd would take it: machines whose update.conf says
 * REBOOT_STRATEGY=etcd-lock, with locksmithd's endpoint list (LOCKSMITHD_ENDPOINT, locksmith's
 * default http://127.0.0.1:2379 without one) and its certificate files (LOCKSMITHD_ETCD_CAFILE,
 * _CERTFILE, _KEYFILE), written for the rehearsal from the config. Pure.
 */
import { HOST_FILES } from './read-ignition.js';
import { materialise, type PlanContext } from './plan-context.js';
import type { MachineReading, PlannedFile, PlannedLock } from './types.js';

/** locksmithd's endpoint when LOCKSMITHD_ENDPOINT is not set. */
export const LOCKSMITH_DEFAULT_ENDPOINT = 'http://127.0.0.1:2379';
const FILE_VARS = { ca: 'LOCKSMITHD_ETCD_CAFILE', cert: 'LOCKSMITHD_ETCD_CERTFILE', key: 'LOCKSMITHD_ETCD_KEYFILE' } as const;

export const usesEtcdLock = (r: MachineReading): boolean => r.locksmith?.strategy === 'etcd-lock';

export function planLock(r: MachineReading, ctx: PlanContext): PlannedLock {
  const env = r.locksmith?.env ?? {};
  const home = `${ctx.workDir}/${r.machine}.locksmith`;
  const endpoints = (env.LOCKSMITHD_ENDPOINT || LOCKSMITH_DEFAULT_ENDPOINT)
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  if (!env.LOCKSMITHD_ENDPOINT) ctx.notes.add(`${r.machine}: etcd-lock without LOCKSMITHD_ENDPOINT: locksmithd asks ${LOCKSMITH_DEFAULT_ENDPOINT}`);
  const files: PlannedFile[] = [];
  const lock: PlannedLock = { machine: r.machine, endpoints, files, home };
  for (const [field, name] of Object.entries(FILE_VARS) as [keyof typeof FILE_VARS, string][]) {
    const value = env[name];
    if (!value) continue;
    // locksmithd runs on the host: it sees the host's files at their own paths.
    const got = materialise(value, [HOST_FILES], r.files, home);
    if ('error' in got) ctx.problems.push(`${r.machine}: locksmithd's ${name}=${value}: ${got.error}`);
    else {
      files.push(got.file);
      lock[field] = got.file.path;
    }
  }
  return lock;
}

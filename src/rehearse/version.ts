/** The etcd version the configs deploy (the wrapper's image tag) against the local one the rehearsal runs. Pure. */
import type { MachineReading } from './types.js';

/** `v3.5.16` from ETCD_IMAGE_TAG, else the tag of ETCD_IMAGE / ETCD_IMAGE_URL; null when no member names one. */
export function deployedVersion(readings: MachineReading[]): string | null {
  for (const r of readings) {
    const env = r.member?.env;
    if (!env) continue;
    if (env.ETCD_IMAGE_TAG) return env.ETCD_IMAGE_TAG;
    const image = env.ETCD_IMAGE || env.ETCD_IMAGE_URL;
    const tag = image && /:([^:/]+)$/.exec(image)?.[1];
    if (tag) return tag;
  }
  return null;
}

const majorMinor = (v: string): string | null => /^v?(\d+)\.(\d+)/.exec(v)?.slice(1, 3).join('.') ?? null;

/** A warning when major.minor of the local etcd and the deployed one differ (null when they match or are unknown). */
export function versionWarning(local: string, deployed: string | null): string | null {
  if (!deployed) return null;
  const [a, b] = [majorMinor(local), majorMinor(deployed)];
  if (!a || !b || a === b) return null;
  return `the local etcd is ${local} but the configs deploy ${deployed}: ${a} and ${b} differ, so the rehearsal proves the flags and topology with another etcd than the cluster will run`;
}

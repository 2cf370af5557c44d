/**
 * A generated Ignition config applied with the real Ignition (test/helpers/ignition-apply.sh) to a
 * fresh directory, plus what `systemd-analyze verify --root` needs to check its units there: the
 * Flatcar base units we add drop-ins to (test/fixtures/flatcar-units), the standard targets of this
 * machine's systemd, and empty executables at the Flatcar paths the units run.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ignitionApply, repoRoot } from './paths.js';
import { tempDir } from './tmp.js';

const FLATCAR_UNITS = join(repoRoot, 'test', 'fixtures', 'flatcar-units');
const TARGETS = ['multi-user.target', 'sockets.target', 'network-online.target', 'network.target', 'basic.target', 'sysinit.target'];
const FLATCAR_BINARIES = ['/usr/bin/docker', '/usr/bin/dockerd', '/usr/lib/flatcar/etcd-wrapper', '/usr/lib/locksmith/locksmithd'];

export function applyIgnition(config: string): { root: string; log: string } {
  const parent = tempDir('fa-apply-');
  chmodSync(parent, 0o755); // Ignition writes SSH keys as the user: it must reach the root
  const root = join(parent, 'root');
  const r = spawnSync(ignitionApply, [config, root], { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`ignition-apply ${config} failed (${r.status}): ${r.stderr}`);
  return { root, log: `${root}.log` };
}

/** Adds the base units, targets and stub binaries to an applied root. */
export function addFlatcarBase(root: string): void {
  const units = join(root, 'usr', 'lib', 'systemd', 'system');
  mkdirSync(units, { recursive: true });
  for (const f of readdirSync(FLATCAR_UNITS).filter((f) => !f.endsWith('.md'))) copyFileSync(join(FLATCAR_UNITS, f), join(units, f));
  for (const t of TARGETS) {
    const host = join('/usr/lib/systemd/system', t);
    if (existsSync(host)) copyFileSync(host, join(units, t));
  }
  for (const bin of FLATCAR_BINARIES) {
    const path = join(root, bin);
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, '#!/bin/sh\nexit 0\n');
    chmodSync(path, 0o755);
  }
}

/** `systemd-analyze verify` of units inside root; status and everything it said. */
export function verifyUnits(root: string, units: string[]): { status: number | null; output: string } {
  const r = spawnSync('systemd-analyze', ['verify', `--root=${root}`, '--man=no', ...units], { encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, output: (r.stdout + r.stderr).trim() };
}

/**
 * `--matchbox DIR`: the cluster as a Matchbox data directory (https://matchbox.psdn.io), for PXE
 * booting every machine with its own Ignition config:
 *   profiles/<machine>.json  kernel, initrd and kernel arguments (Flatcar's PXE image, live)
 *   groups/<machine>.json    selects the machine by its MAC and gives it its profile
 *   ignition/<machine>.ign   the machine's Ignition config
 * Groups need MACs: from --mac-prefix or from `mac:` pins in the answers' `machines:`.
 * `matchboxTree` is pure; `writeMatchboxDir` writes the tree the way the output directory is written.
 */
import { writeOutputDir } from '../write/output.js';

export const DEFAULT_MATCHBOX_URL = 'http://matchbox.example.com:8080';
/** Where Matchbox serves Flatcar's PXE kernel and initrd from (its `assets/` directory). */
export const DEFAULT_ASSETS = '/assets/flatcar/current';

export interface MatchboxMachine {
  name: string;
  role: string;
  mac: string | null;
  ignition: string;
  /** The config holds private keys (TLS): written 0600. */
  holdsKeys?: boolean;
}

export interface MatchboxOptions {
  /** Matchbox's HTTP endpoint as the machines reach it, e.g. http://matchbox.lan:8080. */
  url?: string;
  /** Path (or URL) of the directory holding flatcar_production_pxe.vmlinuz and _image.cpio.gz. */
  assets?: string;
}

export interface MatchboxFile {
  /** Path inside the Matchbox directory, e.g. `groups/prod-etcd-1.json`. */
  name: string;
  contents: string;
  /** 0600 for an Ignition config that holds private keys. */
  mode?: number;
}

/** Some machines have no MAC, so no group could select them. */
export class MatchboxError extends Error {
  readonly code = 'matchbox_needs_mac';
  constructor(readonly machines: string[]) {
    super(
      `--matchbox: groups select machines by MAC, and the MACs of ${machines.length === 1 ? machines[0] : `${machines.length} machines (${machines.slice(0, 3).join(', ')}${machines.length > 3 ? ', ...' : ''})`} are unknown; give --mac-prefix, or pin each machine's mac under machines: in the answers file`,
    );
    this.name = 'MatchboxError';
  }
}

const json = (value: unknown): string => JSON.stringify(value, null, 2) + '\n';

/** The files of the Matchbox directory; throws a MatchboxError when a machine has no MAC. */
export function matchboxTree(cluster: string, machines: readonly MatchboxMachine[], options: MatchboxOptions = {}): MatchboxFile[] {
  const unknown = machines.filter((m) => !m.mac).map((m) => m.name);
  if (unknown.length) throw new MatchboxError(unknown);
  const url = (options.url ?? DEFAULT_MATCHBOX_URL).replace(/\/+$/, '');
  const assets = (options.assets ?? DEFAULT_ASSETS).replace(/\/+$/, '');
  return machines.flatMap((m) => [
    {
      name: `profiles/${m.name}.json`,
      contents: json({
        id: m.name,
        name: `${cluster}: ${m.name} (${m.role})`,
        boot: {
          kernel: `${assets}/flatcar_production_pxe.vmlinuz`,
          initrd: [`${assets}/flatcar_production_pxe_image.cpio.gz`],
          args: [
            'initrd=flatcar_production_pxe_image.cpio.gz',
            `ignition.config.url=${url}/ignition?uuid=\${uuid}&mac=\${mac:hexhyp}`,
            'flatcar.first_boot=yes',
            'console=tty0',
            'console=ttyS0',
          ],
        },
        ignition_id: `${m.name}.ign`,
      }),
    },
    {
      name: `groups/${m.name}.json`,
      contents: json({
        id: m.name,
        name: `${cluster}: ${m.name}`,
        profile: m.name,
        selector: { mac: m.mac!.toLowerCase() },
        metadata: { cluster, role: m.role },
      }),
    },
    { name: `ignition/${m.name}.ign`, contents: m.ignition, mode: m.holdsKeys ? 0o600 : 0o644 },
  ]);
}

/** Writes the tree into a fresh directory renamed to DIR at the end (DIR absent or empty, or `force`). */
export function writeMatchboxDir(dir: string, files: readonly MatchboxFile[], options: { force?: boolean } = {}): void {
  for (const f of files) {
    if (!/^(profiles|groups|ignition)\/[^/]+$/.test(f.name) || f.name.includes('..')) throw new Error(`internal: bad Matchbox file name ${f.name}`);
  }
  writeOutputDir(dir, [...files], { force: options.force, kind: 'matchbox' });
}

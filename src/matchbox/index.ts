/**
 * `--matchbox DIR`: the cluster as a Matchbox data directory (https://matchbox.psdn.io), installing
 * every machine to disk in two stages, as Matchbox's own examples and Typhoon do (Flatcar's PXE image
 * runs from RAM: it cannot update, and etcd's data would be lost on every reboot):
 *   profiles/<machine>-install.json  PXE boot of Flatcar's live image with the install config
 *   groups/<machine>-install.json    selects the machine by its MAC (any PXE boot)
 *   ignition/<machine>-install.ign   a oneshot unit: fetch the machine's own config from Matchbox
 *                                    (mac=..&os=installed), flatcar-install to the disk, reboot
 *   profiles/<machine>.json          the machine's own config (ignition_id), for the installed system
 *   groups/<machine>.json            selects it by MAC and os=installed (only the installer asks so)
 *   ignition/<machine>.ign           the machine's Ignition config, applied on the first boot from disk
 * Groups need MACs: from --mac-prefix or from `mac:` pins in the answers' `machines:`.
 * Matchbox serves these files to anyone who asks, unauthenticated: configs holding private keys over
 * plain HTTP are warned about loudly (matchboxWarnings); `--secrets ssh` keeps keys out of them.
 * `matchboxTree` is pure; `writeMatchboxDir` writes the tree the way the output directory is written.
 */
import { writeOutputDir } from '../write/output.js';
import { transpile } from '../butane/index.js';
import { warning, type Warning } from '../answers/warnings.js';

export const DEFAULT_MATCHBOX_URL = 'http://matchbox.example.com:8080';
/** Where Matchbox serves Flatcar's PXE kernel and initrd from (its `assets/` directory). */
export const DEFAULT_ASSETS = '/assets/flatcar/current';
export const DEFAULT_INSTALL_DISK = '/dev/sda';

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
  /** flatcar-install's channel (-C; default stable). */
  channel?: string;
  /** The disk Flatcar is installed to (-d; default /dev/sda). */
  disk?: string;
  /** SSH keys for core during the install stage (to watch or debug it). */
  sshKeys?: readonly string[];
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

/** The install stage's Ignition: a oneshot that fetches the machine's config and installs Flatcar to disk. */
function installIgnition(m: MatchboxMachine, url: string, channel: string, disk: string, keys: readonly string[]): string {
  const script = [
    '#!/bin/bash',
    'set -euo pipefail',
    `# Installs ${m.name} to ${disk} with its own config from Matchbox, then boots it from disk.`,
    `curl --fail --silent --show-error --retry 10 --retry-delay 5 -o /tmp/ignition.json '${url}/ignition?mac=${m.mac!.toLowerCase()}&os=installed'`,
    `flatcar-install -d '${disk}' -C '${channel}' -i /tmp/ignition.json`,
    'udevadm settle',
    'systemctl reboot',
    '',
  ].join('\n');
  const doc = {
    variant: 'flatcar',
    version: '1.0.0',
    ...(keys.length ? { passwd: { users: [{ name: 'core', ssh_authorized_keys: [...keys] }] } } : {}),
    storage: { files: [{ path: '/opt/flatcar-architect-install', mode: 0o500, contents: { inline: script } }] },
    systemd: {
      units: [
        {
          name: 'flatcar-architect-install.service',
          enabled: true,
          contents: [
            '[Unit]',
            `Description=Install Flatcar to ${disk} with ${m.name}'s config, then reboot`,
            'Wants=network-online.target',
            'After=network-online.target',
            '',
            '[Service]',
            'Type=oneshot',
            'ExecStart=/opt/flatcar-architect-install',
            '',
            '[Install]',
            'WantedBy=multi-user.target',
            '',
          ].join('\n'),
        },
      ],
    },
  };
  return transpile(JSON.stringify(doc), { strict: true, pretty: true }).ignition + '\n';
}

/** The files of the Matchbox directory; throws a MatchboxError when a machine has no MAC. */
export function matchboxTree(cluster: string, machines: readonly MatchboxMachine[], options: MatchboxOptions = {}): MatchboxFile[] {
  const unknown = machines.filter((m) => !m.mac).map((m) => m.name);
  if (unknown.length) throw new MatchboxError(unknown);
  const url = (options.url ?? DEFAULT_MATCHBOX_URL).replace(/\/+$/, '');
  const assets = (options.assets ?? DEFAULT_ASSETS).replace(/\/+$/, '');
  const channel = options.channel ?? 'stable';
  const disk = options.disk ?? DEFAULT_INSTALL_DISK;
  return machines.flatMap((m) => {
    const mac = m.mac!.toLowerCase();
    return [
      {
        name: `profiles/${m.name}-install.json`,
        contents: json({
          id: `${m.name}-install`,
          name: `${cluster}: install ${m.name} to disk`,
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
          ignition_id: `${m.name}-install.ign`,
        }),
      },
      {
        name: `groups/${m.name}-install.json`,
        contents: json({
          id: `${m.name}-install`,
          name: `${cluster}: ${m.name}, install stage`,
          profile: `${m.name}-install`,
          selector: { mac },
          metadata: { cluster, role: m.role },
        }),
      },
      { name: `ignition/${m.name}-install.ign`, contents: installIgnition(m, url, channel, disk, options.sshKeys ?? []), mode: 0o644 },
      {
        name: `profiles/${m.name}.json`,
        contents: json({ id: m.name, name: `${cluster}: ${m.name} (${m.role}), installed`, ignition_id: `${m.name}.ign` }),
      },
      {
        name: `groups/${m.name}.json`,
        contents: json({ id: m.name, name: `${cluster}: ${m.name}`, profile: m.name, selector: { mac, os: 'installed' }, metadata: { cluster, role: m.role } }),
      },
      { name: `ignition/${m.name}.ign`, contents: m.ignition, mode: m.holdsKeys ? 0o600 : 0o644 },
    ];
  });
}

/** Loud warnings for a Matchbox tree: private keys that Matchbox would serve to anyone, over plain HTTP or at all. */
export function matchboxWarnings(machines: readonly MatchboxMachine[], url: string): Warning[] {
  const withKeys = machines.filter((m) => m.holdsKeys).map((m) => m.name);
  if (!withKeys.length) return [];
  const plain = url.startsWith('http:');
  return [
    warning(
      'matchbox-serves-keys',
      `--matchbox: the Ignition configs of ${withKeys.length} machine${withKeys.length === 1 ? '' : 's'} hold private keys, and Matchbox serves them to anyone who asks${plain ? ' over plain HTTP' : ''}: anyone on the provisioning network can take the cluster's keys; generate with --secrets ssh and run \`flatcar-architect deliver DIR\` after the machines are up`,
    ),
  ];
}

/** Writes the tree into a fresh directory renamed to DIR at the end (DIR absent or empty, or `force`). */
export function writeMatchboxDir(dir: string, files: readonly MatchboxFile[], options: { force?: boolean } = {}): void {
  for (const f of files) {
    if (!/^(profiles|groups|ignition)\/[^/]+$/.test(f.name) || f.name.includes('..')) throw new Error(`internal: bad Matchbox file name ${f.name}`);
  }
  writeOutputDir(dir, [...files], { force: options.force, kind: 'matchbox' });
}

#!/usr/bin/env node
/**
 * `npm test` runs this first (pretest), and .ci/run calls it too: the tests check the generator
 * against real tools (Ignition, etcd, systemd-analyze, openssl, tmux...). When one is missing:
 * - as root with apt-get (a CI machine, a fresh container): installs the Debian packages, like
 *   .ci/run always did, then checks again;
 * - otherwise (or with FLATCAR_ARCHITECT_NO_INSTALL=1): stops before any test with one message
 *   and the exact `apt-get install` line, instead of many ENOENT failures later.
 * Exit 0 when every tool is there, 1 when not.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Each command the tests run, and the Debian package it comes from. */
export const TOOLS = [
  ['ignition-validate', 'ignition'],
  ['etcd', 'etcd-server'],
  ['etcdctl', 'etcd-client'],
  ['systemd-analyze', 'systemd'],
  ['openssl', 'openssl'],
  ['tmux', 'tmux'],
  ['xmllint', 'libxml2-utils'],
  ['curl', 'curl'],
  ['pgrep', 'procps'],
  ['sshd', 'openssh-server'],
  ['ssh', 'openssh-client'],
  ['ip', 'iproute2'],
  ['ss', 'iproute2'],
  ['nft', 'nftables'],
  ['nsenter', 'util-linux'],
  ['unshare', 'util-linux'],
  ['runuser', 'util-linux'],
  ['script', 'bsdutils'],
];

function onPath(command) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, command), constants.X_OK);
      return true;
    } catch {
      // not here
    }
  }
  return false;
}

const missing = () => TOOLS.filter(([command]) => !onPath(command));
const packagesOf = (tools) => [...new Set(tools.map(([, pkg]) => pkg))];

function install(packages) {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  process.stderr.write(`check-tools: installing ${packages.join(' ')} (apt-get, as root)\n`);
  for (const args of [['update'], ['install', '-y', '--no-install-recommends', ...packages]]) {
    const r = spawnSync('apt-get', args, { stdio: ['ignore', 'inherit', 'inherit'], env });
    if (r.status !== 0) return false;
  }
  return true;
}

/** Run as a script (not imported, as the test imports TOOLS). */
const main = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
let absent = main ? missing() : [];
const mayInstall = process.getuid?.() === 0 && onPath('apt-get') && !process.env.FLATCAR_ARCHITECT_NO_INSTALL;
if (absent.length && mayInstall && install(packagesOf(absent))) absent = missing();
if (absent.length) {
  const packages = packagesOf(absent);
  process.stderr.write(
    `npm test needs ${absent.map(([command]) => command).join(', ')}, which ${absent.length === 1 ? 'is' : 'are'} not installed; install ${packages.length === 1 ? 'it' : 'them'} with:\n` +
      `  sudo apt-get install -y --no-install-recommends ${packages.join(' ')}\n`,
  );
  process.exit(1);
}

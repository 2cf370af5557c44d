#!/usr/bin/env bash
# Apply an Ignition config to a directory with the real Ignition (Debian package `ignition`),
# the way a Flatcar machine applies it on first boot: fetch-offline, then the files stage
# (files, directories, links, systemd units and drop-ins, presets, users, SSH keys).
#
#   test/helpers/ignition-apply.sh CONFIG.ign ROOTDIR
#
# ROOTDIR is created (must not exist or be empty) with a Flatcar-like /etc (root, core, etcd users;
# wheel, sudo, docker, etcd groups) so users can be added and files owned by them.
# Exit status is Ignition's; its log goes to ROOTDIR.log. Needs root (CI and dev machines are).
# SELinux relabelling is skipped (a no-op `setfiles` on PATH): it is outside a config's reach.
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: ignition-apply CONFIG.ign ROOTDIR" >&2; exit 2; }
cfg=$(realpath "$1"); root=$(realpath -m "$2")
ign=$(dpkg -L ignition 2>/dev/null | grep -m1 "/30ignition/ignition$" || true)
[ -n "$ign" ] && [ -x "$ign" ] || { echo "ignition-apply: install the Debian package 'ignition' first" >&2; exit 2; }
if [ -e "$root" ] && [ -n "$(ls -A "$root")" ]; then echo "ignition-apply: $root is not empty" >&2; exit 2; fi
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
mkdir -p "$root/etc/selinux" "$work/bin"
# A Flatcar-like base: the users and groups a Flatcar image has before Ignition runs.
cat > "$root/etc/passwd" <<'P'
root:x:0:0:root:/root:/bin/bash
core:x:500:500:Flatcar Admin:/home/core:/bin/bash
etcd:x:232:232:etcd user:/var/lib/etcd:/sbin/nologin
nobody:x:65534:65534:nobody:/var/empty:/sbin/nologin
P
cat > "$root/etc/group" <<'G'
root:x:0:
wheel:x:10:root,core
sudo:x:150:
etcd:x:232:
docker:x:233:core
core:x:500:
nogroup:x:65534:
G
printf 'root:*:1::::::
core:*:1::::::
etcd:*:1::::::
nobody:*:1::::::
' > "$root/etc/shadow"
sed 's/:x:\([0-9]*\):.*/:*::/' "$root/etc/group" > "$root/etc/gshadow"
mkdir -p "$root/home/core" "$root/var/lib/etcd"
chown 500:500 "$root/home/core"; chown 232:232 "$root/var/lib/etcd"; chmod 0700 "$root/var/lib/etcd"
printf 'SELINUX=disabled\nSELINUXTYPE=targeted\n' > "$root/etc/selinux/config"
printf '#!/bin/sh\nexit 0\n' > "$work/bin/setfiles"; chmod +x "$work/bin/setfiles"
common=(-platform file -config-cache "$work/config.json" -state-file "$work/state" -log-to-stdout)
{
  IGNITION_CONFIG_FILE="$cfg" "$ign" "${common[@]}" -stage fetch-offline -neednet "$work/neednet" &&
  PATH="$work/bin:$PATH" "$ign" "${common[@]}" -stage files -root "$root"
} > "$root.log" 2>&1 || { rc=$?; grep -E 'CRITICAL|ERROR' "$root.log" >&2 || tail -5 "$root.log" >&2; exit $rc; }
rm -f "$root/etc/selinux/config"; rmdir "$root/etc/selinux" 2>/dev/null || true

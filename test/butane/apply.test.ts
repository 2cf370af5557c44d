/**
 * Our Ignition, applied by the real Ignition into a directory as on a machine's first boot: the
 * realistic cluster cases of the corpus plus configs that exercise files, modes, owners, links,
 * units, drop-ins, masks, users and groups.
 */
import { describe, expect, it } from 'vitest';
import { transpile } from '../../src/butane/index.js';
import { applyIgnition, checkOnDisk } from '../helpers/apply.js';
import { filesDirOf, loadCases } from '../helpers/conformance.js';

const realistic = loadCases().filter((c) => c.exit === 0 && c.version === '1.0.0' && /^04[3-8]-flatcar/.test(c.name));

const kitchenSink = `variant: flatcar
version: 1.0.0
passwd:
  users:
    - name: core
      ssh_authorized_keys: [ "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMx7q3Yd0o8Q2pZk1v4cHqR9Wn6yT2eLbF5sJgKaPuXr ops@bastion" ]
    - name: deploy
      uid: 1100
      shell: /bin/sh
      groups: [docker]
  groups:
    - name: metrics
      gid: 1200
storage:
  directories:
    - path: /var/lib/app
      mode: 0750
      user: { name: core }
      group: { name: core }
  files:
    - path: /etc/app/big.conf
      mode: 0600
      user: { id: 500 }
      contents:
        inline: |
${'          # line of a config that compresses well\n'.repeat(60)}    - path: /etc/app/binary
      contents:
        inline: "\\x00\\x01\\x02 h\\u00e9llo \\u2603"
    - path: /etc/app/empty
      contents:
        inline: ""
    - path: /etc/etcd/secret.key
      mode: 0600
      user: { name: etcd }
      group: { name: etcd }
      contents:
        inline: not really a key
  links:
    - path: /etc/app/current
      target: /etc/app/big.conf
systemd:
  units:
    - name: hello.service
      enabled: true
      contents: |
        [Unit]
        Description=hello
        [Service]
        ExecStart=/usr/bin/true
        [Install]
        WantedBy=multi-user.target
    - name: docker.service
      dropins:
        - name: 10-opts.conf
          contents: |
            [Service]
            Environment=DOCKER_OPTS=--log-level=warn
    - name: update-engine.service
      mask: true
    - name: sshd.socket
      enabled: false
`;

describe('our Ignition applied by the real Ignition', () => {
  it.each(realistic.map((c) => [c.name, c] as const))('%s lands on disk as declared', (_n, c) => {
    const { ignition, config } = transpile(c.input, { filesDir: filesDirOf(c) });
    const applied = applyIgnition(ignition);
    expect(applied.status, applied.log).toBe(0);
    expect(checkOnDisk(config, applied.root)).toEqual([]);
  });

  it('applies files (gzip, binary, empty), modes, owners, links, units, drop-ins, masks, users and groups', () => {
    const { ignition, config } = transpile(kitchenSink);
    // The big file is gzip-compressed by the encoding choice: the real Ignition must inflate it.
    expect((config as any).storage.files[0].contents.compression).toBe('gzip');
    const applied = applyIgnition(ignition);
    expect(applied.status, applied.log).toBe(0);
    expect(checkOnDisk(config, applied.root)).toEqual([]);
  });

  it('the on-disk check notices a difference', () => {
    const { ignition, config } = transpile(kitchenSink);
    const applied = applyIgnition(ignition);
    const changed = structuredClone(config) as any;
    changed.storage.files[3].mode = 0o644;
    changed.systemd.units[0].contents += '# more\n';
    expect(checkOnDisk(changed, applied.root)).toEqual(['/etc/etcd/secret.key: mode 600, want 644', 'hello.service: contents differ']);
  });
});

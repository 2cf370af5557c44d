/**
 * Transpiler rules beyond the corpus: YAML value resolution as Butane's Go YAML reads it, error
 * paths and positions, version differences, trees, mount units, unit syntax, Ignition checks.
 */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatFinding, formatPath, transpile, TranspileError } from '../../src/butane/index.js';
import { parseUnit } from '../../src/butane/unit.js';
import { looksLikeDecimalMode } from '../../src/butane/validate.js';
import { tempDir } from '../helpers/tmp.js';

const head = (version = '1.0.0') => `variant: flatcar\nversion: ${version}\n`;

function failure(doc: string, opts = {}): TranspileError {
  try {
    transpile(doc, opts);
  } catch (e) {
    if (e instanceof TranspileError) return e;
    throw e;
  }
  throw new Error('expected the transpile to fail');
}

const paths = (e: TranspileError, severity: 'error' | 'warning' = 'error') => e.findings.filter((f) => f.severity === severity).map((f) => (f.path ? formatPath(f.path) : null));

describe('YAML values, read as Butane reads them', () => {
  it.each([
    ['0644', 420],
    ['0o644', 420],
    ['420', 420],
    ['0x1ed', 493],
    ['0_755', 493],
  ])('mode %s is %i', (text, mode) => {
    const { config } = transpile(head() + `storage:\n  files:\n    - path: /etc/x\n      mode: ${text}\n`);
    expect((config as any).storage.files[0].mode).toBe(mode);
  });

  it.each([
    ['yes', true],
    ['On', true],
    ['n', false],
    ['FALSE', false],
  ])('boolean %s is %s', (text, value) => {
    const { config } = transpile(head() + `systemd:\n  units:\n    - name: a.service\n      mask: ${text}\n`);
    expect((config as any).systemd.units[0].mask).toBe(value);
  });

  it('numbers and booleans become strings where the field is a string', () => {
    const { config } = transpile(head() + 'storage:\n  files:\n    - path: /etc/x\n      contents:\n        inline: 1234\n');
    expect((config as any).storage.files[0].contents.source).toBe('data:,1234');
  });

  it('a wrong type names the field, its line and column', () => {
    const e = failure(head() + 'storage:\n  files:\n    - path: /etc/x\n      overwrite: "maybe"\n');
    expect(e.stage).toBe('type');
    expect(e.findings.map(formatFinding)).toEqual(['error at $.storage.files.0.overwrite, line 6 col 18: cannot unmarshal !!str `maybe` into bool']);
  });

  it('a list where a mapping belongs is a type error', () => {
    expect(paths(failure(head() + 'storage: [1, 2]\n'))).toEqual(['$.storage']);
  });

  it('YAML syntax errors and duplicate keys fail with a position', () => {
    const e = failure(head() + 'storage:\n  files: [\n');
    expect(e.stage).toBe('yaml');
    expect(e.findings[0]!.pos?.line).toBeGreaterThan(0);
    // go-yaml finds duplicate keys while decoding into the struct (Butane: "yaml: unmarshal errors").
    const dup = failure(head() + 'storage: {}\nstorage: {}\n');
    expect(dup.stage).toBe('type');
    expect(dup.message).toContain('mapping key "storage" already defined at line 3');
  });

  it('merge keys fill in what a mapping does not say itself', () => {
    const doc = head() + 'storage:\n  files:\n    - &f { path: /etc/a, mode: 0600, user: { name: core } }\n    - <<: *f\n      path: /etc/b\n';
    expect((transpile(doc).config as any).storage.files[1]).toEqual({ path: '/etc/b', user: { name: 'core' }, mode: 384 });
  });

  it('anchors and aliases are followed', () => {
    const { config } = transpile(head() + 'storage:\n  files:\n    - &f { path: /etc/a, mode: 0600 }\n    - { path: /etc/b, mode: 0600 }\n');
    expect((config as any).storage.files.map((f: any) => f.mode)).toEqual([384, 384]);
  });
});

describe('variants and versions', () => {
  it.each([
    ['variant: fcos\nversion: 1.0.0\n', 'No translator exists for variant fcos with version 1.0.0'],
    ['variant: flatcar\nversion: 1.2.0\n', 'No translator exists for variant flatcar with version 1.2.0'],
    ['version: 1.0.0\n', 'error parsing variant; must be specified'],
    ['', 'error parsing variant; must be specified'],
    ['variant: flatcar\nversion: 1\n', 'error parsing version; must be a valid semver'],
  ])('%j is refused', (doc, message) => {
    const e = failure(doc);
    expect(e.stage).toBe('version');
    expect(e.findings[0]!.message).toBe(message);
  });

  it('1.1.0-only fields are unused keys in 1.0.0', () => {
    const doc = head() + 'systemd:\n  units:\n    - name: a.service\n      contents_local: a.service\n';
    const r = transpile(doc);
    expect(r.warnings.map((w) => formatPath(w.path!))).toEqual(['$.systemd.units.0.contents_local']);
    expect(() => transpile(doc, { strict: true })).toThrow(TranspileError);
  });

  it('LUKS discard is 1.1.0 only', () => {
    const luks = 'storage:\n  luks:\n    - name: d\n      device: /dev/sdb\n      discard: true\n';
    expect(transpile(head('1.1.0') + luks).config).toMatchObject({ storage: { luks: [{ discard: true }] } });
    expect(transpile(head() + luks).warnings.map((w) => w.message)).toEqual(['Unused key discard']);
  });
});

describe('modes', () => {
  it.each([
    [644, false, true],
    [755, true, true],
    [600, false, true],
    [1770, true, true],
    [420, false, false],
    [511, false, false],
    [493, true, false],
    [0, false, false],
    [8000, false, false],
  ])('decimal %i (directory %s) warns: %s', (mode, dir, warns) => {
    expect(looksLikeDecimalMode(mode, dir)).toBe(warns);
  });

  it('special bits warn on 1.0.0 (Ignition 3.3.0) and pass on 1.1.0', () => {
    const doc = (v: string) => head(v) + 'storage:\n  files:\n    - path: /opt/suid\n      mode: 04755\n';
    expect(transpile(doc('1.0.0')).warnings.map((w) => w.message)).toEqual(['setuid/setgid/sticky bits are not supported in spec versions older than 3.4.0']);
    expect(transpile(doc('1.1.0')).warnings).toEqual([]);
  });

  it('a mode above 07777 is illegal', () => {
    expect(failure(head() + 'storage:\n  files:\n    - path: /etc/x\n      mode: 077777\n').errors.map((f) => f.message)).toContain('illegal file mode');
  });
});

describe('Ignition checks on the result, reported at the Butane field', () => {
  it.each([
    ['storage:\n  files:\n    - path: /etc//x\n', '$.storage.files.0.path', 'path is not fully simplified'],
    ['storage:\n  files:\n    - path: /etc/x\n      overwrite: true\n', '$.storage.files.0.overwrite', 'overwrite must be false if source is unspecified'],
    ['storage:\n  files:\n    - path: /etc/x\n      contents:\n        source: ftp://x/y\n', '$.storage.files.0.contents.source', 'invalid url scheme'],
    [
      'storage:\n  files:\n    - path: /etc/x\n      contents:\n        inline: x\n        compression: zstd\n',
      '$.storage.files.0.contents.compression',
      'invalid compression method',
    ],
    [
      'storage:\n  files:\n    - path: /etc/x\n      contents:\n        source: https://a/b\n        verification:\n          hash: sha512-abc\n',
      '$.storage.files.0.contents.verification.hash',
      'incorrect size for hash sum',
    ],
    [
      'storage:\n  files:\n    - path: /etc/x\n      contents:\n        source: s3://a/b\n        http_headers:\n          - name: A\n            value: b\n',
      '$.storage.files.0.contents.http_headers',
      'cannot use HTTP headers with this source scheme',
    ],
    ['storage:\n  links:\n    - path: /etc/l\n', '$.storage.links.0.target', 'link target is required'],
    ['storage:\n  links:\n    - path: /etc/l\n      target: /x\n  files:\n    - path: /etc/l/f\n', '$.storage.files.0', 'file path includes link in config'],
    ['storage:\n  directories:\n    - path: /etc/d\n  files:\n    - path: /etc/d\n', '$.storage.files.0', 'duplicate entry defined'],
    ['storage:\n  files:\n    - path: /etc/x\n      user: { id: 1, name: core }\n', '$.storage.files.0.user', 'cannot set both id and name'],
    ['storage:\n  filesystems:\n    - device: /dev/sdb\n      format: zfs\n', '$.storage.filesystems.0.format', 'invalid filesystem format'],
    [
      'storage:\n  filesystems:\n    - device: /dev/sdb\n      format: xfs\n      label: a-label-too-long\n',
      '$.storage.filesystems.0.label',
      'filesystem labels cannot be longer than 12 characters when using xfs',
    ],
    ['storage:\n  raid:\n    - name: md\n      level: raid7\n      devices: [/dev/sdb]\n', '$.storage.raid.0.level', 'unrecognized raid level'],
    ['storage:\n  disks:\n    - device: /dev/sdb\n      partitions:\n        - number: 1\n        - number: 1\n', '$.storage.disks.0.partitions.1', 'partition numbers collide'],
    [
      'storage:\n  disks:\n    - device: /dev/sdb\n      partitions:\n        - number: 1\n          type_guid: nope\n',
      '$.storage.disks.0.partitions.0.type_guid',
      'doesn\'t match the form "01234567-89AB-CDEF-EDCB-A98765432101"',
    ],
    [
      'storage:\n  files:\n    - path: /etc/systemd/system/a.service\n      contents: { inline: x }\nsystemd:\n  units:\n    - name: a.service\n      contents: "[Unit]\\n"\n',
      '$.storage.files.0.path',
      'path conflicts with systemd unit or dropin',
    ],
    [
      'systemd:\n  units:\n    - name: a.service\n      contents: "Description=x\\n[Unit]\\nbroken line\\n"\n',
      '$.systemd.units.0.contents',
      'invalid unit content: unexpected newline encountered while parsing option name',
    ],
    ['kernel_arguments:\n  should_exist: [quiet]\n  should_not_exist: [quiet]\n', '$.kernel_arguments.should_not_exist.0', 'duplicate entry defined'],
    ['passwd:\n  users:\n    - name: core\n    - name: core\n', '$.passwd.users.1', 'duplicate entry defined'],
    ['ignition:\n  config:\n    merge:\n      - verification: { hash: sha256-x }\n', '$.ignition.config.merge.0', 'source is required'],
    ['ignition:\n  proxy:\n    http_proxy: socks5://p:1080\n', '$.ignition.proxy.http_proxy', 'proxies must be http(s)'],
  ])('%j', (doc, path, message) => {
    const e = failure(head() + doc);
    expect(e.stage).toBe('generated');
    expect(e.errors.map((f) => `${formatPath(f.path!)}: ${f.message}`)).toContain(`${path}: ${message}`);
  });

  it('an error names the YAML line and column of the field', () => {
    const e = failure(head() + 'storage:\n  files:\n    - path: /ok\n    - path: relative\n');
    expect(e.findings.map(formatFinding)).toEqual(['error at $.storage.files.1.path, line 6 col 13: path not absolute']);
    expect(e.summary).toBe('Error translating config: config generated was invalid');
  });
});

describe('unit file syntax', () => {
  it('reads sections, options, comments and continuations', () => {
    expect(parseUnit('# c\n[Unit]\nDescription=a \\\n  b\n; x\n[Install]\nWantedBy=multi-user.target\n')).toEqual([
      { section: 'Unit', name: 'Description', value: 'a \n  b' },
      { section: 'Install', name: 'WantedBy', value: 'multi-user.target' },
    ]);
  });

  it.each([
    ['[Unit', 'unable to find end of section'],
    ['[Unit] junk\n', 'found garbage after section name : "junk"'],
    ['[Unit]\nNoEquals', 'EOF'],
    ['[Unit]\n' + 'A='.padEnd(3000, 'x') + '\n', 'line too long (max 2048 bytes)'],
  ])('refuses %j', (text, message) => {
    expect(() => parseUnit(text)).toThrow(message);
  });

  it('an enabled unit whose [Install] section is empty gets the warning', () => {
    const r = transpile(head() + 'systemd:\n  units:\n    - name: a.service\n      enabled: true\n      contents: "[Service]\\nExecStart=/bin/true\\n[Install]\\n"\n');
    expect(r.warnings.map((w) => w.message)).toEqual(['unit "a.service" is enabled, but has no install section so enable does nothing']);
  });
});

describe('files directory', () => {
  const dir = tempDir('files-dir-');
  mkdirSync(join(dir, 'tree', 'etc'), { recursive: true });
  writeFileSync(join(dir, 'tree', 'etc', 'a.conf'), 'a\n');
  symlinkSync('/usr/share/zoneinfo/UTC', join(dir, 'tree', 'etc', 'localtime'));
  writeFileSync(join(dir, 'keys'), 'ssh-ed25519 AAAA one\n\n  \nssh-ed25519 AAAA two\r\n');

  it('trees bring files and symlinks, keeping explicit entries', () => {
    const { config } = transpile(head() + 'storage:\n  links:\n    - path: /etc/localtime\n      overwrite: true\n  trees:\n    - local: tree\n', { filesDir: dir });
    expect((config as any).storage.links).toEqual([{ overwrite: true, path: '/etc/localtime', target: '/usr/share/zoneinfo/UTC' }]);
    expect((config as any).storage.files).toEqual([{ path: '/etc/a.conf', contents: { compression: '', source: 'data:,a%0A' }, mode: 420 }]);
  });

  it('a tree whose root is a file, or outside the files directory, is refused at the tree', () => {
    expect(paths(failure(head() + 'storage:\n  trees:\n    - local: keys\n', { filesDir: dir }))).toEqual(['$.storage.trees.0']);
    expect(paths(failure(head() + 'storage:\n  trees:\n    - local: ../..\n', { filesDir: dir }))).toEqual(['$.storage.trees.0']);
    expect(paths(failure(head() + 'storage:\n  trees:\n    - local: tree\n'))).toEqual(['$.storage.trees.0']);
  });

  it('ssh_authorized_keys_local keeps every non-empty line', () => {
    const { config } = transpile(head('1.1.0') + 'passwd:\n  users:\n    - name: core\n      ssh_authorized_keys_local: [keys]\n', { filesDir: dir });
    expect((config as any).passwd.users[0].sshAuthorizedKeys).toEqual(['ssh-ed25519 AAAA one', '  ', 'ssh-ed25519 AAAA two']);
  });

  it('ssh_authorized_keys_local without a files directory is an error at the field', () => {
    const e = failure(head('1.1.0') + 'passwd:\n  users:\n    - name: core\n      ssh_authorized_keys_local: [keys]\n');
    expect(paths(e)).toEqual(['$.passwd.users.0.ssh_authorized_keys_local']);
  });
});

describe('mount units', () => {
  it('come first and merge with a user unit of the same name', () => {
    const doc =
      head() +
      [
        'storage:',
        '  filesystems:',
        '    - device: /dev/disk/by-label/DATA',
        '      format: xfs',
        '      path: /var/lib/data',
        '      mount_options: [noatime, nodev]',
        '      with_mount_unit: true',
        'systemd:',
        '  units:',
        '    - name: other.service',
        '      mask: true',
        '    - name: var-lib-data.mount',
        '      dropins:',
        '        - name: 10-x.conf',
        '          contents: "[Mount]\\nTimeoutSec=5\\n"',
        '',
      ].join('\n');
    const units = (transpile(doc).config as any).systemd.units;
    expect(units.map((u: any) => u.name)).toEqual(['var-lib-data.mount', 'other.service']);
    expect(units[0].contents).toContain('Options=noatime,nodev\n');
    expect(units[0].contents).toContain('Requires=systemd-fsck@dev-disk-by\\x2dlabel-DATA.service');
    expect(units[0].dropins).toEqual([{ contents: '[Mount]\nTimeoutSec=5\n', name: '10-x.conf' }]);
    expect(units[0].enabled).toBe(true);
  });

  it('a missing path for a non-swap filesystem is an error at the path', () => {
    const e = failure(head() + 'storage:\n  filesystems:\n    - device: /dev/sdb\n      format: ext4\n      with_mount_unit: true\n');
    expect(paths(e)).toEqual(['$.storage.filesystems.0.path']);
  });
});

describe('--strict', () => {
  it('turns warnings into a failure that lists them', () => {
    const e = failure(head() + 'extra: 1\n', { strict: true });
    expect(e.stage).toBe('strict');
    expect(paths(e, 'warning')).toEqual(['$.extra']);
  });
});

describe('JSON text', () => {
  it('escapes <, > and & the way Go (and so Butane) writes them, and parses back to the same value', () => {
    const doc = head() + 'systemd:\n  units:\n    - name: a.service\n      contents: "[Service]\\nExecStart=/bin/sh -c \\"a && b > c < d\\"\\n"\n';
    const { ignition, config } = transpile(doc);
    expect(ignition).toContain('a \\u0026\\u0026 b \\u003e c \\u003c d');
    expect(JSON.parse(ignition)).toEqual(config);
  });
});

describe('unit contents as go-systemd reads them', () => {
  it("skips what Go's unicode.IsSpace calls space between options (U+2028, U+3000), not U+200B", () => {
    const unit = (tail: string) => head('1.1.0') + `systemd: {units: [{name: a.service, contents: "[Service]\\nA=1\\n${tail}"}]}\n`;
    expect(transpile(unit('\\u2028')).config).toBeDefined();
    expect(transpile(unit('\\u3000')).config).toBeDefined();
    expect(paths(failure(unit('\\u200b')))).toEqual(['$.systemd.units.0.contents']);
  });
});

/** The built command line (dist/src/cli/main.js, built by `pretest`): flags -> files on disk. */
import { spawn } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ignitionValidate, runCli } from '../helpers/run.js';
import { KEY } from '../helpers/generator.js';
import { cliPath, repoRoot } from '../helpers/paths.js';
import { filesBelow, tempDirs } from '../helpers/tmp.js';
import { clusterSecretsRequest, planSecrets, saveBundle } from '../../src/pki/index.js';

const tmp = tempDirs('fa-cli-');
/** Every file below dir (pki/ and docker-client/ too), by relative path. */
const filesOf = (dir: string): Record<string, string> => filesBelow(dir, (b) => b.toString('utf8'));
const modeOf = (p: string) => (statSync(p).mode & 0o777).toString(8);

describe('flatcar-architect --preset production --size 5, nothing else', () => {
  const cwd = tmp();
  const r = runCli(['--preset', 'production', '--size', '5'], { cwd });

  it('writes ./production with every file', () => {
    expect(r.status, r.stderr).toBe(0);
    expect(readdirSync(join(cwd, 'production')).sort()).toEqual(
      [
        'SUMMARY.md',
        'cluster.yaml',
        'pki',
        'topology.svg',
        ...['etcd-1', 'etcd-2', 'etcd-3', 'worker-1', 'worker-2'].flatMap((m) => [`production-${m}.bu`, `production-${m}.ign`]),
      ].sort(),
    );
    expect(r.stdout).toMatch(/^Wrote the production cluster \(production, 5 machines\) to production\/\n/);
    expect(r.stdout).toContain('production-worker-2  worker  10.0.0.105');
    expect(r.stderr).toBe(
      'warning: --interface "en* eth*": the static address goes on every interface whose name matches and that has a link, so a machine with several NICs gets it on each of them; give --mac-prefix (each machine\'s NIC by MAC) or one interface name\n' +
        'warning: no SSH key given (--ssh-key): nobody can log in to the machines over SSH\n',
    );
    expect(r.stdout).toMatch(/^PKI: a new CA and 13 certificates in production\/pki\/ /m);
    expect(modeOf(join(cwd, 'production', 'pki'))).toBe('700');
    expect(modeOf(join(cwd, 'production', 'pki', 'ca-key.pem'))).toBe('600');
    expect(modeOf(join(cwd, 'production', 'production-etcd-1.ign'))).toBe('600');
    expect(modeOf(join(cwd, 'production', 'cluster.yaml'))).toBe('644');
  });

  it('the summary says which defaults were used and that there is no SSH key', () => {
    const summary = readFileSync(join(cwd, 'production', 'SUMMARY.md'), 'utf8');
    expect(summary).toContain('**WARNING: no SSH key was given.**');
    expect(summary).toContain('| `--network` | `10.0.0.0/24` |');
    expect(summary).toContain('| `--first-address` | `10.0.0.101` |');
    expect(summary).toContain('| `--gateway` | `10.0.0.1` |');
    expect(summary).toContain('Fault tolerance: 1 member may fail (quorum 2 of 3).');
    expect(summary).toMatch(/\| production-etcd-1 \| etcd member \| 10.0.0.101\/24 \|/);
  });

  it('the .ign files pass ignition-validate', () => {
    for (const f of readdirSync(join(cwd, 'production')).filter((f) => f.endsWith('.ign'))) {
      expect(ignitionValidate(join(cwd, 'production', f)).status).toBe(0);
    }
  });
});

describe('bad flags: one line naming the flag, exit 2, nothing written', () => {
  const cases: [string[], RegExp][] = [
    [[], /^flatcar-architect: no terminal to ask questions in: give --preset \(laptop, small, dev or production\) or --answers FILE/],
    [['--preset', 'big'], /^flatcar-architect: --preset: must be one of laptop, small, dev, production \(got "big"\)$/],
    [['--preset', 'laptop', '--size', '2'], /^flatcar-architect: --size: the laptop preset is exactly 1 machine \(got 2\)$/],
    [['--preset', 'small', '--size', '12'], /^flatcar-architect: --size: the small preset has 3 to 9 machines/],
    [['--preset', 'dev', '--size', '1'], /^flatcar-architect: --size: the dev preset needs at least 2 machines/],
    [['--preset', 'production', '--size', '3'], /^flatcar-architect: --size: production with 3 etcd machines needs at least 4 machines/],
    [['--preset', 'production', '--size', '9', '--etcd-size', '4'], /^flatcar-architect: --etcd-size: production runs 3 or 5 etcd machines \(got 4\)$/],
    [['--preset', 'small', '--size', 'three'], /^flatcar-architect: --size: must be a whole number \(got "three"\)$/],
    [['--preset', 'dev', '--network', '10.0.0.0/33'], /^flatcar-architect: --network: /],
    [['--preset', 'dev', '--gateway', '192.168.0.1'], /^flatcar-architect: --gateway: 192.168.0.1 is not a host address of 10.0.0.0\/24$/],
    [['--preset', 'dev', '--dns', '1.1.1.1,nope'], /^flatcar-architect: --dns: "nope" is not an IPv4 address$/],
    [['--preset', 'dev', '--dhcp', '--network', '10.1.0.0/24'], /^flatcar-architect: --network: not with --dhcp/],
    [['--preset', 'dev', '--interface', 'eth0', '--mac-prefix', '52:54:00'], /^flatcar-architect: --mac-prefix: choose one of --interface and --mac-prefix$/],
    [['--preset', 'dev', '--reboot-strategy', 'sometimes'], /^flatcar-architect: --reboot-strategy: must be one of etcd-lock, reboot, off/],
    [['--preset', 'laptop', '--reboot-strategy', 'etcd-lock'], /^flatcar-architect: --reboot-strategy: etcd-lock needs etcd/],
    [['--preset', 'dev', '--reboot-window-start', '04:00'], /^flatcar-architect: --reboot-window-length: a reboot window needs both/],
    [
      ['--preset', 'dev', '--ssh-key', 'no-such-file.pub'],
      /^flatcar-architect: --ssh-key: no-such-file.pub: no such file \(give a public key file such as ~\/.ssh\/id_ed25519.pub, or a key line\)$/,
    ],
    [['--preset', 'dev', '--templates', 'no-such-dir'], /^flatcar-architect: --templates: .*no-such-dir is not a directory$/],
    [['--preset', 'dev', '--answers', 'missing.yaml'], /^flatcar-architect: --answers: cannot read missing.yaml: ENOENT$/],
    [['--preset', 'dev', '--etcd-version', 'latest'], /^flatcar-architect: --etcd-version: must be an etcd v3 release tag like v3.5.16 \(got "latest"\)$/],
    [['--preset', 'dev', '--name', 'Bad Name'], /^flatcar-architect: --name: must be 1 to 40 lowercase letters/],
    [['--preset', 'dev', '--bogus'], /^error: unknown option '--bogus'$/],
    [['--preset'], /^error: option '--preset <name>' argument missing$/],
    [['--preset', 'laptop', '--insecure'], /^flatcar-architect: --insecure: the laptop preset runs no etcd; for its Docker API use --docker-insecure$/],
    [['--preset', 'small', '--docker-insecure'], /^flatcar-architect: --docker-insecure: only the laptop preset serves the Docker API on TCP; leave it out$/],
    [['--preset', 'dev', '--pki', 'nowhere'], /^flatcar-architect: --pki: nowhere holds no PKI \(neither nowhere\/ca.pem nor nowhere\/pki\/\)$/],
    [['--preset', 'dev', '--pki', 'x', '--rotate-pki'], /^flatcar-architect: --rotate-pki makes a new CA and new certificates: leave out --pki$/],
  ];
  it.each(cases)('%j', (args, message) => {
    const cwd = tmp();
    const r = runCli(args, { cwd });
    expect(r.status).toBe(2);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr.trimEnd()).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toBe('');
    expect(readdirSync(cwd)).toEqual([]);
  });
});

describe('the output directory', () => {
  it('refuses an existing non-empty DIR without --force and leaves it alone; --force replaces only what this tool wrote', () => {
    const cwd = tmp();
    expect(runCli(['--preset', 'dev', '--out', 'out'], { cwd }).status).toBe(0);
    writeFileSync(join(cwd, 'out', 'mine.txt'), 'keep me');
    const refused = runCli(['--preset', 'dev', '--out', 'out'], { cwd });
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/^flatcar-architect: --out: .*\/out exists and is not empty; use --force to replace it\n$/);
    expect(readdirSync(join(cwd, 'out'))).toContain('mine.txt');
    const forced = runCli(['--preset', 'dev', '--out', 'out', '--force'], { cwd });
    expect(forced.status).toBe(0);
    expect(readdirSync(join(cwd, 'out'))).not.toContain('mine.txt');
    expect(readdirSync(join(cwd, 'out'))).toContain('dev-etcd-1.ign');
    expect(readdirSync(cwd)).toEqual(['out']);
  });

  it('--force never replaces a directory this tool did not write (no cluster.yaml of its own): `--out . --force` keeps .git', () => {
    const cwd = tmp();
    mkdirSync(join(cwd, '.git'));
    writeFileSync(join(cwd, '.git', 'HEAD'), 'ref: refs/heads/main\n');
    writeFileSync(join(cwd, 'cluster.yaml'), 'preset: dev\n'); // a cluster.yaml, but not one this tool wrote
    const r = runCli(['--preset', 'dev', '--out', '.', '--force'], { cwd });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      `flatcar-architect: --out: ${cwd} is not empty and not an output of flatcar-architect (no cluster.yaml written by it); it is never replaced, even with --force: choose a new or empty directory\n`,
    );
    expect(readFileSync(join(cwd, '.git', 'HEAD'), 'utf8')).toBe('ref: refs/heads/main\n');
    expect(readdirSync(cwd).sort()).toEqual(['.git', 'cluster.yaml']);
  });

  it('--out a symbolic link: the directory it points to is replaced in place, the link stays', () => {
    const cwd = tmp();
    expect(runCli(['--preset', 'dev', '--out', 'real'], { cwd }).status).toBe(0);
    symlinkSync('real', join(cwd, 'link'));
    const r = runCli(['--preset', 'dev', '--size', '3', '--out', 'link', '--force'], { cwd });
    expect(r.status, r.stderr).toBe(0);
    expect(lstatSync(join(cwd, 'link')).isSymbolicLink()).toBe(true);
    expect(readdirSync(join(cwd, 'real'))).toContain('dev-worker-2.ign');
    expect(readdirSync(cwd).sort()).toEqual(['link', 'real']);
    symlinkSync('nowhere', join(cwd, 'dangling'));
    const d = runCli(['--preset', 'dev', '--out', 'dangling'], { cwd });
    expect(d.status).toBe(2);
    expect(d.stderr).toMatch(/^flatcar-architect: --out: .*dangling is a symbolic link to a missing directory; create its target or give the directory itself\n$/);
  });

  it('--force over configs whose pki/ is gone refuses to make a new CA; --rotate-pki makes one', () => {
    const cwd = tmp();
    expect(runCli(['--preset', 'dev', '--out', 'c'], { cwd }).status).toBe(0);
    const before = readFileSync(join(cwd, 'c', 'dev-etcd-1.ign'), 'utf8');
    rmSync(join(cwd, 'c', 'pki'), { recursive: true });
    const r = runCli(['--preset', 'dev', '--out', 'c', '--force'], { cwd });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      'flatcar-architect: --out: c has machine configs but no pki/ with the CA they trust; restore its pki/ (or give --pki DIR with that CA), or make a new CA on purpose with --rotate-pki\n',
    );
    expect(readFileSync(join(cwd, 'c', 'dev-etcd-1.ign'), 'utf8')).toBe(before);
    expect(runCli(['--preset', 'dev', '--out', 'c', '--force', '--rotate-pki'], { cwd }).status).toBe(0);
    expect(existsSync(join(cwd, 'c', 'pki', 'ca-key.pem'))).toBe(true);
  });

  it('--rotate-pki --force keeps the previous pki/ beside DIR (0700) and says where', () => {
    const cwd = tmp();
    expect(runCli(['--preset', 'dev', '--out', 'c'], { cwd }).status).toBe(0);
    const oldKey = readFileSync(join(cwd, 'c', 'pki', 'ca-key.pem'), 'utf8');
    const r = runCli(['--preset', 'dev', '--out', 'c', '--force', '--rotate-pki'], { cwd });
    expect(r.status, r.stderr).toBe(0);
    const m = /^PKI: the previous pki\/ is kept in (c\.previous-pki\/[0-9TZ-]+)\/ \(0700; remove it once no machine uses that CA\)$/m.exec(r.stdout);
    expect(m, r.stdout).not.toBeNull();
    expect(readFileSync(join(cwd, m![1]!, 'ca-key.pem'), 'utf8')).toBe(oldKey);
    expect(modeOf(join(cwd, 'c.previous-pki'))).toBe('700');
    expect(modeOf(join(cwd, m![1]!))).toBe('700');
    // A run that keeps the CA and every certificate keeps no copy.
    const again = runCli(['--preset', 'dev', '--out', 'c', '--force'], { cwd });
    expect(again.stdout).not.toContain('previous pki');
    expect(readdirSync(join(cwd, 'c.previous-pki'))).toHaveLength(1);
  });

  it('an expired or not yet valid CA in DIR: one line naming --rotate-pki, nothing written', async () => {
    const cwd = tmp();
    expect(runCli(['--preset', 'dev', '--out', 'c'], { cwd }).status).toBe(0);
    const input = { clusterName: 'dev', etcdMembers: [{ name: 'etcd-1', address: '10.0.0.101' }], etcdProxies: ['worker-1'] };
    const req = clusterSecretsRequest({ ...input, certValidityDays: 10 });
    for (const [now, says] of [
      [new Date('2001-01-01T00:00:00Z'), /the existing CA expired on 2001-02-10T00:00:00.000Z; make a new PKI on purpose with --rotate-pki$/],
      [
        new Date(Date.now() + 30 * 86_400_000),
        /the existing CA is not valid before .*\(is this computer's clock right\?\); no machine would trust it yet: make a new PKI on purpose with --rotate-pki$/,
      ],
    ] as const) {
      const odd = await planSecrets({ ...req, now, ca: { ...req.ca, validityDays: 40 } }, null);
      rmSync(join(cwd, 'c', 'pki'), { recursive: true });
      saveBundle(join(cwd, 'c', 'pki'), odd.bundle);
      const before = filesOf(join(cwd, 'c'));
      const r = runCli(['--preset', 'dev', '--out', 'c', '--force'], { cwd });
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`^flatcar-architect: ${says.source.replace(/\$$/, '')}\n$`));
      expect(filesOf(join(cwd, 'c'))).toEqual(before);
    }
  });

  it('--matchbox equal to, inside or around --out is refused before anything is written', () => {
    const cwd = tmp();
    expect(runCli(['--preset', 'small', '--mac-prefix', '52:54:00', '--out', 'c1'], { cwd }).status).toBe(0);
    const before = filesOf(join(cwd, 'c1'));
    for (const [out, mb] of [
      ['c1', 'c1'],
      ['c1', 'c1/mb'],
      ['c1/inner', 'c1'],
      ['c1', '.'],
    ]) {
      const r = runCli(['--preset', 'small', '--mac-prefix', '52:54:00', '--out', out!, '--matchbox', mb!, '--force'], { cwd });
      expect(r.status, `${out} ${mb}`).toBe(2);
      expect(r.stderr).toBe(
        `flatcar-architect: --matchbox: ${mb} is the output directory, inside it or around it; writing one would destroy the other: give a separate directory\n`,
      );
    }
    expect(filesOf(join(cwd, 'c1'))).toEqual(before);
    // Through a symbolic link too.
    symlinkSync('c1', join(cwd, 'alias'));
    const r = runCli(['--preset', 'small', '--mac-prefix', '52:54:00', '--out', 'c1', '--matchbox', 'alias/mb', '--force'], { cwd });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^flatcar-architect: --matchbox: alias\/mb is the output directory, inside it or around it/);
    expect(filesOf(join(cwd, 'c1'))).toEqual(before);
  });

  it('an existing empty DIR is used', () => {
    const cwd = tmp();
    mkdirSync(join(cwd, 'empty'));
    expect(runCli(['--preset', 'laptop', '--out', 'empty'], { cwd }).status).toBe(0);
    expect(readdirSync(join(cwd, 'empty'))).toContain('laptop-node-1.ign');
  });

  it('a failed run leaves nothing: a broken template fails before anything is written (exit 1, one line)', () => {
    const cwd = tmp();
    mkdirSync(join(cwd, 'tpl'));
    writeFileSync(join(cwd, 'tpl', 'hostname.hbs'), '- path: /etc/hostname\n  contents:\n    inline: {{q machine.hostname}}\n');
    const r = runCli(['--preset', 'dev', '--templates', 'tpl', '--out', 'out'], { cwd });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`flatcar-architect: template ${cwd}/tpl/hostname.hbs, line 3: missing value "machine.hostname" in {{q machine.hostname}}\n`);
    expect(readdirSync(cwd)).toEqual(['tpl']);
  });
});

describe('--answers cluster.yaml reproduces the output byte for byte', () => {
  it('with many answers given', () => {
    const cwd = tmp();
    writeFileSync(
      join(cwd, 'id.pub'),
      `# my keys\n${KEY}\nssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQDYK2fyDS8K3Cphu2/MBbYfCQavwa1Pv3M7+b+tDKBqXxa0aWA93zLZiX42mKIfiBvS0WrUohooopgC8/2AuAJV37jc2BahKJdLdMaKfiphsKy/ZGsyHX3bJ0iK846t2PinEFz69XneF+QuI6UWFxabslhHPH+3RCZKGJGMLgkmF6yeRH+ZbaAtjhFQfACPzHu+aayA0aFvZQaXZD16N8j4tnug0HdJv9Pj7jUYkkMlDj+5fTyGTltBpCypt4m6LtPENBQJ6V6E0KZ8JFEuNXHg7E7G23VQ+SFm8Ax+1dJhCM02/sArMlJ8M+MGgpsN1PbSmES0f3nUuFSkC2szY4od other: "quoted" #x\n`,
    );
    mkdirSync(join(cwd, 'tpl'));
    writeFileSync(join(cwd, 'tpl', 'hostname.hbs'), '- path: /etc/hostname\n  mode: 0644\n  overwrite: true\n  contents:\n    inline: {{q machine.name}}\n');
    const args = [
      '--preset',
      'production',
      '--size',
      '7',
      '--name',
      'prod',
      '--name-prefix',
      'p-',
      '--network',
      '192.168.50.0/24',
      '--gateway',
      '192.168.50.254',
      '--dns',
      '1.1.1.1,9.9.9.9',
      '--domains',
      'lab.example',
      '--first-address',
      '192.168.50.10',
      '--mac-prefix',
      '52:54:00',
      '--ssh-key',
      'id.pub',
      '--ssh-key',
      KEY,
      '--update-group',
      'beta',
      '--reboot-window-start',
      'Thu 04:00',
      '--reboot-window-length',
      '1h',
      '--etcd-version',
      'v3.5.17',
      '--templates',
      'tpl',
      '--out',
      'first',
    ];
    const first = runCli(args, { cwd });
    expect(first.status, first.stderr).toBe(0);
    expect(first.stderr).toBe('');
    // Another DIR with the first one's PKI (--pki): the same certificates, so the same configs.
    const second = runCli(['--answers', 'first/cluster.yaml', '--out', 'second', '--pki', 'first'], { cwd });
    expect(second.status, second.stderr).toBe(0);
    expect(second.stdout).toMatch(/^PKI: kept the CA of first; reused 17 certificates, issued 0 \(second\/pki\/\)$/m);
    expect(filesOf(join(cwd, 'second'))).toEqual(filesOf(join(cwd, 'first')));
    expect(Object.keys(filesOf(join(cwd, 'first')))).toContain('pki/ca-key.pem');
    const yaml = readFileSync(join(cwd, 'first', 'cluster.yaml'), 'utf8');
    expect(yaml).toContain('macPrefix: 52:54:00');
    expect(yaml).toContain(KEY);
  });

  it('with the defaults into the same DIR (--force keeps its PKI), and flags override the answers file', () => {
    const cwd = tmp();
    expect(runCli(['--preset', 'small'], { cwd }).status).toBe(0);
    const before = filesOf(join(cwd, 'small'));
    const again = runCli(['--answers', 'small/cluster.yaml', '--out', 'small', '--force'], { cwd });
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/^PKI: kept the CA; reused 9 certificates, issued 0 \(small\/pki\/\)$/m);
    expect(filesOf(join(cwd, 'small'))).toEqual(before);
    expect(readdirSync(cwd)).toEqual(['small']);
    // A new DIR without --pki is a new cluster: a new CA.
    expect(runCli(['--answers', 'small/cluster.yaml', '--out', 'again'], { cwd }).status).toBe(0);
    expect(filesOf(join(cwd, 'again'))['pki/ca.pem']).not.toBe(before['pki/ca.pem']);
    expect(filesOf(join(cwd, 'again'))['cluster.yaml']).toBe(before['cluster.yaml']);
    const changed = runCli(['--answers', 'small/cluster.yaml', '--size', '5', '--etcd-size', '5', '--out', 'five'], { cwd });
    expect(changed.status, changed.stderr).toBe(0);
    expect(existsSync(join(cwd, 'five', 'small-node-5.ign'))).toBe(true);
  });

  it('a wrong value in the answers file is reported with the file and key', () => {
    const cwd = tmp();
    writeFileSync(join(cwd, 'a.yaml'), 'preset: production\nsize: 5\netcd:\n  size: 4\n');
    const r = runCli(['--answers', 'a.yaml'], { cwd });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('flatcar-architect: a.yaml:4:3 etcd.size: production runs 3 or 5 etcd machines (got 4)\n');
  });
});

describe('TLS and the PKI on the command line', () => {
  it('--rotate-pki: a new CA and certificates in the same DIR; every config changes', () => {
    const cwd = tmp();
    expect(runCli(['--preset', 'dev', '--size', '2'], { cwd }).status).toBe(0);
    const before = filesOf(join(cwd, 'dev'));
    const r = runCli(['--preset', 'dev', '--size', '2', '--out', 'dev', '--force', '--rotate-pki'], { cwd });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^PKI: rotated: a new CA and 3 certificates in dev\/pki\/ .*every machine needs its new config$/m);
    const after = filesOf(join(cwd, 'dev'));
    for (const f of ['pki/ca.pem', 'pki/ca-key.pem', 'dev-etcd-1.ign', 'dev-worker-1.ign']) expect(after[f], f).not.toBe(before[f]);
    expect(after['cluster.yaml']).toBe(before['cluster.yaml']);
  });

  it('a broken PKI in DIR stops a --force run (exit 2, one line) and leaves DIR as it was', () => {
    const cwd = tmp();
    expect(runCli(['--preset', 'dev', '--size', '2'], { cwd }).status).toBe(0);
    writeFileSync(join(cwd, 'dev', 'pki', 'ca-key.pem'), 'not a key\n');
    const before = filesOf(join(cwd, 'dev'));
    const r = runCli(['--preset', 'dev', '--size', '2', '--out', 'dev', '--force'], { cwd });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^flatcar-architect: --out: the existing PKI cannot be used: .*\/dev\/pki\/ca-key.pem: not a PEM private key .*--rotate-pki.*\n$/);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(filesOf(join(cwd, 'dev'))).toEqual(before);
    expect(readdirSync(cwd)).toEqual(['dev']);
  });

  it('--insecure: plain http etcd, recorded in cluster.yaml, a loud warning on stderr and in SUMMARY.md, no PKI', () => {
    const cwd = tmp();
    const r = runCli(['--preset', 'dev', '--size', '2', '--ssh-key', KEY, '--insecure', '--interface', 'eth0'], { cwd });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^WARNING: --insecure: etcd TLS is off: /);
    expect(readFileSync(join(cwd, 'dev', 'cluster.yaml'), 'utf8')).toContain('security:\n  etcdTls: false\n');
    expect(readFileSync(join(cwd, 'dev', 'SUMMARY.md'), 'utf8')).toContain('**WARNING: etcd runs without TLS (--insecure).**');
    expect(readdirSync(join(cwd, 'dev'))).not.toContain('pki');
    expect(readFileSync(join(cwd, 'dev', 'dev-worker-1.bu'), 'utf8')).toContain('--endpoints=http://10.0.0.101:2379');
    const replay = runCli(['--answers', 'dev/cluster.yaml', '--out', 'again'], { cwd });
    expect(replay.status).toBe(0);
    expect(filesOf(join(cwd, 'again'))).toEqual(filesOf(join(cwd, 'dev')));
  });

  it('laptop: docker-client/ and the DOCKER_* lines by default; --docker-insecure gives plain 2375 with a loud warning', () => {
    const cwd = tmp();
    const r = runCli(['--preset', 'laptop', '--ssh-key', KEY, '--out', 'vm'], { cwd });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('Docker client certificates: vm/docker-client/');
    expect(readdirSync(join(cwd, 'vm', 'docker-client')).sort()).toEqual(['ca.pem', 'cert.pem', 'key.pem']);
    expect(modeOf(join(cwd, 'vm', 'docker-client', 'key.pem'))).toBe('600');
    expect(readFileSync(join(cwd, 'vm', 'SUMMARY.md'), 'utf8')).toContain(
      `export DOCKER_HOST=tcp://localhost:2376 DOCKER_TLS_VERIFY=1 DOCKER_CERT_PATH=${join(cwd, 'vm')}/docker-client`,
    );
    const plain = runCli(['--preset', 'laptop', '--ssh-key', KEY, '--out', 'plain', '--docker-insecure'], { cwd });
    expect(plain.status).toBe(0);
    expect(plain.stderr).toBe('WARNING: --docker-insecure: the Docker API listens on plain TCP port 2375 without TLS: anyone who can reach that port is root on the VM\n');
    expect(readdirSync(join(cwd, 'plain')).sort()).toEqual(['SUMMARY.md', 'cluster.yaml', 'laptop-node-1.bu', 'laptop-node-1.ign', 'topology.svg']);
    expect(readFileSync(join(cwd, 'plain', 'cluster.yaml'), 'utf8')).toContain('security:\n  dockerTls: false\n');
    expect(readFileSync(join(cwd, 'plain', 'SUMMARY.md'), 'utf8')).toContain('**WARNING: the Docker API listens on plain TCP port 2375 without TLS (--docker-insecure).**');
  });
});

describe('the rest of the command line', () => {
  it('--ssh-key refuses a private key', () => {
    const cwd = tmp();
    writeFileSync(join(cwd, 'id'), '-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n-----END OPENSSH PRIVATE KEY-----\n');
    const r = runCli(['--preset', 'dev', '--ssh-key', 'id'], { cwd });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('flatcar-architect: --ssh-key: id is a private key; give the public key (id.pub) instead\n');
  });

  it('--help describes every flag', () => {
    const r = runCli(['--help']);
    expect(r.status).toBe(0);
    for (const flag of [
      '--preset',
      '--size',
      '--etcd-size',
      '--name ',
      '--name-prefix',
      '--out',
      '--force',
      '--network',
      '--gateway',
      '--dns',
      '--domains',
      '--first-address',
      '--interface',
      '--mac-prefix',
      '--dhcp',
      '--discovery',
      '--ssh-key',
      '--update-group',
      '--reboot-strategy',
      '--reboot-window-start',
      '--reboot-window-length',
      '--etcd-version',
      '--templates',
      '--answers',
      '--insecure',
      '--docker-insecure',
      '--pki',
      '--rotate-pki',
    ]) {
      expect(r.stdout).toContain(flag);
    }
  });

  it("--version prints package.json's version", () => {
    const r = runCli(['--version']);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`${(JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version}\n`);
  });

  it('a reader that closes its end early (| head) ends the run quietly: no EPIPE stack trace', async () => {
    const child = spawn(process.execPath, [cliPath, '--help'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy(); // closed before the CLI has started, so its first write meets EPIPE
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((done) => child.on('close', done));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });

  it('transpile still works next to the default command', () => {
    const r = runCli(['transpile', '-'], { input: 'variant: flatcar\nversion: 1.0.0\n' });
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).ignition.version).toBe('3.3.0');
  });
});

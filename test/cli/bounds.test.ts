/**
 * Issue 18, everything but `transpile`: bounded input (size limits, regular files only, FIFOs and
 * devices refused at once, an alias budget), values in error lines (escaped, at most ~80 characters),
 * --ssh-key files never echoed, --matchbox-url, snippets that would change generated units, snippet
 * findings blamed on the snippet, and addresses no host can have (flags, answers, pins, the wizard).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run.js';
import { cliPath } from '../helpers/paths.js';
import { tempDirs } from '../helpers/tmp.js';
import { validator, type WizardContext } from '../../src/wizard/context.js';

const tmp = tempDirs('fa-bounds-');
const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBdFcBl4tZ0nWqfXzXcAxVSBSrGSJq2SXxGZQ2qU0+kL test';

/** One line on stderr, exit 2, nothing written, no stack trace. */
function expectOneLine(r: ReturnType<typeof runCli>, cwd: string, pattern: RegExp, code = 2): void {
  expect(r.status, r.stderr).toBe(code);
  expect(r.stderr).toMatch(pattern);
  expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(1);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(r.stdout).toBe('');
  expect(readdirSync(cwd).filter((e) => !['in', 'big.yaml', 'keys.pub', 'fifo', 'tpl', 'a.yaml', 'bomb.yaml', 'snip.bu', 'big.bu'].includes(e))).toEqual([]);
}

describe('bounded input: regular files within a size limit named in the message', () => {
  it('--answers a FIFO without a writer, /dev/zero: refused at once', () => {
    const cwd = tmp();
    execFileSync('mkfifo', [join(cwd, 'fifo')]);
    const t0 = Date.now();
    expectOneLine(runCli(['--answers', 'fifo'], { cwd }), cwd, /^flatcar-architect: --answers: fifo is a FIFO \(named pipe\); give a regular file\n$/);
    expectOneLine(runCli(['--answers', '/dev/zero'], { cwd }), cwd, /^flatcar-architect: --answers: \/dev\/zero is a device; give a regular file\n$/);
    expectOneLine(runCli(['--preset', 'dev', '--ssh-key', '/dev/zero'], { cwd }), cwd, /^flatcar-architect: --ssh-key: \/dev\/zero is a device; give a regular file\n$/);
    expectOneLine(runCli(['--preset', 'dev', '--ssh-key', 'fifo'], { cwd }), cwd, /^flatcar-architect: --ssh-key: fifo is a FIFO \(named pipe\); give a regular file\n$/);
    expect(Date.now() - t0).toBeLessThan(50_000); // (the spawn timeout is 60 s: a hang fails above)
  });

  it('answers files, standard input, SSH key files, snippets and templates: the limit is in the message', () => {
    const cwd = tmp();
    writeFileSync(join(cwd, 'big.yaml'), `preset: dev\n# ${'x'.repeat(4 * 1024 * 1024)}\n`);
    expectOneLine(runCli(['--answers', 'big.yaml'], { cwd }), cwd, /^flatcar-architect: --answers: big\.yaml is larger than the limit of 4 MiB \(\d+ bytes\)\n$/);
    expectOneLine(
      runCli(['--answers', '-'], { cwd, input: readFileSync(join(cwd, 'big.yaml'), 'utf8') }),
      cwd,
      /^flatcar-architect: --answers: standard input is larger than the limit of 4 MiB\n$/,
    );
    writeFileSync(join(cwd, 'keys.pub'), `${KEY}\n`.repeat(20_000));
    expectOneLine(
      runCli(['--preset', 'dev', '--ssh-key', 'keys.pub'], { cwd }),
      cwd,
      /^flatcar-architect: --ssh-key: keys\.pub is larger than the limit of 1 MiB \(\d+ bytes\)\n$/,
    );
    writeFileSync(join(cwd, 'big.bu'), `variant: flatcar\nversion: 1.0.0\n# ${'x'.repeat(4 * 1024 * 1024)}\n`);
    expectOneLine(runCli(['--preset', 'dev', '--snippet', 'all=big.bu'], { cwd }), cwd, /^flatcar-architect: snippet big\.bu is larger than the limit of 4 MiB \(\d+ bytes\)\n$/);
    mkdirSync(join(cwd, 'tpl'));
    writeFileSync(join(cwd, 'tpl', 'hostname.hbs'), `# ${'x'.repeat(1024 * 1024)}\n`);
    expectOneLine(
      runCli(['--preset', 'dev', '--templates', 'tpl'], { cwd }),
      cwd,
      /^flatcar-architect: --templates: .*tpl\/hostname\.hbs is larger than the limit of 1 MiB \(\d+ bytes\)\n$/,
    );
  });

  it('an answers-file alias bomb: one line, exit 2, no stack trace (also with --json)', () => {
    const cwd = tmp();
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x]', ...'bcdefghi'.split('').map((c, i) => `${c}: &${c} [${Array(9).fill(`*${'abcdefghi'[i]}`).join(', ')}]`)].join('\n') + '\n';
    writeFileSync(join(cwd, 'bomb.yaml'), bomb);
    expect(bomb.length).toBeLessThan(500);
    expectOneLine(runCli(['--answers', 'bomb.yaml'], { cwd }), cwd, /^flatcar-architect: bomb\.yaml:1:1 too many alias expansions \(more than 100\); write the values out\n$/);
    const json = runCli(['--answers', 'bomb.yaml', '--json'], { cwd });
    expect(json.status).toBe(2);
    expect(JSON.parse(json.stderr).error.code).toBe('answers_syntax');
    // A few aliases are fine.
    writeFileSync(join(cwd, 'a.yaml'), 'preset: dev\nnetwork:\n  dns: &d [1.1.1.1]\n  domains: [lan]\n');
    expect(runCli(['--answers', 'a.yaml', '--dry-run'], { cwd }).status).toBe(0);
  });
});

describe('values in error lines', () => {
  it('bidi overrides and zero-width characters are escaped; a long value is cut at 80 characters with its length', () => {
    const cwd = tmp();
    const r = runCli(['--preset', 'dev', '--name', 'ab\u202ecd\u200bef\u2066'], { cwd });
    expectOneLine(r, cwd, /^flatcar-architect: --name: .*\(got "ab\\u202ecd\\u200bef\\u2066"\)\n$/);
    const long = runCli(['--preset', 'dev', '--update-group', 'x'.repeat(100_000)], { cwd });
    expectOneLine(long, cwd, new RegExp(`^flatcar-architect: --update-group: .*\\(got "${'x'.repeat(80)}\\.\\.\\." \\(100000 characters\\)\\)\\n$`));
    expect(long.stderr.length).toBeLessThan(400);
  });

  it('a 3 MB value in an answers file is not echoed in full', () => {
    const cwd = tmp();
    writeFileSync(join(cwd, 'a.yaml'), `preset: dev\nname: "${'N'.repeat(3_000_000)}"\n`);
    const r = runCli(['--answers', 'a.yaml'], { cwd });
    expect(r.status).toBe(2);
    expect(r.stderr.length).toBeLessThan(600);
    expect(r.stderr).toMatch(/^flatcar-architect: a\.yaml:2:1 name: /);
  });

  it('--ssh-key files never echo their content: a line that is not a key is named by its number', () => {
    const cwd = tmp();
    writeFileSync(join(cwd, 'keys.pub'), `${KEY}\nAWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n`);
    const r = runCli(['--preset', 'dev', '--ssh-key', 'keys.pub'], { cwd });
    expectOneLine(r, cwd, /^flatcar-architect: --ssh-key: keys\.pub line 2: not an OpenSSH public key line like "ssh-ed25519 AAAA\.\.\. you@host"\n$/);
    expect(r.stderr).not.toContain('wJalr');
    expect(r.stderr).not.toContain('AWS');
  });
});

describe('--matchbox-url: an http(s) URL, nothing that reaches the kernel command line as another argument', () => {
  const bad = [
    'http://10.0.0.1:8080 init=/bin/sh rd.break',
    'http://10.0.0.1:8080\ninit=/bin/sh',
    'http://10.0.0.1:8080\tx',
    'file:///etc/shadow',
    'javascript:alert(1)',
    'ftp://matchbox.lan',
    'http://matchbox.lan/?x=1',
    'http://matchbox.lan/#x',
    'http://user:pw@matchbox.lan',
    'matchbox.lan:8080',
    'http://"x"',
  ];
  it.each(bad)('refuses %j with one line, writing nothing', (url) => {
    const cwd = tmp();
    const r = runCli(['--preset', 'small', '--mac-prefix', '52:54:00', '--matchbox', 'mb', '--matchbox-url', url], { cwd });
    expectOneLine(
      r,
      cwd,
      /^flatcar-architect: --matchbox-url: must be an http:\/\/ or https:\/\/ URL like http:\/\/matchbox\.lan:8080, without spaces, control characters, quotes, query or fragment \(got .*\)\n$/,
    );
  });

  it('accepts a plain URL and puts exactly it into the profiles', () => {
    const cwd = tmp();
    const r = runCli(['--preset', 'small', '--mac-prefix', '52:54:00', '--matchbox', 'mb', '--matchbox-url', 'https://matchbox.lan:8443/base/'], { cwd });
    expect(r.status, r.stderr).toBe(0);
    // The install stage boots the PXE image with the URL; the installed stage boots from disk.
    const profile = JSON.parse(readFileSync(join(cwd, 'mb', 'profiles', 'small-node-1-install.json'), 'utf8'));
    expect(profile.boot.args).toContain('ignition.config.url=https://matchbox.lan:8443/base/ignition?uuid=${uuid}&mac=${mac:hexhyp}');
    expect(profile.boot.args).toHaveLength(5);
    // Each machine's Ignition in ignition/ is the one written to the cluster directory.
    expect(readFileSync(join(cwd, 'mb', 'ignition', 'small-node-1.ign'), 'utf8')).toBe(readFileSync(join(cwd, 'small', 'small-node-1.ign'), 'utf8'));
    expect(readFileSync(join(cwd, 'small', 'small-node-1.ign'), 'utf8')).toMatch(/^\{/);
  });
});

describe('snippets', () => {
  const dropin = (env: string) =>
    `variant: flatcar\nversion: 1.0.0\nsystemd:\n  units:\n    - name: etcd-member.service\n      dropins:\n        - name: 50-mine.conf\n          contents: |\n            [Service]\n            ${env}\n`;

  it('a storage file that would replace a generated unit is refused, naming the snippet line; --allow-snippet-overrides allows it', () => {
    const cwd = tmp();
    for (const path of [
      '/etc/systemd/system/etcd-member.service',
      '/etc/systemd/system/etcd-member.service.d/90-x.conf',
      '/etc/systemd/system.control/etcd-member.service',
      '/run/systemd/system/etcd-member.service',
    ]) {
      writeFileSync(
        join(cwd, 'snip.bu'),
        `variant: flatcar\nversion: 1.0.0\nstorage:\n  files:\n    - path: ${path}\n      contents:\n        inline: "[Service]\\nExecStart=/bin/true\\n"\n`,
      );
      const r = runCli(['--preset', 'dev', '--snippet', 'etcd=snip.bu', '--json'], { cwd });
      expect(r.status, path).toBe(2);
      const error = JSON.parse(r.stderr).error;
      expect(error.code).toBe('snippet_invalid');
      expect(error.message).toMatch(
        /^snippet snip\.bu:5:7 storage\.files\[0\]: .* would replace or reconfigure etcd-member\.service, a unit of the generated dev-etcd-1\.bu; snippets may not change generated units \(--allow-snippet-overrides allows it\)$/,
      );
    }
    // Not normalised: Butane itself refuses the path (and so no route around the check is left).
    writeFileSync(join(cwd, 'snip.bu'), `variant: flatcar\nversion: 1.0.0\nstorage:\n  links:\n    - path: /etc/systemd/system//etcd-member.service\n      target: /dev/null\n`);
    const odd = runCli(['--preset', 'dev', '--snippet', 'etcd=snip.bu', '--json'], { cwd });
    expect(JSON.parse(odd.stderr).error.code).toBe('snippet_invalid');
    writeFileSync(
      join(cwd, 'snip.bu'),
      `variant: flatcar\nversion: 1.0.0\nstorage:\n  files:\n    - path: /run/systemd/system/etcd-member.service\n      contents:\n        inline: "[Service]\\nExecStart=/bin/true\\n"\n`,
    );
    const ok = runCli(['--preset', 'dev', '--snippet', 'etcd=snip.bu', '--allow-snippet-overrides', '--out', 'c'], { cwd });
    expect(ok.status, ok.stderr).toBe(0);
    expect(readFileSync(join(cwd, 'c', 'dev-etcd-1.bu'), 'utf8')).toContain('path: /run/systemd/system/etcd-member.service');
  });

  it('a drop-in that turns off ETCD_CLIENT_CERT_AUTH (or replaces ExecStart) is refused; a harmless one merges', () => {
    const cwd = tmp();
    for (const env of ['Environment=ETCD_CLIENT_CERT_AUTH=false', 'Environment="ETCD_LISTEN_CLIENT_URLS=http://0.0.0.0:2379"', 'ExecStart=', 'EnvironmentFile=/etc/mine.env']) {
      writeFileSync(join(cwd, 'snip.bu'), dropin(env));
      const r = runCli(['--preset', 'dev', '--snippet', 'etcd=snip.bu'], { cwd });
      expectOneLine(
        r,
        cwd,
        /^flatcar-architect: snippet snip\.bu:7:11 systemd\.units\[0\]\.dropins\[0\]: drop-in 50-mine\.conf of etcd-member\.service \(a generated unit\) sets .*, which decides its TLS and security; not allowed without --allow-snippet-overrides\n$/,
      );
    }
    writeFileSync(join(cwd, 'snip.bu'), dropin('Environment=ETCD_QUOTA_BACKEND_BYTES=8589934592'));
    const ok = runCli(['--preset', 'dev', '--snippet', 'etcd=snip.bu', '--out', 'c'], { cwd });
    expect(ok.status, ok.stderr).toBe(0);
    expect(readFileSync(join(cwd, 'c', 'dev-etcd-1.bu'), 'utf8')).toContain('ETCD_QUOTA_BACKEND_BYTES=8589934592');
  });

  it('a snippet that is not valid Butane is snippet_invalid with the snippet file:line, not a template error', () => {
    const cwd = tmp();
    writeFileSync(join(cwd, 'snip.bu'), 'variant: flatcar\nversion: 1.0.0\nstorage:\n  files:\n    - path: relative/path\n      mode: 0644\n');
    const r = runCli(['--preset', 'dev', '--snippet', 'all=snip.bu', '--json'], { cwd });
    expect(r.status).toBe(2);
    const error = JSON.parse(r.stderr).error;
    expect(error.code).toBe('snippet_invalid');
    expect(error.message).toMatch(/^snippet snip\.bu:5:\d+ is not valid Butane: error at \$\.storage\.files\.0\.path: /);
    expect(error.message).not.toMatch(/template/);
  });
});

describe('addresses no host can have', () => {
  const cases: [string, RegExp][] = [
    ['224.0.0.0/24', /is multicast \(224\.0\.0\.0\/4\)/],
    ['127.0.0.0/8', /is loopback \(127\.0\.0\.0\/8\)/],
    ['169.254.0.0/16', /is link-local \(169\.254\.0\.0\/16\)/],
    ['255.255.255.0/24', /is reserved \(240\.0\.0\.0\/4, with the broadcast address 255\.255\.255\.255\)/],
    ['0.0.0.0/8', /is "this network" \(0\.0\.0\.0\/8\)/],
    ['240.1.0.0/16', /is reserved \(240\.0\.0\.0\/4, with the broadcast address 255\.255\.255\.255\)/],
  ];
  it.each(cases)('--network %s is refused with the reason', (net, why) => {
    const cwd = tmp();
    const r = runCli(['--preset', 'dev', '--network', net], { cwd });
    expectOneLine(r, cwd, new RegExp(`^flatcar-architect: --network: ${net.replace(/\./g, '\\.')} ${why.source}: no machine can have an address there\\n$`));
  });

  it('in an answers file (with its line), for DNS servers and pinned addresses too; link-local DNS is allowed', () => {
    const cwd = tmp();
    writeFileSync(join(cwd, 'a.yaml'), 'preset: dev\nnetwork:\n  cidr: 224.0.0.0/24\n');
    expectOneLine(
      runCli(['--answers', 'a.yaml'], { cwd }),
      cwd,
      /^flatcar-architect: a\.yaml:3:3 network\.cidr: 224\.0\.0\.0\/24 is multicast \(224\.0\.0\.0\/4\): no machine can have an address there\n$/,
    );
    expectOneLine(
      runCli(['--preset', 'dev', '--dns', '127.0.0.53'], { cwd }),
      cwd,
      /^flatcar-architect: --dns: 127\.0\.0\.53 is loopback \(127\.0\.0\.0\/8\): it cannot be a DNS server's address\n$/,
    );
    expect(runCli(['--preset', 'dev', '--dns', '169.254.169.253', '--dry-run'], { cwd }).status).toBe(0);
    writeFileSync(join(cwd, 'a.yaml'), 'preset: dev\nnetwork:\n  cidr: 169.0.0.0/8\n');
    expectOneLine(runCli(['--answers', 'a.yaml'], { cwd }), cwd, /network\.cidr: 169\.0\.0\.0\/8 holds link-local \(169\.254\.0\.0\/16\): no machine can have an address there\n$/);
  });

  it('the wizard asks again with the same reason', () => {
    const ctx = { given: { preset: 'dev' }, answers: {}, outGiven: false, prompts: {} as WizardContext['prompts'], print: () => {}, home: '/nonexistent' } as WizardContext;
    expect(validator(ctx, 'network.cidr')('224.0.0.0/24')).toBe('224.0.0.0/24 is multicast (224.0.0.0/4): no machine can have an address there');
    expect(validator(ctx, 'network.cidr')('10.1.0.0/24')).toBe(true);
    expect(existsSync('/nonexistent')).toBe(false);
  });
});

describe('found in review: one line, bounded, nothing made', () => {
  it('transpile with an unreadable standard input (a directory): one line, exit 2, no stack trace', () => {
    const cwd = tmp();
    for (const redirect of ['< /']) {
      const r = spawnSync('sh', ['-c', `exec "$0" "$1" transpile ${redirect}`, process.execPath, cliPath], { cwd, encoding: 'utf8', timeout: 60_000 });
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/^flatcar-architect: cannot read standard input: E[A-Z]+\n$/);
    }
  });

  it('deliver --timeout beyond a day is refused before anything runs', () => {
    const cwd = tmp();
    // On loopback addresses (test-only hook): were the limit missing, ssh would only meet a closed local port.
    const env = { FLATCAR_ARCHITECT_TEST_LOOPBACK_NETWORKS: '1' };
    expect(runCli(['--preset', 'dev', '--secrets', 'ssh', '--network', '127.77.0.0/24', '--out', 'c'], { cwd, env }).status).toBe(0);
    const r = runCli(['deliver', 'c', '--timeout', '3000000', '--port', '1'], { cwd, env });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^flatcar-architect: --timeout: at most 86400 seconds \(a day\) per machine \(got 3000000\)\n$/);
  });

  it('scale or replace of a mistyped DIR makes no directories', () => {
    const cwd = tmp();
    for (const args of [
      ['scale', 'typo/sub/prod', '--size', '5'],
      ['replace', 'typo/sub/prod', 'x-etcd-1'],
    ]) {
      const r = runCli(args, { cwd });
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(1);
      expect(existsSync(join(cwd, 'typo'))).toBe(false);
    }
  });

  it('--matchbox with --insecure (no keys) or a laptop answers file: written, no --secrets error', () => {
    const cwd = tmp();
    const insecure = runCli(['--preset', 'small', '--insecure', '--mac-prefix', '52:54:00', '--matchbox', 'mb', '--out', 's'], { cwd });
    expect(insecure.status, insecure.stderr).toBe(0);
    writeFileSync(join(cwd, 'laptop.yaml'), 'preset: laptop\nnetwork: { macPrefix: "52:54:00", dhcp: true }\n');
    const laptop = runCli(['--answers', 'laptop.yaml', '--mac-prefix', '52:54:00', '--matchbox', 'mb2', '--out', 'l'], { cwd });
    expect(laptop.stderr).not.toMatch(/--secrets/);
    // The default keeps keys out of served configs when there are keys.
    const tls = runCli(['--preset', 'small', '--mac-prefix', '52:54:00', '--matchbox', 'mb3', '--out', 't'], { cwd });
    expect(tls.status, tls.stderr).toBe(0);
    expect(readFileSync(join(cwd, 't', 'cluster.yaml'), 'utf8')).toMatch(/secrets: ssh/);
  });
});

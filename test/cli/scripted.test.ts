/** Issue 7 through the built CLI: schema, plan, --dry-run, --json, --machine --stdout, snippets, positions, exit codes. */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { answersSchemaText } from '../../src/answers/definition.js';
import { runCli } from '../helpers/run.js';
import { repoRoot } from '../helpers/paths.js';
import { tempDirs } from '../helpers/tmp.js';

const tmp = tempDirs('fa-scripted-');

describe('flatcar-architect schema', () => {
  it('prints the published schema', () => {
    const r = runCli(['schema']);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(answersSchemaText());
    expect(r.stdout).toBe(readFileSync(join(repoRoot, 'schema', 'answers.schema.json'), 'utf8'));
  });
});

describe('plan and --dry-run write nothing', () => {
  it('plan prints the table', () => {
    const cwd = tmp();
    const r = runCli(['plan', '--preset', 'production', '--size', '5', '--name', 'p', '--mac-prefix', '52:54:00'], { cwd });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('Plan of the p cluster (production, 5 machines); nothing was written.');
    expect(r.stdout).toMatch(/^ {2}p-worker-2 +worker +10\.0\.0\.105 +52:54:00:00:00:69 +p-worker-2\.bu p-worker-2\.ign$/m);
    expect(r.stdout).toContain('Boot order:\n  1. p-etcd-1, p-etcd-2, p-etcd-3: first, together');
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('--dry-run --json: one JSON document', () => {
    const cwd = tmp();
    const r = runCli(['--preset', 'small', '--dry-run', '--json'], { cwd });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    const report = JSON.parse(r.stdout) as { dryRun: boolean; machines: { name: string; role: string }[]; outputDir: string };
    expect(report.dryRun).toBe(true);
    expect(report.outputDir).toBe(join(cwd, 'small'));
    expect(report.machines.map((m) => m.role)).toEqual(['etcd', 'etcd', 'etcd']);
    expect(readdirSync(cwd)).toEqual([]);
  });
});

describe('--json', () => {
  it('success: exactly one JSON document on stdout, nothing on stderr', () => {
    const cwd = tmp();
    const r = runCli(['--preset', 'dev', '--insecure', '--json', '--out', 'o'], { cwd });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    const report = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(Object.keys(report)).toEqual(['cluster', 'preset', 'dryRun', 'outputDir', 'machines', 'files', 'bootOrder', 'etcd', 'matchbox', 'certificates', 'warnings']);
    // Warnings are objects: a stable code and the text.
    expect(report.warnings).toEqual([
      { code: 'glob-interface', message: expect.stringMatching(/^--interface "en\* eth\*": /) },
      { code: 'etcd-insecure', message: expect.stringMatching(/^--insecure: etcd TLS is off/) },
      { code: 'no-ssh-key', message: 'no SSH key given (--ssh-key): nobody can log in to the machines over SSH' },
    ]);
    expect(existsSync(join(cwd, 'o', 'dev-worker-1.ign'))).toBe(true);
  });

  it('failure: one JSON error object on stderr with code, message, field; nothing on stdout', () => {
    const cwd = tmp();
    const r = runCli(['--preset', 'dev', '--gateway', '10.1.0.1', '--json'], { cwd });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(JSON.parse(r.stderr)).toEqual({
      error: {
        code: 'spec_invalid',
        message: '--gateway: 10.1.0.1 is not a host address of 10.0.0.0/24',
        field: 'network.gateway',
        problems: [{ field: 'network.gateway', message: '10.1.0.1 is not a host address of 10.0.0.0/24', flag: '--gateway' }],
      },
    });
    const bad = runCli(['--preset', 'dev', '--format', 'xml', '--json'], { cwd });
    expect(bad.status).toBe(2);
    expect(JSON.parse(bad.stderr).error.code).toBe('usage');
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('a template that breaks is exit 1 with code template_error', () => {
    const cwd = tmp();
    mkdirSync(join(cwd, 'tpl'));
    writeFileSync(join(cwd, 'tpl', 'hostname.hbs'), '- path: /etc/hostname\n  contents:\n    inline: {{q machine.hostname}}\n');
    const r = runCli(['--preset', 'dev', '--templates', 'tpl', '--json'], { cwd });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(JSON.parse(r.stderr).error.code).toBe('template_error');
  });
});

describe('answers files: positions and stdin', () => {
  it('a semantic problem from the file is named with file:line:col', () => {
    const cwd = tmp();
    writeFileSync(join(cwd, 'a.yaml'), 'preset: production\nsize: 5\netcd:\n  size: 4\n');
    const r = runCli(['--answers', 'a.yaml'], { cwd });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('flatcar-architect: a.yaml:4:3 etcd.size: production runs 3 or 5 etcd machines (got 4)\n');
  });

  it('a pin problem too', () => {
    const cwd = tmp();
    writeFileSync(join(cwd, 'a.yaml'), 'preset: dev\nname: d\nmachines:\n  - planned: d-etcd-1\n    address: 10.0.0.1\n');
    const r = runCli(['--answers', 'a.yaml'], { cwd });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('flatcar-architect: a.yaml:5:5 machines[0].address: 10.0.0.1 is the gateway\n');
  });

  it('structural problems, every one, one line each', () => {
    const r = runCli(['--answers', '-'], { input: 'preset: dev\nsise: 3\nnetwork:\n  gateway: 10.0.0.300\n' });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      'flatcar-architect: <stdin>:2:1 sise: unknown key; did you mean size?\nflatcar-architect: <stdin>:4:3 network.gateway: 10.0.0.300 is not an IPv4 address\n',
    );
  });
});

describe('--machine NAME --stdout', () => {
  it("prints the machine's Ignition (default) or Butane, writes nothing", () => {
    const cwd = tmp();
    const ign = runCli(['--preset', 'laptop', '--docker-insecure', '--machine', 'laptop-node-1', '--stdout'], { cwd });
    expect(ign.status, ign.stderr).toBe(0);
    expect(JSON.parse(ign.stdout).ignition.version).toBe('3.3.0');
    const bu = runCli(['--preset', 'laptop', '--docker-insecure', '--machine', 'laptop-node-1', '--stdout', '--format', 'bu'], { cwd });
    expect(bu.stdout).toMatch(/^variant: flatcar\nversion: 1.0.0\n/);
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('refuses to make a CA for one machine alone (its certificates would fit no other machine)', () => {
    const r = runCli(['--preset', 'dev', '--machine', 'dev-etcd-1', '--stdout'], { cwd: tmp() });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^flatcar-architect: --stdout: this config would hold certificates of a CA made just now/);
  });

  it('bad combinations are usage errors', () => {
    for (const args of [['--stdout'], ['--machine', 'x'], ['--format', 'bu'], ['--matchbox-url', 'http://x']]) {
      const r = runCli(['--preset', 'dev', ...args], { cwd: tmp() });
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stdout).toBe('');
    }
  });
});

describe('--snippet and snippets:', () => {
  it('merges into the role named; a clash names both', () => {
    const cwd = tmp();
    writeFileSync(join(cwd, 'x.bu'), 'variant: flatcar\nversion: 1.0.0\nstorage:\n  directories:\n    - path: /opt/from-snippet\n');
    writeFileSync(join(cwd, 'clash.bu'), 'variant: flatcar\nversion: 1.0.0\nstorage:\n  files:\n    - path: /etc/hostname\n      contents: { inline: x }\n');
    const r = runCli(['--preset', 'dev', '--insecure', '--snippet', 'worker=x.bu', '--out', 'o'], { cwd });
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(join(cwd, 'o', 'dev-worker-1.ign'), 'utf8')).toContain('/opt/from-snippet');
    expect(readFileSync(join(cwd, 'o', 'dev-etcd-1.ign'), 'utf8')).not.toContain('/opt/from-snippet');
    expect(readFileSync(join(cwd, 'o', 'cluster.yaml'), 'utf8')).toContain(`snippets:\n  - target: worker\n    file: ${join(cwd, 'x.bu')}\n`);
    const again = runCli(['--answers', 'o/cluster.yaml', '--out', 'again'], { cwd });
    expect(again.status, again.stderr).toBe(0);
    expect(readFileSync(join(cwd, 'again', 'dev-worker-1.bu'), 'utf8')).toBe(readFileSync(join(cwd, 'o', 'dev-worker-1.bu'), 'utf8'));
    const bad = runCli(['--preset', 'dev', '--insecure', '--snippet', 'all=clash.bu'], { cwd });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toBe('flatcar-architect: snippet clash.bu:5:7 storage.files[0]: path /etc/hostname clashes with the generated dev-etcd-1.bu, which writes it too\n');
  });

  it('snippets: in an answers file are relative to it (examples/dev.yaml)', () => {
    const cwd = tmp();
    const r = runCli(['--answers', join(repoRoot, 'examples', 'dev.yaml'), '--insecure', '--out', 'o', '--json'], { cwd });
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(join(cwd, 'o', 'dev-worker-1.ign'), 'utf8')).toContain('docker-prune.timer');
  });
});

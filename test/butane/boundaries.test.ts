/**
 * `transpile` at its boundaries (issues 13 and 18): what is read (trees, local files, bounded
 * input), what is refused (control characters, devices, FIFOs, alias bombs), where the output goes
 * (`-o -`, write errors as one line), and multi-document input. CLI cases run the built bin.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { transpile, TranspileError } from '../../src/butane/index.js';
import { MAX_LOCAL_BYTES } from '../../src/butane/translate.js';
import { MAX_YAML_BYTES } from '../../src/butane/yaml.js';
import { cliPath } from '../helpers/paths.js';
import { runCli } from '../helpers/run.js';
import { tempDirs } from '../helpers/tmp.js';

const tmp = tempDirs('butane-boundaries-');
const HEAD = 'variant: flatcar\nversion: 1.1.0\n';

function failure(input: string | Uint8Array, filesDir?: string): TranspileError {
  try {
    transpile(input, { filesDir });
  } catch (e) {
    if (e instanceof TranspileError) return e;
    throw e;
  }
  throw new Error('transpile succeeded');
}

function mkfifo(path: string): void {
  const r = spawnSync('mkfifo', [path]);
  if (r.status !== 0) throw new Error(`mkfifo failed: ${r.stderr}`);
}

describe('what transpile reads', () => {
  it('a symlinked trees: root pointing outside --files-dir becomes a link; nothing outside is read', () => {
    const dir = tmp();
    mkdirSync(join(dir, 'outside'));
    writeFileSync(join(dir, 'outside', 'secret'), 'do not embed');
    mkdirSync(join(dir, 'files'));
    symlinkSync(join(dir, 'outside'), join(dir, 'files', 't'));
    const r = transpile(`${HEAD}storage:\n  trees:\n    - local: t\n      path: /opt/t\n`, { filesDir: join(dir, 'files') });
    expect(r.config).toEqual({ ignition: { version: '3.4.0' }, storage: { links: [{ path: '/opt/t', target: join(dir, 'outside') }] } });
    expect(r.ignition).not.toContain(Buffer.from('do not embed').toString('base64'));
    expect(r.ignition).not.toContain('do%20not%20embed');
  });

  it('a local: symlink to /dev/zero, a FIFO or a device is refused at once (regular files only)', () => {
    const dir = tmp();
    symlinkSync('/dev/zero', join(dir, 'zero'));
    mkfifo(join(dir, 'fifo'));
    for (const name of ['zero', 'fifo']) {
      const e = failure(`${HEAD}storage:\n  files:\n    - path: /a\n      contents:\n        local: ${name}\n`, dir);
      expect(e.stage).toBe('source');
      expect(e.errors.map((f) => f.message)).toEqual([expect.stringMatching(/not a regular file$/)]);
    }
  });

  it('a local: file over the size limit is refused, naming the limit', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'big'), Buffer.alloc(MAX_LOCAL_BYTES + 1));
    const e = failure(`${HEAD}storage:\n  files:\n    - path: /a\n      contents:\n        local: big\n`, dir);
    expect(e.errors.map((f) => f.message)).toEqual([expect.stringContaining(`larger than the ${MAX_LOCAL_BYTES / 1024 / 1024} MiB limit`)]);
  });
});

describe('what the YAML layer refuses, as Butane does', () => {
  it('raw NUL and other control characters: "control characters are not allowed"', () => {
    for (const c of ['\u0000', '\u0001', '\u001b', '\u007f', '\ufffe']) {
      const e = failure(`${HEAD}storage:\n  files:\n    - path: /etc/a${c}b\n`);
      expect(e.stage).toBe('yaml');
      expect(e.message).toContain('control characters are not allowed');
    }
  });

  it('bytes that are not UTF-8 are refused, not replaced', () => {
    const e = failure(Buffer.concat([Buffer.from(`${HEAD}storage:\n  files:\n    - path: /etc/a`), Buffer.from([0xff]), Buffer.from('\n')]));
    expect(e.stage).toBe('yaml');
    expect(e.message).toContain('invalid leading UTF-8 octet');
  });

  it('a 0.4 KB alias bomb is refused at once, as Butane refuses it (nothing is expanded)', () => {
    const lines = [HEAD.trimEnd(), 'a: &a [x, x, x, x, x, x, x, x, x]'];
    let prev = 'a';
    for (const n of 'bcdefghij') {
      lines.push(`${n}: &${n} [${Array(9).fill(`*${prev}`).join(', ')}]`);
      prev = n;
    }
    lines.push(`kernel_arguments:\n  should_exist: *${prev}`);
    const text = lines.join('\n') + '\n';
    expect(text.length).toBeLessThan(500);
    const started = process.hrtime.bigint();
    const e = failure(text);
    expect(e.stage).toBe('type');
    // 9^10 nodes if expanded: finishing at all (and in well under the test timeout) shows it was not.
    expect(Number(process.hrtime.bigint() - started) / 1e9).toBeLessThan(30);
  });

  it('Butane input over the size limit is refused, naming the limit', () => {
    const e = failure(Buffer.alloc(MAX_YAML_BYTES + 1, 0x20));
    expect(e.stage).toBe('yaml');
    expect(e.message).toContain(`larger than the ${MAX_YAML_BYTES / 1024 / 1024} MiB limit`);
  });

  it('a multi-document file: the first document is read, the rest is never parsed', () => {
    const r = transpile(`${HEAD}---\nfoo: [unclosed\n...\n"`);
    expect(r.ignition).toBe('{"ignition":{"version":"3.4.0"}}');
    expect(r.warnings).toEqual([]);
  });
});

describe.skipIf(!existsSync(cliPath))('transpile on the command line', () => {
  it('multi-document input: exit 0, no message from the YAML library', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'in.bu'), `${HEAD}---\nfoo: [unclosed\n`);
    const r = runCli(['transpile', 'in.bu'], { cwd: dir });
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('{"ignition":{"version":"3.4.0"}}\n');
  });

  it('-o - writes to standard output (no file named -)', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'in.bu'), HEAD);
    const r = runCli(['transpile', '-o', '-', 'in.bu'], { cwd: dir });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('{"ignition":{"version":"3.4.0"}}\n');
    expect(existsSync(join(dir, '-'))).toBe(false);
  });

  it('-o into a directory or a missing directory: one line, exit 1, no stack trace', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'in.bu'), HEAD);
    mkdirSync(join(dir, 'adir'));
    for (const [out, reason] of [
      ['adir', 'is a directory'],
      ['missing/x.ign', 'no such file or directory'],
    ] as const) {
      const r = runCli(['transpile', '-o', out, 'in.bu'], { cwd: dir });
      expect(r.status).toBe(1);
      expect(r.stderr).toBe(`error: cannot write ${out}: ${reason}\n`);
      expect(r.stdout).toBe('');
    }
  });

  const root = process.getuid?.() === 0 && spawnSync('unshare', ['-m', 'true']).status === 0;
  it.skipIf(!root)('-o on a full disk (ENOSPC) or a read-only mount (EROFS): one line, exit 1 (needs root for a private tmpfs)', () => {
    const dir = tmp();
    const big = `${HEAD}storage:\n  files:\n    - path: /a\n      contents:\n        inline: ${randomBytes(15000).toString('base64')}\n`;
    writeFileSync(join(dir, 'in.bu'), big);
    mkdirSync(join(dir, 'mnt'));
    const script = [
      `mount -t tmpfs -o size=4k tmpfs ${dir}/mnt`,
      `"${process.execPath}" "${cliPath}" transpile -o ${dir}/mnt/out.ign ${dir}/in.bu; echo "exit=$?"`,
      `mount -o remount,ro ${dir}/mnt`,
      `"${process.execPath}" "${cliPath}" transpile -o ${dir}/mnt/out2.ign ${dir}/in.bu; echo "exit=$?"`,
    ].join('\n');
    const r = spawnSync('unshare', ['-m', 'sh', '-c', script], { encoding: 'utf8' });
    expect(r.stdout).toBe('exit=1\nexit=1\n');
    expect(r.stderr).toBe(`error: cannot write ${dir}/mnt/out.ign: no space left on device\nerror: cannot write ${dir}/mnt/out2.ign: read-only file system\n`);
  });

  it('an input FIFO or device is refused at once with one line', () => {
    const dir = tmp();
    mkfifo(join(dir, 'fifo'));
    for (const input of ['fifo', '/dev/zero']) {
      const r = runCli(['transpile', input], { cwd: dir });
      expect(r.status).toBe(2);
      expect(r.stderr).toBe(`flatcar-architect: cannot read ${input}: not a regular file\n`);
    }
  });

  it('standard input beyond the size limit is refused, naming the limit', () => {
    const r = spawnSync(process.execPath, [cliPath, 'transpile'], { input: Buffer.alloc(MAX_YAML_BYTES + 10, 0x20), encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`larger than the ${MAX_YAML_BYTES / 1024 / 1024} MiB limit`);
  });

  it('reads standard input as bytes: invalid UTF-8 is refused as Butane refuses it', () => {
    const r = spawnSync(process.execPath, [cliPath, 'transpile'], {
      input: Buffer.concat([Buffer.from(HEAD + 'x: '), Buffer.from([0xc3, 0x28]), Buffer.from('\n')]),
      encoding: 'utf8',
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('invalid leading UTF-8 octet');
  });
});

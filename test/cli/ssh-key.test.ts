/**
 * `--ssh-key` checks a key properly (issue 13), through the built bin: the base64 data decodes and names
 * the same key type as the line, holds a whole key, RSA has at least 2048 bits; ssh-dss is refused with
 * a reason; a private key file and a missing file get one line naming the file; no message repeats a
 * key file's contents. The same check applies to an answers file's ssh.keys.
 * The keys below are throwaway public keys made with ssh-keygen for this test.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { sshKeyProblem } from '../../src/answers/ssh-key.js';
import { repoRoot } from '../helpers/paths.js';
import { tempDirs } from '../helpers/tmp.js';

const RSA_2048 =
  'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQDYK2fyDS8K3Cphu2/MBbYfCQavwa1Pv3M7+b+tDKBqXxa0aWA93zLZiX42mKIfiBvS0WrUohooopgC8/2AuAJV37jc2BahKJdLdMaKfiphsKy/ZGsyHX3bJ0iK846t2PinEFz69XneF+QuI6UWFxabslhHPH+3RCZKGJGMLgkmF6yeRH+ZbaAtjhFQfACPzHu+aayA0aFvZQaXZD16N8j4tnug0HdJv9Pj7jUYkkMlDj+5fTyGTltBpCypt4m6LtPENBQJ6V6E0KZ8JFEuNXHg7E7G23VQ+SFm8Ax+1dJhCM02/sArMlJ8M+MGgpsN1PbSmES0f3nUuFSkC2szY4od';
const ECDSA_384 =
  'ecdsa-sha2-nistp384 AAAAE2VjZHNhLXNoYTItbmlzdHAzODQAAAAIbmlzdHAzODQAAABhBEXqJwT33RySoD/JNP4XW6l+LOQUQ38l1FIBPobkWxac562U6Ccccw+5unVTlWTetunn/KAgzWf9eRbjFcn9G0gv8DTfPX3K+Cs9UZ4FC4pgZwnNmsPHOqLQ/ISEVmLvww==';
const ED25519 = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKeiL1BY7Nn1/+TH/DgiU48oZzDfvsxR7JUr1t9WMMEW';
const RSA_1024 =
  'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQDM5Cl5h7j9VZG2UZ/U5D11GGUxB9MjjggRxzqe19eeYvaLyvYqrEEkLTNZoLyeHtYEscf8Nc66ya0sqKrKrlmYz9Ve0aFsfPfZM3J4MwDv+UcYJ2tm244cnuA6/fEtJozGFLuHB+n8nnH7IlnNWAu2K0EsYOjtl+qdYQtwZYhlLw==';
const ED25519_BLOB = ED25519.split(' ')[1]!;

const bin = join(repoRoot, 'dist', 'bin', 'flatcar-architect.js');
const tmp = tempDirs('fa-ssh-key-');

function plan(keys: string[], files: Record<string, string> = {}) {
  const cwd = tmp();
  for (const [name, text] of Object.entries(files)) writeFileSync(join(cwd, name), text);
  const r = spawnSync(process.execPath, [bin, 'plan', '--preset', 'dev', ...keys.flatMap((k) => ['--ssh-key', k])], { cwd, encoding: 'utf8', timeout: 60_000 });
  return { ...r, cwd };
}

/** One line on standard error, exit 2, naming what is wrong. */
function refused(r: ReturnType<typeof plan>, pattern: RegExp) {
  expect(r.status, r.stdout).toBe(2);
  expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(1);
  expect(r.stderr).toMatch(pattern);
  expect(r.stderr).not.toMatch(/at .*\.c?js:\d+/);
}

describe('--ssh-key through the bin', () => {
  test('real keys of each accepted type pass, as lines and as a file with comments', () => {
    const r = plan([`${ED25519} me@laptop`, 'keys.pub'], { 'keys.pub': `# team\n${RSA_2048} a@b\n\n${ECDSA_384} c@d\n` });
    expect(r.status, r.stderr).toBe(0);
  });

  test('authorized_keys options: one line saying so, the key not repeated', () => {
    const r = plan([`restrict ${ED25519} me`]);
    refused(r, /^flatcar-architect: --ssh-key: the key given: authorized_keys options before the key type are not taken/);
    expect(r.stderr).not.toContain(ED25519_BLOB.slice(0, 20));
  });

  test('a line whose data is another type of key', () => {
    refused(plan([`ssh-rsa ${ED25519_BLOB} me@laptop`]), /--ssh-key: the key given: the line says ssh-rsa but its key data is a ssh-ed25519 key$/m);
  });

  test('truncated, damaged or non-base64 data', () => {
    refused(plan([`ssh-ed25519 ${ED25519_BLOB.slice(0, 40)} me`]), /not base64|cut short|too short/);
    refused(plan([`ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBBBB me`]), /ssh-ed25519 key's data/);
    refused(plan([`ssh-ed25519 ${ED25519_BLOB.slice(0, -8)} me`]), /ssh-ed25519 key's data/);
    refused(plan([`ssh-ed25519 not*base64 me`]), /not base64/);
    refused(plan([`${RSA_2048}AAAA me`]), /bytes after the key|not base64/);
  });

  test('ssh-dss is refused with a reason; short RSA too', () => {
    refused(
      plan(['ssh-dss AAAAB3NzaC1kc3MAAACBAP1/U4EddRIpUt9KnC7s5Of2EbdSPO9EAMMeP4C2USZpRV1AIlH7WT2NWPq/xfW6MPbLm1Vs14E7 old@host']),
      /ssh-dss \(DSA\) keys are refused: .*ssh-ed25519/,
    );
    refused(plan([RSA_1024]), /1024 bits; at least 2048/);
  });

  test('a private key file, a missing file, a file with a bad line: one line naming the file, never its contents', () => {
    const secret = 'b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW';
    const priv = plan(['id_ed25519'], { id_ed25519: `-----BEGIN OPENSSH PRIVATE KEY-----\n${secret}\n-----END OPENSSH PRIVATE KEY-----\n` });
    refused(priv, /^flatcar-architect: --ssh-key: id_ed25519 is a private key; give the public key \(id_ed25519\.pub\) instead$/m);
    expect(priv.stderr).not.toContain(secret);
    refused(plan(['nope.pub']), /^flatcar-architect: --ssh-key: nope\.pub: no such file/);
    // Text with spaces and no path in it is neither a key line nor a file, and is not repeated.
    const damaged = plan([`${ED25519_BLOB.slice(4)} me@host`]);
    refused(
      damaged,
      /^flatcar-architect: --ssh-key: the value given is neither an OpenSSH public key line like "ssh-ed25519 AAAA\.\.\. you@host" nor an existing file \(such as ~\/\.ssh\/id_ed25519\.pub\)$/m,
    );
    expect(damaged.stderr).not.toContain(ED25519_BLOB.slice(4));
    refused(plan(['hello there']), /--ssh-key: the value given is neither an OpenSSH public key line/);
    refused(plan([ED25519_BLOB]), /--ssh-key: the value given is neither an OpenSSH public key line/);
    refused(plan(['my keys/none.pub']), /--ssh-key: my keys\/none\.pub: no such file/);
    const bad = plan(['keys.pub'], { 'keys.pub': `${ED25519} ok\nssh-rsa ${ED25519_BLOB} secret-comment\n` });
    refused(bad, /--ssh-key: keys\.pub line 2: the line says ssh-rsa but its key data is a ssh-ed25519 key/);
    expect(bad.stderr).not.toContain(ED25519_BLOB);
    expect(bad.stderr).not.toContain('secret-comment');
  });

  test("an answers file's ssh.keys gets the same check", () => {
    const cwd = tmp();
    writeFileSync(join(cwd, 'a.yaml'), `preset: dev\nssh:\n  keys:\n    - ssh-rsa ${ED25519_BLOB} x@y\n`);
    const r = spawnSync(process.execPath, [bin, 'plan', '--answers', 'a.yaml'], { cwd, encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/ssh\.keys.*the line says ssh-rsa but its key data is a ssh-ed25519 key/);
  });
});

describe('sshKeyProblem (the function the wizard reuses)', () => {
  test.each([ED25519, `${ED25519} me@host`, RSA_2048, ECDSA_384])('accepts %s', (line) => {
    expect(sshKeyProblem(line)).toBeUndefined();
  });
  test.each([
    ['', /not an OpenSSH public key line/],
    ['ssh-ed25519', /no key data/],
    [`ssh-ed25519 ${ED25519_BLOB}\nssh-rsa x`, /one line/],
    [`ecdsa-sha2-nistp256 ${ECDSA_384.split(' ')[1]}`, /the line says ecdsa-sha2-nistp256 but its key data is a ecdsa-sha2-nistp384 key/],
    ['ssh-foo AAAA', /not a key type this tool accepts/],
    // The answers schema takes plain key lines only; the message says why without repeating the key.
    [`from="10.0.0.0/8" ${ED25519} x`, /^authorized_keys options before the key type are not taken: give the plain key line/],
    [`restrict ${ED25519}`, /^authorized_keys options/],
  ])('refuses %j', (line, why) => {
    expect(sshKeyProblem(line)).toMatch(why);
  });
});

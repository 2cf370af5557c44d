/**
 * Checking OpenSSH public keys (`--ssh-key`, answers files' ssh.keys, the wizard): the line's type,
 * then the base64 blob decoded and read (RFC 4253 section 6.6, RFC 5656, PROTOCOL.u2f): the blob must
 * name the same key type as the line and hold a whole key of that type, nothing more. DSA (ssh-dss) is
 * refused. Messages never repeat a key or a key file's contents: they name the type, the file and
 * the line number.
 */
import { InputLimitError, LIMITS, readBoundedFile } from '../io/bounded.js';
import { quote } from '../io/quote.js';
import { resolve } from 'node:path';

/** The key types OpenSSH accepts in authorized_keys that this tool passes on. */
export const SSH_KEY_TYPES = [
  'ssh-ed25519',
  'ssh-rsa',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'sk-ssh-ed25519@openssh.com',
  'sk-ecdsa-sha2-nistp256@openssh.com',
] as const;

const DSA_REASON = 'ssh-dss (DSA) keys are refused: OpenSSH turned them off in 7.0 and removed them in 9.8, so Flatcar would not accept one; use an ssh-ed25519 key';
const EXAMPLE = 'like "ssh-ed25519 AAAA... you@host"';
const MIN_RSA_BITS = 2048;

/** A type token and its base64 blob, found anywhere on the line (authorized_keys options may precede them). */
const TYPE_AND_BLOB = /(?:^|\s)(ssh-[a-z0-9-]+|ecdsa-sha2-[a-z0-9-]+|sk-[a-z0-9-]+@openssh\.com|[a-z0-9-]+-cert-v01@openssh\.com)(?:\s+(\S+))?/;

class Reader {
  private at = 0;
  constructor(private readonly buf: Buffer) {}
  get done(): boolean {
    return this.at === this.buf.length;
  }
  /** An SSH "string" (uint32 length, then bytes), or undefined when the blob ends too early. */
  string(): Buffer | undefined {
    if (this.at + 4 > this.buf.length) return undefined;
    const n = this.buf.readUInt32BE(this.at);
    if (this.at + 4 + n > this.buf.length) return undefined;
    const s = this.buf.subarray(this.at + 4, this.at + 4 + n);
    this.at += 4 + n;
    return s;
  }
}

const CURVES: Record<string, { name: string; point: number }> = {
  'ecdsa-sha2-nistp256': { name: 'nistp256', point: 65 },
  'ecdsa-sha2-nistp384': { name: 'nistp384', point: 97 },
  'ecdsa-sha2-nistp521': { name: 'nistp521', point: 133 },
  'sk-ecdsa-sha2-nistp256@openssh.com': { name: 'nistp256', point: 65 },
};

/** Why the decoded blob is not a whole key of `type` (undefined when it is). */
function checkBlob(type: string, blob: Buffer): string | undefined {
  const r = new Reader(blob);
  const named = r.string();
  if (named === undefined) return `the ${type} key's data is too short to be a key`;
  const inner = named.toString('latin1');
  if (inner !== type) return `the line says ${type} but its key data is ${/^[\x21-\x7e]{1,60}$/.test(inner) ? `a ${inner} key` : 'not an OpenSSH key'}`;
  const truncated = `the ${type} key's data is cut short (a truncated or damaged key)`;
  if (type === 'ssh-ed25519' || type === 'sk-ssh-ed25519@openssh.com') {
    const pk = r.string();
    if (pk === undefined) return truncated;
    if (pk.length !== 32) return `the ${type} key's data holds a ${pk.length}-byte key (an Ed25519 key is 32 bytes)`;
  } else if (type === 'ssh-rsa') {
    const e = r.string();
    const n = r.string();
    if (e === undefined || n === undefined || e.length === 0 || n.length === 0) return truncated;
    const nBytes = n[0] === 0 ? n.subarray(1) : n;
    const bits = nBytes.length === 0 ? 0 : (nBytes.length - 1) * 8 + (32 - Math.clz32(nBytes[0]!));
    if (bits < MIN_RSA_BITS) return `the ssh-rsa key has ${bits} bits; at least ${MIN_RSA_BITS} are needed (or use ssh-ed25519)`;
  } else {
    const curve = CURVES[type]!;
    const name = r.string();
    const q = r.string();
    if (name === undefined || q === undefined) return truncated;
    if (name.toString('latin1') !== curve.name) return `the ${type} key's data names another curve`;
    if (q.length !== curve.point || q[0] !== 4) return `the ${type} key's data holds no ${curve.name} point`;
  }
  if (type.startsWith('sk-') && r.string() === undefined) return truncated;
  if (!r.done) return `the ${type} key's data has bytes after the key (a damaged key)`;
  return undefined;
}

/**
 * Why `line` is not an acceptable OpenSSH public key line, or undefined when it is. The reason names
 * the problem, never the key itself.
 */
export function sshKeyProblem(line: string): string | undefined {
  if (/[\u0000-\u001f\u007f-\u009f\u2028\u2029]|\p{Cs}/u.test(line)) return 'an SSH key is one line of text without control characters';
  if (/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/.test(line) || /^PuTTY-User-Key-File/.test(line)) return 'this is a private key; give the public key (the .pub file) instead';
  const m = TYPE_AND_BLOB.exec(line);
  if (!m) return `not an OpenSSH public key line ${EXAMPLE}`;
  // authorized_keys options (restrict, from="...") before the type: core's keys are plain key lines.
  if (m.index !== 0) return `authorized_keys options before the key type are not taken: give the plain key line ${EXAMPLE}`;
  const type = m[1]!;
  if (type === 'ssh-dss') return DSA_REASON;
  if (!(SSH_KEY_TYPES as readonly string[]).includes(type)) {
    return `${type.length <= 60 ? type : 'that key type'} is not a key type this tool accepts (${SSH_KEY_TYPES.join(', ')})`;
  }
  const text = m[2];
  if (text === undefined) return `the ${type} key has no key data after its type`;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text) || text.length % 4 !== 0) return `the ${type} key's data is not base64`;
  const blob = Buffer.from(text, 'base64');
  if (blob.toString('base64') !== text) return `the ${type} key's data is not base64`;
  return checkBlob(type, blob);
}

/** A problem with an `--ssh-key` value: one line, naming the value (a file name or "the key"), never its content. */
export class SshKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SshKeyError';
  }
}

/** True when the text is meant as a key line rather than a file name (it starts with or holds a key type). */
export function looksLikeKeyLine(value: string): boolean {
  return TYPE_AND_BLOB.test(value) && /\s/.test(value.trim());
}

/**
 * An `--ssh-key` value: a key line, or a file of key lines (blank lines and # comments skipped),
 * checked. Returns the key lines; throws an SshKeyError whose message names the file (and line).
 */
export function readSshKeyArgument(value: string, cwd: string): string[] {
  if (looksLikeKeyLine(value)) {
    const problem = sshKeyProblem(value.trim());
    if (problem) throw new SshKeyError(`the key given: ${problem}`);
    return [value.trim()];
  }
  const path = resolve(cwd, value);
  // The file's name as given when plain, else quoted with control and bidi characters escaped.
  const name = /^[A-Za-z0-9_.:/@+,=~ -]{1,200}$/.test(value) ? value : quote(value);
  let text: string;
  try {
    // At most LIMITS.sshKeyFile, a regular file only (a FIFO or /dev/zero is refused at once).
    text = readBoundedFile(path, LIMITS.sshKeyFile, name);
  } catch (e) {
    if (e instanceof InputLimitError) throw new SshKeyError(e.message);
    const code = (e as NodeJS.ErrnoException).code;
    // Words or key data (not a path: no leading ~ / ./, no .pub) were meant as a key line, not a
    // file name: say it is neither, without repeating it (it may be a damaged key).
    const v = value.trim();
    if (code === 'ENOENT' && ((/\s/.test(v) && !/^(~|\.{0,2}\/)|\.pub$/.test(v)) || /[A-Za-z0-9+/]{40,}/.test(v))) {
      throw new SshKeyError(`the value given is neither an OpenSSH public key line ${EXAMPLE} nor an existing file (such as ~/.ssh/id_ed25519.pub)`);
    }
    const why =
      code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory, not a key file' : code === 'EACCES' ? 'cannot be read (permission denied)' : 'cannot be read';
    throw new SshKeyError(`${name}: ${why} (give a public key file such as ~/.ssh/id_ed25519.pub, or a key line)`);
  }
  if (/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/.test(text) || /^PuTTY-User-Key-File/m.test(text)) {
    throw new SshKeyError(`${name} is a private key; give the public key (${value.endsWith('.pub') || name !== value ? 'its .pub file' : `${value}.pub`}) instead`);
  }
  const keys: string[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const problem = sshKeyProblem(line);
    if (problem) throw new SshKeyError(`${name} line ${i + 1}: ${problem}`);
    keys.push(line);
  });
  if (!keys.length) throw new SshKeyError(`${name} holds no key`);
  return keys;
}

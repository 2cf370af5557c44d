/**
 * The bundle on disk, `DIR/pki/` (the only place the CA key lives):
 *   ca.pem, ca-key.pem, and per entry `<entry>.pem` and `<entry>-key.pem` (e.g.
 *   etcd/member/node1/server.pem and server-key.pem).
 * Directories 0700, keys 0600, certificates 0644, every file written atomically. Loading checks every
 * file (parses, P-256 key, key fits certificate, leaf signed by the CA) and fails with one line naming
 * the file and the reason.
 */
import { chmodSync, mkdirSync, readdirSync, readFileSync, rmdirSync, statSync, unlinkSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { writeFileAtomic } from '../io/atomic.js';
import { certFacts, isIssuedBy, isP256Key, keyMatchesCert } from './inspect.js';
import { checkEntryName } from './validate.js';
import { SecretsError } from './types.js';
import type { CaKeyPem, CertPem, LeafKeyPem, LeafPair, SecretsBundle } from './types.js';

export const DIR_MODE = 0o700;
export const KEY_MODE = 0o600;
export const CERT_MODE = 0o644;

export { pkiDir } from './names.js';

function oneLine(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  let text = String(err?.message ?? e);
  // "ENOENT: no such file or directory, open '/x'": the file is named already.
  if (err?.code && err.syscall) text = text.replace(/, \w+ '.*'$/s, '');
  return text.replace(/\s+/g, ' ').trim();
}

/** Relative paths ('/'-separated) of the `.pem` files below `dir`, dot files skipped, sorted. */
function listPem(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    let items;
    try {
      items = readdirSync(d, { withFileTypes: true });
    } catch (e) {
      throw new SecretsError(`cannot read the directory (${oneLine(e)})`, d);
    }
    for (const it of items) {
      if (it.name.startsWith('.')) continue;
      const p = join(d, it.name);
      if (it.isDirectory()) walk(p);
      else if (it.name.endsWith('.pem')) out.push(relative(dir, p).split(sep).join('/'));
    }
  };
  walk(dir);
  return out.sort();
}

function read(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new SecretsError(`cannot read (${oneLine(e)})`, file);
  }
}

/**
 * Exactly one PEM block of `label` and nothing else but white space: everything in the file is shipped
 * to the machines, so a second certificate appended to ca.pem would be trusted by every one of them.
 */
export function singlePemBlock(text: string, label: string): string | undefined {
  const blocks = text.match(/-----BEGIN [^-\r\n]*-----/g) ?? [];
  if (blocks.length === 0) return undefined; // the parser names what is wrong
  if (blocks.length > 1) return `${blocks.length} PEM blocks where exactly one ${label} belongs`;
  const m = /^\s*-----BEGIN ([^-\r\n]*)-----[^-]*-----END \1-----\s*$/.exec(text);
  if (!m) return `text outside its PEM block; exactly one ${label} belongs here`;
  if (!label.split('|').includes(m[1]!)) return `a ${m[1]} PEM block where ${label} belongs`;
  return undefined;
}

function readCert(file: string, fix: string): { pem: CertPem; isCa: boolean } {
  const pem = read(file);
  const bad = singlePemBlock(pem, 'CERTIFICATE');
  if (bad) throw new SecretsError(`${bad}; ${fix}`, file);
  try {
    return { pem: pem as CertPem, isCa: certFacts(pem).isCa };
  } catch (e) {
    throw new SecretsError(`not a PEM certificate (${oneLine(e)}); ${fix}`, file);
  }
}

function readKey(file: string, fix: string): string {
  const pem = read(file);
  const bad = singlePemBlock(pem, 'PRIVATE KEY|EC PRIVATE KEY');
  if (bad) throw new SecretsError(`${bad.replace('PRIVATE KEY|EC PRIVATE KEY', 'private key')}; ${fix}`, file);
  let p256: boolean;
  try {
    p256 = isP256Key(pem);
  } catch (e) {
    throw new SecretsError(`not a PEM private key (${oneLine(e)}); ${fix}`, file);
  }
  if (!p256) throw new SecretsError(`not an ECDSA P-256 key; ${fix}`, file);
  return pem;
}

/** The bundle in `dir` (a `pki` directory), or null when `dir` does not exist or holds no .pem file. */
export function loadBundle(dir: string): SecretsBundle | null {
  let st;
  try {
    st = statSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new SecretsError(`cannot read the PKI directory (${oneLine(e)})`, dir);
  }
  if (!st.isDirectory()) throw new SecretsError('the PKI directory is not a directory', dir);
  const files = listPem(dir);
  if (files.length === 0) return null;

  const caFix = 'restore it, or make a new PKI on purpose (rotate)';
  const caCertFile = join(dir, 'ca.pem');
  const caKeyFile = join(dir, 'ca-key.pem');
  for (const f of ['ca.pem', 'ca-key.pem']) {
    if (!files.includes(f)) throw new SecretsError(`missing; the PKI bundle is incomplete; ${caFix}`, join(dir, f));
  }
  const ca = readCert(caCertFile, caFix);
  if (!ca.isCa) throw new SecretsError(`not a CA certificate; ${caFix}`, caCertFile);
  const caKey = readKey(caKeyFile, caFix);
  if (!keyMatchesCert(ca.pem, caKey)) throw new SecretsError(`the key does not belong to ca.pem; ${caFix}`, caKeyFile);

  const leafFix = 'remove it and its key to have it issued again';
  const certs: Record<string, LeafPair> = {};
  for (const f of files) {
    if (f === 'ca.pem' || f === 'ca-key.pem') continue;
    const file = join(dir, f);
    if (f.endsWith('-key.pem')) {
      if (!files.includes(f.slice(0, -'-key.pem'.length) + '.pem')) {
        throw new SecretsError(`a key without its certificate ${f.slice(0, -'-key.pem'.length)}.pem; remove it`, file);
      }
      continue;
    }
    const name = f.slice(0, -'.pem'.length);
    try {
      checkEntryName(name);
    } catch (e) {
      throw new SecretsError(`${(e as Error).message}; remove or rename it`, file);
    }
    const keyRel = `${name}-key.pem`;
    if (!files.includes(keyRel)) throw new SecretsError(`its key ${keyRel} is missing; remove it to have it issued again`, file);
    const cert = readCert(file, leafFix);
    if (cert.isCa) throw new SecretsError(`a CA certificate where a leaf certificate belongs; ${leafFix}`, file);
    const key = readKey(join(dir, keyRel), leafFix);
    if (!isIssuedBy(cert.pem, ca.pem)) throw new SecretsError(`not issued by this bundle's CA (ca.pem); ${leafFix}`, file);
    if (!keyMatchesCert(cert.pem, key)) throw new SecretsError(`the key does not belong to ${name}.pem; ${leafFix}`, join(dir, keyRel));
    certs[name] = { certPem: cert.pem, keyPem: key as LeafKeyPem };
  }
  return { ca: { certPem: ca.pem, keyPem: caKey as CaKeyPem }, certs };
}

function ensureDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: DIR_MODE });
  chmodSync(dir, DIR_MODE);
}

function put(file: string, data: string, mode: number): void {
  let same = false;
  try {
    same = readFileSync(file, 'utf8') === data;
  } catch {
    same = false;
  }
  if (!same) writeFileAtomic(file, data, mode);
  chmodSync(file, mode);
}

/**
 * Writes the bundle into `dir` (a `pki` directory), keys before their certificates, and removes the
 * .pem files of entries the bundle no longer has (and directories left empty). Unchanged files are
 * not rewritten. Other files in `dir` are left alone.
 */
export function saveBundle(dir: string, bundle: SecretsBundle): void {
  const names = Object.keys(bundle.certs).map(checkEntryName).sort();
  ensureDir(dir);
  put(join(dir, 'ca-key.pem'), bundle.ca.keyPem, KEY_MODE);
  put(join(dir, 'ca.pem'), bundle.ca.certPem, CERT_MODE);
  const wanted = new Set(['ca.pem', 'ca-key.pem']);
  for (const name of names) {
    const pair = bundle.certs[name]!;
    let d = dir;
    for (const seg of name.split('/').slice(0, -1)) {
      d = join(d, seg);
      ensureDir(d);
    }
    put(join(dir, `${name}-key.pem`), pair.keyPem, KEY_MODE);
    put(join(dir, `${name}.pem`), pair.certPem, CERT_MODE);
    wanted.add(`${name}.pem`).add(`${name}-key.pem`);
  }
  for (const f of listPem(dir)) {
    if (wanted.has(f)) continue;
    const file = join(dir, f);
    unlinkSync(file);
    for (let d = dirname(file); d !== dir && readdirSync(d).length === 0; d = dirname(d)) rmdirSync(d);
  }
}

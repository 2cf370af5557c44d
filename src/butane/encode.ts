/**
 * File contents -> data URL, choosing as Butane does: the shortest of percent-encoding, base64 and
 * gzip+base64 (gzip pays 4 extra characters for its `compression` value); ties keep the earlier.
 */
import { gzipSync } from 'node:zlib';

export interface EncodedContents {
  source: string;
  compression: '' | 'gzip';
}

/** RFC 2396 "unreserved" characters stay as they are; every other byte becomes %XX. */
const KEEP = new Uint8Array(256);
for (const c of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.!~*'()") KEEP[c.charCodeAt(0)] = 1;
const HEX = '0123456789ABCDEF';

export function percentEncodedLength(bytes: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < bytes.length; i++) n += KEEP[bytes[i]!] ? 1 : 3;
  return n;
}

export function percentEncode(bytes: Uint8Array): string {
  // Built in chunks: string concatenation of single characters is slow for large files.
  const parts: string[] = [];
  let run = '';
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    run += KEEP[b] ? String.fromCharCode(b) : '%' + HEX[b >> 4] + HEX[b & 15];
    if (run.length > 8192) {
      parts.push(run);
      run = '';
    }
  }
  parts.push(run);
  return parts.join('');
}

const PERCENT_PREFIX = 'data:,';
const BASE64_PREFIX = 'data:;base64,';

function base64Length(n: number): number {
  return 4 * Math.ceil(n / 3);
}

/** gzip at best compression, with Go's header (OS byte "unknown") so the text matches Butane's more often. */
export function gzip(bytes: Uint8Array): Buffer {
  const out = gzipSync(bytes, { level: 9 });
  out[9] = 0xff;
  return out;
}

export function encodeDataUrl(bytes: Uint8Array, allowCompression = true): EncodedContents {
  const percentLen = PERCENT_PREFIX.length + percentEncodedLength(bytes);
  const b64Len = BASE64_PREFIX.length + base64Length(bytes.length);
  const best: 'percent' | 'base64' = b64Len < percentLen ? 'base64' : 'percent';
  const bestLen = Math.min(percentLen, b64Len);
  if (allowCompression && bytes.length > 0) {
    const gz = gzip(bytes);
    if (BASE64_PREFIX.length + base64Length(gz.length) + 'gzip'.length < bestLen) {
      return { source: BASE64_PREFIX + gz.toString('base64'), compression: 'gzip' };
    }
  }
  if (best === 'base64') return { source: BASE64_PREFIX + Buffer.from(bytes).toString('base64'), compression: '' };
  return { source: PERCENT_PREFIX + percentEncode(bytes), compression: '' };
}

/** Decodes a `data:` URL (percent or base64) to bytes; throws on anything else. */
export function decodeDataUrl(url: string): Buffer {
  const m = /^data:([^,]*),(.*)$/s.exec(url);
  if (!m) throw new Error('not a data URL');
  const meta = m[1]!;
  const body = m[2]!;
  if (/;base64$/i.test(meta)) {
    const clean = decodeURIComponentBytes(body).toString('latin1');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(clean) || clean.length % 4 === 1) throw new Error('invalid base64 data');
    return Buffer.from(clean, 'base64');
  }
  return decodeURIComponentBytes(body);
}

function decodeURIComponentBytes(s: string): Buffer {
  // Plain ASCII without escapes (every base64 body) is its own bytes.
  if (!/[%\u0080-\uffff]/.test(s)) return Buffer.from(s, 'latin1');
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x25) {
      const hex = s.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) throw new Error('invalid percent escape');
      out.push(parseInt(hex, 16));
      i += 2;
    } else if (c < 0x80) {
      out.push(c);
    } else {
      const ch = String.fromCodePoint(s.codePointAt(i)!);
      for (const b of Buffer.from(ch, 'utf8')) out.push(b);
      i += ch.length - 1;
    }
  }
  return Buffer.from(out);
}

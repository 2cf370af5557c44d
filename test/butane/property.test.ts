/**
 * Property tests: any file contents (text, binary, empty, unicode, large) round-trip exactly
 * through the data URL the transpiler picks, inline or from a local file, and the pick is the
 * shortest encoding.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeDataUrl, encodeDataUrl, transpile } from '../../src/butane/index.js';
import { tempDir } from '../helpers/tmp.js';

function payload(contents: { source: string; compression: string }): Buffer {
  const raw = decodeDataUrl(contents.source);
  return contents.compression === 'gzip' ? gunzipSync(raw) : raw;
}

/** A YAML double-quoted scalar that escapes everything but printable ASCII. */
function yamlQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += '\\' + ch;
    else if (cp >= 0x20 && cp < 0x7f) out += ch;
    else if (cp <= 0xffff) out += '\\u' + cp.toString(16).padStart(4, '0');
    else out += '\\U' + cp.toString(16).padStart(8, '0');
  }
  return out + '"';
}

function inlineConfig(text: string): string {
  return `variant: flatcar\nversion: 1.0.0\nstorage:\n  files:\n    - path: /etc/x\n      contents:\n        inline: ${yamlQuote(text)}\n`;
}

const texts = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: 'binary' }),
  fc.constantFrom('', '\n', ' ', '%', 'a'.repeat(5000), '# repeated\n'.repeat(500)),
);

describe('data URL round trip', () => {
  it('any bytes decode back to themselves, and the pick is the shortest encoding', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4096 }), fc.boolean(), (bytes, allowCompression) => {
        const enc = encodeDataUrl(bytes, allowCompression);
        expect(payload(enc).equals(Buffer.from(bytes))).toBe(true);
        const percent =
          'data:,' +
          [...bytes].map((b) => (/[A-Za-z0-9\-_.!~*'()]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : '%' + b.toString(16).toUpperCase().padStart(2, '0'))).join('');
        const base64 = 'data:;base64,' + Buffer.from(bytes).toString('base64');
        const uncompressed = base64.length < percent.length ? base64 : percent;
        if (enc.compression === '') expect(enc.source).toBe(uncompressed);
        else expect(allowCompression && enc.source.length + 4 < uncompressed.length).toBe(true);
        if (!allowCompression) expect(enc.compression).toBe('');
      }),
      { numRuns: 300 },
    );
  });

  it('any text given inline comes out of transpile byte for byte', () => {
    fc.assert(
      fc.property(texts, (text) => {
        const { config } = transpile(inlineConfig(text));
        const contents = (config as any).storage.files[0].contents;
        expect(payload(contents).equals(Buffer.from(text, 'utf8'))).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('any bytes given as a local file come out of transpile byte for byte', () => {
    const dir = tempDir('prop-local-');
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 20000 }), (bytes) => {
        writeFileSync(join(dir, 'blob'), bytes);
        const doc = 'variant: flatcar\nversion: 1.1.0\nstorage:\n  files:\n    - path: /opt/blob\n      contents:\n        local: blob\n';
        const { config } = transpile(doc, { filesDir: dir });
        expect(payload((config as any).storage.files[0].contents).equals(Buffer.from(bytes))).toBe(true);
      }),
      { numRuns: 100 },
    );
  });

  it('1 MB of random bytes and 1 MB of text round-trip', () => {
    const dir = tempDir('prop-big-');
    const random = randomBytes(1024 * 1024);
    const text = Buffer.from('flatcar line with some words in it\n'.repeat(30000).slice(0, 1024 * 1024));
    for (const bytes of [random, text]) {
      writeFileSync(join(dir, 'big'), bytes);
      const doc = 'variant: flatcar\nversion: 1.0.0\nstorage:\n  files:\n    - path: /opt/big\n      contents:\n        local: big\n';
      const { config } = transpile(doc, { filesDir: dir });
      const contents = (config as any).storage.files[0].contents;
      expect(payload(contents).equals(bytes)).toBe(true);
    }
    // Random bytes do not compress: base64. Text does: gzip.
    const r = encodeDataUrl(random);
    expect(r.compression).toBe('');
    expect(r.source.startsWith('data:;base64,')).toBe(true);
    expect(encodeDataUrl(text).compression).toBe('gzip');
    expect(gzipSync(text).length).toBeLessThan(text.length);
  });
});

/**
 * Property tests (fast-check) for issue 18's input limits and echo escaping: src/io/bounded.ts and
 * src/io/quote.ts, and the message helpers built on them (show, showValue).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputLimitError, readBoundedFile } from '../../src/io/bounded.js';
import { MAX_LINE, MAX_QUOTED, quote, safeLine, UNSAFE } from '../../src/io/quote.js';
import { show } from '../../src/answers/checks.js';
import { showValue } from '../../src/answers/answers-source.js';
import { tempDirs } from '../helpers/tmp.js';

const tmp = tempDirs('fa-limits-');
const unsafe = (s: string) => new RegExp(UNSAFE.source, 'u').test(s);
/** Strings rich in what must never reach a terminal raw. */
const hostile = fc
  .array(
    fc.oneof(
      fc.string({ unit: 'grapheme', maxLength: 20 }),
      fc.constantFrom(
        '\u202e',
        '\u202d',
        '\u2066',
        '\u2067',
        '\u2068',
        '\u2069',
        '\u200b',
        '\u200d',
        '\u200e',
        '\u061c',
        '\ufeff',
        '\u2028',
        '\u0000',
        '\u001b[31m',
        '\u007f',
        '\u0085',
        '\ud800',
        '\udfff',
        '\n',
        '\r',
        '\t',
      ),
      fc.string({ unit: 'binary', maxLength: 20 }),
    ),
    { maxLength: 60 },
  )
  .map((parts) => parts.join(''));

describe('quote: the one helper for values in messages', () => {
  it('never lets an unsafe character through, stays one line, and shows at most MAX_QUOTED characters of the value', () => {
    fc.assert(
      fc.property(hostile, (v) => {
        const q = quote(v);
        expect(unsafe(q)).toBe(false);
        expect(q).not.toMatch(/[\n\r]/);
        const body = /^"(.*?)(?:\.\.\." \((\d+) characters\)|")$/s.exec(q);
        expect(body).not.toBeNull();
        // What is shown is the JSON-escaped prefix: decoding it gives back at most MAX_QUOTED characters of v.
        const shownChars = Array.from(JSON.parse(`"${body![1]!.replace(/\\u(?=[0-9a-f]{4})/g, '\\u')}"`) as string);
        expect(shownChars.length).toBeLessThanOrEqual(MAX_QUOTED);
        expect(Array.from(v).slice(0, shownChars.length).join('')).toBe(shownChars.join(''));
        if (body![2] !== undefined) expect(Number(body![2])).toBe(Array.from(v).length);
        else expect(shownChars.join('')).toBe(v);
      }),
      { numRuns: 500 },
    );
  });

  it('show and showValue (every answer error) are safe and bounded too', () => {
    fc.assert(
      fc.property(hostile, fc.integer({ min: 0, max: 5000 }), (v, pad) => {
        const long = v + 'x'.repeat(pad);
        for (const out of [show(long), showValue(long)]) {
          expect(unsafe(out)).toBe(false);
          expect(out.length).toBeLessThanOrEqual(MAX_QUOTED * 6 + 40); // every shown character escaped at worst as \uXXXX
        }
      }),
      { numRuns: 300 },
    );
  });

  it('safeLine (the last guard on every error line) escapes and bounds any line', () => {
    fc.assert(
      fc.property(hostile, fc.integer({ min: 0, max: 20_000 }), (v, pad) => {
        const line = safeLine(v + 'y'.repeat(pad));
        expect(unsafe(line)).toBe(false);
        expect(Array.from(line).length).toBeLessThanOrEqual(MAX_LINE + 40);
      }),
      { numRuns: 300 },
    );
  });
});

describe('readBoundedFile: at most the limit, the limit in the message', () => {
  it('a file of n bytes is read whole when n <= limit and refused, naming the limit, when n > limit', () => {
    const dir = tmp();
    let i = 0;
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 200_000 }), fc.integer({ min: 1, max: 200_000 }), (n, limit) => {
        const file = join(dir, `f${i++}`);
        writeFileSync(file, Buffer.alloc(n, 0x61));
        if (n <= limit) {
          expect(readBoundedFile(file, limit, 'f')).toHaveLength(n);
        } else {
          let error: unknown;
          try {
            readBoundedFile(file, limit, 'f');
          } catch (e) {
            error = e;
          }
          expect(error).toBeInstanceOf(InputLimitError);
          const message = (error as Error).message;
          expect(message.startsWith('f is larger than the limit of ')).toBe(true);
          const said = /limit of (\d+) (bytes|KiB|MiB)/.exec(message)!;
          expect(Number(said[1]) * { bytes: 1, KiB: 1024, MiB: 1024 * 1024 }[said[2] as 'bytes']).toBe(limit);
          expect(message).toContain(`(${n} bytes)`);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('devices and directories are refused at once, whatever the limit', () => {
    fc.assert(
      fc.property(fc.constantFrom('/dev/zero', '/dev/null', '/dev/urandom', tmp()), fc.integer({ min: 1, max: 1 << 30 }), (path, limit) => {
        expect(() => readBoundedFile(path, limit, 'x')).toThrow(/^x is (a device|a directory); give a regular file$/);
      }),
      { numRuns: 40 },
    );
  });
});

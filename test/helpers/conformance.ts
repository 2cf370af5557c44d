/** Reading the Butane conformance corpus (test/fixtures, copied from the real Butane's outputs) and comparing results the way its README says. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { conformanceDir } from './paths.js';

export interface ConformanceCase {
  name: string;
  dir: string;
  args: string[];
  input: string;
  /** The input's raw bytes (some cases hold invalid UTF-8 on purpose). */
  inputBytes: Buffer;
  exit: number;
  strictExit: number;
  expected?: string;
  stderr: string;
  validateExit?: number;
  variant: string;
  version: string;
  kind: string;
}

/** The cases of a corpus directory (default: the main corpus; also test/fixtures/butane-conformance-fuzz). */
export function loadCases(corpus: string = conformanceDir): ConformanceCase[] {
  const index = JSON.parse(readFileSync(join(corpus, 'cases.json'), 'utf8')) as Array<Record<string, unknown>>;
  return index.map((entry) => {
    const dir = join(corpus, 'cases', String(entry.name));
    const read = (f: string) => (existsSync(join(dir, f)) ? readFileSync(join(dir, f), 'utf8') : undefined);
    const args = (read('args') ?? '').trim();
    return {
      name: String(entry.name),
      dir,
      args: args === '' ? [] : args.split(/\s+/),
      input: read('input.bu')!,
      inputBytes: readFileSync(join(dir, 'input.bu')),
      exit: Number(read('exit')!.trim()),
      strictExit: Number(read('strict.exit')!.trim()),
      expected: read('expected.ign'),
      stderr: read('stderr.txt') ?? '',
      validateExit: read('validate.exit') === undefined ? undefined : Number(read('validate.exit')!.trim()),
      variant: String(entry.variant),
      version: String(entry.version),
      kind: String(entry.kind),
    };
  });
}

/** The `$.a.b.0` paths of every `error at` / `warning at` line. */
export function findingPaths(stderr: string, severity: 'error' | 'warning'): string[] {
  const out: string[] = [];
  for (const line of stderr.split('\n')) {
    const m = new RegExp(`^${severity} at (\\$[^,:]*)`).exec(line);
    if (m) out.push(m[1]!);
  }
  return out.sort();
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/**
 * Replaces gzip data URLs by their decompressed payload (hex), since gzip bytes differ between
 * compressors; everything else, key order included, is compared as text afterwards.
 */
export function normaliseGzip(value: Json): Json {
  if (Array.isArray(value)) return value.map(normaliseGzip);
  if (value && typeof value === 'object') {
    const out: { [k: string]: Json } = {};
    for (const [k, v] of Object.entries(value)) out[k] = normaliseGzip(v);
    if (value.compression === 'gzip' && typeof value.source === 'string' && value.source.startsWith('data:;base64,')) {
      const payload = gunzipSync(Buffer.from(value.source.slice('data:;base64,'.length), 'base64'));
      out.source = `gzip-payload:${payload.toString('hex')}`;
    }
    return out;
  }
  return value;
}

/** JSON.parse, with integers too long for a double kept exact (as marked strings). */
function parseExact(json: string): Json {
  const marked = json.replace(/"(?:[^"\\]|\\.)*"|-?\d{16,}(?![.eE\d])/g, (m) => (m.startsWith('"') ? m : `"@exact-int:${m}"`));
  return JSON.parse(marked) as Json;
}

function unmark(text: string): string {
  return text.replace(/"@exact-int:(-?\d+)"/g, '$1');
}

export function canonical(json: string): string {
  return unmark(JSON.stringify(normaliseGzip(parseExact(json)), null, 2));
}

/** The same JSON re-serialised with `indent` (integers of any length kept exact). */
export function reformat(json: string, indent?: number): string {
  return unmark(JSON.stringify(parseExact(json), null, indent));
}

export function filesDirOf(c: ConformanceCase): string | undefined {
  const i = c.args.findIndex((a) => a === '--files-dir' || a === '-d');
  return i >= 0 ? join(c.dir, c.args[i + 1]!) : undefined;
}

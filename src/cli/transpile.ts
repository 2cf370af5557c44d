/** `flatcar-architect transpile`: Butane -> Ignition on the command line, like the `butane` binary. */
import { readSync } from 'node:fs';
import { formatFinding, transpile, TranspileError } from '../butane/index.js';
import { readRegularFile } from '../butane/translate.js';
import { MAX_YAML_BYTES } from '../butane/yaml.js';
import { writeFileAtomic } from '../io/atomic.js';
import { EXIT, UsageError } from './errors.js';

export interface TranspileCommandOptions {
  strict?: boolean;
  pretty?: boolean;
  filesDir?: string;
  output?: string;
}

export interface Streams {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  stdin: () => string;
  /** Standard input as bytes (Butane input must be UTF-8: invalid bytes are refused, not replaced). */
  stdinBytes?: () => Buffer;
}

const LIMIT = `${MAX_YAML_BYTES / 1024 / 1024} MiB`;

/** Reads standard input up to the size limit (one byte more tells that it was exceeded). */
function readStdin(): Buffer {
  const chunks: Buffer[] = [];
  let total = 0;
  const chunk = Buffer.alloc(1 << 16);
  for (;;) {
    let n: number;
    try {
      n = readSync(0, chunk, 0, chunk.length, null);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EAGAIN') continue;
      if ((e as NodeJS.ErrnoException).code === 'EOF') break;
      // A closed or unreadable standard input (<&-, < a directory): one line, not a stack trace.
      throw new UsageError(`cannot read standard input: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    if (n === 0) break;
    total += n;
    if (total > MAX_YAML_BYTES) throw new UsageError(`standard input: Butane input is larger than the ${LIMIT} limit`);
    chunks.push(Buffer.from(chunk.subarray(0, n)));
  }
  return Buffer.concat(chunks);
}

function readInput(file: string | undefined, io: Streams): Buffer {
  if (file === undefined || file === '-') return io.stdinBytes ? io.stdinBytes() : readStdin();
  try {
    return readRegularFile(file, MAX_YAML_BYTES);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const reason =
      err.code === 'ENOENT'
        ? 'no such file or directory'
        : err.code === 'EISDIR'
          ? 'is a directory'
          : err.code === 'EACCES'
            ? 'permission denied'
            : err.message.replace(/^read [^:]*: /, '');
    throw new UsageError(`cannot read ${file}: ${reason.replace(/MiB limit$/, 'MiB limit for Butane input')}`);
  }
}

const WRITE_REASONS: Record<string, string> = {
  ENOSPC: 'no space left on device',
  EROFS: 'read-only file system',
  EISDIR: 'is a directory',
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  ENOTDIR: 'not a directory',
  EDQUOT: 'disk quota exceeded',
};

export function runTranspile(file: string | undefined, opts: TranspileCommandOptions, io: Streams): number {
  const input = readInput(file, io);
  let text: string;
  try {
    const result = transpile(input, { strict: opts.strict, pretty: opts.pretty, filesDir: opts.filesDir });
    for (const w of result.warnings) io.stderr(formatFinding(w) + '\n');
    text = result.ignition + '\n';
  } catch (e) {
    if (!(e instanceof TranspileError)) throw e;
    for (const f of e.findings) io.stderr(formatFinding(f) + '\n');
    io.stderr(e.summary + '\n');
    return EXIT.failed;
  }
  if (opts.output === undefined || opts.output === '-') {
    io.stdout(text);
    return EXIT.ok;
  }
  try {
    writeFileAtomic(opts.output, text);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const reason = (err.code && WRITE_REASONS[err.code]) ?? err.message;
    io.stderr(`error: cannot write ${opts.output}: ${reason}\n`);
    return EXIT.failed;
  }
  return EXIT.ok;
}

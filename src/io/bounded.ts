/**
 * Reading the user's input files with a bound: regular files only (a FIFO is refused without waiting
 * for a writer, a device such as /dev/zero at once), at most `limit` bytes (the limit is in the
 * message). Standard input is read up to the limit too.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';

export const KiB = 1024;
export const MiB = 1024 * KiB;

/** Limits of the files the generator reads. */
export const LIMITS = {
  answers: 4 * MiB,
  sshKeyFile: 1 * MiB,
  snippet: 4 * MiB,
  template: 1 * MiB,
} as const;

/** A file that is not a regular file, or too large; the message names the limit. */
export class InputLimitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputLimitError';
  }
}

export const formatBytes = (n: number): string => (n % MiB === 0 ? `${n / MiB} MiB` : n % KiB === 0 ? `${n / KiB} KiB` : `${n} bytes`);

function kindOf(st: import('node:fs').Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** Reads at most `limit` bytes of an open descriptor; more is an InputLimitError. */
function readAtMost(fd: number, limit: number, what: string): Buffer {
  const chunks: Buffer[] = [];
  let total = 0;
  const buf = Buffer.alloc(64 * KiB);
  for (;;) {
    let n: number;
    try {
      n = readSync(fd, buf, 0, buf.length, null);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EAGAIN') {
        // A non-blocking standard input with nothing yet: wait a little, then try again.
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
        continue;
      }
      if ((e as NodeJS.ErrnoException).code === 'EOF') break;
      throw e;
    }
    if (n === 0) break;
    total += n;
    if (total > limit) throw new InputLimitError(`${what} is larger than the limit of ${formatBytes(limit)}`);
    chunks.push(Buffer.from(buf.subarray(0, n)));
  }
  return Buffer.concat(chunks, total);
}

/** The text of a regular file of at most `limit` bytes. `what` names it in messages (e.g. `answers.yaml`). */
export function readBoundedFile(path: string, limit: number, what: string): string {
  // O_NONBLOCK: opening a FIFO without a writer returns at once (and fstat then refuses it).
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new InputLimitError(`${what} is ${kindOf(st)}; give a regular file`);
    if (st.size > limit) throw new InputLimitError(`${what} is larger than the limit of ${formatBytes(limit)} (${st.size} bytes)`);
    return readAtMost(fd, limit, what).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** Standard input, at most `limit` bytes. */
export function readBoundedStdin(limit: number, what = 'standard input'): string {
  return readAtMost(0, limit, what).toString('utf8');
}

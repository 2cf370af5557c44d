/** `flatcar-architect transpile`: Butane -> Ignition on the command line, like the `butane` binary. */
import { readFileSync } from 'node:fs';
import { formatFinding, transpile, TranspileError } from '../butane/index.js';
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
}

export function runTranspile(file: string | undefined, opts: TranspileCommandOptions, io: Streams): number {
  let input: string;
  try {
    input = file === undefined || file === '-' ? io.stdin() : readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${file ?? 'standard input'}: ${(e as Error).message}`);
  }
  try {
    const result = transpile(input, { strict: opts.strict, pretty: opts.pretty, filesDir: opts.filesDir });
    for (const w of result.warnings) io.stderr(formatFinding(w) + '\n');
    const text = result.ignition + '\n';
    if (opts.output) writeFileAtomic(opts.output, text);
    else io.stdout(text);
    return EXIT.ok;
  } catch (e) {
    if (!(e instanceof TranspileError)) throw e;
    for (const f of e.findings) io.stderr(formatFinding(f) + '\n');
    io.stderr(e.summary + '\n');
    return EXIT.failed;
  }
}

/**
 * Differential runs: the same Butane config through the real Butane binary and through our
 * transpiler, compared by the conformance corpus's rules (exit code, --strict exit code, output
 * JSON with gzip payloads decoded, the field paths of warnings and errors; failures Butane reports
 * without a path must fail at our YAML, type or version stage).
 */
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatFinding, transpile, TranspileError } from '../../../src/butane/index.js';
import { canonical, findingPaths } from '../../helpers/conformance.js';

export interface Outcome {
  exit: number;
  stdout: string;
  stderr: string;
  stage?: string;
}

export function runOurs(input: Uint8Array, filesDir: string, strict: boolean): Outcome {
  try {
    const r = transpile(input, { filesDir, strict });
    return { exit: 0, stdout: r.ignition, stderr: r.warnings.map(formatFinding).join('\n') };
  } catch (e) {
    if (!(e instanceof TranspileError)) {
      return { exit: 99, stdout: '', stderr: `internal error: ${(e as Error).stack ?? String(e)}` };
    }
    return { exit: 1, stdout: '', stderr: e.findings.map(formatFinding).join('\n'), stage: e.stage };
  }
}

function runButane(bin: string, file: string, filesDir: string, strict: boolean): Promise<Outcome> {
  const args = ['--files-dir', filesDir, ...(strict ? ['--strict'] : []), file];
  return new Promise((resolve) => {
    execFile(bin, args, { encoding: 'utf8', timeout: 20_000, maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 98) : 0;
      resolve({ exit: code, stdout: stdout.trim(), stderr });
    });
  });
}

/**
 * Runs every config through the Butane binary, `parallel` processes at a time. --strict is run
 * only where the plain run succeeded: a failing config fails under --strict too.
 */
export async function runButaneAll(bin: string, dir: string, inputs: Uint8Array[], filesDir: string, parallel = 4): Promise<{ plain: Outcome; strict: Outcome }[]> {
  mkdirSync(dir, { recursive: true });
  const files = inputs.map((input, i) => {
    const f = join(dir, `c${i}.bu`);
    writeFileSync(f, input);
    return f;
  });
  const out: { plain: Outcome; strict: Outcome }[] = new Array(inputs.length);
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const i = next++;
      const plain = await runButane(bin, files[i]!, filesDir, false);
      const strict = plain.exit === 0 ? await runButane(bin, files[i]!, filesDir, true) : plain;
      out[i] = { plain, strict };
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return out;
}

function safeCanonical(json: string): string {
  try {
    return canonical(json);
  } catch (e) {
    return `unparseable: ${(e as Error).message}`;
  }
}

/** A disagreement's class (a short label with indices generalised), or undefined when both agree. */
export function disagreement(ours: Outcome, oursStrict: Outcome, ref: Outcome, refStrict: Outcome): string | undefined {
  const generalise = (s: string) => s.replace(/\.\d+/g, '.N');
  if (ours.exit === 99 || oursStrict.exit === 99) return `internal error: ${ours.stderr.split('\n')[0]}`;
  if (ours.exit !== ref.exit) {
    const what =
      ref.exit === 0
        ? `ours fails: ${generalise(ours.stderr.split('\n').find((l) => l.startsWith('error')) ?? ours.stderr.split('\n')[0]!)}`
        : `butane fails: ${generalise(ref.stderr.split('\n').find((l) => /^(error|Error)/.test(l)) ?? '')}`;
    return `exit ${ours.exit} vs ${ref.exit}; ${what.replace(/, line \d+ col \d+/, '').slice(0, 160)}`;
  }
  if (ref.exit === 0 && safeCanonical(ours.stdout) !== safeCanonical(ref.stdout)) return 'output differs';
  const ow = findingPaths(ours.stderr, 'warning');
  const rw = findingPaths(ref.stderr, 'warning');
  if (ow.join() !== rw.join()) return `warnings: ours [${generalise(ow.join(' '))}] butane [${generalise(rw.join(' '))}]`;
  const re = findingPaths(ref.stderr, 'error');
  if (ref.exit !== 0 && re.length === 0) {
    if (!['yaml', 'type', 'version'].includes(ours.stage ?? '')) return `stage: ours ${ours.stage} where butane has no path`;
  } else {
    const oe = findingPaths(ours.stderr, 'error');
    if (oe.join() !== re.join()) return `errors: ours [${generalise(oe.join(' '))}] butane [${generalise(re.join(' '))}]`;
  }
  if (oursStrict.exit !== refStrict.exit) return `strict exit ${oursStrict.exit} vs ${refStrict.exit}`;
  return undefined;
}

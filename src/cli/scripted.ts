/**
 * The command line for scripts: `--json` (one JSON document on stdout, one JSON error object on
 * stderr), `--dry-run` / `plan`, `--machine NAME --stdout`, `--matchbox DIR`. runGenerate
 * (generate.ts) calls these; everything here is about flags and what to print instead of writing
 * (the answers and snippets are read by input.ts, reports made by report.ts).
 */
import { resolve } from 'node:path';
import type { GenerateResult } from '../generate.js';
import { show } from '../answers/checks.js';
import { DEFAULT_MATCHBOX_URL, MatchboxError, matchboxTree, matchboxWarnings, type MatchboxFile } from '../matchbox/index.js';
import { PUBLIC_CHANNELS } from '../answers/resolve.js';
import { checkOutputDir, ForeignDirError, OutputExistsError } from '../write/output.js';
import { EXIT, UsageError } from './errors.js';
import { formatPlan, printJson, reportOf } from './report.js';
import type { Warning } from '../answers/warnings.js';

export interface ScriptFlags {
  answers?: string;
  json?: boolean;
  dryRun?: boolean;
  machine?: string;
  stdout?: boolean;
  format?: string;
  snippet?: string[];
  /** --allow-snippet-overrides: snippets may replace or reconfigure generated units. */
  allowSnippetOverrides?: boolean;
  matchbox?: string;
  matchboxUrl?: string;
  force?: boolean;
}

/** Flags that only make sense without questions. */
export function isScripted(f: ScriptFlags): boolean {
  return Boolean(f.json || f.dryRun || f.stdout || f.machine || f.matchbox || f.format);
}

/** Refuses combinations that cannot work, before any work is done. */
export function checkScriptFlags(f: ScriptFlags, wizard: boolean): void {
  if (wizard && isScripted(f)) {
    throw new UsageError('--json, --dry-run, --machine/--stdout and --matchbox never ask questions: give --preset or --answers FILE', 'no_terminal');
  }
  if (f.format !== undefined && !f.stdout) throw new UsageError('--format goes with --stdout (and --machine)');
  if (f.stdout && f.machine === undefined) throw new UsageError('--stdout needs --machine NAME: the machine whose config to print');
  if (f.machine !== undefined && !f.stdout) throw new UsageError('--machine goes with --stdout: add --stdout to print its config');
  if (f.stdout && f.json) throw new UsageError('choose one of --stdout (the config on standard output) and --json (a report on standard output)');
  if (f.stdout && f.dryRun) throw new UsageError('--stdout writes nothing already; leave out --dry-run');
  if (f.matchbox !== undefined && (f.stdout || f.dryRun)) throw new UsageError('--matchbox writes a directory; not with --stdout or --dry-run');
  if (f.matchboxUrl !== undefined && f.matchbox === undefined) throw new UsageError('--matchbox-url goes with --matchbox DIR');
  if (f.matchboxUrl !== undefined) {
    const bad = matchboxUrlProblem(f.matchboxUrl);
    if (bad) throw new UsageError(`--matchbox-url: ${bad}`, 'usage', 'matchboxUrl');
  }
}

/**
 * `--matchbox-url` goes into every profile's kernel command line: an http(s) URL with a host, and
 * nothing that could end the argument or add another (spaces, control characters, quotes) or change
 * the query the profile appends (`?`, `#`).
 */
export function matchboxUrlProblem(v: string): string | undefined {
  const bad = `must be an http:// or https:// URL like http://matchbox.lan:8080, without spaces, control characters, quotes, query or fragment (got ${show(v)})`;
  if (/[\s"'`\\?#<>{}|^]/.test(v) || /[\u0000-\u001f\u007f-\u009f]|[^\x20-\x7e]/.test(v) || v.length > 512) return bad;
  try {
    const url = new URL(v);
    if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '' || url.username !== '' || url.password !== '') return bad;
  } catch {
    return bad;
  }
  return undefined;
}

/** `--machine NAME --stdout`: the machine's config, or an error naming the machines there are. */
export function machineConfig(result: GenerateResult, name: string, format: string | undefined): string {
  const m = result.machines.find((x) => x.name === name);
  if (!m) {
    const names = result.machines.map((x) => x.name);
    throw new UsageError(
      `--machine: no machine is called ${name}; this cluster has ${names.length <= 8 ? names.join(', ') : `${names.slice(0, 4).join(', ')}, ... (${names.length})`}`,
      'unknown_machine',
      'machine',
    );
  }
  return format === 'bu' ? m.butane : m.ignition;
}

/** Where scripted output goes. */
export interface ScriptIo {
  cwd: string;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Terminal widths of standard output and error (undefined: not a terminal; prose is not wrapped then). */
  columns?: number;
  stderrColumns?: number;
}

/**
 * After generating: `--dry-run` prints the plan, `--machine NAME --stdout` the machine's config;
 * both write nothing and return the exit code. Undefined: go on and write.
 */
export function finishWithoutWriting(result: GenerateResult & { pki?: { caCreated: boolean } | null }, dir: string, flags: ScriptFlags, io: ScriptIo): number | undefined {
  if (flags.dryRun) {
    if (flags.json) printJson(io, reportOf(result, dir, true, null));
    else {
      for (const w of result.warnings) io.stderr(`warning: ${w.text}\n`);
      io.stdout(formatPlan(result, dir, io.cwd));
    }
    return EXIT.ok;
  }
  if (flags.stdout) {
    const config = machineConfig(result, flags.machine!, flags.format);
    if (result.pki?.caCreated) {
      throw new UsageError(
        '--stdout: this config would hold certificates of a CA made just now, which no other machine trusts; write the cluster once (--out DIR), then print single machines with --pki DIR (or --insecure for no TLS)',
        'pki_required',
        'pki',
      );
    }
    for (const w of result.warnings) io.stderr(`warning: ${w.text}\n`);
    io.stdout(config);
    return EXIT.ok;
  }
  return undefined;
}

/** `--matchbox DIR`: the tree (checked before anything is written), or undefined without the flag. */
export function planMatchbox(result: GenerateResult, flags: ScriptFlags, cwd: string): { dir: string; files: MatchboxFile[]; warnings?: Warning[] } | undefined {
  if (flags.matchbox === undefined) return undefined;
  const dir = resolve(cwd, flags.matchbox);
  try {
    checkOutputDir(dir, flags.force ?? false, 'matchbox');
    const group = result.spec.updates.group;
    const options = { url: flags.matchboxUrl, channel: PUBLIC_CHANNELS.includes(group) ? group : 'stable', sshKeys: result.spec.ssh.keys };
    const files = matchboxTree(result.spec.name, result.machines, options);
    return { dir, files, warnings: matchboxWarnings(result.machines, flags.matchboxUrl ?? DEFAULT_MATCHBOX_URL) };
  } catch (e) {
    if (e instanceof MatchboxError) throw new UsageError(e.message, e.code, 'matchbox');
    if (e instanceof OutputExistsError || e instanceof ForeignDirError) throw new UsageError(`--matchbox: ${e.message}`, 'output_exists', 'matchbox');
    throw e;
  }
}

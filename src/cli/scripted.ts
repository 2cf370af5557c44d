/**
 * The command line for scripts: `--json` (one JSON document on stdout, one JSON error object on
 * stderr), `--dry-run` / `plan`, `--machine NAME --stdout`, `--matchbox DIR`. runGenerate
 * (generate.ts) calls these; everything here is about flags, messages and output shapes (the
 * answers and snippets are read by input.ts).
 */
import { relative, resolve } from 'node:path';
import type { GenerateResult } from '../generate.js';
import { show } from '../answers/checks.js';
import { DEFAULT_MATCHBOX_URL, MatchboxError, matchboxTree, matchboxWarnings, type MatchboxFile } from '../matchbox/index.js';
import { PUBLIC_CHANNELS } from '../answers/resolve.js';
import { checkOutputDir, ForeignDirError, OutputExistsError } from '../write/output.js';
import { EXIT, UsageError } from './errors.js';
import type { Warning, WarningCode } from '../answers/warnings.js';

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

/** The files that belong to a machine: its own .bu and .ign, and anything under a directory named after it. */
function machineFiles(result: GenerateResult, name: string): string[] {
  return result.files.map((f) => f.name).filter((f) => f === `${name}.bu` || f === `${name}.ign` || f.split('/').slice(0, -1).includes(name));
}

export interface Report {
  cluster: string;
  preset: string;
  dryRun: boolean;
  /** The output directory (absolute): written, or that would be written. */
  outputDir: string;
  machines: { name: string; role: string; address: string | null; mac: string | null; files: string[] }[];
  files: string[];
  bootOrder: { machines: string[]; note: string }[];
  etcd: { members: string[]; clientEndpoints: string[]; faultTolerance: number; quorum: number } | null;
  matchbox: { dir: string; files: string[] } | null;
  /** Each certificate of the PKI (the CA first) and its expiry (ISO 8601); [] without TLS. */
  certificates: { name: string; expires: string }[];
  /** Each warning's code (src/answers/warnings.ts) and text. */
  warnings: { code: WarningCode; message: string }[];
}

/** A warning in the `--json` document: its stable code and its text. */
const warningJson = (w: Warning): { code: WarningCode; message: string } => ({ code: w.code, message: w.text });

/** The `--json` document of a run (and of `plan --json`). */
export function reportOf(result: GenerateResult, outputDir: string, dryRun: boolean, matchbox: Report['matchbox']): Report {
  const { plan } = result;
  return {
    cluster: result.spec.name,
    preset: result.spec.preset,
    dryRun,
    outputDir,
    machines: result.machines.map((m) => ({ name: m.name, role: m.role, address: m.address, mac: m.mac, files: machineFiles(result, m.name) })),
    files: result.files.map((f) => f.name),
    bootOrder: plan.bootOrder.map((s) => ({ machines: s.machines, note: s.note })),
    etcd: plan.etcd
      ? { members: plan.etcd.members.map((m) => m.name), clientEndpoints: plan.etcd.clientEndpoints, faultTolerance: plan.etcd.faultTolerance, quorum: plan.etcd.quorum }
      : null,
    matchbox,
    certificates: result.certificates ?? [],
    warnings: result.warnings.map(warningJson),
  };
}

/** The plan as a table, for --dry-run and `plan`. */
export function formatPlan(result: GenerateResult, outputDir: string, cwd: string): string {
  const r = reportOf(result, outputDir, true, null);
  const head = ['machine', 'role', 'address', 'MAC', 'files'];
  const rows = r.machines.map((m) => [m.name, m.role, m.address ?? 'DHCP', m.mac ?? '-', m.files.join(' ')]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => '  ' + cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  const n = r.machines.length;
  const out = [`Plan of the ${r.cluster} cluster (${r.preset}, ${n} machine${n === 1 ? '' : 's'}); nothing was written.`, line(head), ...rows.map(line)];
  if (r.etcd) out.push(`etcd: ${r.etcd.members.length} member${r.etcd.members.length === 1 ? '' : 's'}, quorum ${r.etcd.quorum}, tolerates ${r.etcd.faultTolerance} failed`);
  out.push('Boot order:', ...r.bootOrder.map((s, i) => `  ${i + 1}. ${s.machines.join(', ')}: ${s.note}`));
  out.push(`Would write ${r.files.length} files to ${relative(cwd, outputDir) || '.'}/`);
  return out.join('\n') + '\n';
}

/** `--machine NAME --stdout`: the machine's config, or an error naming the machines there are. */
export function machineConfig(result: GenerateResult, name: string, format: string | undefined): string {
  const m = result.machines.find((x) => x.name === name);
  if (!m) {
    const names = result.machines.map((x) => x.name);
    throw new UsageError(`--machine: no machine is called ${name}; this cluster has ${names.length <= 8 ? names.join(', ') : `${names.slice(0, 4).join(', ')}, ... (${names.length})`}`, 'unknown_machine', 'machine');
  }
  return format === 'bu' ? m.butane : m.ignition;
}

/** Where scripted output goes. */
export interface ScriptIo {
  cwd: string;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

/**
 * After generating: `--dry-run` prints the plan, `--machine NAME --stdout` the machine's config;
 * both write nothing and return the exit code. Undefined: go on and write.
 */
export function finishWithoutWriting(result: GenerateResult & { pki?: { caCreated: boolean } | null }, dir: string, flags: ScriptFlags, io: ScriptIo): number | undefined {
  if (flags.dryRun) {
    if (flags.json) io.stdout(JSON.stringify(reportOf(result, dir, true, null), null, 2) + '\n');
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

/** With --json: the report on stdout (and nothing else anywhere); true when printed. */
export function printJsonReport(
  result: GenerateResult,
  dir: string,
  tree: { dir: string; files: MatchboxFile[]; warnings?: Warning[] } | undefined,
  flags: ScriptFlags,
  io: ScriptIo,
  extra: { previousPki?: string; notes?: string[] } = {},
): boolean {
  if (!flags.json) return false;
  const matchbox = tree ? { dir: tree.dir, files: tree.files.map((f) => f.name) } : null;
  const report = reportOf(result, dir, false, matchbox);
  report.warnings = [...report.warnings, ...(tree?.warnings ?? []).map(warningJson)];
  // previousPki: where the replaced pki/ was kept; notes: what recovery and cleanup did; each only when there is one.
  const { previousPki, notes } = extra;
  io.stdout(JSON.stringify({ ...report, ...(previousPki ? { previousPki } : {}), ...(notes?.length ? { notes } : {}) }, null, 2) + '\n');
  return true;
}

/** Without --json: where the Matchbox tree went. */
export function reportMatchbox(tree: { dir: string; files: MatchboxFile[]; warnings?: Warning[] } | undefined, flags: ScriptFlags, io: ScriptIo): void {
  if (!tree || flags.json) return;
  const shown = relative(io.cwd, tree.dir) || '.';
  for (const w of tree.warnings ?? []) io.stderr(`${w.loud ? 'WARNING' : 'warning'}: ${w.text}\n`);
  io.stdout(
    `Matchbox: ${shown}/ (an install stage per machine: flatcar-install to /dev/sda, then its own config with os=installed); copy it to Matchbox's data directory, e.g. /var/lib/matchbox, owned by Matchbox's user: chown -R matchbox:matchbox /var/lib/matchbox (configs with keys are 0600)\n`,
  );
  if (flags.matchboxUrl === undefined) io.stderr(`warning: --matchbox: the profiles point at ${DEFAULT_MATCHBOX_URL}; give --matchbox-url with your Matchbox's address\n`);
}

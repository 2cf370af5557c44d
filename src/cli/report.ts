/**
 * What commands report: the `--json` documents (one on stdout, printed by printJson) and the tables
 * and lines without it; the default command's report and plan table, and where a Matchbox tree went.
 * Errors are reported by src/cli/errors.ts.
 */
import { relative } from 'node:path';
import type { GenerateResult } from '../generate.js';
import type { Warning, WarningCode } from '../answers/warnings.js';
import { DEFAULT_MATCHBOX_URL, type MatchboxFile } from '../matchbox/index.js';
import type { ScriptFlags, ScriptIo } from './scripted.js';
import { toWidth } from '../io/text.js';

/** A `--json` document: the one thing on standard output. */
export function printJson(io: { stdout: (text: string) => void }, document: unknown): void {
  io.stdout(JSON.stringify(document, null, 2) + '\n');
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
  printJson(io, { ...report, ...(previousPki ? { previousPki } : {}), ...(notes?.length ? { notes } : {}) });
  return true;
}

/** Without --json: where the Matchbox tree went. */
export function reportMatchbox(tree: { dir: string; files: MatchboxFile[]; warnings?: Warning[] } | undefined, flags: ScriptFlags, io: ScriptIo): void {
  if (!tree || flags.json) return;
  const shown = relative(io.cwd, tree.dir) || '.';
  for (const w of tree.warnings ?? []) io.stderr(toWidth(`${w.loud ? 'WARNING' : 'warning'}: ${w.text}`, io.stderrColumns) + '\n');
  io.stdout(
    toWidth(
      `Matchbox: ${shown}/ (an install stage per machine: flatcar-install to /dev/sda, then its own config with os=installed); copy it to Matchbox's data directory, e.g. /var/lib/matchbox, owned by Matchbox's user: chown -R matchbox:matchbox /var/lib/matchbox (configs with keys are 0600)`,
      io.columns,
    ) + '\n',
  );
  if (flags.matchboxUrl === undefined)
    io.stderr(toWidth(`warning: --matchbox: the profiles point at ${DEFAULT_MATCHBOX_URL}; give --matchbox-url with your Matchbox's address`, io.stderrColumns) + '\n');
}

/** Findings (errors and warnings) of a transpile, tied to a field path and a YAML position. */

export type Path = ReadonlyArray<string | number>;

export interface Position {
  line: number;
  col: number;
}

export type Severity = 'error' | 'warning';

export interface Finding {
  severity: Severity;
  /** Field path in the Butane document, or null where the finding concerns the whole text (YAML syntax). */
  path: Path | null;
  pos?: Position;
  message: string;
}

/** Why a transpile failed, in the order Butane checks: YAML, variant/version, types, the source, the result. */
export type FailureStage = 'yaml' | 'version' | 'type' | 'source' | 'generated' | 'strict';

const STAGE_SUMMARY: Record<FailureStage, string> = {
  yaml: 'YAML syntax error',
  version: 'unsupported variant or version',
  type: 'wrong value types',
  source: 'source config is invalid',
  generated: 'config generated was invalid',
  strict: 'config produced warnings and --strict was specified',
};

export function formatPath(path: Path): string {
  return '$' + path.map((p) => '.' + String(p)).join('');
}

export function formatFinding(f: Finding): string {
  const where: string[] = [];
  if (f.path) where.push(`at ${formatPath(f.path)}`);
  let head = f.severity + (where.length ? ' ' + where.join('') : '');
  if (f.pos) head += `${f.path ? ',' : ' at'} line ${f.pos.line} col ${f.pos.col}`;
  return `${head}: ${f.message}`;
}

/** Thrown by transpile(): every finding (warnings included) and the stage that failed. */
export class TranspileError extends Error {
  readonly stage: FailureStage;
  readonly findings: readonly Finding[];

  constructor(stage: FailureStage, findings: readonly Finding[]) {
    const firstError = findings.find((f) => f.severity === 'error');
    super(firstError ? formatFinding(firstError) : STAGE_SUMMARY[stage]);
    this.name = 'TranspileError';
    this.stage = stage;
    this.findings = findings;
  }

  get errors(): Finding[] {
    return this.findings.filter((f) => f.severity === 'error');
  }

  get warnings(): Finding[] {
    return this.findings.filter((f) => f.severity === 'warning');
  }

  /** The closing line Butane prints after the findings. */
  get summary(): string {
    return `Error translating config: ${STAGE_SUMMARY[this.stage]}`;
  }
}

/** Collects findings while a stage runs. */
export class Report {
  readonly findings: Finding[] = [];

  constructor(private readonly locate: (path: Path) => Position | undefined = () => undefined) {}

  error(path: Path | null, message: string, pos?: Position): void {
    this.add('error', path, message, pos);
  }

  warn(path: Path | null, message: string, pos?: Position): void {
    this.add('warning', path, message, pos);
  }

  add(severity: Severity, path: Path | null, message: string, pos?: Position): void {
    this.findings.push({ severity, path, message, pos: pos ?? (path ? this.locate(path) : undefined) });
  }

  get hasErrors(): boolean {
    return this.findings.some((f) => f.severity === 'error');
  }
}

/**
 * Butane (variant `flatcar`, 1.0.0 and 1.1.0) -> Ignition (3.3.0 and 3.4.0), with Butane's
 * output, strictness and messages. Self-contained: yaml -> decode (schema) -> validate source ->
 * translate -> validate Ignition -> JSON.
 */
import { decodeConfig, locate, type Positions } from './decode.js';
import { formatPath, Report, TranspileError, type Finding, type Path } from './report.js';
import { findVersion } from './schema.js';
import { translate, type IObject, type Translations } from './translate.js';
import { validateFlatcar, validateIgnition, validateSource } from './validate.js';
import { parseYaml, type YNode } from './yaml.js';

export { TranspileError, formatFinding, formatPath } from './report.js';
export type { Finding, Path, Position, FailureStage } from './report.js';
export { encodeDataUrl, decodeDataUrl } from './encode.js';
export type { IObject } from './translate.js';

export interface TranspileOptions {
  /** Directory for `local`, `trees`, `contents_local`, `ssh_authorized_keys_local`. */
  filesDir?: string;
  /** Indent the JSON with two spaces. */
  pretty?: boolean;
  /** Any warning fails the transpile (Butane's --strict). */
  strict?: boolean;
  /** Allow gzip for inline contents (default true, as Butane). */
  allowCompression?: boolean;
}

export interface TranspileResult {
  /** The Ignition config as JSON text (compact unless `pretty`). */
  ignition: string;
  /** The Ignition config as an object. */
  config: IObject;
  warnings: Finding[];
}

function scalarAt(root: YNode, key: string): YNode | undefined {
  return root.kind === 'map' ? root.entries.find((e) => e.key === key)?.value : undefined;
}

/** Butane parses versions with a lenient semver reader: leading zeros are accepted (`1.01.0` is 1.1.0). */
const SEMVER = /^(\d+)\.(\d+)\.(\d+)((?:-[0-9A-Za-z-.]+)?(?:\+[0-9A-Za-z-.]+)?)$/;

function versionFailure(message: string, root: YNode | null): never {
  const report = new Report();
  report.error(null, message, root?.pos);
  throw new TranspileError('version', report.findings);
}

/** Transpiles Butane YAML to Ignition JSON, or throws a TranspileError naming every problem. */
export function transpile(butane: string | Uint8Array, options: TranspileOptions = {}): TranspileResult {
  const root = parseYaml(butane);
  const variantNode = root ? scalarAt(root, 'variant') : undefined;
  const versionNode = root ? scalarAt(root, 'version') : undefined;
  const variant = variantNode?.kind === 'scalar' ? variantNode.text : '';
  const version = versionNode?.kind === 'scalar' ? versionNode.text : '';
  if (variant === '') versionFailure('error parsing variant; must be specified', root);
  if (!SEMVER.test(version)) versionFailure('error parsing version; must be a valid semver', root);
  const m = SEMVER.exec(version)!;
  const info = findVersion(variant, `${Number(m[1])}.${Number(m[2])}.${Number(m[3])}${m[4] ?? ''}`);
  if (!info) versionFailure(`No translator exists for variant ${variant} with version ${version}`, root);

  let positions: Positions = new Map();
  const at = (path: Path) => locate(positions, path);
  const types = new Report(at);
  const warnings = new Report(at);
  const decoded = decodeConfig(root!, info.schema, types, warnings);
  positions = decoded.positions;
  if (types.hasErrors) throw new TranspileError('type', types.findings);

  const source = new Report(at);
  validateSource(decoded.value, info, source);
  const fail = (stage: 'source' | 'generated', more: Finding[]): never => {
    throw new TranspileError(stage, [...warnings.findings, ...more]);
  };
  if (source.hasErrors) fail('source', source.findings);
  const translateReport = new Report(at);
  const { ignition, translations } = translate(decoded.value, info, options, translateReport);
  if (translateReport.hasErrors) fail('source', [...source.findings, ...translateReport.findings]);
  validateFlatcar(decoded.value, translateReport);
  if (translateReport.hasErrors) fail('source', [...source.findings, ...translateReport.findings]);

  const generated = new Report();
  validateIgnition(ignition, info.ignitionVersion, generated);
  const mapped = generated.findings.map((f) => {
    const path = f.path ? toButanePath(translations, f.path) : null;
    return { ...f, path, pos: path ? at(path) : undefined };
  });
  const all = [...source.findings, ...translateReport.findings, ...mapped];
  if (mapped.some((f) => f.severity === 'error')) fail('generated', all);
  const allWarnings = [...warnings.findings, ...all.filter((f) => f.severity === 'warning')];
  if (options.strict && allWarnings.length > 0) throw new TranspileError('strict', allWarnings);
  const json = goJson(JSON.stringify(ignition, bigints, options.pretty ? 2 : undefined));
  return { ignition: json, config: ignition, warnings: allWarnings };
}

const GO_ESCAPES: Record<string, string> = { '<': '\\u003c', '>': '\\u003e', '&': '\\u0026', '\u2028': '\\u2028', '\u2029': '\\u2029' };

/** Integers beyond 2^53 are bigints: written as their digits. */
function bigints(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? `\u0000bigint:${value}\u0000` : value;
}

/**
 * Go's encoding/json (which Butane uses) escapes <, >, & and the line separators in strings, and
 * writes bytes that are not UTF-8 (lone surrogates here, from `!!binary`) as U+FFFD.
 */
function goJson(json: string): string {
  return json
    .replace(/"\\u0000bigint:(-?\d+)\\u0000"/g, '$1')
    .replace(/\\udc[89a-f][0-9a-f]/g, '\\ufffd')
    .replace(/[<>&\u2028\u2029]/g, (c) => GO_ESCAPES[c]!);
}

/**
 * Maps an Ignition path to the Butane field it came from: its recorded translation, or else the
 * Ignition path itself in snake_case. Butane does not fall back to a translated ancestor, so a
 * finding on a key the source did not write (a drop-in without a name, in a unit whose index moved
 * behind generated mount units) names the Ignition index, as Butane's does.
 */
function toButanePath(translations: Translations, ipath: Path): Path {
  const exact = translations.get(formatPath(ipath));
  if (exact) return exact;
  return ipath.map((p) => (typeof p === 'number' ? p : p.replace(/(MiB|[A-Z])/g, '_$1').toLowerCase()));
}

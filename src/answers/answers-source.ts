/**
 * Reading an answers file (YAML or JSON) with its positions: YAML syntax, then the structure against
 * the published schema (ajv), every problem named by file, line:col and key path, e.g.
 * `answers.yaml:7:3 network.gateway: 10.0.0.300 is not an IPv4 address`. The parsed document stays
 * available so that later (semantic) problems about an answer get the same position.
 */
import { RESOLVED_FILE_MARK } from './flags-over-file.js';
import { createRequire } from 'node:module';
import type { Ajv as AjvClass, ErrorObject, ValidateFunction } from 'ajv';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import { answersSchema, definitionAt, type Def } from './definition.js';
import { quote } from '../io/quote.js';
import type { Answers } from './types.js';

export interface Position {
  line: number;
  col: number;
}

/** One problem with an answers file; `field` is a key path like `network.dns[1]`, null for the whole file. */
export interface AnswersProblem {
  field: string | null;
  message: string;
  at?: Position;
}

export type AnswersErrorCode = 'answers_syntax' | 'answers_invalid';

/** An answers file that is not YAML, or not shaped like answers. */
export class AnswersError extends Error {
  constructor(
    readonly code: AnswersErrorCode,
    readonly label: string,
    readonly problems: AnswersProblem[],
  ) {
    super(problems.map((p) => formatProblem(label, p)).join('\n'));
    this.name = 'AnswersError';
  }
}

/** `label:line:col field: message`, or `label: field: message` without a position. */
export function formatProblem(label: string, p: AnswersProblem): string {
  const where = p.at ? `${label}:${p.at.line}:${p.at.col}` : `${label}:`;
  return p.field ? `${where} ${p.field}: ${p.message}` : `${where} ${p.message}`;
}

export type PathKey = string | number;

/** `['machines', 0, 'address']` -> `machines[0].address`. */
export function formatField(path: readonly PathKey[]): string {
  return path.reduce<string>((out, k) => (typeof k === 'number' ? `${out}[${k}]` : out ? `${out}.${k}` : k), '');
}

/** `machines[0].address` or `machines.0.address` -> `['machines', 0, 'address']`. */
export function parseField(field: string): PathKey[] {
  const out: PathKey[] = [];
  for (const part of field.split('.')) {
    const m = /^([^[\]]*)((?:\[\d+\])*)$/.exec(part);
    if (!m) {
      out.push(part);
      continue;
    }
    if (m[1] !== '') out.push(/^\d+$/.test(m[1]!) ? Number(m[1]) : m[1]!);
    for (const idx of m[2]!.matchAll(/\[(\d+)\]/g)) out.push(Number(idx[1]));
  }
  return out;
}

export interface AnswersSource {
  /** The file name as given, or `<stdin>`. */
  label: string;
  /** The directory relative paths in the file (snippets) are relative to. */
  dir: string;
  answers: Answers;
  /** Written by flatcar-architect (its cluster.yaml header): values equal to their defaults are defaults. */
  resolvedFile?: boolean;
  /** Where the answer at `field` (`network.gateway`, `machines[1].mac`) is written: its key, or its list item. */
  locate(field: string | readonly PathKey[]): Position | undefined;
}

let validator: ValidateFunction | undefined;

/** The budget of alias expansions in one answers file (the yaml package's own default, stated). */
export const MAX_ALIAS_COUNT = 100;

/** The compiled schema (once). ajv is loaded here, not at start-up: only an answers file needs it. */
function validate(): ValidateFunction {
  if (!validator) {
    const { Ajv } = createRequire(import.meta.url)('ajv') as { Ajv: typeof AjvClass };
    validator = new Ajv({ allErrors: true, strict: true }).compile(answersSchema());
  }
  return validator;
}

/** A value in a message: plain when it is a simple token, JSON-quoted otherwise (newlines stay visible). */
export function showValue(value: unknown): string {
  if (typeof value === 'string') {
    const looksOther = /^(true|false|null|yes|no|on|off|~|[-+]?(\d[\d_]*)?\.?\d+([eE][-+]?\d+)?)$/i.test(value);
    return /^[A-Za-z0-9_.:/@+-]{1,80}$/.test(value) && !looksOther ? value : quote(value);
  }
  if (value === null) return 'nothing (null)';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return String(value);
}

const TYPE_WORDS: Record<string, string> = {
  string: 'text',
  integer: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping of keys',
};

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

function unknownKey(key: string, section: Def | undefined): string {
  const known = section?.kind === 'section' ? Object.keys(section.keys).filter((k) => k !== '$schema') : [];
  const close = known
    .map((k) => ({ k, d: distance(key, k) }))
    .filter((x) => x.d <= Math.max(1, Math.floor(key.length / 3)))
    .sort((a, b) => a.d - b.d)[0];
  return close ? `unknown key; did you mean ${close.k}?` : `unknown key; expected one of ${known.join(', ')}`;
}

/** The value at a JSON path of the data, and the path with list indices as numbers. */
function resolvePointer(data: unknown, pointer: string): { path: PathKey[]; value: unknown } {
  const path: PathKey[] = [];
  let value = data;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(value)) {
      path.push(Number(key));
      value = value[Number(key)];
    } else {
      path.push(key);
      value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
    }
  }
  return { path, value };
}

/** One ajv error as a problem about a key path; the position is added by the caller. */
export function describeSchemaError(e: ErrorObject, data: unknown): { path: PathKey[]; message: string } {
  const { path, value } = resolvePointer(data, e.instancePath);
  const def = definitionAt(path);
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      return { path: [...path, key], message: unknownKey(key, def) };
    }
    case 'required':
      return { path: [...path, String(params.missingProperty)], message: 'required' };
    case 'type':
      if (path.length === 0) return { path, message: 'an answers file is a mapping of answers like "preset: production"' };
      return { path, message: `must be ${TYPE_WORDS[String(params.type)] ?? String(params.type)} (got ${showValue(value)})` };
    case 'pattern':
      return { path, message: `${showValue(value)} is not ${def?.kind === 'text' && def.what ? def.what : 'valid here'}` };
    case 'enum':
      return { path, message: `must be one of ${(params.allowedValues as unknown[]).join(', ')} (got ${showValue(value)})` };
    case 'minimum':
      return { path, message: `must be at least ${String(params.limit)} (got ${showValue(value)})` };
    case 'maximum':
      return { path, message: `must be at most ${String(params.limit)} (got ${showValue(value)})` };
    case 'maxLength':
      return { path, message: `is too long (at most ${String(params.limit)} characters)` };
    case 'minProperties':
      return { path, message: def?.kind === 'section' && def.minKeysMessage ? def.minKeysMessage : `needs at least ${String(params.limit)} keys` };
    default:
      return { path, message: e.message ?? e.keyword };
  }
}

/** Where the answer at a path is written: the key of a mapping entry, an item of a list; the nearest written ancestor otherwise. */
function locator(doc: Document, lines: LineCounter): AnswersSource['locate'] {
  const pos = (offset: number | undefined): Position | undefined => {
    if (offset === undefined) return undefined;
    const p = lines.linePos(offset);
    return { line: p.line, col: p.col };
  };
  return (field) => {
    const path = typeof field === 'string' ? parseField(field) : field;
    let node: unknown = doc.contents;
    let found = pos((node as { range?: [number] } | null)?.range?.[0]);
    for (const key of path) {
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(key));
        if (!pair) break;
        found = pos((pair.key as { range?: [number] }).range?.[0]) ?? found;
        node = pair.value;
      } else if (isSeq(node) && typeof key === 'number' && node.items[key] !== undefined) {
        node = node.items[key];
        found = pos((node as { range?: [number] }).range?.[0]) ?? found;
      } else {
        break;
      }
    }
    return found;
  };
}

/**
 * Parses and checks an answers file. Throws an AnswersError listing every problem (syntax first:
 * the structure of a file that is not YAML is not looked at).
 */
export function readAnswersText(text: string, label: string, dir: string): AnswersSource {
  const lines = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true, lineCounter: lines });
  if (doc.errors.length) {
    throw new AnswersError(
      'answers_syntax',
      label,
      doc.errors.map((e) => {
        const p = lines.linePos(e.pos[0]);
        return { field: null, message: `not YAML: ${e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?\s*$/, '')}`, at: { line: p.line, col: p.col } };
      }),
    );
  }
  const locate = locator(doc, lines);
  let data: unknown;
  try {
    data = doc.contents === null ? {} : doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    // The yaml package refuses to expand more aliases than the budget (an "alias bomb").
    if (!(e instanceof ReferenceError)) throw e;
    throw new AnswersError('answers_syntax', label, [
      { field: null, message: `too many alias expansions (more than ${MAX_ALIAS_COUNT}); write the values out`, at: { line: 1, col: 1 } },
    ]);
  }
  const check = validate();
  if (!check(data)) {
    const seen = new Set<string>();
    const problems: AnswersProblem[] = [];
    const errors = check.errors ?? [];
    const missing = new Set(errors.filter((e) => e.keyword === 'required').map((e) => e.instancePath));
    for (const e of errors) {
      if (e.keyword === 'minProperties' && missing.has(e.instancePath)) continue;
      const { path, message } = describeSchemaError(e, data);
      const field = formatField(path);
      if (seen.has(`${field}\n${message}`)) continue;
      seen.add(`${field}\n${message}`);
      problems.push({ field: field || null, message, at: locate(path) });
    }
    problems.sort((a, b) => (a.at?.line ?? 0) - (b.at?.line ?? 0) || (a.at?.col ?? 0) - (b.at?.col ?? 0));
    throw new AnswersError('answers_invalid', label, problems);
  }
  const { $schema: _ignored, ...answers } = data as Answers & { $schema?: string };
  return { label, dir, answers, locate, resolvedFile: text.startsWith(RESOLVED_FILE_MARK) };
}

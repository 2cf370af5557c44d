/**
 * Positioned YAML tree -> typed Butane tree, following the schema. Scalars resolve the way Butane's
 * Go YAML library does (YAML 1.1-style octal `0644`, `yes`/`no` for booleans, any scalar for a
 * string). Wrong types are errors; keys the schema does not know are "Unused key" warnings.
 */
import type { Field, FieldType, Schema, StructName } from './schema.js';
import { formatPath, Report, type Path, type Position } from './report.js';
import type { YNode, YScalar } from './yaml.js';

export type BValue = string | number | boolean | BObject | BValue[];
export interface BObject {
  [key: string]: BValue;
}

/** Where every decoded node stood in the YAML text, by formatted path. */
export type Positions = Map<string, Position>;

export interface Decoded {
  value: BObject;
  positions: Positions;
}

type Resolved =
  | { tag: 'null' }
  | { tag: 'bool'; value: boolean }
  | { tag: 'int'; value: number }
  | { tag: 'float'; value: number }
  | { tag: 'str'; value: string };

const NULLS = new Set(['', '~', 'null', 'Null', 'NULL']);
const TRUES = new Set(['true', 'True', 'TRUE']);
const FALSES = new Set(['false', 'False', 'FALSE']);
const YAML11_TRUE = new Set(['y', 'Y', 'yes', 'Yes', 'YES', 'on', 'On', 'ON']);
const YAML11_FALSE = new Set(['n', 'N', 'no', 'No', 'NO', 'off', 'Off', 'OFF']);
const FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;

function parseInteger(text: string): number | undefined {
  let t = text.replace(/_/g, '');
  let sign = 1;
  if (t.startsWith('-') || t.startsWith('+')) {
    if (t.startsWith('-')) sign = -1;
    t = t.slice(1);
  }
  let digits: string;
  let radix: number;
  if (/^0[xX]/.test(t)) [digits, radix] = [t.slice(2), 16];
  else if (/^0[oO]/.test(t)) [digits, radix] = [t.slice(2), 8];
  else if (/^0[bB]/.test(t)) [digits, radix] = [t.slice(2), 2];
  else if (/^0[0-9]/.test(t)) [digits, radix] = [t.slice(1), 8];
  else [digits, radix] = [t, 10];
  const valid = { 16: /^[0-9a-fA-F]+$/, 10: /^[0-9]+$/, 8: /^[0-7]+$/, 2: /^[01]+$/ }[radix as 16 | 10 | 8 | 2];
  if (!valid.test(digits)) return undefined;
  const n = parseInt(digits, radix) * sign;
  return Number.isSafeInteger(n) ? n : undefined;
}

/** Resolves a scalar as Go's yaml.v3 does for an untyped target. */
export function resolveScalar(node: YScalar): Resolved {
  const tag = node.tag?.replace('tag:yaml.org,2002:', '!!');
  if (tag === '!!str' || (!node.plain && !tag)) return { tag: 'str', value: node.text };
  const t = node.text;
  if (tag === '!!null' || (!tag && NULLS.has(t))) return { tag: 'null' };
  if (TRUES.has(t)) return { tag: 'bool', value: true };
  if (FALSES.has(t)) return { tag: 'bool', value: false };
  if (/^[-+0-9.]/.test(t)) {
    const i = parseInteger(t);
    if (i !== undefined) return { tag: 'int', value: i };
    if (FLOAT.test(t.replace(/_/g, ''))) return { tag: 'float', value: Number(t.replace(/_/g, '')) };
  }
  if (/^[-+]?\.(inf|Inf|INF)$/.test(t)) return { tag: 'float', value: t.startsWith('-') ? -Infinity : Infinity };
  if (/^\.(nan|NaN|NAN)$/.test(t)) return { tag: 'float', value: NaN };
  return { tag: 'str', value: t };
}

function typeName(type: FieldType): string {
  if (typeof type === 'string') return type;
  if ('struct' in type) return type.struct;
  return '[]' + typeName(type.list);
}

function nodeTag(node: YNode): string {
  if (node.kind === 'map') return '!!map';
  if (node.kind === 'seq') return '!!seq';
  return '!!' + resolveScalar(node).tag;
}

class Decoder {
  readonly positions: Positions = new Map();
  constructor(
    private readonly schema: Schema,
    private readonly types: Report,
    private readonly unused: Report,
  ) {}

  private mismatch(node: YNode, type: FieldType, path: Path): undefined {
    const shown = node.kind === 'scalar' ? ` \`${node.text}\`` : '';
    this.types.error(path, `cannot unmarshal ${nodeTag(node)}${shown} into ${typeName(type)}`, node.pos);
    return undefined;
  }

  decode(node: YNode, type: FieldType, path: Path): BValue | undefined {
    this.positions.set(formatPath(path), node.pos);
    // A null leaves Go's field at its zero value: absent here.
    if (node.kind === 'scalar' && resolveScalar(node).tag === 'null') return undefined;
    if (typeof type === 'string') {
      if (node.kind !== 'scalar') return this.mismatch(node, type, path);
      const r = resolveScalar(node);
      switch (type) {
        case 'string':
          return node.text;
        case 'int':
          if (r.tag === 'int') return r.value;
          if (r.tag === 'float' && Number.isSafeInteger(r.value)) return r.value;
          return this.mismatch(node, type, path);
        case 'bool':
          if (r.tag === 'bool') return r.value;
          if (r.tag === 'str' && YAML11_TRUE.has(r.value)) return true;
          if (r.tag === 'str' && YAML11_FALSE.has(r.value)) return false;
          return this.mismatch(node, type, path);
      }
    }
    if ('list' in type) {
      if (node.kind !== 'seq') return this.mismatch(node, type, path);
      const out: BValue[] = [];
      node.items.forEach((item, i) => {
        const v = this.decode(item, type.list, [...path, i]);
        out.push(v === undefined ? zero(type.list) : v);
      });
      return out;
    }
    if (node.kind !== 'map') return this.mismatch(node, type, path);
    return this.decodeStruct(node, type.struct, path);
  }

  decodeStruct(node: Extract<YNode, { kind: 'map' }>, name: StructName, path: Path, known: string[] = []): BObject {
    const fields = new Map<string, Field>(this.schema[name].map((fd) => [fd.key, fd]));
    const out: BObject = {};
    for (const entry of node.entries) {
      const field = fields.get(entry.key);
      const childPath = [...path, entry.key];
      if (!field) {
        if (!known.includes(entry.key)) this.unused.warn(childPath, `Unused key ${entry.key}`, entry.keyPos);
        continue;
      }
      const v = this.decode(entry.value, field.type, childPath);
      if (v !== undefined) out[entry.key] = v;
      else delete out[entry.key];
    }
    return out;
  }
}

function zero(type: FieldType): BValue {
  if (typeof type === 'string') return type === 'string' ? '' : type === 'int' ? 0 : false;
  if ('list' in type) return [];
  return {};
}

/**
 * Decodes the whole document as a Config. Type errors go to `types`, unused keys to `unused`.
 * `variant` and `version` are known top-level keys read by the caller.
 */
export function decodeConfig(root: YNode, schema: Schema, types: Report, unused: Report): Decoded {
  const decoder = new Decoder(schema, types, unused);
  decoder.positions.set('$', root.pos);
  if (root.kind !== 'map') {
    types.error([], `cannot unmarshal ${nodeTag(root)} into Config`, root.pos);
    return { value: {}, positions: decoder.positions };
  }
  const value = decoder.decodeStruct(root, 'Config', [], ['variant', 'version']);
  return { value, positions: decoder.positions };
}

/** The position of a path, or of its nearest ancestor that exists in the text. */
export function locate(positions: Positions, path: Path): Position | undefined {
  for (let n = path.length; n >= 0; n--) {
    const p = positions.get(formatPath(path.slice(0, n)));
    if (p) return p;
  }
  return undefined;
}

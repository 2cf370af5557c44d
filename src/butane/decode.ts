/**
 * Positioned YAML tree -> typed Butane tree, following the schema. Scalars resolve the way Butane's
 * Go YAML library does (YAML 1.1-style octal `0644`, `yes`/`no` for booleans, any scalar for a
 * string). Wrong types are errors; keys the schema does not know are "Unused key" warnings.
 */
import type { Field, FieldType, Schema, StructName } from './schema.js';
import { formatPath, type Report, type Path, type Position } from './report.js';
import type { YNode, YScalar } from './yaml.js';

/** `bigint` only for integers beyond 2^53 (Go's int64 range, as Butane's fields are Go ints). */
export type BValue = string | number | bigint | boolean | BObject | BValue[];
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
  | { tag: 'int'; value: number | bigint }
  | { tag: 'float'; value: number }
  | { tag: 'str'; value: string }
  | { tag: 'binary'; value: string }
  | { tag: 'error'; message: string };

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

const NULLS = new Set(['', '~', 'null', 'Null', 'NULL']);
const TRUES = new Set(['true', 'True', 'TRUE']);
const FALSES = new Set(['false', 'False', 'FALSE']);
const YAML11_TRUE = new Set(['y', 'Y', 'yes', 'Yes', 'YES', 'on', 'On', 'ON']);
const YAML11_FALSE = new Set(['n', 'N', 'no', 'No', 'NO', 'off', 'Off', 'OFF']);
const FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;

function parseInteger(text: string): number | bigint | undefined {
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
  const prefix = { 16: '0x', 10: '', 8: '0o', 2: '0b' }[radix as 16 | 10 | 8 | 2];
  const big = BigInt(prefix + digits) * BigInt(sign);
  // go-yaml tries int64, then uint64, before a float.
  if (big < INT64_MIN || big > UINT64_MAX || (sign < 0 && big > 0n)) return undefined;
  return Number.isSafeInteger(Number(big)) && BigInt(Number(big)) === big ? Number(big) : big;
}

const CORE_TAGS = new Set(['!!null', '!!bool', '!!int', '!!float']);

/** Resolves a scalar as Go's yaml.v3 does for an untyped target. */
export function resolveScalar(node: YScalar): Resolved {
  const tag = node.tag?.replace('tag:yaml.org,2002:', '!!');
  if (tag === '!!binary') return { tag: 'binary', value: node.text };
  if (tag === '!!str' || (!node.plain && !tag)) return { tag: 'str', value: node.text };
  if (tag && CORE_TAGS.has(tag)) {
    // An explicit core tag resolves the text as if plain, and must agree (an int is a float too).
    const r = resolvePlain(node.text);
    const want = tag.slice(2);
    if (r.tag === want) return r;
    if (want === 'float' && r.tag === 'int') return { tag: 'float', value: Number(r.value) };
    return { tag: 'error', message: `cannot decode !!str \`${node.text}\` as a ${tag}` };
  }
  if (tag) return { tag: 'str', value: node.text };
  return resolvePlain(node.text);
}

function resolvePlain(t: string): Resolved {
  if (NULLS.has(t)) return { tag: 'null' };
  if (TRUES.has(t)) return { tag: 'bool', value: true };
  if (FALSES.has(t)) return { tag: 'bool', value: false };
  if (/^[-+0-9.]/.test(t)) {
    const i = parseInteger(t);
    if (i !== undefined) return { tag: 'int', value: i };
    if (FLOAT.test(t.replace(/_/g, ''))) return { tag: 'float', value: Number(t.replace(/_/g, '')) };
  }
  if (/^[-+]?\.(inf|Inf|INF)$/.test(t)) return { tag: 'float', value: t.startsWith('-') ? -Infinity : Infinity };
  if (/^\.(nan|NaN|NAN)$/.test(t)) return { tag: 'float', value: NaN };
  if (/^-?0b[01_]+$/.test(t)) {
    const i = parseInteger(t);
    if (i !== undefined) return { tag: 'int', value: i };
  }
  return { tag: 'str', value: t };
}

/** A float into a Go int field: truncated toward zero when it fits int64 (as go-yaml does), else refused. */
function floatToInt(f: number): number | bigint | undefined {
  if (Number.isNaN(f)) return undefined;
  if (f === -Infinity) return INT64_MIN;
  if (!(f <= 2 ** 63)) return undefined; // float64 has no 2^63 - 1: the nearest is 2^63
  const t = Math.trunc(f);
  if (Number.isSafeInteger(t)) return t === 0 ? 0 : t;
  const b = BigInt(t);
  return b < INT64_MIN || b > INT64_MAX ? undefined : b;
}

/** go-yaml's alias budget: many aliases relative to the work they cause is refused. */
function allowedAliasRatio(decodeCount: number): number {
  if (decodeCount <= 400_000) return 0.99;
  if (decodeCount >= 4_000_000) return 0.1;
  return 0.99 - 0.89 * ((decodeCount - 400_000) / 3_600_000);
}

function typeName(type: FieldType): string {
  if (typeof type === 'string') return type;
  if ('struct' in type) return type.struct;
  return '[]' + typeName(type.list);
}

function nodeTag(node: YNode): string {
  if (node.kind === 'map') return '!!map';
  if (node.kind === 'seq') return '!!seq';
  const tag = resolveScalar(node).tag;
  return tag === 'error' ? '!!str' : '!!' + tag;
}

class Decoder {
  readonly positions: Positions = new Map();
  private decodeCount = 0;
  private aliasCount = 0;
  /** Depth of aliased subtrees being decoded: Butane's context tree reports nothing inside them. */
  private hidden = 0;
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

  private count(node: YNode): void {
    this.decodeCount++;
    // An alias costs go-yaml two decode steps (the alias, then its target).
    if (node.viaAlias) {
      this.aliasCount++;
      this.decodeCount++;
    }
    if (this.aliasCount > 100 && this.decodeCount > 1000 && this.aliasCount / this.decodeCount > allowedAliasRatio(this.decodeCount)) {
      throw new AliasBudget();
    }
  }

  /** Butane's "context tree does not match content tree": a struct given as an alias, or as a null (`~`, `null` or nothing). */
  private contextMismatch(node: YNode, path: Path): boolean {
    const mismatch = node.viaAlias || (node.kind === 'scalar' && resolveScalar(node).tag === 'null');
    if (mismatch && this.hidden === 0) {
      const p = formatPath(path);
      this.unused.warn(path, `context tree does not match content tree at ${p}. Line and column reporting may be inconsistent. Unused keys may not be reported.`, node.pos);
    }
    return Boolean(mismatch);
  }

  decode(node: YNode, type: FieldType, path: Path, listItem = false): BValue | undefined {
    this.count(node);
    this.positions.set(formatPath(path), node.pos);
    if (!listItem && typeof type === 'object' && 'struct' in type) this.contextMismatch(node, path);
    // A null leaves Go's field at its zero value: absent here.
    if (node.kind === 'scalar' && resolveScalar(node).tag === 'null') return undefined;
    if (node.kind === 'scalar') {
      const r = resolveScalar(node);
      if (r.tag === 'error') {
        this.types.error(path, r.message, node.pos);
        return undefined;
      }
    }
    const aliased = node.viaAlias === true && node.kind !== 'scalar';
    if (aliased) this.hidden++;
    try {
      return this.decodeValue(node, type, path);
    } finally {
      if (aliased) this.hidden--;
    }
  }

  private decodeValue(node: YNode, type: FieldType, path: Path): BValue | undefined {
    if (typeof type === 'string') {
      if (node.kind !== 'scalar') return this.mismatch(node, type, path);
      const r = resolveScalar(node);
      switch (type) {
        case 'string':
          return node.text;
        case 'int': {
          if (r.tag === 'int') {
            if (typeof r.value === 'bigint' && r.value > INT64_MAX) return this.mismatch(node, type, path);
            return r.value;
          }
          if (r.tag === 'float') {
            const i = floatToInt(r.value);
            if (i !== undefined) return i;
          }
          return this.mismatch(node, type, path);
        }
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
      const structs = typeof type.list === 'object' && 'struct' in type.list;
      const isNull = (n: YNode) => n.kind === 'scalar' && resolveScalar(n).tag === 'null';
      // Null items are dropped (go-yaml); the context tree still pairs items by index.
      const kept = node.items.filter((n) => !isNull(n)).length;
      node.items.forEach((item, i) => {
        if (structs && i < kept && this.hidden === 0 && (isNull(item) || item.viaAlias)) {
          this.contextMismatch(isNull(item) ? ({ ...item, empty: false } as YNode) : item, [...path, i]);
        }
      });
      for (const item of node.items) {
        if (isNull(item)) {
          this.count(item);
          continue;
        }
        const i = out.length;
        const v = this.decode(item, type.list, [...path, i], true);
        out.push(v === undefined ? zero(type.list) : v);
      }
      return out;
    }
    if (node.kind !== 'map') return this.mismatch(node, type, path);
    return this.decodeStruct(node, type.struct, path);
  }

  decodeStruct(node: Extract<YNode, { kind: 'map' }>, name: StructName, path: Path, known: string[] = []): BObject {
    const fields = new Map<string, Field>(this.schema[name].map((fd) => [fd.key, fd]));
    const out: BObject = {};
    // go-yaml: two keys of the same kind and text in one decoded mapping are an error.
    const seen = new Map<string, YNode>();
    for (const entry of node.entries) {
      const id = `${entry.keyNode.kind}:${entry.key}`;
      const first = seen.get(id);
      if (entry.merged) continue;
      if (first) this.types.error(null, `mapping key "${entry.key}" already defined at line ${first.pos.line}`, entry.keyPos);
      else seen.set(id, entry.keyNode);
    }
    if (this.hidden === 0) for (const at of node.mergeKeys) this.unused.warn([...path, '<<'], 'Unused key <<', at);
    for (const entry of node.entries) {
      const field = fields.get(entry.key);
      const childPath = [...path, entry.key];
      if (!field) {
        if (!known.includes(entry.key) && this.hidden === 0 && !entry.merged) this.unused.warn(childPath, `Unused key ${entry.key}`, entry.keyPos);
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
  try {
    return decodeRoot(decoder, root, types);
  } catch (e) {
    if (!(e instanceof AliasBudget)) throw e;
    types.error(null, 'YAML: document contains excessive aliasing', undefined);
    return { value: {}, positions: decoder.positions };
  }
}

class AliasBudget extends Error {}

function decodeRoot(decoder: Decoder, root: YNode, types: Report): Decoded {
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

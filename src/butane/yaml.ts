/**
 * YAML text -> a small positioned tree, read the way Butane's YAML library (go-yaml v3, with its
 * YAML 1.1 leanings) reads it. The `yaml` package finds the structure (maps, sequences, scalar
 * spans); a thin layer around it decides what go-yaml decides differently:
 *
 * - before parsing: strict UTF-8, go-yaml's allowed character set ("control characters are not
 *   allowed"), a size limit, `%YAML` directives other than 1.1, tab-indented lines in block context,
 *   `?` inside flow plain scalars; NEL, LS, PS and a lone CR are line breaks (YAML 1.1), so they
 *   are handed to `yaml` as LF (same length, so offsets stay true);
 * - while converting: only the first document is read (as yaml.Unmarshal does), unknown aliases
 *   are errors, double- and single-quoted scalars are decoded here from the original text (go-yaml's
 *   escape set, folding and its LS/PS rule), plain scalars with YAML 1.1 line breaks are refolded,
 *   block scalars ending at end of file without a line break lose the break `yaml` adds, `!!binary`
 *   is decoded to raw bytes;
 * - aliases are shared, never copied, so an alias bomb costs nothing here; the decoder counts its
 *   work and applies go-yaml's alias budget ("document contains excessive aliasing").
 */
import { Composer, isAlias, isMap, isPair, isScalar, isSeq, Parser, Scalar } from 'yaml';
import type { Alias, Document, Node as YamlLibNode } from 'yaml';
import { Report, TranspileError, type Position } from './report.js';

interface Base {
  pos: Position;
  /** Reached through an alias (`*name`): Butane's context tree does not follow these. */
  viaAlias?: boolean;
  /** Carries an anchor (`&name`). */
  anchored?: boolean;
}

export interface YMapEntry {
  key: string;
  keyPos: Position;
  value: YNode;
  /** The key node (for go-yaml's duplicate-key rule: same kind and same text). */
  keyNode: YNode;
  /** Came from a merge key (`<<`). */
  merged?: boolean;
}

export interface YMap extends Base {
  kind: 'map';
  entries: YMapEntry[];
  /** Positions of merge keys (`<<`), which Butane reports as unused keys. */
  mergeKeys: Position[];
}

export interface YSeq extends Base {
  kind: 'seq';
  items: YNode[];
}

export interface YScalar extends Base {
  kind: 'scalar';
  /**
   * The scalar's value as text (quotes and escapes resolved). For `!!binary`, the decoded bytes:
   * valid UTF-8 as text, other bytes as lone surrogates U+DC80-U+DCFF (see bytesOf()).
   */
  text: string;
  /** Plain (unquoted, not a block scalar): only these are resolved to null, bool, int or float. */
  plain: boolean;
  /** Explicit tag such as `tag:yaml.org,2002:str`, if the document wrote one. */
  tag?: string;
  /** A key with no value at all (`key:`). */
  empty?: boolean;
  /** The source text of a `!!binary` scalar (for messages). */
  source?: string;
}

export type YNode = YMap | YSeq | YScalar;

/** Largest Butane input accepted (bytes); Butane configs are small, this is only a guard. */
export const MAX_YAML_BYTES = 16 * 1024 * 1024;

function yamlError(message: string, pos?: Position): never {
  const report = new Report();
  report.error(null, `YAML: ${message}`, pos);
  throw new TranspileError('yaml', report.findings);
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** Bytes -> text as go-yaml reads it: UTF-8 only (a BOM is dropped), anything else refused. */
function decodeInput(input: string | Uint8Array): string {
  if (typeof input !== 'string') {
    if (input.length > MAX_YAML_BYTES) yamlError(`input is larger than the ${MAX_YAML_BYTES / 1024 / 1024} MiB limit`);
    try {
      return utf8.decode(input);
    } catch {
      yamlError('invalid leading UTF-8 octet');
    }
  }
  if (input.length > MAX_YAML_BYTES) yamlError(`input is larger than the ${MAX_YAML_BYTES / 1024 / 1024} MiB limit`);
  return input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
}

/** go-yaml's reader: #x9 #xA #xD [#x20-#x7E] #x85 [#xA0-#xD7FF] [#xE000-#xFFFD] [#x10000-#x10FFFF]. */
function checkCharacters(text: string): void {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c >= 0x20 && c <= 0x7e) || c === 0x0a || c === 0x09 || c === 0x0d) continue;
    if (c === 0x85 || (c >= 0xa0 && c <= 0xd7ff) || (c >= 0xe000 && c <= 0xfffd)) continue;
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        i++;
        continue;
      }
    }
    yamlError('control characters are not allowed', lineCol(text, i));
  }
}

function lineCol(text: string, offset: number): Position {
  let line = 1;
  let start = 0;
  for (let i = 0; i < offset; i++) {
    if (isBreakChar(text.charCodeAt(i))) {
      if (text.charCodeAt(i) === 0x0d && text.charCodeAt(i + 1) === 0x0a) i++;
      line++;
      start = i + 1;
    }
  }
  return { line, col: offset - start + 1 };
}

function isBreakChar(c: number): boolean {
  return c === 0x0a || c === 0x0d || c === 0x85 || c === 0x2028 || c === 0x2029;
}

/** YAML 1.1 line breaks that YAML 1.2 (the `yaml` package) treats as content: same length as LF. */
function normaliseBreaks(text: string): string {
  return text.replace(/\r(?!\n)|[\u0085\u2028\u2029]/g, '\n');
}

/**
 * Checks go-yaml makes on the raw lines that `yaml` does not: `%YAML` other than 1.1, a tab in the
 * indentation of a block-context line (libyaml does not skip tabs where a simple key may start).
 */
function checkLines(text: string): void {
  const lines = text.split('\n');
  let inDocument = false;
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!;
    if (!inDocument && line.startsWith('%YAML')) {
      const m = /^%YAML[ \t]+(\d+)\.(\d+)(?:[ \t]|$)/.exec(line);
      if (m?.[1] !== '1' || m[2] !== '1') yamlError('found incompatible YAML document', { line: n + 1, col: 1 });
    }
    if (line.startsWith('---') || line.startsWith('...') || !line.startsWith('%')) {
      if (line.trim() !== '' && !line.startsWith('#')) inDocument = true;
    }
  }
}

/**
 * Tabs where libyaml expects indentation: at the start of a block-context line (before its first
 * token, after any `- ` indicators), which go-yaml refuses; lines inside flow collections and
 * continuation lines of quoted scalars are exempt, block scalar lines only below their indentation.
 */
function checkTabIndent(text: string, lastLine: number, exempt: Set<number>, blockScalars: Map<number, number>): void {
  const lines = text.split('\n');
  for (let n = 0; n <= Math.min(lastLine, lines.length - 1); n++) {
    if (exempt.has(n)) continue;
    const line = lines[n]!;
    const indent = blockScalars.get(n);
    if (indent !== undefined) {
      const m = /^( *)\t/.exec(line);
      if (m && m[1]!.length < indent) yamlError('found a tab character where an indentation space is expected', { line: n + 1, col: m[1]!.length + 1 });
      continue;
    }
    const m = /^ *(?:-(?=[ \t]) *)*\t/.exec(line);
    if (m) yamlError('found a tab character that violates indentation', { line: n + 1, col: m[0].length });
  }
}

// ---------------------------------------------------------------------------------------------
// Scalar values as go-yaml computes them (written from the YAML 1.1 spec's folding rules).

const ESCAPES: Record<string, string> = {
  '0': '\0',
  a: '\x07',
  b: '\b',
  t: '\t',
  '\t': '\t',
  n: '\n',
  v: '\v',
  f: '\f',
  r: '\r',
  e: '\x1b',
  ' ': ' ',
  '"': '"',
  "'": "'",
  '\\': '\\',
  N: '\u0085',
  _: '\u00a0',
  L: '\u2028',
  P: '\u2029',
};
const HEX_LENGTH: Record<string, number> = { x: 2, u: 4, U: 8 };

/** A line break at i: its length and what go-yaml keeps of it (LF for CR, LF, CRLF, NEL; LS and PS as they are). */
function breakAt(s: string, i: number): { len: number; value: string } | undefined {
  const c = s[i];
  if (c === '\r') return { len: s[i + 1] === '\n' ? 2 : 1, value: '\n' };
  if (c === '\n' || c === '\u0085') return { len: 1, value: '\n' };
  if (c === '\u2028' || c === '\u2029') return { len: 1, value: c };
  return undefined;
}

/** Joins the pieces between line breaks the way go-yaml folds flow and plain scalars. */
function fold(leadingBreak: string, trailingBreaks: string): string {
  if (leadingBreak.startsWith('\n')) return trailingBreaks === '' ? ' ' : trailingBreaks;
  return leadingBreak + trailingBreaks;
}

/** Space, tab and the line breaks below U+0100: where a run of ordinary characters in a quoted scalar ends. */
const ENDS_RUN: boolean[] = [];
for (const c of [0x20, 0x09, 0x0a, 0x0d, 0x85]) ENDS_RUN[c] = true;

/** The value of a quoted scalar from its source text (quotes included). */
export function quotedValue(src: string, pos: Position): string {
  const double = src[0] === '"';
  const end = src.length - 1;
  let out = '';
  let i = 1;
  for (;;) {
    let leadingBlanks = false;
    while (i < end) {
      const c = src[i]!;
      if (c === ' ' || c === '\t' || breakAt(src, i)) break;
      if (!double && c === "'" && src[i + 1] === "'") {
        out += "'";
        i += 2;
      } else if (double && c === '\\') {
        const b = breakAt(src, i + 1);
        if (b) {
          i += 1 + b.len;
          leadingBlanks = true;
          break;
        }
        const e = src[i + 1]!;
        if (e in ESCAPES) {
          out += ESCAPES[e];
          i += 2;
        } else if (e in HEX_LENGTH) {
          const len = HEX_LENGTH[e]!;
          const hex = src.slice(i + 2, i + 2 + len);
          if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== len) yamlError('did not find expected hexdecimal number', pos);
          const code = parseInt(hex, 16);
          if ((code >= 0xd800 && code <= 0xdfff) || code > 0x10ffff) yamlError('found invalid Unicode character escape code', pos);
          out += String.fromCodePoint(code);
          i += 2 + len;
        } else {
          yamlError('found unknown escape character', pos);
        }
      } else {
        // A run of ordinary characters at once (one character at a time made a rope of a node per
        // character: most of a transpile's garbage, and kept by the tree).
        let j = i + 1;
        while (j < end && !ENDS_RUN[src.charCodeAt(j)] && !isBreakChar(src.charCodeAt(j)) && !(double ? src.charCodeAt(j) === 0x5c : src.charCodeAt(j) === 0x27)) j++;
        out += src.slice(i, j);
        i = j;
      }
    }
    if (i >= end) break;
    let whitespace = '';
    let leadingBreak = '';
    let trailingBreaks = '';
    for (;;) {
      const c = src[i]!;
      if (i < end && (c === ' ' || c === '\t')) {
        if (!leadingBlanks) whitespace += c;
        i++;
        continue;
      }
      const b = i < end ? breakAt(src, i) : undefined;
      if (!b) break;
      if (!leadingBlanks) {
        whitespace = '';
        leadingBreak = b.value;
        leadingBlanks = true;
      } else {
        trailingBreaks += b.value;
      }
      i += b.len;
    }
    if (leadingBlanks) out += leadingBreak === '' ? trailingBreaks : fold(leadingBreak, trailingBreaks);
    else out += whitespace;
    if (i >= end) break;
  }
  return out;
}

/** The value of a multi-line plain scalar whose breaks include YAML 1.1 ones (NEL, LS, PS, lone CR). */
function plainValue(src: string): string {
  const pieces: string[] = [];
  const breaks: string[] = [];
  let i = 0;
  let line = '';
  while (i < src.length) {
    const b = breakAt(src, i);
    if (b) {
      pieces.push(line);
      breaks.push(b.value);
      line = '';
      i += b.len;
    } else {
      line += src[i];
      i++;
    }
  }
  pieces.push(line);
  let out = pieces[0]!.replace(/[ \t]+$/, '');
  let k = 1;
  while (k < pieces.length) {
    const leadingBreak = breaks[k - 1]!;
    let trailing = '';
    while (k < pieces.length - 1 && pieces[k]!.trim() === '') {
      trailing += breaks[k]!;
      k++;
    }
    out += fold(leadingBreak, trailing) + pieces[k]!.trim();
    k++;
  }
  return out;
}

/** `!!binary` text -> bytes as Go's base64.StdEncoding (CR and LF ignored), as a byte-preserving string. */
function decodeBinary(text: string, pos: Position): string {
  const b64 = text.replace(/[\r\n]/g, '');
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(b64)) {
    yamlError('!!binary value contains invalid base64 data', pos);
  }
  return bytesToText(Buffer.from(b64, 'base64'));
}

/** Bytes -> text: valid UTF-8 sequences as characters, every other byte as U+DC80+byte (a lone surrogate). */
export function bytesToText(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    let out = '';
    let i = 0;
    while (i < bytes.length) {
      const b = bytes[i]!;
      const len = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
      if (len > 0 && i + len <= bytes.length) {
        try {
          out += new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(i, i + len));
          i += len;
          continue;
        } catch {
          /* not a valid sequence: fall through */
        }
      }
      out += String.fromCharCode(0xdc00 + b);
      i++;
    }
    return out;
  }
}

/** The bytes a value stands for (the inverse of bytesToText). */
export function bytesOf(text: string): Buffer {
  if (!/[\udc80-\udcff]/.test(text)) return Buffer.from(text, 'utf8');
  const parts: Buffer[] = [];
  let run = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const prev = text.charCodeAt(i - 1);
    if (c >= 0xdc80 && c <= 0xdcff && !(prev >= 0xd800 && prev <= 0xdbff)) {
      parts.push(Buffer.from(run, 'utf8'), Buffer.from([c - 0xdc00]));
      run = '';
    } else {
      run += text[i];
    }
  }
  parts.push(Buffer.from(run, 'utf8'));
  return Buffer.concat(parts);
}

// ---------------------------------------------------------------------------------------------

/** Parses the first YAML document as go-yaml does; a syntax error throws a TranspileError of stage 'yaml'. */
export function parseYaml(input: string | Uint8Array): YNode | null {
  const original = decodeInput(input);
  checkCharacters(original);
  checkLines(original);
  let text = normaliseBreaks(original);
  let doc = firstDocument(text);
  // `yaml` wants a quoted scalar's continuation lines indented under its parent (and without
  // leading tabs); go-yaml takes any indentation there. Such a scalar is handed to `yaml` as a
  // same-length single-line placeholder, and decoded here from the original text.
  for (let tries = 0; tries < 1000 && doc?.errors[0] && /Missing closing ["']quote/.test(doc.errors[0].message); tries++) {
    const span = unclosedQuote(text, doc.errors[0].pos[0]);
    if (!span) break;
    text = text.slice(0, span[0] + 1) + text.slice(span[0] + 1, span[1] - 1).replace(/[\s\S]/g, 'x') + text.slice(span[1] - 1);
    doc = firstDocument(text);
  }
  if (!doc) return null;
  // After a root flow collection the document ends implicitly; go-yaml's Unmarshal never reads
  // what follows (the next document's syntax), so errors there do not count.
  const rootEnd = rootFlowEnd(doc);
  const problem = doc.errors.find((e) => rootEnd === undefined || e.pos[0] < rootEnd);
  const starts = lineStarts(original);
  const position = (offset: number | undefined): Position => {
    const o = offset ?? 0;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= o) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, col: o - starts[lo]! + 1 };
  };
  if (problem) yamlError(firstLine(problem.message), position(problem.pos[0]));
  const anchors = new Map<string, YNode>();
  const exempt = new Set<number>();
  const blockScalars = new Map<number, number>();
  const lineOf = (offset: number) => position(offset).line - 1;
  const exemptInside = (n: YamlLibNode) => {
    if (!n.range) return;
    for (let l = lineOf(n.range[0]) + 1; l <= lineOf(Math.max(n.range[0], n.range[1] - 1)); l++) exempt.add(l);
  };
  const markBlock = (n: YamlLibNode) => {
    if ((n as { flow?: boolean }).flow) exemptInside(n);
  };
  const convert = (node: unknown, fallback: Position): YNode => {
    if (node === null || node === undefined) {
      return { kind: 'scalar', text: '', plain: true, empty: true, pos: fallback };
    }
    if (isAlias(node)) {
      const name = (node as Alias).source;
      const target = anchors.get(name);
      if (!target) yamlError(`unknown anchor '${name}' referenced`, position((node as Alias).range?.[0]));
      return { ...target, pos: position((node as Alias).range?.[0]), viaAlias: true, anchored: false } as YNode;
    }
    const n = node as YamlLibNode;
    const pos = position(n.range?.[0]);
    let out: YNode;
    if (isMap(n)) {
      markBlock(n);
      const entries: YMapEntry[] = [];
      const merges: YNode[] = [];
      const mergeKeys: Position[] = [];
      const map: YMap = { kind: 'map', entries, mergeKeys, pos };
      if (n.anchor) anchors.set(n.anchor, map);
      for (const pair of n.items) {
        if (!isPair(pair)) continue;
        const key = pair.key as YamlLibNode | null;
        const keyPos = key?.range ? position(key.range[0]) : pos;
        const keyNode = convert(key, keyPos);
        if (keyNode.kind !== 'scalar') yamlError('mapping keys must be scalars', keyPos);
        const value = convert(pair.value, keyPos);
        if (keyNode.plain && keyNode.text === '<<' && !keyNode.tag) {
          merges.push(value);
          mergeKeys.push(keyPos);
          continue;
        }
        entries.push({ key: keyNode.text, keyPos, value, keyNode });
      }
      // Merge keys (`<<: *base`): explicit keys win, then earlier merged maps over later ones.
      for (const source of merges.flatMap((m) => (m.kind === 'seq' ? m.items : [m]))) {
        if (source.kind !== 'map') yamlError('map merge requires map or sequence of maps as the value', source.pos);
        for (const e of source.entries) if (!entries.some((x) => x.key === e.key)) entries.push({ ...e, merged: true });
      }
      out = map;
    } else if (isSeq(n)) {
      markBlock(n);
      const seq: YSeq = { kind: 'seq', items: [], pos };
      if (n.anchor) anchors.set(n.anchor, seq);
      for (const item of n.items) {
        const child = convert(item, pos);
        seq.items.push(child);
      }
      out = seq;
    } else if (isScalar(n)) {
      const s = n as Scalar;
      const plain = s.type === Scalar.PLAIN || s.type === undefined;
      const src = n.range ? original.slice(n.range[0], n.range[1]) : '';
      let value = String(s.value ?? '');
      if (s.type === Scalar.QUOTE_DOUBLE || s.type === Scalar.QUOTE_SINGLE) {
        exemptInside(n);
        value = quotedValue(src, pos);
      } else if (plain && /[\r\u0085\u2028\u2029]/.test(src)) {
        value = plainValue(src);
      } else if ((s.type === Scalar.BLOCK_LITERAL || s.type === Scalar.BLOCK_FOLDED) && n.range) {
        const first = lineOf(n.range[0]);
        const body = text.slice(n.range[0], n.range[1]).split('\n').slice(1);
        const firstContent = body.find((l) => l.trim() !== '');
        const indent = firstContent === undefined ? 0 : /^ */.exec(firstContent)![0].length;
        body.forEach((_, k) => {
          blockScalars.set(first + 1 + k, indent);
        });
        // A block scalar whose last line ends the file without a break: go-yaml adds none.
        const last = original.slice(n.range[0], n.range[2]);
        if (n.range[2] >= original.length && !/[\n\r\u0085\u2028\u2029]\s*$/.test(last.replace(/[ \t]+$/, '')) && value.endsWith('\n')) {
          value = value.slice(0, -1);
        }
      }
      const tag = s.tag;
      const scalar: YScalar = { kind: 'scalar', text: value, plain, pos };
      if (plain && src === '' && !tag) scalar.empty = true;
      if (tag) scalar.tag = tag;
      if (tag === 'tag:yaml.org,2002:binary') {
        scalar.source = value;
        scalar.text = decodeBinary(value, pos);
      }
      if (n.anchor) anchors.set(n.anchor, scalar);
      out = scalar;
    } else {
      out = { kind: 'scalar', text: '', plain: true, empty: true, pos };
    }
    if (n.anchor) out.anchored = true;
    return out;
  };
  const root = doc.contents === null || doc.contents === undefined ? null : convert(doc.contents, { line: 1, col: 1 });
  checkFlowQuestionMark(doc, text);
  const lastOffset = rootEnd ?? doc.range?.[2];
  checkTabIndent(text, lastOffset !== undefined ? lineOf(Math.max(0, lastOffset - 1)) : Infinity, exempt, blockScalars);
  return root;
}

/** Where a closed flow collection at the root ends, if the root is one. */
function rootFlowEnd(doc: Document.Parsed): number | undefined {
  const root = doc.contents as YamlLibNode | null;
  if (!root || !(isMap(root) || isSeq(root)) || !(root as { flow?: boolean }).flow || !root.range) return undefined;
  const end = (root as { srcToken?: { end?: { type: string }[] } }).srcToken?.end ?? [];
  return end.some((t) => t.type === 'flow-map-end' || t.type === 'flow-seq-end') ? root.range[1] : undefined;
}

/**
 * The first document of the stream (go-yaml's Unmarshal reads no further): the tokens are handed to
 * the composer one by one, and reading stops when a second document begins. Each of the composer's
 * steps runs to its end: leaving `compose()`'s generator suspended after its first document (as a
 * `for ... of` that returns does) made every parse about twice as slow, most of it in the collector.
 */
function firstDocument(text: string): Document.Parsed | undefined {
  const parser = new Parser();
  const composer = new Composer({ schema: 'failsafe', strict: true, uniqueKeys: false, resolveKnownTags: false, keepSourceTokens: true });
  let first: Document.Parsed | undefined;
  for (const token of parser.parse(text)) {
    for (const d of composer.next(token)) first ??= d as Document.Parsed;
    if (first) return first;
  }
  for (const d of composer.end(true)) first ??= d as Document.Parsed;
  return first;
}

/** Offsets where each line starts, counting line breaks as go-yaml does (CRLF once). */
function lineStarts(text: string): number[] {
  const out = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x0d && text.charCodeAt(i + 1) === 0x0a) continue;
    if (isBreakChar(c)) out.push(i + 1);
  }
  return out;
}

/**
 * The span [open, close+1) of the quoted scalar that `yaml` could not close, found from the line of
 * its error: the first quote there that starts a token and closes on a later line.
 */
function unclosedQuote(text: string, errorOffset: number): [number, number] | undefined {
  let lineStart = text.lastIndexOf('\n', Math.min(errorOffset, text.length - 1) - 1) + 1;
  for (let back = 0; back < 2 && lineStart >= 0; back++) {
    const lineEnd = text.indexOf('\n', lineStart);
    const end = lineEnd < 0 ? text.length : lineEnd;
    for (let i = lineStart; i < end; i++) {
      const c = text[i]!;
      if (c === '#' && (i === lineStart || /\s/.test(text[i - 1]!))) break;
      if ((c === '"' || c === "'") && (i === lineStart || /[\s[{,:!&-]/.test(text[i - 1]!) || /[?-] $/.test(text.slice(i - 2, i)))) {
        const close = closingQuote(text, i);
        if (close === undefined) return undefined;
        if (close > end) return [i, close + 1];
        i = close;
      }
    }
    lineStart = text.lastIndexOf('\n', lineStart - 2) + 1;
    if (lineStart === 0 && back > 0) break;
  }
  return undefined;
}

function closingQuote(text: string, open: number): number | undefined {
  const q = text[open]!;
  for (let i = open + 1; i < text.length; i++) {
    if (q === '"' && text[i] === '\\') {
      i++;
      continue;
    }
    if (text[i] === q) {
      if (q === "'" && text[i + 1] === "'") {
        i++;
        continue;
      }
      return i;
    }
  }
  return undefined;
}

/** go-yaml ends a plain scalar at `?` inside flow collections (YAML 1.1), which then cannot parse. */
function checkFlowQuestionMark(doc: Document.Parsed, text: string): void {
  const visit = (n: unknown, flow: boolean): void => {
    if (!n) return;
    if (isPair(n)) {
      visit(n.key, flow);
      visit(n.value, flow);
      return;
    }
    if (isMap(n) || isSeq(n)) {
      const f = flow || Boolean((n as { flow?: boolean }).flow);
      for (const item of (n as { items: unknown[] }).items) visit(item, f);
      return;
    }
    if (flow && isScalar(n) && (n.type === Scalar.PLAIN || n.type === undefined) && n.range) {
      const src = text.slice(n.range[0], n.range[1]);
      if (src.slice(1).includes('?')) {
        const report = new Report();
        report.error(null, "YAML: did not find expected ',' or '}'", undefined);
        throw new TranspileError('yaml', report.findings);
      }
    }
  };
  visit(doc.contents, false);
}

function firstLine(message: string): string {
  return message
    .split('\n')[0]!
    .replace(/ at line \d+, column \d+:?\s*$/, '')
    .trim();
}

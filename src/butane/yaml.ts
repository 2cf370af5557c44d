/**
 * YAML text -> a small positioned tree. Scalars keep their source text and style so that the schema
 * decoder can resolve them the way Butane's YAML library does (for example `0644` is octal there).
 */
import { Alias, Document, isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, Scalar } from 'yaml';
import type { Node as YamlLibNode } from 'yaml';
import { Report, TranspileError, type Position } from './report.js';

interface Base {
  pos: Position;
}

export interface YMapEntry {
  key: string;
  keyPos: Position;
  value: YNode;
}

export interface YMap extends Base {
  kind: 'map';
  entries: YMapEntry[];
}

export interface YSeq extends Base {
  kind: 'seq';
  items: YNode[];
}

export interface YScalar extends Base {
  kind: 'scalar';
  /** The scalar's value as text (quotes and escapes resolved). */
  text: string;
  /** Plain (unquoted, not a block scalar): only these are resolved to null, bool, int or float. */
  plain: boolean;
  /** Explicit tag such as `tag:yaml.org,2002:str`, if the document wrote one. */
  tag?: string;
  /** A key with no value at all (`key:`). */
  empty?: boolean;
}

export type YNode = YMap | YSeq | YScalar;

const MAX_ALIAS_DEPTH = 64;

/** Parses one YAML document; a syntax error throws a TranspileError of stage 'yaml'. */
export function parseYaml(text: string): YNode | null {
  const lines = new LineCounter();
  const doc = parseDocument(text, {
    lineCounter: lines,
    schema: 'failsafe',
    uniqueKeys: true,
    prettyErrors: true,
    strict: true,
  });
  const problem = doc.errors[0];
  if (problem) {
    const report = new Report();
    const at = problem.linePos?.[0];
    report.error(null, `YAML: ${firstLine(problem.message)}`, at ? { line: at.line, col: at.col } : undefined);
    throw new TranspileError('yaml', report.findings);
  }
  const position = (offset: number | undefined): Position => {
    const p = lines.linePos(offset ?? 0);
    return { line: p.line, col: p.col };
  };
  const convert = (node: unknown, fallback: Position, depth: number): YNode => {
    if (depth > MAX_ALIAS_DEPTH) {
      const report = new Report();
      report.error(null, 'YAML: aliases nested too deeply', fallback);
      throw new TranspileError('yaml', report.findings);
    }
    if (node === null || node === undefined) {
      return { kind: 'scalar', text: '', plain: true, empty: true, pos: fallback };
    }
    if (isAlias(node)) {
      const target = (node as Alias).resolve(doc as Document);
      return convert(target, position((node as Alias).range?.[0]), depth + 1);
    }
    const n = node as YamlLibNode;
    const pos = position(n.range?.[0]);
    if (isMap(n)) {
      const entries: YMapEntry[] = [];
      const merges: YNode[] = [];
      for (const pair of n.items) {
        if (!isPair(pair)) continue;
        const key = pair.key as YamlLibNode | null;
        const keyPos = key?.range ? position(key.range[0]) : pos;
        const keyNode = convert(key, keyPos, depth);
        if (keyNode.kind !== 'scalar') {
          const report = new Report();
          report.error(null, 'YAML: mapping keys must be scalars', keyPos);
          throw new TranspileError('yaml', report.findings);
        }
        entries.push({ key: keyNode.text, keyPos, value: convert(pair.value, keyPos, depth) });
        if (keyNode.plain && keyNode.text === '<<') merges.push(entries.pop()!.value);
      }
      // Merge keys (`<<: *base`): explicit keys win, then earlier merged maps over later ones.
      for (const source of merges.flatMap((m) => (m.kind === 'seq' ? m.items : [m]))) {
        if (source.kind !== 'map') {
          const report = new Report();
          report.error(null, 'YAML: map merge requires a map or a sequence of maps', source.pos);
          throw new TranspileError('yaml', report.findings);
        }
        for (const e of source.entries) if (!entries.some((x) => x.key === e.key)) entries.push(e);
      }
      return { kind: 'map', entries, pos };
    }
    if (isSeq(n)) {
      return { kind: 'seq', items: n.items.map((item) => convert(item, pos, depth)), pos };
    }
    if (isScalar(n)) {
      const s = n as Scalar;
      const plain = s.type === Scalar.PLAIN || s.type === undefined;
      const out: YScalar = { kind: 'scalar', text: String(s.value ?? ''), plain, pos };
      if (s.tag) out.tag = s.tag;
      return out;
    }
    return { kind: 'scalar', text: '', plain: true, empty: true, pos };
  };
  if (doc.contents === null || doc.contents === undefined) return null;
  return convert(doc.contents, { line: 1, col: 1 }, 0);
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?\s*$/, '').trim();
}

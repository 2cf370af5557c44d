/**
 * Snippets: a user's Butane fragment merged into a machine's generated Butane, after rendering and
 * before transpiling, so that users customise without forking the templates. Storage files,
 * directories and links, systemd units and passwd users are appended; drop-ins of a generated unit
 * are appended to it, and SSH keys of a generated user to that user. Anything the generated config
 * writes too (a path, a unit, a drop-in, a user's other settings) is an error naming both. Pure:
 * works on parsed YAML (the yaml package's Document API) with Butane's own reading of scalars
 * (failsafe schema: every scalar keeps its source text, so `0644` stays `0644`).
 */
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, visit, YAMLMap, YAMLSeq, type Document, type Node, type Pair } from 'yaml';
import { posix } from 'node:path';
import { shown } from '../answers/checks.js';

/** Which configs a snippet goes into: a role, every machine, or one machine by name. */
export const SNIPPET_GROUPS = ['etcd', 'worker', 'laptop', 'all'] as const;

export type SnippetErrorCode = 'snippet_invalid' | 'snippet_clash' | 'snippet_target';

export class SnippetError extends Error {
  constructor(
    readonly code: SnippetErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'SnippetError';
  }
}

export interface ParsedSnippet {
  target: string;
  /** The file name, for messages. */
  label: string;
  /** The file's absolute path (for cluster.yaml), when it was read from a file. */
  path?: string;
  doc: Document;
  /** `label:line:col` of a node. */
  where(node: Node | null | undefined): string;
  /** The file's text, as read (generate.ts transpiles it alone, so that findings carry its own lines). */
  text?: string;
  /** --allow-snippet-overrides: may replace or reconfigure generated units (see unitOfPath, securitySetting). */
  allowOverrides?: boolean;
}

/** The flag that lets snippets change generated units. */
export const ALLOW_OVERRIDES_FLAG = '--allow-snippet-overrides';

/** Where systemd reads unit files and drop-ins from (a file there overrides a unit's own). */
const UNIT_DIRS = [
  '/etc/systemd/system/',
  '/run/systemd/system/',
  '/etc/systemd/system.control/',
  '/run/systemd/system.control/',
  '/etc/systemd/system.attached/',
  '/run/systemd/system.attached/',
];

/** The generated unit a storage path would replace or reconfigure (`<dir>/<unit>`, `<dir>/<unit>.d/...`), if any. */
export function unitOfPath(path: string, units: ReadonlySet<string>): string | undefined {
  const norm = posix.normalize(path);
  for (const dir of UNIT_DIRS) {
    if (!norm.startsWith(dir)) continue;
    const first = norm.slice(dir.length).split('/')[0]!;
    const unit = first.endsWith('.d') ? first.slice(0, -2) : first;
    if (units.has(unit)) return unit;
    // A template instance's unit file or drop-in (etcd@x.service) changes the template's units too.
    const at = /^([^@]+@)[^.]*(\.[a-z]+)$/.exec(unit);
    if (at && units.has(`${at[1]}${at[2]}`)) return `${at[1]}${at[2]}`;
  }
  return undefined;
}

/**
 * Settings of a drop-in that decide a generated unit's security: replacing its command, reading or
 * dropping environment wholesale, or setting a TLS/authentication/listen variable (ETCD_CLIENT_CERT_AUTH,
 * ETCD_LISTEN_CLIENT_URLS, DOCKER_TLS_VERIFY, ...). Returns what the drop-in sets, or undefined.
 */
export function securitySetting(contents: string): string | undefined {
  const lines = contents.replace(/\\\r?\n/g, ' ').split(/\r?\n/);
  for (const raw of lines) {
    const line = raw.trim();
    const m = /^([A-Za-z]+)\s*=\s*(.*)$/.exec(line);
    if (!m) continue;
    const [, key, value] = m;
    if (key === 'ExecStart' || key === 'EnvironmentFile' || key === 'UnsetEnvironment' || key === 'PassEnvironment') return `${key}=`;
    if (key === 'Environment') {
      for (const word of value!.match(/"[^"]*"|'[^']*'|\S+/g) ?? []) {
        const name = word.replace(/^["']|["']$/g, '').split('=')[0]!;
        if (/CERT|KEY|TLS|TRUSTED_CA|CA_FILE|AUTH|INSECURE|URLS?$|_HOST$|SECURE/i.test(name)) return `Environment=${name}`;
      }
    }
  }
  return undefined;
}

const LISTS = [
  ['storage', 'files'],
  ['storage', 'directories'],
  ['storage', 'links'],
  ['systemd', 'units'],
  ['passwd', 'users'],
] as const;
const ALLOWED: Record<string, string[]> = { variant: [], version: [], storage: ['files', 'directories', 'links'], systemd: ['units'], passwd: ['users'] };
const WHAT_MAY = 'a snippet may hold storage files, directories and links, systemd units (and drop-ins) and passwd users';

const PARSE = { schema: 'failsafe', uniqueKeys: true, prettyErrors: false, strict: true } as const;

function scalarText(node: unknown): string | undefined {
  return isScalar(node) ? String(node.value) : undefined;
}

function entry(map: unknown, key: string): Pair | undefined {
  return isMap(map) ? (map.items.find((p) => isPair(p) && scalarText(p.key) === key) as Pair | undefined) : undefined;
}

function valueAt(map: unknown, key: string): unknown {
  return entry(map, key)?.value;
}

/** Reads a snippet file's text; checks its variant, version and that it holds only what can be merged. */
export function parseSnippet(text: string, label: string, target: string, version = '1.0.0'): ParsedSnippet {
  const lines = new LineCounter();
  const doc = parseDocument(text, { ...PARSE, lineCounter: lines });
  const where = (node: Node | null | undefined) => {
    const offset = (node as { range?: [number] } | null | undefined)?.range?.[0];
    if (offset === undefined) return label;
    const p = lines.linePos(offset);
    return `${label}:${p.line}:${p.col}`;
  };
  const invalid = (node: Node | null | undefined, message: string) => new SnippetError('snippet_invalid', `snippet ${where(node)} ${message}`);
  const error = doc.errors[0];
  if (error) {
    const p = lines.linePos(error.pos[0]);
    throw new SnippetError('snippet_invalid', `snippet ${label}:${p.line}:${p.col} not YAML: ${error.message.split('\n')[0]}`);
  }
  const root = doc.contents;
  if (!isMap(root)) throw invalid(root, 'must be a Butane config: a mapping with variant: flatcar and version: ' + version);
  let alias: Node | undefined;
  visit(doc, {
    Alias: (_, n) => {
      alias ??= n as Node;
    },
  });
  if (alias) throw invalid(alias, 'anchors and aliases are not merged; write the values out');
  const variant = entry(root, 'variant');
  if (scalarText(variant?.value) !== 'flatcar') throw invalid((variant?.value ?? root) as Node, `variant must be flatcar (got ${scalarText(variant?.value) ?? 'none'})`);
  const ver = entry(root, 'version');
  if (scalarText(ver?.value) !== version) {
    throw invalid((ver?.value ?? root) as Node, `version must be ${version}, the generated configs' version (got ${scalarText(ver?.value) ?? 'none'})`);
  }
  for (const pair of root.items) {
    const key = scalarText(pair.key) ?? '';
    const subs = ALLOWED[key];
    if (!subs) throw invalid(pair.key as Node, `${key}: not merged; ${WHAT_MAY}`);
    if (!subs.length) continue;
    if (!isMap(pair.value)) throw invalid((pair.value ?? pair.key) as Node, `${key}: must be a mapping`);
    for (const sub of pair.value.items) {
      const name = scalarText(sub.key) ?? '';
      if (!subs.includes(name)) throw invalid(sub.key as Node, `${key}.${name}: not merged; ${WHAT_MAY}`);
      if (!isSeq(sub.value)) throw invalid((sub.value ?? sub.key) as Node, `${key}.${name}: must be a list`);
      sub.value.items.forEach((item, i) => {
        const idKey = name === 'units' || name === 'users' ? 'name' : 'path';
        if (!isMap(item) || scalarText(valueAt(item, idKey)) === undefined) {
          throw invalid(item as Node, `${key}.${name}[${i}]: needs a ${idKey}`);
        }
      });
    }
  }
  return { target, label, doc, where, text };
}

/** The snippets meant for a machine, in the order given. */
export function snippetsFor(machine: { name: string; role: string }, snippets: readonly ParsedSnippet[]): ParsedSnippet[] {
  return snippets.filter((s) => s.target === 'all' || s.target === machine.role || s.target === machine.name);
}

/** Every target must be a group or a machine: a typo must not silently merge nothing. */
export function checkTargets(snippets: readonly ParsedSnippet[], machineNames: readonly string[]): void {
  for (const s of snippets) {
    if (!(SNIPPET_GROUPS as readonly string[]).includes(s.target) && !machineNames.includes(s.target)) {
      throw new SnippetError(
        'snippet_target',
        `snippet ${s.label}: no machine or role is called ${shown(s.target)}; use etcd, worker, laptop, all or a machine name (${machineNames.slice(0, 3).join(', ')}${machineNames.length > 3 ? ', ...' : ''})`,
      );
    }
  }
}

/** The list at `section.key` of a document, created when absent. */
function listIn(doc: Document, section: string, key: string): YAMLSeq {
  let sectionNode = valueAt(doc.contents, section);
  if (!isMap(sectionNode)) {
    sectionNode = new YAMLMap();
    (doc.contents as YAMLMap).set(doc.createNode(section), sectionNode);
  }
  let list = valueAt(sectionNode, key);
  if (!isSeq(list)) {
    list = new YAMLSeq();
    (sectionNode as YAMLMap).set(doc.createNode(key), list);
  }
  return list as YAMLSeq;
}

/** Keys of a mapping node other than the given ones. */
const otherKeys = (map: YAMLMap, except: string[]): string[] => map.items.map((p) => scalarText(p.key) ?? '').filter((k) => !except.includes(k));

/**
 * Merges snippets into one machine's generated Butane (YAML text) and returns the merged text.
 * `machine` names the generated config in messages (`<machine>.bu`).
 */
export function mergeSnippets(butane: string, machine: string, snippets: readonly ParsedSnippet[]): string {
  if (!snippets.length) return butane;
  const doc = parseDocument(butane, PARSE);
  if (doc.errors.length || !isMap(doc.contents)) throw new Error(`internal: the generated ${machine}.bu is not a YAML mapping`);
  const generated = `the generated ${machine}.bu`;
  const version = scalarText(valueAt(doc.contents, 'version'));
  for (const s of snippets) {
    const theirs = scalarText(valueAt(s.doc.contents, 'version'));
    if (theirs !== version) throw new SnippetError('snippet_invalid', `snippet ${s.label}: version ${theirs} cannot be merged into ${generated}, which is version ${version}`);
  }
  // Who wrote each path / unit / user so far: the generated config, or a snippet at a position.
  const owners = new Map<string, string>();
  const own = (kind: string, id: string, by: string) => owners.set(`${kind}\n${id}`, by);
  const ownerOf = (kind: string, id: string) => owners.get(`${kind}\n${id}`);
  for (const [section, key] of LISTS) {
    const list = valueAt(valueAt(doc.contents, section), key);
    if (!isSeq(list)) continue;
    for (const item of list.items) {
      const id = scalarText(valueAt(item, key === 'units' || key === 'users' ? 'name' : 'path'));
      if (id !== undefined) own(section === 'storage' ? 'path' : key, id, generated);
    }
  }
  const generatedUnits = new Set([...owners.keys()].filter((k) => k.startsWith('units\n')).map((k) => k.slice('units\n'.length)));
  const clash: Clash = (s, node, field, what, by) =>
    new SnippetError('snippet_clash', `snippet ${s.where(node as Node)} ${field}: ${what} clashes with ${by === generated ? generated : `snippet ${by}`}, which writes it too`);

  for (const s of snippets) {
    for (const [section, key] of LISTS) {
      const items = valueAt(valueAt(s.doc.contents, section), key);
      if (!isSeq(items)) continue;
      items.items.forEach((raw, i) => {
        const item = (raw as YAMLMap).clone() as YAMLMap;
        const field = `${section}.${key}[${i}]`;
        if (section === 'storage') {
          const path = scalarText(valueAt(item, 'path'))!;
          const unit = s.allowOverrides ? undefined : unitOfPath(path, generatedUnits);
          if (unit) {
            throw new SnippetError(
              'snippet_invalid',
              `snippet ${s.where(raw as Node)} ${field}: ${path} would replace or reconfigure ${unit}, a unit of ${generated}; snippets may not change generated units (${ALLOW_OVERRIDES_FLAG} allows it)`,
            );
          }
          const by = ownerOf('path', path);
          if (by) throw clash(s, raw, field, `path ${path}`, by);
          own('path', path, s.where(raw as Node));
          listIn(doc, section, key).items.push(item);
        } else if (key === 'units') {
          mergeUnit(doc, s, field, raw as YAMLMap, item, ownerOf, clash, own);
        } else {
          mergeUser(doc, s, field, raw as YAMLMap, item, ownerOf, clash, own);
        }
      });
    }
  }
  return doc.toString({ lineWidth: 0 });
}

type Clash = (s: ParsedSnippet, node: unknown, field: string, what: string, by: string) => SnippetError;
type Own = (kind: string, id: string, by: string) => void;
type OwnerOf = (kind: string, id: string) => string | undefined;

function findByName(doc: Document, section: string, key: string, name: string): YAMLMap | undefined {
  const list = valueAt(valueAt(doc.contents, section), key);
  return isSeq(list) ? (list.items.find((u) => scalarText(valueAt(u, 'name')) === name) as YAMLMap | undefined) : undefined;
}

/** A new unit is appended; a unit written already takes the snippet's drop-ins, if that is all the snippet says about it. */
function mergeUnit(doc: Document, s: ParsedSnippet, field: string, raw: YAMLMap, item: YAMLMap, ownerOf: OwnerOf, clash: Clash, own: Own): void {
  const name = scalarText(valueAt(item, 'name'))!;
  const by = ownerOf('units', name);
  if (!by) {
    own('units', name, s.where(raw as unknown as Node));
    for (const d of dropinsOf(item)) own('dropins', `${name}/${d.name}`, s.where(d.node));
    listIn(doc, 'systemd', 'units').items.push(item);
    return;
  }
  if (otherKeys(item, ['name', 'dropins']).length) throw clash(s, raw, field, `unit ${name}`, by);
  const target = findByName(doc, 'systemd', 'units', name)!;
  let dropins = valueAt(target, 'dropins');
  if (!isSeq(dropins)) {
    dropins = new YAMLSeq();
    target.set(doc.createNode('dropins'), dropins);
  }
  for (const d of dropinsOf(target)) if (!ownerOf('dropins', `${name}/${d.name}`)) own('dropins', `${name}/${d.name}`, by);
  dropinsOf(item).forEach((d, j) => {
    const owner = ownerOf('dropins', `${name}/${d.name}`);
    if (owner) throw clash(s, d.node, `${field}.dropins[${j}]`, `drop-in ${d.name} of ${name}`, owner);
    const setting = s.allowOverrides ? undefined : securitySetting(scalarText(valueAt(d.node, 'contents')) ?? '');
    if (setting) {
      throw new SnippetError(
        'snippet_invalid',
        `snippet ${s.where(d.node)} ${field}.dropins[${j}]: drop-in ${d.name} of ${name} (a generated unit) sets ${setting}, which decides its TLS and security; not allowed without ${ALLOW_OVERRIDES_FLAG}`,
      );
    }
    own('dropins', `${name}/${d.name}`, s.where(d.node));
    (dropins as YAMLSeq).items.push(d.node);
  });
}

function dropinsOf(unit: YAMLMap): { name: string; node: Node }[] {
  const list = valueAt(unit, 'dropins');
  return isSeq(list) ? list.items.map((d) => ({ name: scalarText(valueAt(d, 'name')) ?? '', node: d as Node })) : [];
}

/** A new user is appended; a user written already takes the snippet's SSH keys, if that is all the snippet says about it. */
function mergeUser(doc: Document, s: ParsedSnippet, field: string, raw: YAMLMap, item: YAMLMap, ownerOf: OwnerOf, clash: Clash, own: Own): void {
  const name = scalarText(valueAt(item, 'name'))!;
  const by = ownerOf('users', name);
  if (!by) {
    own('users', name, s.where(raw as unknown as Node));
    listIn(doc, 'passwd', 'users').items.push(item);
    return;
  }
  if (otherKeys(item, ['name', 'ssh_authorized_keys']).length) throw clash(s, raw, field, `user ${name}`, by);
  const target = findByName(doc, 'passwd', 'users', name)!;
  const keys = valueAt(item, 'ssh_authorized_keys');
  if (!isSeq(keys)) return;
  let list = valueAt(target, 'ssh_authorized_keys');
  if (!isSeq(list)) {
    list = new YAMLSeq();
    target.set(doc.createNode('ssh_authorized_keys'), list);
  }
  (list as YAMLSeq).items.push(...keys.items);
}

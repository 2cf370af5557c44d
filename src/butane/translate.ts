/**
 * Typed Butane tree -> Ignition object. Renames keys, writes them in Ignition's order, turns inline
 * and local contents into data URLs, reads `trees`, `contents_local` and `ssh_authorized_keys_local`
 * from the files directory, and generates mount units for `with_mount_unit`.
 *
 * Every Ignition node produced is recorded with the Butane path it came from, so that a problem
 * found in the result can be reported at the field the user wrote.
 */
import { bytesOf } from './yaml.js';
import { closeSync, constants, fstatSync, lstatSync, openSync, readdirSync, readlinkSync, readSync, statSync } from 'node:fs';
import { join, relative, isAbsolute, sep } from 'node:path';
import { posix } from 'node:path';
import type { BObject, BValue } from './decode.js';
import { encodeDataUrl } from './encode.js';
import { formatPath, type Report, type Path } from './report.js';
import type { FieldType, Schema, StructName, VersionInfo } from './schema.js';

export type IValue = string | number | bigint | boolean | IObject | IValue[];
export interface IObject {
  [key: string]: IValue;
}

export interface TranslateOptions {
  /** Directory that `local`, `trees`, `contents_local` and `ssh_authorized_keys_local` are relative to. */
  filesDir?: string;
  /** Allow gzip for inline contents (Butane's default). */
  allowCompression?: boolean;
}

/** Ignition path (formatted) -> Butane path. */
export type Translations = Map<string, Path>;

export interface Translated {
  ignition: IObject;
  translations: Translations;
}

const MSG_NO_FILES_DIR = 'local file paths are relative to a files directory that must be specified with -d/--files-dir';
const MSG_ESCAPE = 'local file path traverses outside the files directory';
const MSG_NODE_EXISTS = 'matching filesystem node has existing contents or different type';

function asObject(v: BValue | undefined): BObject | undefined {
  return v !== undefined && typeof v === 'object' && !Array.isArray(v) ? v : undefined;
}

function isEmptyValue(v: IValue): boolean {
  if (Array.isArray(v)) return v.length === 0;
  return typeof v === 'object' && Object.keys(v).length === 0;
}

class Translator {
  readonly translations: Translations = new Map();

  constructor(
    private readonly schema: Schema,
    private readonly options: TranslateOptions,
    private readonly report: Report,
  ) {}

  map(ipath: Path, bpath: Path): void {
    this.translations.set(formatPath(ipath), bpath);
  }

  /** Maps an Ignition subtree, node by node, to one Butane path. */
  mapTree(value: IValue, ipath: Path, bpath: Path): void {
    this.map(ipath, bpath);
    if (Array.isArray(value))
      value.forEach((v, i) => {
        this.mapTree(v, [...ipath, i], bpath);
      });
    else if (typeof value === 'object') for (const [k, v] of Object.entries(value)) this.mapTree(v, [...ipath, k], bpath);
  }

  value(type: FieldType, v: BValue, bpath: Path, ipath: Path): IValue {
    this.map(ipath, bpath);
    if (typeof type === 'string') return v as IValue;
    if ('list' in type) {
      return (v as BValue[]).map((item, i) => this.value(type.list, item, [...bpath, i], [...ipath, i]));
    }
    return this.struct(type.struct, v as BObject, bpath, ipath);
  }

  struct(name: StructName, b: BObject, bpath: Path, ipath: Path): IObject {
    const out: IObject = {};
    for (const field of this.schema[name]) {
      if (!field.ign) continue;
      const v = b[field.key];
      // Butane's non-pointer fields (`always`) at their zero value are the same as absent to it.
      if (v === undefined || (field.always && (v === '' || v === 0))) {
        if (field.always) {
          // Written by Ignition's struct, but absent from the source: no translation (Butane's
          // findings there name the Ignition path).
          out[field.ign] = field.type === 'int' ? 0 : '';
        }
        continue;
      }
      const t = this.value(field.type, v, [...bpath, field.key], [...ipath, field.ign]);
      if (!isEmptyValue(t)) out[field.ign] = t;
    }
    switch (name) {
      case 'Resource':
        return this.resource(b, out, bpath, ipath);
      case 'Unit':
      case 'Dropin':
        return this.unitContentsLocal(b, out, bpath, ipath);
      case 'PasswdUser':
        return this.sshKeysLocal(b, out, bpath, ipath);
      default:
        return out;
    }
  }

  /** Resolves a `local` path inside the files directory, reporting at `bpath` if it cannot. */
  localPath(local: string, bpath: Path, allowDirItself = false): string | undefined {
    const dir = this.options.filesDir;
    if (dir === undefined) {
      this.report.error(bpath, MSG_NO_FILES_DIR);
      return undefined;
    }
    const full = join(dir, local);
    const rel = relative(dir, full);
    if (rel.startsWith('..' + sep) || rel === '..' || isAbsolute(rel) || (rel === '' && !allowDirItself)) {
      this.report.error(bpath, MSG_ESCAPE);
      return undefined;
    }
    return full;
  }

  readLocal(local: string, bpath: Path): Buffer | undefined {
    const full = this.localPath(local, bpath);
    if (full === undefined) return undefined;
    try {
      return readRegularFile(full, MAX_LOCAL_BYTES);
    } catch (e) {
      this.report.error(bpath, e instanceof LocalFileError ? e.message : systemMessage(e, 'open', full));
      return undefined;
    }
  }

  resource(b: BObject, out: IObject, bpath: Path, ipath: Path): IObject {
    let bytes: Buffer | undefined;
    let from: string | undefined;
    if (typeof b.inline === 'string') {
      bytes = bytesOf(b.inline);
      from = 'inline';
    } else if (typeof b.local === 'string') {
      from = 'local';
      bytes = this.readLocal(b.local, [...bpath, 'local']);
    }
    if (bytes === undefined || from === undefined) return out;
    const result = this.withContents(out, bytes);
    if (result.compression !== out.compression) this.map([...ipath, 'compression'], [...bpath, from]);
    this.map([...ipath, 'source'], [...bpath, from]);
    return result;
  }

  /**
   * A resource with `bytes` as its data URL source, in Ignition's key order. A compression the
   * user set is kept (the bytes are taken as already compressed); otherwise the shortest encoding
   * wins and `compression` is written as "" or "gzip".
   */
  withContents(resource: IObject, bytes: Uint8Array): IObject {
    const userCompression = typeof resource.compression === 'string' && resource.compression !== '' ? resource.compression : undefined;
    const encoded = encodeDataUrl(bytes, userCompression === undefined && this.options.allowCompression !== false);
    const result: IObject = { compression: userCompression ?? encoded.compression };
    if (resource.httpHeaders !== undefined) result.httpHeaders = resource.httpHeaders;
    result.source = encoded.source;
    if (resource.verification !== undefined) result.verification = resource.verification;
    return result;
  }

  unitContentsLocal(b: BObject, out: IObject, bpath: Path, ipath: Path): IObject {
    if (typeof b.contents_local !== 'string' || b.contents_local === '' || b.contents !== undefined) return out;
    const at = [...bpath, 'contents_local'];
    const bytes = this.readLocal(b.contents_local, at);
    if (bytes === undefined) return out;
    this.map([...ipath, 'contents'], at);
    return { contents: bytes.toString('utf8'), ...out };
  }

  sshKeysLocal(b: BObject, out: IObject, bpath: Path, ipath: Path): IObject {
    const locals = b.ssh_authorized_keys_local;
    if (!Array.isArray(locals) || locals.length === 0) return out;
    const keys: IValue[] = Array.isArray(out.sshAuthorizedKeys) ? [...out.sshAuthorizedKeys] : [];
    if (this.options.filesDir === undefined) {
      this.report.error([...bpath, 'ssh_authorized_keys_local'], MSG_NO_FILES_DIR);
      return out;
    }
    locals.forEach((local, j) => {
      const at = [...bpath, 'ssh_authorized_keys_local', j];
      const bytes = this.readLocal(String(local), at);
      if (bytes === undefined) return;
      for (const line of bytes.toString('utf8').split(/\r?\n/)) {
        if (line === '') continue;
        this.map([...ipath, 'sshAuthorizedKeys', keys.length], at);
        keys.push(line);
      }
    });
    if (keys.length === 0) return out;
    // Rebuild to keep Ignition's key order (sshAuthorizedKeys sits between primaryGroup and shell).
    const result: IObject = {};
    for (const field of this.schema.PasswdUser) {
      if (!field.ign) continue;
      if (field.ign === 'sshAuthorizedKeys') result.sshAuthorizedKeys = keys;
      else if (out[field.ign] !== undefined) result[field.ign] = out[field.ign]!;
    }
    return result;
  }

  /** `storage.trees`: every regular file and symlink below each tree becomes a file or link entry. */
  trees(config: BObject, ign: IObject): void {
    const trees = asObject(config.storage)?.trees;
    if (!Array.isArray(trees) || trees.length === 0) return;
    ign.storage ??= {};
    const storage = ign.storage as IObject;
    storage.files ??= [];
    storage.links ??= [];
    const files = storage.files as IObject[];
    const links = storage.links as IObject[];
    const directories = (storage.directories ?? []) as IObject[];
    for (const [i, tree] of trees.entries()) {
      const t = tree as BObject;
      const at: Path = ['storage', 'trees', i];
      if (this.options.filesDir === undefined) {
        this.report.error(at, MSG_NO_FILES_DIR);
        break;
      }
      const base = this.localPath(String(t.local ?? ''), at, true);
      if (base === undefined) continue;
      let info;
      try {
        info = statSync(base);
      } catch (e) {
        this.report.error(at, systemMessage(e, 'stat', base));
        continue;
      }
      if (!info.isDirectory()) {
        this.report.error(at, 'root of tree must be a directory');
        continue;
      }
      const dest = typeof t.path === 'string' && t.path !== '' ? t.path : '/';
      // A tree root that is a symlink is not followed: it becomes one link (as Butane's walk does).
      for (const rel of lstatSync(base).isSymbolicLink() ? [''] : walk(base)) {
        const src = join(base, rel);
        const target = posix.join(dest, rel.split(sep).join('/'));
        const st = lstatSync(src);
        const clash = (list: IObject[]) => list.findIndex((n) => n.path === target);
        if (st.isSymbolicLink()) {
          const existing = clash(links);
          if (clash(files) >= 0 || clash(directories) >= 0 || (existing >= 0 && (links[existing]!.target ?? '') !== '')) {
            this.report.error(at, MSG_NODE_EXISTS);
            continue;
          }
          const linkTarget = readlinkSync(src).split(sep).join('/');
          if (existing >= 0) {
            links[existing] = withKey(links[existing]!, 'target', linkTarget);
            this.map(['storage', 'links', existing, 'target'], at);
          } else {
            this.mapTree({ path: target, target: linkTarget }, ['storage', 'links', links.length], at);
            links.push({ path: target, target: linkTarget });
          }
        } else if (st.isFile()) {
          // Butane checks a tree's file against links only; a directory entry of the same path is
          // left to Ignition's duplicate check.
          if (clash(links) >= 0) {
            this.report.error(at, MSG_NODE_EXISTS);
            continue;
          }
          let index = clash(files);
          let file: IObject;
          if (index >= 0) {
            file = files[index]!;
            const contents = file.contents as IObject | undefined;
            if (contents?.source !== undefined) {
              this.report.error(at, MSG_NODE_EXISTS);
              continue;
            }
          } else {
            index = files.length;
            file = { path: target };
            files.push(file);
            this.map(['storage', 'files', index], at);
            this.map(['storage', 'files', index, 'path'], at);
          }
          let data: Buffer;
          try {
            data = readRegularFile(src, MAX_LOCAL_BYTES);
          } catch (e) {
            this.report.error(at, e instanceof LocalFileError ? e.message : systemMessage(e, 'open', src));
            continue;
          }
          const contents = this.withContents((file.contents as IObject | undefined) ?? {}, data);
          const mode = file.mode ?? ((st.mode & 0o111) !== 0 ? 0o755 : 0o644);
          const rebuilt: IObject = {};
          for (const [k, v] of Object.entries(file)) if (k !== 'contents' && k !== 'mode' && k !== 'append') rebuilt[k] = v;
          if (file.append !== undefined) rebuilt.append = file.append;
          rebuilt.contents = contents;
          rebuilt.mode = mode;
          files[index] = rebuilt;
          this.mapTree(contents, ['storage', 'files', index, 'contents'], at);
          if (file.mode === undefined) this.map(['storage', 'files', index, 'mode'], at);
        } else if (!st.isDirectory()) {
          this.report.error(at, 'trees may only contain files, directories, and symlinks');
        }
      }
    }
    if (files.length === 0) delete storage.files;
    if (links.length === 0) delete storage.links;
  }

  /** `with_mount_unit`: a generated mount (or swap) unit per filesystem, merged under any user unit of that name. */
  mountUnits(config: BObject, ign: IObject): void {
    const filesystems = asObject(config.storage)?.filesystems;
    if (!Array.isArray(filesystems)) return;
    const generated: { unit: IObject; from: Path }[] = [];
    filesystems.forEach((fsValue, i) => {
      const fs = fsValue as BObject;
      if (fs.with_mount_unit !== true) return;
      const device = typeof fs.device === 'string' ? fs.device : '';
      const format = typeof fs.format === 'string' ? fs.format : '';
      const options = Array.isArray(fs.mount_options) ? fs.mount_options.map(String).join(',') : '';
      let name: string;
      let contents: string[];
      if (format === 'swap') {
        name = systemdEscapePath(device) + '.swap';
        contents = ['# Generated by Butane', '[Swap]', `What=${device}`];
        contents.push(...(options ? [`Options=${options}`] : []), '', '[Install]', 'RequiredBy=swap.target');
      } else {
        const where = typeof fs.path === 'string' ? fs.path : '';
        const escapedDevice = systemdEscapePath(device);
        name = systemdEscapePath(where) + '.mount';
        contents = [
          '# Generated by Butane',
          '[Unit]',
          `Requires=systemd-fsck@${escapedDevice}.service`,
          `After=systemd-fsck@${escapedDevice}.service`,
          '',
          '[Mount]',
          `Where=${where}`,
          `What=${device}`,
          `Type=${format}`,
          ...(options ? [`Options=${options}`] : []),
          '',
          '[Install]',
          'RequiredBy=local-fs.target',
        ];
      }
      generated.push({ unit: { contents: contents.join('\n'), enabled: true, name }, from: ['storage', 'filesystems', i, 'with_mount_unit'] });
    });
    if (generated.length === 0) return;
    ign.systemd ??= {};
    const systemd = ign.systemd as IObject;
    const userUnits = ((systemd.units ?? []) as IObject[]).map((u, k) => ({ unit: u, k }));
    const merged: IObject[] = [];
    const oldTranslations = new Map(this.translations);
    const remap = (fromIndex: number, toIndex: number) => {
      const prefix = formatPath(['systemd', 'units', fromIndex]);
      for (const [ipath, bpath] of oldTranslations) {
        if (ipath === prefix || ipath.startsWith(prefix + '.')) {
          this.translations.set(formatPath(['systemd', 'units', toIndex]) + ipath.slice(prefix.length), bpath);
        }
      }
    };
    for (const key of [...this.translations.keys()]) if (key.startsWith('$.systemd.units.')) this.translations.delete(key);
    for (const g of generated) {
      const index = merged.length;
      const user = userUnits.find((u) => u.unit.name === g.unit.name);
      this.mapTree(g.unit, ['systemd', 'units', index], g.from);
      if (user) {
        merged.push(mergeUnit(g.unit, user.unit));
        remap(user.k, index);
        userUnits.splice(userUnits.indexOf(user), 1);
      } else {
        merged.push(g.unit);
      }
    }
    for (const u of userUnits) {
      remap(u.k, merged.length);
      merged.push(u.unit);
    }
    systemd.units = merged;
  }
}

/** Sets `key` on a link entry, keeping Ignition's key order (group, overwrite, path, user, hard, target). */
function withKey(node: IObject, key: string, value: IValue): IObject {
  const order = ['group', 'overwrite', 'path', 'user', 'hard', 'target'];
  const merged: IObject = { ...node, [key]: value };
  const out: IObject = {};
  for (const k of order) if (merged[k] !== undefined) out[k] = merged[k]!;
  return out;
}

function mergeUnit(parent: IObject, child: IObject): IObject {
  const out: IObject = {};
  const keys = ['contents', 'dropins', 'enabled', 'mask', 'name'];
  for (const k of keys) {
    if (k === 'dropins') {
      const dropins = [...((parent.dropins ?? []) as IObject[])];
      for (const d of (child.dropins ?? []) as IObject[]) {
        const i = dropins.findIndex((p) => p.name === d.name);
        if (i >= 0) dropins[i] = { ...dropins[i], ...d };
        else dropins.push(d);
      }
      if (dropins.length) out.dropins = dropins;
      continue;
    }
    const v = child[k] ?? parent[k];
    if (v !== undefined) out[k] = v;
  }
  return out;
}

/** Relative paths of everything below `dir`, depth first, entries in byte order (like Go's filepath.Walk). */
function walk(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  const names = readdirSync(join(dir, prefix)).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  for (const name of names) {
    const rel = prefix ? join(prefix, name) : name;
    const st = lstatSync(join(dir, rel));
    out.push(rel);
    if (st.isDirectory()) out.push(...walk(dir, rel));
  }
  return out.filter((rel) => !lstatSync(join(dir, rel)).isDirectory());
}

/** systemd-escape --path. */
export function systemdEscapePath(p: string): string {
  const trimmed = p.replace(/\/+/g, '/').replace(/^\/|\/$/g, '');
  if (trimmed === '') return '-';
  let out = '';
  const bytes = Buffer.from(trimmed, 'utf8');
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i]!;
    const ch = String.fromCharCode(c);
    if (ch === '/') out += '-';
    else if ((i === 0 && ch === '.') || !/[A-Za-z0-9:_.]/.test(ch)) out += '\\x' + c.toString(16).padStart(2, '0');
    else out += ch;
  }
  return out;
}

/** Largest `local:` / `contents_local:` / tree file read (bytes). */
export const MAX_LOCAL_BYTES = 64 * 1024 * 1024;

class LocalFileError extends Error {}

/**
 * Reads a regular file of at most `limit` bytes. Devices, FIFOs and sockets are refused without
 * blocking (opened non-blocking, checked with fstat), so a symlink to /dev/zero or a FIFO with no
 * writer fails at once instead of reading forever.
 */
export function readRegularFile(path: string, limit: number): Buffer {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    if (!st.isFile()) throw new LocalFileError(`read ${path}: not a regular file`);
    if (st.size > limit) throw new LocalFileError(`read ${path}: larger than the ${limit / 1024 / 1024} MiB limit`);
    const out = Buffer.alloc(st.size);
    let n = 0;
    while (n < out.length) {
      const got = readSync(fd, out, n, out.length - n, n);
      if (got === 0) break;
      n += got;
    }
    return n === out.length ? out : out.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

function systemMessage(e: unknown, op: string, file: string): string {
  const code = (e as NodeJS.ErrnoException).code;
  const reason = code === 'ENOENT' ? 'no such file or directory' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : (e as Error).message;
  return `${op} ${file}: ${reason}`;
}

/** Translates a decoded, source-validated Butane config. Errors (unreadable local files...) go to `report`. */
export function translate(config: BObject, info: VersionInfo, options: TranslateOptions, report: Report): Translated {
  const t = new Translator(info.schema, options, report);
  const ignition = t.struct('Config', config, [], []);
  const section = (ignition.ignition ?? {}) as IObject;
  section.version = info.ignitionVersion;
  t.map(['ignition', 'version'], ['version']);
  t.map(['ignition'], ['ignition']);
  t.trees(config, ignition);
  t.mountUnits(config, ignition);
  // Ignition's key order: ignition first, then the sections.
  const ordered: IObject = { ignition: section };
  for (const field of info.schema.Config) {
    if (field.ign && field.ign !== 'ignition' && ignition[field.ign] !== undefined) ordered[field.ign] = ignition[field.ign]!;
  }
  if (ordered.storage && typeof ordered.storage === 'object') {
    const st = ordered.storage as IObject;
    const sorted: IObject = {};
    for (const field of info.schema.Storage) if (field.ign && st[field.ign] !== undefined) sorted[field.ign] = st[field.ign]!;
    ordered.storage = sorted;
  }
  return { ignition: ordered, translations: t.translations };
}

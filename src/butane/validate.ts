/**
 * Validation in two passes, as Butane does:
 *  - validateSource: rules on the Butane document itself (one content source, mount units need a
 *    format, octal-looking modes, no clevis on Flatcar, ...). Paths are Butane paths.
 *  - validateIgnition: rules on the Ignition result (absolute paths, unit names, duplicates, URLs,
 *    hashes, unit syntax, ...). Paths are Ignition paths; the caller maps them back to Butane.
 */
import { posix } from 'node:path';
import type { BObject, BValue } from './decode.js';
import { decodeDataUrl } from './encode.js';
import type { Path, Report } from './report.js';
import type { VersionInfo } from './schema.js';
import type { IObject, IValue } from './translate.js';
import { parseUnit, UnitSyntaxError } from './unit.js';

// ---------------------------------------------------------------------------------------------
// Source (Butane) rules

const MSG_TOO_MANY_SOURCES = 'only one of the following can be set: inline, local, source';
const MSG_TOO_MANY_UNIT_SOURCES = 'only one of the following can be set: contents, contents_local';
const MSG_DECIMAL_MODE = 'unreasonable mode would be reasonable if specified in octal; remember to add a leading zero';

function obj(v: BValue | undefined): BObject | undefined {
  return v !== undefined && typeof v === 'object' && !Array.isArray(v) ? v : undefined;
}

function arr(v: BValue | undefined): BValue[] {
  return Array.isArray(v) ? v : [];
}

function validateResource(r: BObject | undefined, at: Path, report: Report): void {
  if (!r) return;
  let field: string | undefined;
  let count = 0;
  // The last one set, in this order, is the one named.
  for (const key of ['local', 'inline', 'source']) {
    if (r[key] !== undefined) {
      count++;
      field = key;
    }
  }
  if (count > 1 && field) report.error([...at, field], MSG_TOO_MANY_SOURCES);
}

/**
 * Whether a permission set is one people use: each class (user, group, other) has at least the
 * bits of the less privileged classes, write or execute come with read, execute for a class
 * comes with execute for the classes that can read, something is readable, directories are
 * searchable, and special bits appear only where they make sense.
 */
export function isTypicalMode(mode: number, directory: boolean): boolean {
  if (mode === 0) return true;
  let hadR = false;
  let hadW = false;
  let hadX = false;
  for (const perm of [mode & 7, (mode >> 3) & 7, (mode >> 6) & 7]) {
    const r = (perm & 4) !== 0;
    const w = (perm & 2) !== 0;
    const x = (perm & 1) !== 0;
    if ((!r && hadR) || (!w && hadW) || (!x && hadX)) return false;
    if (x && hadR && !hadX) return false;
    if ((w || x) && !r) return false;
    hadR ||= r;
    hadW ||= w;
    hadX ||= x;
  }
  if (!hadR) return false;
  if (directory) {
    if (!hadX) return false;
    if (mode & 0o4000) return false;
    if (mode & 0o3000 && !hadW) return false;
  } else {
    if (mode & 0o6000 && (!hadX || mode & 0o2)) return false;
    if (mode & 0o1000) return false;
  }
  return true;
}

/** 644 written where 0644 was meant: the number is odd as a mode, but its decimal digits read as octal are usual. */
export function looksLikeDecimalMode(mode: number, directory: boolean): boolean {
  if (!Number.isInteger(mode) || mode < 0 || mode > 7777) return false;
  const digits = String(mode).padStart(4, '0');
  if (!/^[0-7]{4}$/.test(digits)) return false;
  return !isTypicalMode(mode, directory) && isTypicalMode(parseInt(digits, 8), directory);
}

export function validateSource(config: BObject, info: VersionInfo, report: Report): void {
  const ign = obj(config.ignition);
  const cfg = obj(ign?.config);
  arr(cfg?.merge).forEach((r, i) => {
    validateResource(obj(r), ['ignition', 'config', 'merge', i], report);
  });
  validateResource(obj(cfg?.replace), ['ignition', 'config', 'replace'], report);
  const tls = obj(obj(ign?.security)?.tls);
  arr(tls?.certificate_authorities).forEach((r, i) => {
    validateResource(obj(r), ['ignition', 'security', 'tls', 'certificate_authorities', i], report);
  });

  const storage = obj(config.storage);
  arr(storage?.files).forEach((fv, i) => {
    const file = obj(fv) ?? {};
    const at: Path = ['storage', 'files', i];
    validateResource(obj(file.contents), [...at, 'contents'], report);
    arr(file.append).forEach((r, j) => {
      validateResource(obj(r), [...at, 'append', j], report);
    });
    if (typeof file.mode === 'number' && looksLikeDecimalMode(file.mode, false)) report.warn([...at, 'mode'], MSG_DECIMAL_MODE);
  });
  arr(storage?.directories).forEach((dv, i) => {
    const mode = obj(dv)?.mode;
    if (typeof mode === 'number' && looksLikeDecimalMode(mode, true)) report.warn(['storage', 'directories', i, 'mode'], MSG_DECIMAL_MODE);
  });
  arr(storage?.filesystems).forEach((fv, i) => {
    const fs = obj(fv) ?? {};
    if (fs.with_mount_unit !== true) return;
    const at: Path = ['storage', 'filesystems', i];
    if (fs.format === undefined || fs.format === '') report.error([...at, 'format'], 'format is required if with_mount_unit is true');
    else if (fs.format !== 'swap' && (fs.path === undefined || fs.path === '')) {
      report.error([...at, 'path'], 'path is required if with_mount_unit is true and format is not swap');
    }
  });
  arr(storage?.luks).forEach((lv, i) => {
    const luks = obj(lv) ?? {};
    validateResource(obj(luks.key_file), ['storage', 'luks', i, 'key_file'], report);
  });
  arr(storage?.trees).forEach((tv, i) => {
    const tree = obj(tv) ?? {};
    if (tree.local === undefined || tree.local === '') report.error(['storage', 'trees', i], 'local is required');
  });

  if (info.version === '1.0.0') return;
  arr(obj(config.systemd)?.units).forEach((uv, i) => {
    const unit = obj(uv) ?? {};
    const at: Path = ['systemd', 'units', i];
    if (unit.contents !== undefined && unit.contents_local !== undefined) report.error([...at, 'contents_local'], MSG_TOO_MANY_UNIT_SOURCES);
    arr(unit.dropins).forEach((dv, j) => {
      const d = obj(dv) ?? {};
      if (d.contents !== undefined && d.contents_local !== undefined) {
        report.error([...at, 'dropins', j, 'contents_local'], MSG_TOO_MANY_UNIT_SOURCES);
      }
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Ignition rules

const UNIT_TYPES = new Set(['.service', '.socket', '.device', '.mount', '.automount', '.swap', '.target', '.path', '.timer', '.snapshot', '.slice', '.scope']);
const FS_FORMATS = new Set(['ext4', 'btrfs', 'xfs', 'vfat', 'swap', 'none']);
const RAID_NO_SPARES = new Set(['linear', 'raid0', '0', 'stripe']);
const RAID_LEVELS = new Set(['raid1', '1', 'mirror', 'raid4', '4', 'raid5', '5', 'raid6', '6', 'raid10', '10']);
const LABEL_LIMITS: Record<string, number> = { ext4: 16, btrfs: 256, xfs: 12, swap: 15, vfat: 11 };
const GUID = /^(|[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12})$/;
const HASH_LENGTHS: Record<string, number> = { sha512: 128, sha256: 64 };
const MSG_DUPLICATE = 'duplicate entry defined';

type IRecord = Record<string, IValue | undefined>;

function iobj(v: IValue | undefined): IRecord | undefined {
  return v !== undefined && typeof v === 'object' && !Array.isArray(v) ? (v as IRecord) : undefined;
}

function iarr(v: IValue | undefined): IValue[] {
  return Array.isArray(v) ? v : [];
}

function str(v: IValue | undefined): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function byteLength(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

/** Parses a URL's scheme, or returns undefined if it is not a URL at all. */
function schemeOf(url: string): string | undefined {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(url);
  return m ? m[1]!.toLowerCase() : undefined;
}

/** Go's path.Ext: from the last dot of the last element (`.service` is its own extension). */
function goExt(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot >= 0 && !name.slice(dot).includes('/') ? name.slice(dot) : '';
}

/** Whether Go's net/url.Parse accepts the text (control bytes, bad escapes, bad hosts and ports fail). */
export function goUrlParses(url: string): boolean {
  if (/[\x00-\x1f\x7f]/.test(url)) return false;
  const badEscape = (t: string) => /%(?![0-9a-fA-F]{2})/.test(t);
  const hash = url.indexOf('#');
  if (hash >= 0 && badEscape(url.slice(hash + 1))) return false;
  let rest = hash >= 0 ? url.slice(0, hash) : url;
  if (rest.startsWith(':')) return false;
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(rest);
  if (scheme) rest = rest.slice(scheme[0].length);
  const q = rest.indexOf('?');
  if (q >= 0) rest = rest.slice(0, q);
  if (!rest.startsWith('/')) {
    if (scheme) return true;
    const firstSegment = rest.split('/')[0]!;
    if (firstSegment.includes(':')) return false;
    return !badEscape(rest);
  }
  if (rest.startsWith('//')) {
    const slash = rest.indexOf('/', 2);
    const authority = slash >= 0 ? rest.slice(2, slash) : rest.slice(2);
    rest = slash >= 0 ? rest.slice(slash) : '';
    const at = authority.lastIndexOf('@');
    const userinfo = at >= 0 ? authority.slice(0, at) : '';
    if (!/^[A-Za-z0-9\-._:~!$&'()*+,;=%@]*$/.test(userinfo) || badEscape(userinfo)) return false;
    const host = at >= 0 ? authority.slice(at + 1) : authority;
    let name = host;
    if (host.startsWith('[')) {
      const close = host.indexOf(']');
      if (close < 0) return false;
      const port = host.slice(close + 1);
      if (port !== '' && !/^:\d*$/.test(port)) return false;
      name = host.slice(1, close);
      if (!/^[0-9A-Fa-f:.]*(%.*)?$/.test(name)) return false;
      return !badEscape(rest);
    }
    const colon = host.lastIndexOf(':');
    if (colon >= 0) {
      if (!/^\d*$/.test(host.slice(colon + 1))) return false;
      name = host.slice(0, colon);
    }
    if (badEscape(name)) return false;
    if (!/^[A-Za-z0-9\-._~!$&'()*+,;=:[\]<>"%\u0080-\uffff]*$/.test(name)) return false;
  }
  return !badEscape(rest);
}

/** Flatcar's checks on the translated config (Butane makes them after translation): no clevis. */
export function validateFlatcar(config: BObject, report: Report): void {
  arr(obj(config.storage)?.luks).forEach((lv, i) => {
    // Present when any field is set (an empty list or an empty `custom` does not count).
    const set = (v: BValue | undefined): boolean =>
      v !== undefined && (Array.isArray(v) ? v.length > 0 : typeof v === 'object' && typeof v !== 'bigint' ? Object.values(v).some(set) : true);
    const clevis = obj(obj(lv)?.clevis);
    if (clevis && set(clevis)) {
      report.error(['storage', 'luks', i, 'clevis'], 'clevis is not supported in this spec version');
    }
  });
}

class IgnitionValidator {
  constructor(
    private readonly version: '3.3.0' | '3.4.0',
    private readonly report: Report,
  ) {}

  private error(at: Path, message: string): void {
    this.report.error(at, message);
  }

  private warn(at: Path, message: string): void {
    this.report.warn(at, message);
  }

  path(p: string, at: Path): void {
    if (p === '') this.error(at, 'path not specified');
    else if (!p.startsWith('/')) this.error(at, 'path not absolute');
    else if (posix.normalize(p).replace(/(.)\/$/, '$1') !== p) this.error(at, 'path is not fully simplified');
  }

  url(source: string, at: Path): boolean {
    const before = this.report.findings.length;
    this.checkUrl(source, at);
    return this.report.findings.length === before;
  }

  private checkUrl(source: string, at: Path): void {
    if (!goUrlParses(source)) {
      this.error(at, 'unable to parse url');
      return;
    }
    const scheme = schemeOf(source);
    if (scheme === undefined) {
      this.error(at, source === '' ? 'invalid url scheme' : 'unable to parse url');
      return;
    }
    switch (scheme) {
      case 'http':
      case 'https':
      case 'tftp':
      case 'gs':
        return;
      case 's3':
        if (/[?&]versionId=(&|$)/.test(source)) this.error(at, 'invalid S3 object VersionId');
        return;
      case 'arn':
        if (this.version === '3.4.0') {
          const parts = source.split(':');
          const resource = parts.slice(5).join(':');
          const minParts = resource.startsWith('accesspoint/') ? 3 : 2;
          if (parts.length < 6 || parts[2] !== 's3' || resource.split('/').length < minParts) this.error(at, 'invalid S3 ARN format');
          return;
        }
        this.error(at, 'invalid url scheme');
        return;
      case 'data':
        try {
          decodeDataUrl(source);
        } catch (e) {
          this.error(at, (e as Error).message);
        }
        return;
      default:
        this.error(at, 'invalid url scheme');
    }
  }

  resource(r: IRecord | undefined, at: Path, requireSource = false, checkSource = true): void {
    if (!r) return;
    const source = str(r.source);
    if (requireSource && (source === undefined || source === '')) this.error(at, 'source is required');
    else if (source !== undefined && source !== '' && checkSource) {
      // Ignition checks a required source twice: as the entry's required source and as its URL.
      if (requireSource) this.url(source, at);
      this.url(source, [...at, 'source']);
    }
    const compression = str(r.compression);
    if (compression !== undefined && compression !== '' && compression !== 'gzip') {
      this.error([...at, 'compression'], 'invalid compression method');
    }
    const hash = str(iobj(r.verification)?.hash);
    if (hash !== undefined) {
      if (source === undefined) this.error([...at, 'verification', 'hash'], 'source must be specified if verification is specified');
      this.hash(hash, [...at, 'verification', 'hash']);
    }
    const headers = iarr(r.httpHeaders);
    if (headers.length > 0) {
      const scheme = source ? schemeOf(source) : undefined;
      if (!source || scheme === undefined || !goUrlParses(source)) this.error([...at, 'httpHeaders'], 'unable to parse url');
      else if (scheme !== 'http' && scheme !== 'https') this.error([...at, 'httpHeaders'], 'cannot use HTTP headers with this source scheme');
      headers.forEach((h, i) => {
        const header = iobj(h) ?? {};
        if ((str(header.name) ?? '') === '') this.error([...at, 'httpHeaders', i, 'name'], "HTTP header name can't be empty");
        if (header.value === '') this.error([...at, 'httpHeaders', i, 'value'], 'unable to parse HTTP header');
      });
      this.duplicates(headers, [...at, 'httpHeaders'], (e) => str(e.name));
    }
  }

  hash(hash: string, at: Path): void {
    const dash = hash.indexOf('-');
    if (dash < 0) {
      this.error(at, 'malformed hash specifier');
      return;
    }
    const expected = HASH_LENGTHS[hash.slice(0, dash)];
    if (expected === undefined) this.error(at, 'unrecognized hash function');
    else if (hash.length - dash - 1 !== expected) this.error(at, 'incorrect size for hash sum');
  }

  mode(mode: IValue | undefined, at: Path): void {
    if (typeof mode === 'bigint') {
      this.error(at, 'illegal file mode');
      if (this.version === '3.3.0' && (mode & 0o7000n) !== 0n) this.warn(at, 'setuid/setgid/sticky bits are not supported in spec versions older than 3.4.0');
      return;
    }
    if (typeof mode !== 'number') return;
    if (mode < 0 || mode > 0o7777) this.error(at, 'illegal file mode');
    if (this.version === '3.3.0' && (mode & 0o7000) !== 0) {
      this.warn(at, 'setuid/setgid/sticky bits are not supported in spec versions older than 3.4.0');
    }
  }

  owner(o: IRecord | undefined, at: Path): void {
    if (o && o.id !== undefined && (str(o.name) ?? '') !== '') this.error(at, 'cannot set both id and name');
  }

  node(n: IRecord, at: Path): void {
    this.path(str(n.path) ?? '', [...at, 'path']);
    this.owner(iobj(n.user), [...at, 'user']);
    this.owner(iobj(n.group), [...at, 'group']);
  }

  /** Unit file syntax (as systemd's own parser in Ignition reads it); returns the parsed options. */
  unitContents(contents: string, at: Path): { section: string }[] | undefined {
    try {
      return parseUnit(contents);
    } catch (e) {
      if (!(e instanceof UnitSyntaxError)) throw e;
      this.error(at, `invalid unit content: ${e.message}`);
      return undefined;
    }
  }

  /** An enabled instance with no contents of a template unit (with contents) that has no [Install] section. */
  templateInstall(units: IValue[], u: IRecord, at: Path): void {
    const name = str(u.name) ?? '';
    const contents = str(u.contents) ?? '';
    const m = /^([^@]*)@([^@]+)(\.[^.@]*)$/.exec(name);
    if (u.enabled !== true || contents !== '' || !m) return;
    const templateName = `${m[1]}@${m[3]}`;
    const template = units.map(iobj).find((t) => t && str(t.name) === templateName && (str(t.contents) ?? '') !== '');
    if (!template) return;
    let options;
    try {
      options = parseUnit(str(template.contents)!);
    } catch {
      return;
    }
    if (!options.some((o) => o.section === 'Install')) {
      this.warn([...at, 'contents'], `template unit ${JSON.stringify(templateName)} for ${JSON.stringify(name)} doesn't have Install section`);
    }
  }

  unit(u: IRecord, at: Path): void {
    const name = str(u.name) ?? '';
    if (!UNIT_TYPES.has(goExt(name))) this.error([...at, 'name'], 'invalid systemd unit extension');
    const contents = str(u.contents);
    if (contents !== undefined) {
      const options = this.unitContents(contents, [...at, 'contents']);
      if (options && u.enabled === true && contents !== '' && !options.some((o) => o.section === 'Install')) {
        this.warn([...at, 'contents'], `unit ${JSON.stringify(name)} is enabled, but has no install section so enable does nothing`);
      }
    }
    const dropins = iarr(u.dropins);
    this.duplicates(dropins, [...at, 'dropins'], (e) => str(e.name));
    dropins.forEach((dv, j) => {
      const d = iobj(dv) ?? {};
      if (goExt(str(d.name) ?? '') !== '.conf') this.error([...at, 'dropins', j, 'name'], 'invalid systemd drop-in extension');
      const dc = str(d.contents);
      if (dc !== undefined) this.unitContents(dc, [...at, 'dropins', j, 'contents']);
    });
  }

  /** Reports the second and later entries with the same key; `seen` may be shared between lists. */
  duplicates(list: IValue[], at: Path, key: (e: IRecord) => string | undefined, seen = new Set<string>()): void {
    list.forEach((e, i) => {
      const k = typeof e === 'object' && !Array.isArray(e) ? key(e as IRecord) : String(e);
      if (k === undefined) return;
      if (seen.has(k)) this.error([...at, i], MSG_DUPLICATE);
      seen.add(k);
    });
  }

  config(c: IObject): void {
    const ign = iobj(c.ignition) ?? {};
    const cfg = iobj(ign.config);
    const merge = iarr(cfg?.merge);
    merge.forEach((m, i) => {
      this.resource(iobj(m), ['ignition', 'config', 'merge', i], true);
    });
    this.duplicates(merge, ['ignition', 'config', 'merge'], (e) => str(e.source) ?? '');
    if (cfg?.replace) this.resource(iobj(cfg.replace), ['ignition', 'config', 'replace']);
    const cas = iarr(iobj(iobj(ign.security)?.tls)?.certificateAuthorities);
    cas.forEach((ca, i) => {
      this.resource(iobj(ca), ['ignition', 'security', 'tls', 'certificateAuthorities', i], true);
    });
    this.duplicates(cas, ['ignition', 'security', 'tls', 'certificateAuthorities'], (e) => str(e.source) ?? '');
    const proxy = iobj(ign.proxy);
    for (const key of ['httpProxy', 'httpsProxy'] as const) {
      const p = str(proxy?.[key]);
      if (p === undefined) continue;
      const scheme = schemeOf(p);
      if (p !== '' && !goUrlParses(p)) this.error(['ignition', 'proxy', key], 'unable to parse url');
      else if (scheme !== 'http' && scheme !== 'https') this.error(['ignition', 'proxy', key], 'proxies must be http(s)');
      else if (key === 'httpsProxy' && scheme === 'http') {
        this.warn(['ignition', 'proxy', key], 'insecure plaintext HTTP proxy specified for HTTPS resources');
      }
    }
    this.duplicates(iarr(proxy?.noProxy), ['ignition', 'proxy', 'noProxy'], () => undefined);

    const ka = iobj(c.kernelArguments);
    const kernelArgs = new Set<string>();
    this.duplicates(iarr(ka?.shouldExist), ['kernelArguments', 'shouldExist'], () => undefined, kernelArgs);
    this.duplicates(iarr(ka?.shouldNotExist), ['kernelArguments', 'shouldNotExist'], () => undefined, kernelArgs);

    const passwd = iobj(c.passwd);
    this.duplicates(iarr(passwd?.users), ['passwd', 'users'], (e) => str(e.name));
    this.duplicates(iarr(passwd?.groups), ['passwd', 'groups'], (e) => str(e.name));
    iarr(passwd?.users).forEach((uv, i) => {
      const u = iobj(uv) ?? {};
      this.duplicates(iarr(u.sshAuthorizedKeys), ['passwd', 'users', i, 'sshAuthorizedKeys'], () => undefined);
      this.duplicates(iarr(u.groups), ['passwd', 'users', i, 'groups'], () => undefined);
    });

    const storage = iobj(c.storage) ?? {};
    this.storage(storage);

    const units = iarr(iobj(c.systemd)?.units);
    this.duplicates(units, ['systemd', 'units'], (e) => str(e.name));
    units.forEach((u, i) => {
      this.unit(iobj(u) ?? {}, ['systemd', 'units', i]);
      this.templateInstall(units, iobj(u) ?? {}, ['systemd', 'units', i]);
    });

    // Files, directories and links may not sit where a unit or drop-in with contents goes.
    const unitPaths = new Set<string>();
    for (const uv of units) {
      const u = iobj(uv) ?? {};
      const name = str(u.name) ?? '';
      if ((str(u.contents) ?? '') !== '') unitPaths.add(`/etc/systemd/system/${name}`);
      for (const dv of iarr(u.dropins)) {
        const d = iobj(dv) ?? {};
        if ((str(d.contents) ?? '') !== '') unitPaths.add(`/etc/systemd/system/${name}.d/${str(d.name) ?? ''}`);
      }
    }
    for (const kind of ['files', 'directories', 'links']) {
      iarr(storage[kind]).forEach((n, i) => {
        if (unitPaths.has(str(iobj(n)?.path) ?? '')) this.error(['storage', kind, i, 'path'], 'path conflicts with systemd unit or dropin');
      });
    }
  }

  storage(s: IRecord): void {
    const directories = iarr(s.directories);
    const files = iarr(s.files);
    const links = iarr(s.links);
    // Files, directories and links share one namespace of paths.
    const seen = new Set<string>();
    this.duplicates(directories, ['storage', 'directories'], (e) => str(e.path), seen);
    this.duplicates(files, ['storage', 'files'], (e) => str(e.path), seen);
    this.duplicates(links, ['storage', 'links'], (e) => str(e.path), seen);
    const linkPaths = links.map((l) => str(iobj(l)?.path) ?? '');
    const underLinks = (p: string | undefined) => (p === undefined ? 0 : linkPaths.filter((l) => p.startsWith(l + '/')).length);

    directories.forEach((dv, i) => {
      const d = iobj(dv) ?? {};
      const at: Path = ['storage', 'directories', i];
      this.node(d, at);
      this.mode(d.mode, [...at, 'mode']);
      for (let n = underLinks(str(d.path)); n > 0; n--) this.error(at, 'directory path includes link in config');
    });
    files.forEach((fv, i) => {
      const f = iobj(fv) ?? {};
      const at: Path = ['storage', 'files', i];
      this.node(f, at);
      this.mode(f.mode, [...at, 'mode']);
      const contents = iobj(f.contents);
      this.resource(contents, [...at, 'contents']);
      iarr(f.append).forEach((a, j) => {
        this.resource(iobj(a), [...at, 'append', j]);
      });
      if (f.overwrite === true && str(contents?.source) === undefined) {
        this.error([...at, 'overwrite'], 'overwrite must be false if source is unspecified');
      }
      for (let n = underLinks(str(f.path)); n > 0; n--) this.error(at, 'file path includes link in config');
    });
    links.forEach((lv, i) => {
      const l = iobj(lv) ?? {};
      const at: Path = ['storage', 'links', i];
      this.node(l, at);
      for (let n = underLinks(str(l.path)); n > 0; n--) this.error(at, 'link path includes link in config');
      const target = str(l.target) ?? '';
      if (target === '') {
        this.error([...at, 'target'], 'link target is required');
        return;
      }
      if (l.hard !== true) return;
      let resolved = posix.normalize(target);
      if (!resolved.startsWith('/')) resolved = posix.join(str(l.path) ?? '', resolved);
      if (directories.some((d) => str(iobj(d)?.path) === resolved)) this.error(at, 'hard link target is a directory');
      for (const who of ['user', 'group'] as const) {
        const o = iobj(l[who]);
        for (const k of ['id', 'name']) if (o?.[k] !== undefined) this.warn([...at, who, k], 'user/group ignored for hard link');
      }
    });

    const disks = iarr(s.disks);
    this.duplicates(disks, ['storage', 'disks'], (e) => str(e.device));
    disks.forEach((dv, i) => {
      this.disk(iobj(dv) ?? {}, ['storage', 'disks', i]);
    });

    const raids = iarr(s.raid);
    this.duplicates(raids, ['storage', 'raid'], (e) => str(e.name));
    raids.forEach((rv, i) => {
      const r = iobj(rv) ?? {};
      const at: Path = ['storage', 'raid', i];
      const level = str(r.level) ?? '';
      if (level === '') this.error([...at, 'level'], 'raid level is required');
      else if (RAID_NO_SPARES.has(level)) {
        if ((typeof r.spares === 'number' || typeof r.spares === 'bigint') && Number(r.spares) !== 0)
          this.error([...at, 'level'], 'spares unsupported for linear and raid0 arrays');
      } else if (!RAID_LEVELS.has(level)) this.error([...at, 'level'], 'unrecognized raid level');
      const devices = iarr(r.devices);
      if (devices.length === 0) this.error([...at, 'devices'], 'raid devices required');
      devices.forEach((dev, j) => {
        this.path(String(dev), [...at, 'devices', j]);
      });
      this.duplicates(devices, [...at, 'devices'], () => undefined);
    });

    const luks = iarr(s.luks);
    this.duplicates(luks, ['storage', 'luks'], (e) => str(e.name));
    luks.forEach((lv, i) => {
      const l = iobj(lv) ?? {};
      const at: Path = ['storage', 'luks', i];
      if ((str(l.name) ?? '').includes('/')) this.error([...at, 'name'], 'device names cannot contain slashes');
      const label = str(l.label);
      if (label !== undefined && byteLength(label) > 47) this.error([...at, 'label'], 'luks device labels cannot be longer than 47 characters');
      const device = str(l.device) ?? '';
      if (device === '') this.error([...at, 'device'], 'disk device is required');
      else this.path(device, [...at, 'device']);
      const keyFile = iobj(l.keyFile);
      const keySource = str(keyFile?.source);
      if (keySource && !this.url(keySource, [...at, 'keyFile', 'source'])) this.error([...at, 'keys'], 'invalid key-file source');
      if (keyFile) this.resource(keyFile, [...at, 'keyFile'], false, false);
      if (this.version === '3.4.0') this.duplicates(iarr(l.openOptions), [...at, 'openOptions'], () => undefined);
    });

    const filesystems = iarr(s.filesystems);
    this.duplicates(filesystems, ['storage', 'filesystems'], (e) => str(e.device));
    filesystems.forEach((fv, i) => {
      const f = iobj(fv) ?? {};
      const at: Path = ['storage', 'filesystems', i];
      const device = str(f.device) ?? '';
      this.path(device, [...at, 'device']);
      const path = str(f.path);
      if (path) this.path(path, [...at, 'path']);
      const format = str(f.format) ?? '';
      const label = str(f.label) ?? '';
      if (format === '') {
        if (path || label || str(f.uuid) || f.wipeFilesystem === true || iarr(f.mountOptions).length || iarr(f.options).length) {
          this.error([...at, 'format'], 'format cannot be empty when path, label, uuid, wipeFilesystem, options, or mountOptions is specified');
        }
        if (label) this.error([...at, 'label'], 'filesystem must specify format if label is specified');
      } else if (!FS_FORMATS.has(format)) {
        this.error([...at, 'format'], 'invalid filesystem format');
      }
      const limit = LABEL_LIMITS[format];
      if (label && limit !== undefined && byteLength(label) > limit) {
        this.error([...at, 'label'], `filesystem labels cannot be longer than ${limit} characters when using ${format}`);
      }
      const disk = disks.map((d) => iobj(d) ?? {}).find((d) => str(d.device) === device);
      if (disk) {
        if (iarr(disk.partitions).length > 0) this.warn([...at, 'device'], 'filesystem overwrites partitioned device');
        else if (f.wipeFilesystem !== true && disk.wipeTable === true) {
          this.warn([...at, 'device'], 'device matches disk with wipeTable enabled; filesystem will be wiped');
        }
      }
    });
  }

  disk(d: IRecord, at: Path): void {
    const device = str(d.device) ?? '';
    // Ignition checks each partition on its own always; the disk-level checks (collisions,
    // overlaps) only for a disk with a device.
    const diskLevel = device !== '';
    if (!diskLevel) this.error([...at, 'device'], 'disk device is required');
    else this.path(device, [...at, 'device']);
    const parts = iarr(d.partitions).map((p) => iobj(p) ?? {});
    // Ignition's list key for partitions: the number, else the label, else "" (which collides too).
    this.duplicates(iarr(d.partitions), [...at, 'partitions'], (p) => {
      const n = p.number;
      if (n !== undefined && Number(n) !== 0) return `number:${String(n)}`;
      return typeof p.label === 'string' ? `label:${p.label}` : '';
    });
    const numbers = new Set<number>();
    const labels = new Set<string>();
    let collided = false;
    parts.forEach((p, j) => {
      const pat: Path = [...at, 'partitions', j];
      const number = typeof p.number === 'number' || typeof p.number === 'bigint' ? Number(p.number) : 0;
      if (number !== 0) {
        if (diskLevel && numbers.has(number) && !collided) {
          this.error(pat, 'partition numbers collide');
          collided = true;
        }
        numbers.add(number);
      }
      const label = str(p.label);
      if (label !== undefined) {
        if (diskLevel && labels.has(label)) this.error(pat, 'cannot use the same partition label twice');
        labels.add(label);
        if (byteLength(label) > 36) this.error([...pat, 'label'], 'partition labels may not exceed 36 characters');
        if (label.includes(':')) this.error([...pat, 'label'], 'partition label will be truncated to text before the colon');
      }
      if (p.shouldExist === false && (label !== undefined || str(p.typeGuid) || str(p.guid) || p.startMiB !== undefined || p.sizeMiB !== undefined)) {
        this.error(pat, 'shouldExist specified false with other options also specified');
      }
      if (number === 0 && label === undefined) this.error(pat, 'a partition number >= 1 or a label must be specified');
      for (const key of ['guid', 'typeGuid']) {
        const g = str(p[key]);
        if (g !== undefined && !GUID.test(g)) this.error([...pat, key], 'doesn\'t match the form "01234567-89AB-CDEF-EDCB-A98765432101"');
      }
    });
    if (!diskLevel) return;
    if (parts.some((p) => (p.number ?? 0) === 0) && parts.some((p) => p.shouldExist === false)) {
      this.error([...at, 'partitions'], 'shouldExist is false for a partition and other partition(s) has start or size 0');
    }
    const spans = parts
      .map((p, j) => ({ j, start: p.startMiB, size: p.sizeMiB }))
      .filter((p): p is { j: number; start: number; size: number } => typeof p.start === 'number' && typeof p.size === 'number' && p.start !== 0)
      .map((p) => ({ j: p.j, start: p.start, end: p.size === 0 ? p.start : p.start + p.size - 1 }));
    for (let a = 0; a < spans.length; a++) {
      for (let b = a + 1; b < spans.length; b++) {
        if (spans[a]!.start <= spans[b]!.end && spans[b]!.start <= spans[a]!.end) {
          this.error([...at, 'partitions', spans[b]!.j], 'partitions overlap');
        }
      }
    }
  }
}

export function validateIgnition(config: IObject, version: '3.3.0' | '3.4.0', report: Report): void {
  new IgnitionValidator(version, report).config(config);
}

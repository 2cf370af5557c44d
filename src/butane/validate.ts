/**
 * Validation in two passes, as Butane does:
 *  - validateSource: rules on the Butane document itself (one content source, mount units need a
 *    format, octal-looking modes, no clevis on Flatcar, ...). Paths are Butane paths.
 *  - validateIgnition: rules on the Ignition result (absolute paths, unit names, duplicates, URLs,
 *    hashes, unit syntax, ...). Paths are Ignition paths; the caller maps them back to Butane.
 */
import type { BObject, BValue } from './decode.js';
import { decodeDataUrl } from './encode.js';
import type { Path } from './report.js';
import type { Report } from './report.js';
import type { VersionInfo } from './schema.js';
import type { IObject, IValue } from './translate.js';

// ---------------------------------------------------------------------------------------------
// Source (Butane) rules

const MSG_TOO_MANY_SOURCES = 'only one of the following can be set: inline, local, source';
const MSG_TOO_MANY_UNIT_SOURCES = 'only one of the following can be set: contents, contents_local';
const MSG_DECIMAL_MODE = 'unreasonable mode would be reasonable if specified in octal; remember to add a leading zero';
const MSG_SPECIAL_BITS = 'setuid/setgid/sticky bits are not supported in spec versions older than 3.4.0';

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
  for (const key of ['local', 'inline', 'source']) {
    if (r[key] !== undefined) {
      count++;
      field = key;
    }
  }
  if (count > 1 && field) report.error([...at, field], MSG_TOO_MANY_SOURCES);
}

/**
 * True when `mode`, a decimal number, reads as a usual permission set once its digits are taken as
 * octal (644 -> 0644): the user can do at least what the group can, the group at least what others
 * can, and a directory is searchable by its user. Such a number was almost surely meant as octal.
 */
export function looksLikeDecimalMode(mode: number, directory: boolean): boolean {
  if (!Number.isInteger(mode) || mode < 0 || mode > 7777) return false;
  const digits = String(mode).padStart(4, '0');
  if (!/^[0-7]{4}$/.test(digits)) return false;
  const octal = parseInt(digits, 8);
  if (octal & 0o7000) return false;
  const user = (octal >> 6) & 7;
  const group = (octal >> 3) & 7;
  const other = octal & 7;
  if (user === 0) return false;
  if ((group & ~user) !== 0 || (other & ~group) !== 0) return false;
  if (directory && (user & 1) === 0) return false;
  // The value is also a plausible mode as written (0o1204 for 644 is not): prefer no warning then.
  return !(mode <= 0o777 && (mode >> 6 & 7) >= ((mode >> 3) & 7) && ((mode >> 3) & 7) >= (mode & 7) && (mode & 0o7000) === 0 && isSubsetMode(mode));
}

function isSubsetMode(mode: number): boolean {
  const user = (mode >> 6) & 7;
  const group = (mode >> 3) & 7;
  const other = mode & 7;
  return user !== 0 && (group & ~user) === 0 && (other & ~group) === 0;
}

function validateMode(mode: BValue | undefined, directory: boolean, at: Path, info: VersionInfo, report: Report): void {
  if (typeof mode !== 'number') return;
  if (looksLikeDecimalMode(mode, directory)) report.warn(at, MSG_DECIMAL_MODE);
  if (info.ignitionVersion === '3.3.0' && (mode & 0o7000) !== 0) report.warn(at, MSG_SPECIAL_BITS);
}

export function validateSource(config: BObject, info: VersionInfo, report: Report): void {
  const ign = obj(config.ignition);
  const cfg = obj(ign?.config);
  arr(cfg?.merge).forEach((r, i) => validateResource(obj(r), ['ignition', 'config', 'merge', i], report));
  validateResource(obj(cfg?.replace), ['ignition', 'config', 'replace'], report);
  const tls = obj(obj(ign?.security)?.tls);
  arr(tls?.certificate_authorities).forEach((r, i) =>
    validateResource(obj(r), ['ignition', 'security', 'tls', 'certificate_authorities', i], report),
  );

  const storage = obj(config.storage);
  arr(storage?.files).forEach((fv, i) => {
    const file = obj(fv) ?? {};
    const at: Path = ['storage', 'files', i];
    validateResource(obj(file.contents), [...at, 'contents'], report);
    arr(file.append).forEach((r, j) => validateResource(obj(r), [...at, 'append', j], report));
    validateMode(file.mode, false, [...at, 'mode'], info, report);
  });
  arr(storage?.directories).forEach((dv, i) => {
    validateMode(obj(dv)?.mode, true, ['storage', 'directories', i, 'mode'], info, report);
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
    // Flatcar's Ignition has no clevis support.
    const clevis = obj(luks.clevis);
    if (clevis && Object.keys(clevis).length > 0) {
      report.error(['storage', 'luks', i, 'clevis'], 'clevis is not supported in this spec version');
    }
  });
  arr(storage?.trees).forEach((tv, i) => {
    const tree = obj(tv) ?? {};
    if (typeof tree.path === 'string' && !tree.path.startsWith('/')) {
      report.error(['storage', 'trees', i, 'path'], 'path not absolute');
    }
  });

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

const UNIT_TYPES = new Set([
  'service', 'socket', 'device', 'mount', 'automount', 'swap', 'target', 'path', 'timer', 'snapshot', 'slice', 'scope',
]);
const FS_FORMATS = new Set(['ext4', 'btrfs', 'xfs', 'vfat', 'swap', 'none']);
const RAID_LEVELS = new Set(['linear', 'raid0', 'raid1', 'raid4', 'raid5', 'raid6', 'raid10']);
const LABEL_LIMITS: Record<string, number> = { ext4: 16, btrfs: 256, xfs: 12, swap: 15, vfat: 11 };
const GUID = /^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$/;
const HASH_LENGTHS: Record<string, number> = { sha512: 128, sha256: 64 };

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

/** Parses the scheme of a URL, or returns undefined if it is not a URL at all. */
function schemeOf(url: string): string | undefined {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(url);
  return m ? m[1]!.toLowerCase() : undefined;
}

class IgnitionValidator {
  constructor(
    private readonly version: '3.3.0' | '3.4.0',
    private readonly report: Report,
  ) {}

  private error(at: Path, message: string): void {
    this.report.error(at, message);
  }

  absolute(p: string | undefined, at: Path): void {
    if (p === undefined) return;
    if (p === '' || !p.startsWith('/')) this.error(at, 'path not absolute');
  }

  resource(r: IRecord | undefined, at: Path, requireSource = false): void {
    if (!r) return;
    const source = str(r.source);
    if (source === undefined) {
      if (requireSource) this.error([...at, 'source'], 'source is required');
    } else {
      this.url(source, [...at, 'source']);
    }
    const compression = str(r.compression);
    if (compression !== undefined && compression !== '' && compression !== 'gzip') {
      this.error([...at, 'compression'], 'invalid compression method');
    }
    const hash = str(iobj(r.verification)?.hash);
    if (hash !== undefined) this.hash(hash, [...at, 'verification', 'hash']);
    const headers = iarr(r.httpHeaders);
    if (headers.length > 0) {
      const scheme = source ? schemeOf(source) : undefined;
      if (scheme !== 'http' && scheme !== 'https') {
        this.error([...at, 'httpHeaders'], 'cannot use HTTP headers with this source scheme');
      }
      const seen = new Set<string>();
      headers.forEach((h, i) => {
        const name = str(iobj(h)?.name) ?? '';
        if (name === '') this.error([...at, 'httpHeaders', i, 'name'], "HTTP header name can't be empty");
        else if (seen.has(name)) this.error([...at, 'httpHeaders', i], 'all header names in the list must be unique');
        seen.add(name);
      });
    }
  }

  url(source: string, at: Path): void {
    const scheme = schemeOf(source);
    const allowed = ['http', 'https', 'tftp', 's3', 'gs', 'data', ...(this.version === '3.4.0' ? ['arn'] : [])];
    if (!scheme || !allowed.includes(scheme)) {
      this.error(at, 'invalid url scheme');
      return;
    }
    if (scheme === 'data') {
      try {
        decodeDataUrl(source);
      } catch {
        this.error(at, 'invalid data url');
      }
    } else if (scheme === 'http' || scheme === 'https') {
      try {
        new URL(source);
      } catch {
        this.error(at, 'unable to parse url');
      }
    }
  }

  hash(hash: string, at: Path): void {
    const m = /^([^-]+)-(.*)$/.exec(hash);
    if (!m) {
      this.error(at, 'malformed hash specifier');
      return;
    }
    const expected = HASH_LENGTHS[m[1]!];
    if (expected === undefined) this.error(at, 'unrecognized hash function');
    else if (!/^[0-9a-fA-F]*$/.test(m[2]!) || m[2]!.length !== expected) this.error(at, 'incorrect size for hash sum');
  }

  mode(mode: IValue | undefined, at: Path): void {
    if (typeof mode === 'number' && (mode < 0 || mode > 0o7777)) this.error(at, 'illegal file mode');
  }

  owner(o: IRecord | undefined, at: Path): void {
    if (o && o.id !== undefined && o.name !== undefined && o.name !== '') this.error(at, 'cannot set both id and name');
  }

  node(n: IRecord, at: Path): void {
    this.absolute(str(n.path) ?? '', [...at, 'path']);
    this.owner(iobj(n.user), [...at, 'user']);
    this.owner(iobj(n.group), [...at, 'group']);
  }

  /** Ignition-style unit file syntax check; returns the sections that hold at least one option. */
  unitContents(contents: string, at: Path): Set<string> | undefined {
    const sections = new Set<string>();
    let current: string | undefined;
    const lines = contents.split('\n');
    for (let i = 0; i < lines.length; i++) {
      let line = lines[i]!.trim();
      while (line.endsWith('\\') && i + 1 < lines.length) {
        line = line.slice(0, -1) + ' ' + lines[++i]!.trim();
      }
      if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
      if (line.startsWith('[')) {
        const end = line.indexOf(']');
        if (end < 0) {
          this.error(at, 'invalid unit content: unable to find end of section');
          return undefined;
        }
        current = line.slice(1, end);
        continue;
      }
      if (current === undefined) {
        this.error(at, 'invalid unit content: found property before any section');
        return undefined;
      }
      if (!line.includes('=')) {
        this.error(at, `invalid unit content: unable to find end of key on line ${i + 1}`);
        return undefined;
      }
      sections.add(current);
    }
    return sections;
  }

  unit(u: IRecord, at: Path, ignitionWarnings: Report): void {
    const name = str(u.name) ?? '';
    const ext = name.includes('.') ? name.slice(name.lastIndexOf('.') + 1) : '';
    if (!UNIT_TYPES.has(ext) || name.startsWith('.')) this.error([...at, 'name'], 'invalid systemd unit extension');
    const contents = str(u.contents);
    if (contents !== undefined) {
      const sections = this.unitContents(contents, [...at, 'contents']);
      if (sections && u.enabled === true && !sections.has('Install')) {
        ignitionWarnings.warn([...at, 'contents'], `unit "${name}" is enabled, but has no install section so enable does nothing`);
      }
    }
    const seen = new Set<string>();
    iarr(u.dropins).forEach((dv, j) => {
      const d = iobj(dv) ?? {};
      const dname = str(d.name) ?? '';
      if (!dname.endsWith('.conf') || dname === '.conf') this.error([...at, 'dropins', j, 'name'], 'invalid systemd drop-in extension');
      if (seen.has(dname)) this.error([...at, 'dropins', j], 'duplicate entry defined');
      seen.add(dname);
      const dc = str(d.contents);
      if (dc !== undefined) this.unitContents(dc, [...at, 'dropins', j, 'contents']);
    });
  }

  /** Report the later of two entries with the same key in one list. */
  duplicates(list: IValue[], at: Path, key: (e: IRecord) => string | undefined, seen = new Map<string, true>()): void {
    list.forEach((e, i) => {
      const k = typeof e === 'string' ? e : key(iobj(e) ?? {});
      if (k === undefined) return;
      if (seen.has(k)) this.error([...at, i], 'duplicate entry defined');
      seen.set(k, true);
    });
  }

  config(c: IObject): void {
    const r = this.report;
    const ign = iobj(c.ignition) ?? {};
    const cfg = iobj(ign.config);
    iarr(cfg?.merge).forEach((m, i) => this.resource(iobj(m), ['ignition', 'config', 'merge', i], true));
    this.duplicates(iarr(cfg?.merge), ['ignition', 'config', 'merge'], (e) => str(e.source));
    if (cfg?.replace) this.resource(iobj(cfg.replace), ['ignition', 'config', 'replace'], true);
    const cas = iarr(iobj(iobj(ign.security)?.tls)?.certificateAuthorities);
    cas.forEach((ca, i) => this.resource(iobj(ca), ['ignition', 'security', 'tls', 'certificateAuthorities', i], true));
    this.duplicates(cas, ['ignition', 'security', 'tls', 'certificateAuthorities'], (e) => str(e.source));
    const proxy = iobj(ign.proxy);
    for (const key of ['httpProxy', 'httpsProxy'] as const) {
      const p = str(proxy?.[key]);
      if (p === undefined) continue;
      const scheme = schemeOf(p);
      if (scheme !== 'http' && scheme !== 'https') this.error(['ignition', 'proxy', key], 'proxies must be http(s)');
      else if (key === 'httpsProxy' && scheme === 'http') {
        r.warn(['ignition', 'proxy', key], 'insecure plaintext HTTP proxy specified for HTTPS resources');
      }
    }

    const ka = iobj(c.kernelArguments);
    const should = new Set(iarr(ka?.shouldExist).map(String));
    this.duplicates(iarr(ka?.shouldExist), ['kernelArguments', 'shouldExist'], () => undefined);
    this.duplicates(iarr(ka?.shouldNotExist), ['kernelArguments', 'shouldNotExist'], () => undefined);
    iarr(ka?.shouldNotExist).forEach((a, i) => {
      if (should.has(String(a))) this.error(['kernelArguments', 'shouldNotExist', i], 'argument is in both shouldExist and shouldNotExist');
    });

    const passwd = iobj(c.passwd);
    this.duplicates(iarr(passwd?.users), ['passwd', 'users'], (e) => str(e.name));
    this.duplicates(iarr(passwd?.groups), ['passwd', 'groups'], (e) => str(e.name));
    iarr(passwd?.users).forEach((uv, i) => {
      const u = iobj(uv) ?? {};
      if ((str(u.name) ?? '') === '') this.error(['passwd', 'users', i, 'name'], 'user name is required');
      const home = str(u.homeDir);
      if (home !== undefined) this.absolute(home, ['passwd', 'users', i, 'homeDir']);
    });
    iarr(passwd?.groups).forEach((gv, i) => {
      if ((str(iobj(gv)?.name) ?? '') === '') this.error(['passwd', 'groups', i, 'name'], 'group name is required');
    });

    this.storage(iobj(c.storage) ?? {});

    const units = iarr(iobj(c.systemd)?.units);
    this.duplicates(units, ['systemd', 'units'], (e) => str(e.name));
    units.forEach((u, i) => this.unit(iobj(u) ?? {}, ['systemd', 'units', i], r));

    // Files, directories and links may not sit where a unit or drop-in with contents goes.
    const unitPaths = new Set<string>();
    for (const uv of units) {
      const u = iobj(uv) ?? {};
      const name = str(u.name) ?? '';
      if (str(u.contents) !== undefined) unitPaths.add(`/etc/systemd/system/${name}`);
      for (const dv of iarr(u.dropins)) {
        const d = iobj(dv) ?? {};
        if (str(d.contents) !== undefined) unitPaths.add(`/etc/systemd/system/${name}.d/${str(d.name) ?? ''}`);
      }
    }
    const storage = iobj(c.storage) ?? {};
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
    const seen = new Map<string, true>();
    this.duplicates(directories, ['storage', 'directories'], (e) => str(e.path), seen);
    this.duplicates(files, ['storage', 'files'], (e) => str(e.path), seen);
    this.duplicates(links, ['storage', 'links'], (e) => str(e.path), seen);
    const linkPaths = links.map((l) => str(iobj(l)?.path) ?? '').filter((p) => p !== '');
    const underLink = (p: string | undefined) => p !== undefined && linkPaths.some((l) => p.startsWith(l + '/'));

    directories.forEach((dv, i) => {
      const d = iobj(dv) ?? {};
      const at: Path = ['storage', 'directories', i];
      this.node(d, at);
      this.mode(d.mode, [...at, 'mode']);
      if (underLink(str(d.path))) this.error(at, 'directory path includes link in config');
    });
    files.forEach((fv, i) => {
      const f = iobj(fv) ?? {};
      const at: Path = ['storage', 'files', i];
      this.node(f, at);
      this.mode(f.mode, [...at, 'mode']);
      const contents = iobj(f.contents);
      this.resource(contents, [...at, 'contents']);
      iarr(f.append).forEach((a, j) => this.resource(iobj(a), [...at, 'append', j], true));
      if (f.overwrite === true && str(contents?.source) === undefined) {
        this.error([...at, 'overwrite'], 'overwrite must be false if source is unspecified');
      }
      if (underLink(str(f.path))) this.error(at, 'file path includes link in config');
    });
    links.forEach((lv, i) => {
      const l = iobj(lv) ?? {};
      const at: Path = ['storage', 'links', i];
      this.node(l, at);
      const target = str(l.target);
      if (target === undefined || target === '') this.error([...at, 'target'], 'link target is required');
      else if (l.hard === true && !target.startsWith('/')) this.error([...at, 'target'], 'hard link target must be absolute');
      if (underLink(str(l.path))) this.error(at, 'link path includes link in config');
    });

    const disks = iarr(s.disks);
    this.duplicates(disks, ['storage', 'disks'], (e) => str(e.device));
    disks.forEach((dv, i) => {
      const d = iobj(dv) ?? {};
      const at: Path = ['storage', 'disks', i];
      this.absolute(str(d.device) ?? '', [...at, 'device']);
      const partitions = iarr(d.partitions);
      this.duplicates(partitions, [...at, 'partitions'], (p) =>
        typeof p.number === 'number' && p.number !== 0 ? `number:${p.number}` : str(p.label) !== undefined ? `label:${str(p.label)}` : undefined,
      );
      partitions.forEach((pv, j) => {
        const p = iobj(pv) ?? {};
        const pat: Path = [...at, 'partitions', j];
        const label = str(p.label);
        if (label !== undefined && label.length > 36) this.error([...pat, 'label'], 'partition labels may not exceed 36 characters');
        for (const key of ['guid', 'typeGuid']) {
          const g = str(p[key]);
          if (g !== undefined && g !== '' && !GUID.test(g)) this.error([...pat, key], 'value does not match the form of a GUID');
        }
        if (p.shouldExist === false && (p.number === undefined || p.number === 0)) {
          this.error([...pat, 'number'], 'number must be specified if shouldExist is false');
        }
        for (const key of ['sizeMiB', 'startMiB']) {
          if (typeof p[key] === 'number' && (p[key] as number) < 0) this.error([...pat, key], 'size and start must be positive');
        }
      });
    });

    const raids = iarr(s.raid);
    this.duplicates(raids, ['storage', 'raid'], (e) => str(e.name));
    raids.forEach((rv, i) => {
      const r = iobj(rv) ?? {};
      const at: Path = ['storage', 'raid', i];
      if ((str(r.name) ?? '') === '') this.error([...at, 'name'], 'raid name is required');
      const level = str(r.level);
      if (level !== undefined && !RAID_LEVELS.has(level)) this.error([...at, 'level'], 'raid level is invalid');
      if (typeof r.spares === 'number' && r.spares > 0 && (level === 'linear' || level === 'raid0')) {
        this.error([...at, 'spares'], 'spares unsupported for linear and raid0 arrays');
      }
      iarr(r.devices).forEach((dev, j) => this.absolute(String(dev), [...at, 'devices', j]));
    });

    const luks = iarr(s.luks);
    this.duplicates(luks, ['storage', 'luks'], (e) => str(e.name));
    luks.forEach((lv, i) => {
      const l = iobj(lv) ?? {};
      const at: Path = ['storage', 'luks', i];
      if ((str(l.name) ?? '') === '') this.error([...at, 'name'], 'luks device name is required');
      const device = str(l.device);
      if (device === undefined || device === '') this.error([...at, 'device'], 'disk device is required');
      else this.absolute(device, [...at, 'device']);
      this.resource(iobj(l.keyFile), [...at, 'keyFile']);
      const uuid = str(l.uuid);
      if (uuid !== undefined && !GUID.test(uuid)) this.error([...at, 'uuid'], 'uuid must be in the form of a UUID');
      const label = str(l.label);
      if (label !== undefined && label.length > 48) this.error([...at, 'label'], 'luks label may not exceed 48 characters');
    });

    const filesystems = iarr(s.filesystems);
    this.duplicates(filesystems, ['storage', 'filesystems'], (e) => str(e.device));
    filesystems.forEach((fv, i) => {
      const f = iobj(fv) ?? {};
      const at: Path = ['storage', 'filesystems', i];
      this.absolute(str(f.device) ?? '', [...at, 'device']);
      const format = str(f.format) ?? '';
      if (format !== '' && !FS_FORMATS.has(format)) this.error([...at, 'format'], 'invalid filesystem format');
      const path = str(f.path);
      if (path !== undefined) this.absolute(path, [...at, 'path']);
      if (format === '' && (path !== undefined || f.label !== undefined || f.uuid !== undefined || f.wipeFilesystem === true ||
        iarr(f.options).length > 0 || iarr(f.mountOptions).length > 0)) {
        this.error([...at, 'format'], 'format cannot be empty when path, label, uuid, wipeFilesystem, options, or mountOptions is specified');
      }
      const label = str(f.label);
      const limit = LABEL_LIMITS[format];
      if (label !== undefined && limit !== undefined && label.length > limit) {
        this.error([...at, 'label'], `filesystem labels cannot be longer than ${limit} characters when using ${format}`);
      }
      if (underLink(path)) this.error([...at, 'path'], 'filesystem path includes link in config');
    });
  }
}

export function validateIgnition(config: IObject, version: '3.3.0' | '3.4.0', report: Report): void {
  new IgnitionValidator(version, report).config(config);
}

/**
 * The reader: a machine's Ignition config (parsed JSON, any shape) -> its etcd role. Members are
 * machines with `etcd-member.service`: its environment from the unit and every drop-in. Proxies are
 * units whose ExecStart runs `... grpc-proxy start ARGS`. Also the files the config writes, so that
 * certificates the flags name can be written for the rehearsal. Pure.
 */
import { gunzipSync } from 'node:zlib';
import { decodeDataUrl } from '../butane/index.js';
import { commandWords, directives, environmentAssignments, environmentFile, expandSpecifiers, type SpecifierContext } from './systemd.js';
import type { ConfigFile, LocksmithReading, MachineReading, MemberReading, Mount, NetworkReading, ProxyReading } from './types.js';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: unknown): Json[] => (Array.isArray(v) ? v.filter(isObject) : []);
const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export const MEMBER_UNIT = 'etcd-member.service';
export const LOCKSMITH_UNIT = 'locksmithd.service';
const UPDATE_CONF = ['/etc/flatcar/update.conf', '/etc/coreos/update.conf'];
/** Where Flatcar's etcd-wrapper mounts the host's ETCD_SSL_DIR inside the container. */
export const WRAPPER_SSL_MOUNT = '/etc/ssl/certs';

function resourceBytes(resource: Json, where: string, notes: string[]): Buffer | null {
  const source = text(resource.source);
  if (source === undefined) return Buffer.alloc(0);
  if (!source.startsWith('data:')) {
    notes.push(`${where}: contents come from ${source.split(':')[0]}:, not from the config; not available to the rehearsal`);
    return null;
  }
  const bytes = decodeDataUrl(source);
  return resource.compression === 'gzip' ? gunzipSync(bytes) : bytes;
}

/** The files the config writes whose contents are in the config (contents plus appends). */
export function configFiles(config: Json, notes: string[] = []): Map<string, ConfigFile> {
  const files = new Map<string, ConfigFile>();
  const storage = isObject(config.storage) ? config.storage : {};
  for (const f of list(storage.files)) {
    const path = text(f.path);
    if (!path) continue;
    const parts = [isObject(f.contents) ? f.contents : {}, ...list(f.append)].map((r) => resourceBytes(r, path, notes));
    if (parts.some((p) => p === null)) continue;
    const mode = typeof f.mode === 'number' ? f.mode : undefined;
    files.set(path, { path, contents: Buffer.concat(parts as Buffer[]), ...(mode === undefined ? {} : { mode }) });
  }
  return files;
}

interface UnitView {
  name: string;
  enabled: boolean;
  /** The unit's own contents and its drop-ins in the order systemd reads them (by file name). */
  texts: string[];
}

function units(config: Json): UnitView[] {
  const systemd = isObject(config.systemd) ? config.systemd : {};
  return list(systemd.units)
    .filter((u) => text(u.name) && u.mask !== true)
    .map((u) => ({
      name: text(u.name)!,
      enabled: u.enabled === true,
      texts: [
        ...(text(u.contents) !== undefined ? [text(u.contents)!] : []),
        ...list(u.dropins)
          .filter((d) => text(d.name) && text(d.contents) !== undefined)
          .sort((a, b) => (text(a.name)! < text(b.name)! ? -1 : text(a.name)! > text(b.name)! ? 1 : 0))
          .map((d) => text(d.contents)!),
      ],
    }));
}

/**
 * A unit's [Service] environment: `Environment=` in order (an empty one resets), then
 * `EnvironmentFile=` files the config writes, which systemd applies on top.
 */
function serviceEnv(unit: UnitView, files: Map<string, ConfigFile>, ctx: SpecifierContext, notes: string[]): Record<string, string> {
  let env: Record<string, string> = {};
  const envFiles: string[] = [];
  for (const t of unit.texts) {
    for (const d of directives(t)) {
      if (d.section !== 'Service') continue;
      if (d.key === 'Environment') {
        if (d.value === '') env = {};
        for (const [k, v] of environmentAssignments(expandSpecifiers(d.value, ctx))) {
          delete env[k];
          env[k] = v;
        }
      } else if (d.key === 'EnvironmentFile') {
        if (d.value === '') envFiles.length = 0;
        else envFiles.push(expandSpecifiers(d.value, ctx));
      }
    }
  }
  for (const ref of envFiles) {
    const optional = ref.startsWith('-');
    const path = optional ? ref.slice(1) : ref;
    const file = files.get(path);
    if (!file) {
      if (!optional) notes.push(`${unit.name}: EnvironmentFile=${path} is not written by the config`);
      continue;
    }
    for (const [k, v] of environmentFile(file.contents.toString('utf8'))) {
      delete env[k];
      env[k] = v;
    }
  }
  return env;
}

/** The last `ExecStart=` of the unit (an empty one resets), as words. */
function execStart(unit: UnitView, env: Record<string, string>, ctx: SpecifierContext): string[] | null {
  let last: string | null = null;
  for (const t of unit.texts) {
    for (const d of directives(t)) {
      if (d.section === 'Service' && d.key === 'ExecStart') last = d.value === '' ? null : d.value;
    }
  }
  return last === null ? null : commandWords(expandSpecifiers(last, ctx), env);
}

/** Docker's bind mounts (`-v`, `--volume`, `--mount type=bind`) among `docker run` options. */
export function dockerMounts(words: string[]): Mount[] {
  const mounts: Mount[] = [];
  const volume = (spec: string) => {
    const [host, container] = spec.split(':');
    if (host?.startsWith('/') && container) mounts.push({ host, container });
  };
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (w === '-v' || w === '--volume') volume(words[++i] ?? '');
    else if (w.startsWith('--volume=')) volume(w.slice('--volume='.length));
    else if (/^-v[^-]/.test(w)) volume(w.slice(2));
    else if (w === '--mount' || w.startsWith('--mount=')) {
      const spec = w === '--mount' ? (words[++i] ?? '') : w.slice('--mount='.length);
      const kv = Object.fromEntries(spec.split(',').map((p) => [p.split('=')[0]!, p.slice(p.indexOf('=') + 1)]));
      const host = kv.source ?? kv.src;
      const container = kv.target ?? kv.destination ?? kv.dst;
      if ((kv.type ?? 'volume') === 'bind' && host && container) mounts.push({ host, container });
    }
  }
  return mounts;
}

/** A program on the host itself sees the host's files at their own paths. */
export const HOST_FILES: Mount = { host: '/', container: '/' };

const base = (p: string) => p.slice(p.lastIndexOf('/') + 1);

/** The wrapper's mount: the host's ETCD_SSL_DIR (default /etc/ssl/certs) at /etc/ssl/certs. */
const wrapperMounts = (env: Record<string, string>): Mount[] => [{ host: env.ETCD_SSL_DIR || WRAPPER_SSL_MOUNT, container: WRAPPER_SSL_MOUNT }];

/** A proxy from an ExecStart running `etcd grpc-proxy start` (directly, in Docker, or via the wrapper). */
function proxyOf(unit: UnitView, words: string[], env: Record<string, string>): ProxyReading | null {
  const at = words.findIndex((w, i) => w === 'grpc-proxy' && words[i + 1] === 'start');
  if (at < 0) return null;
  const program = base(words[0] ?? '');
  const mounts = program === 'docker' ? dockerMounts(words.slice(1, at)) : program === 'etcd-wrapper' ? wrapperMounts(env) : [HOST_FILES];
  return { unit: unit.name, enabled: unit.enabled, args: words.slice(at + 2), mounts };
}

/** REBOOT_STRATEGY from update.conf (the Flatcar path wins over the CoreOS one). */
function rebootStrategy(files: Map<string, ConfigFile>): string | null {
  for (const path of UPDATE_CONF) {
    const f = files.get(path);
    if (!f) continue;
    const value = environmentFile(f.contents.toString('utf8')).find(([k]) => k === 'REBOOT_STRATEGY')?.[1];
    if (value !== undefined) return value;
  }
  return null;
}

/** The first `Address=` (IPv4 with a prefix) of a systemd-networkd file the config writes. */
function staticNetwork(files: Map<string, ConfigFile>): NetworkReading | null {
  const paths = [...files.keys()].filter((p) => /^\/etc\/systemd\/network\/[^/]+\.network$/.test(p)).sort();
  for (const file of paths) {
    let address: string | undefined;
    let gateway: string | undefined;
    for (const d of directives(files.get(file)!.contents.toString('utf8'))) {
      if (d.section !== 'Network') continue;
      if (d.key === 'Address' && address === undefined) address = d.value.trim();
      if (d.key === 'Gateway' && gateway === undefined) gateway = d.value.trim();
    }
    const m = address && /^(\d{1,3}(?:\.\d{1,3}){3})\/(\d{1,2})$/.exec(address);
    if (m) return { file, address: m[1]!, prefix: Number(m[2]), ...(gateway ? { gateway } : {}) };
  }
  return null;
}

/** One machine's etcd role from its Ignition config. `machine` names it (the file's base name). */
export function readMachine(machine: string, config: unknown): MachineReading {
  const notes: string[] = [];
  const root = isObject(config) ? config : {};
  const files = configFiles(root, notes);
  const hostname = files.get('/etc/hostname')?.contents.toString('utf8').trim() || undefined;
  let member: MemberReading | null = null;
  const proxies: ProxyReading[] = [];
  const strategy = rebootStrategy(files);
  let locksmithEnv: Record<string, string> = {};
  for (const unit of units(root)) {
    const unresolved = new Set<string>();
    const ctx: SpecifierContext = { unit: unit.name, hostname, unresolved };
    const env = serviceEnv(unit, files, ctx, notes);
    if (unit.name === LOCKSMITH_UNIT) {
      locksmithEnv = Object.fromEntries(Object.entries(env).filter(([k]) => k.startsWith('LOCKSMITHD_')));
      continue;
    }
    if (unit.name === MEMBER_UNIT) {
      const etcdEnv = Object.fromEntries(Object.entries(env).filter(([k]) => k.startsWith('ETCD_')));
      member = { unit: unit.name, enabled: unit.enabled, env: etcdEnv, mounts: wrapperMounts(etcdEnv) };
    } else {
      const words = execStart(unit, env, ctx);
      const proxy = words && proxyOf(unit, words, env);
      if (proxy) proxies.push(proxy);
      else continue;
    }
    if (!unit.enabled) notes.push(`${unit.name} is not enabled: it would not start at boot`);
    if (unresolved.size) notes.push(`${unit.name}: systemd specifiers ${[...unresolved].join(' ')} cannot be resolved here`);
  }
  const locksmith: LocksmithReading | null = strategy !== null || Object.keys(locksmithEnv).length ? { strategy, env: locksmithEnv } : null;
  return { machine, ...(hostname ? { hostname } : {}), member, proxies, locksmith, network: staticNetwork(files), files, notes };
}

/**
 * Applies an Ignition config with the real Ignition (test/helpers/ignition-apply.sh) into a fresh
 * directory and checks that everything the config declares is on disk as declared.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, readFileSync, readlinkSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { decodeDataUrl } from '../../src/butane/encode.js';
import { ignitionApply } from './paths.js';
import { tempDir } from './tmp.js';

type Obj = Record<string, any>;

export interface Applied {
  root: string;
  status: number | null;
  log: string;
}

export function applyIgnition(ignitionJson: string): Applied {
  const dir = tempDir('ign-apply-');
  // Ignition writes SSH keys as the user (core): every directory above the root must be searchable.
  chmodSync(dir, 0o755);
  const config = join(dir, 'config.ign');
  writeFileSync(config, ignitionJson);
  const root = join(dir, 'root');
  const r = spawnSync(ignitionApply, [config, root], { encoding: 'utf8', timeout: 120_000 });
  const log = existsSync(root + '.log') ? readFileSync(root + '.log', 'utf8') : '';
  return { root, status: r.status, log: r.stderr + log };
}

function idOf(root: string, db: 'passwd' | 'group', owner: Obj | undefined, fallback: number): number {
  if (!owner) return fallback;
  if (typeof owner.id === 'number') return owner.id;
  const line = readFileSync(join(root, 'etc', db), 'utf8')
    .split('\n')
    .find((l) => l.split(':')[0] === owner.name);
  if (!line) throw new Error(`${db} has no ${owner.name}`);
  return Number(line.split(':')[2]);
}

function contentsOf(resource: Obj): Buffer {
  const bytes = decodeDataUrl(resource.source);
  return resource.compression === 'gzip' ? gunzipSync(bytes) : bytes;
}

/** Returns a list of differences between the config and the tree at `root` (empty when all is there). */
export function checkOnDisk(config: Obj, root: string): string[] {
  const problems: string[] = [];
  const at = (p: string) => join(root, p);
  const expectMode = (p: string, want: number) => {
    const mode = statSync(at(p)).mode & 0o7777;
    if (mode !== want) problems.push(`${p}: mode ${mode.toString(8)}, want ${want.toString(8)}`);
  };
  const expectOwner = (p: string, node: Obj) => {
    const st = lstatSync(at(p));
    const uid = idOf(root, 'passwd', node.user, 0);
    const gid = idOf(root, 'group', node.group, 0);
    if (st.uid !== uid || st.gid !== gid) problems.push(`${p}: owner ${st.uid}:${st.gid}, want ${uid}:${gid}`);
  };
  for (const f of config.storage?.files ?? []) {
    if (!existsSync(at(f.path)) || !lstatSync(at(f.path)).isFile()) {
      problems.push(`${f.path}: missing file`);
      continue;
    }
    if (f.contents?.source?.startsWith('data:')) {
      const want = Buffer.concat([contentsOf(f.contents), ...(f.append ?? []).filter((a: Obj) => a.source?.startsWith('data:')).map(contentsOf)]);
      if (!readFileSync(at(f.path)).equals(want)) problems.push(`${f.path}: contents differ`);
    }
    expectMode(f.path, f.mode ?? 0o644);
    expectOwner(f.path, f);
  }
  for (const d of config.storage?.directories ?? []) {
    if (!existsSync(at(d.path)) || !statSync(at(d.path)).isDirectory()) {
      problems.push(`${d.path}: missing directory`);
      continue;
    }
    expectMode(d.path, d.mode ?? 0o755);
    expectOwner(d.path, d);
  }
  for (const l of config.storage?.links ?? []) {
    if (l.hard) {
      if (statSync(at(l.path)).ino !== statSync(at(l.target)).ino) problems.push(`${l.path}: not a hard link to ${l.target}`);
    } else if (!lstatSync(at(l.path)).isSymbolicLink() || readlinkSync(at(l.path)) !== l.target) {
      problems.push(`${l.path}: not a symlink to ${l.target}`);
    }
  }
  const presetFile = at('etc/systemd/system-preset/20-ignition.preset');
  const presets = existsSync(presetFile) ? readFileSync(presetFile, 'utf8').split('\n') : [];
  for (const u of config.systemd?.units ?? []) {
    const unitPath = `etc/systemd/system/${u.name}`;
    if (u.mask) {
      if (!lstatSync(at(unitPath)).isSymbolicLink() || readlinkSync(at(unitPath)) !== '/dev/null') problems.push(`${u.name}: not masked`);
    } else if (u.contents !== undefined && readFileSync(at(unitPath), 'utf8') !== u.contents) {
      problems.push(`${u.name}: contents differ`);
    }
    for (const d of u.dropins ?? []) {
      const p = `etc/systemd/system/${u.name}.d/${d.name}`;
      if (d.contents !== undefined && (!existsSync(at(p)) || readFileSync(at(p), 'utf8') !== d.contents)) {
        problems.push(`${u.name}.d/${d.name}: contents differ`);
      }
    }
    if (u.enabled === true && !presets.includes(`enable ${u.name}`)) problems.push(`${u.name}: not enabled`);
    if (u.enabled === false && !presets.includes(`disable ${u.name}`)) problems.push(`${u.name}: not disabled`);
  }
  const passwd = readFileSync(at('etc/passwd'), 'utf8').split('\n');
  for (const u of config.passwd?.users ?? []) {
    const line = passwd.find((l) => l.split(':')[0] === u.name);
    if (!line) {
      problems.push(`user ${u.name}: missing`);
      continue;
    }
    const home = line.split(':')[5]!;
    if (u.sshAuthorizedKeys?.length) {
      const keysFile = at(join(home, '.ssh', 'authorized_keys.d', 'ignition'));
      const keys = existsSync(keysFile) ? readFileSync(keysFile, 'utf8') : '';
      for (const k of u.sshAuthorizedKeys) if (!keys.split('\n').includes(k)) problems.push(`user ${u.name}: key missing`);
    }
    if (u.uid !== undefined && Number(line.split(':')[2]) !== u.uid) problems.push(`user ${u.name}: uid differs`);
    if (u.shell !== undefined && line.split(':')[6] !== u.shell) problems.push(`user ${u.name}: shell differs`);
  }
  const group = readFileSync(at('etc/group'), 'utf8').split('\n');
  for (const g of config.passwd?.groups ?? []) {
    if (!group.some((l) => l.split(':')[0] === g.name)) problems.push(`group ${g.name}: missing`);
  }
  return problems;
}

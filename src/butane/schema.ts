/**
 * The Butane `flatcar` schemas (1.0.0 and 1.1.0) and the Ignition key each field becomes.
 *
 * Fields are listed in the order Ignition writes its keys, so translation can emit them in order.
 * A field without `ign` exists only in Butane (inline, local, trees, ...) and is handled by translate.
 */

export type FieldType = 'string' | 'int' | 'bool' | { struct: StructName } | { list: FieldType };

export interface Field {
  /** Butane (snake_case) key. */
  key: string;
  /** Ignition (camelCase) key; absent for Butane-only fields. */
  ign?: string;
  type: FieldType;
  /** Ignition always writes this key, even when empty (Go fields without omitempty). */
  always?: boolean;
}

export type StructName =
  | 'Config'
  | 'Ignition'
  | 'IgnitionConfig'
  | 'Proxy'
  | 'Security'
  | 'TLS'
  | 'Timeouts'
  | 'Resource'
  | 'HTTPHeader'
  | 'Verification'
  | 'KernelArguments'
  | 'Passwd'
  | 'PasswdGroup'
  | 'PasswdUser'
  | 'Storage'
  | 'NodeOwner'
  | 'Directory'
  | 'File'
  | 'Link'
  | 'Disk'
  | 'Partition'
  | 'Filesystem'
  | 'Luks'
  | 'Clevis'
  | 'ClevisCustom'
  | 'Tang'
  | 'Raid'
  | 'Tree'
  | 'Systemd'
  | 'Unit'
  | 'Dropin';

export type Schema = Record<StructName, Field[]>;

export interface VersionInfo {
  variant: 'flatcar';
  version: string;
  ignitionVersion: '3.3.0' | '3.4.0';
  schema: Schema;
}

const str = 'string' as const;
const int = 'int' as const;
const bool = 'bool' as const;
const s = (name: StructName) => ({ struct: name });
const list = (type: FieldType) => ({ list: type });
const f = (key: string, ign: string | undefined, type: FieldType, always = false): Field => (ign === undefined ? { key, type } : { key, ign, type, ...(always ? { always } : {}) });
/** A field whose Ignition name is its Butane name in camelCase. */
const same = (key: string, type: FieldType, always = false): Field => f(key, camel(key), type, always);

export function camel(key: string): string {
  return key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

const node: Field[] = [same('group', s('NodeOwner')), same('overwrite', bool), same('path', str, true), same('user', s('NodeOwner'))];

/** Butane base v0_4 (flatcar 1.0.0 -> Ignition 3.3.0). */
const v0_4: Schema = {
  Config: [
    same('ignition', s('Ignition')),
    same('kernel_arguments', s('KernelArguments')),
    same('passwd', s('Passwd')),
    same('storage', s('Storage')),
    same('systemd', s('Systemd')),
  ],
  Ignition: [same('config', s('IgnitionConfig')), same('proxy', s('Proxy')), same('security', s('Security')), same('timeouts', s('Timeouts'))],
  IgnitionConfig: [same('merge', list(s('Resource'))), same('replace', s('Resource'))],
  Proxy: [f('http_proxy', 'httpProxy', str), f('https_proxy', 'httpsProxy', str), same('no_proxy', list(str))],
  Security: [f('tls', 'tls', s('TLS'))],
  TLS: [same('certificate_authorities', list(s('Resource')))],
  Timeouts: [f('http_response_headers', 'httpResponseHeaders', int), f('http_total', 'httpTotal', int)],
  Resource: [
    same('compression', str),
    f('http_headers', 'httpHeaders', list(s('HTTPHeader'))),
    same('source', str),
    same('verification', s('Verification')),
    f('inline', undefined, str),
    f('local', undefined, str),
  ],
  HTTPHeader: [same('name', str, true), same('value', str)],
  Verification: [same('hash', str)],
  KernelArguments: [same('should_exist', list(str)), same('should_not_exist', list(str))],
  Passwd: [same('groups', list(s('PasswdGroup'))), same('users', list(s('PasswdUser')))],
  PasswdGroup: [same('gid', int), same('name', str, true), same('password_hash', str), same('should_exist', bool), same('system', bool)],
  PasswdUser: [
    same('gecos', str),
    same('groups', list(str)),
    same('home_dir', str),
    same('name', str, true),
    same('no_create_home', bool),
    same('no_log_init', bool),
    same('no_user_group', bool),
    same('password_hash', str),
    same('primary_group', str),
    f('ssh_authorized_keys', 'sshAuthorizedKeys', list(str)),
    same('shell', str),
    same('should_exist', bool),
    same('system', bool),
    same('uid', int),
  ],
  Storage: [
    same('directories', list(s('Directory'))),
    same('disks', list(s('Disk'))),
    same('files', list(s('File'))),
    same('filesystems', list(s('Filesystem'))),
    same('links', list(s('Link'))),
    same('luks', list(s('Luks'))),
    same('raid', list(s('Raid'))),
    f('trees', undefined, list(s('Tree'))),
  ],
  NodeOwner: [same('id', int), same('name', str)],
  Directory: [...node, same('mode', int)],
  File: [...node, same('append', list(s('Resource'))), same('contents', s('Resource')), same('mode', int)],
  Link: [...node, same('hard', bool), same('target', str)],
  Disk: [same('device', str, true), same('partitions', list(s('Partition'))), same('wipe_table', bool)],
  Partition: [
    same('guid', str),
    same('label', str),
    same('number', int),
    same('resize', bool),
    same('should_exist', bool),
    f('size_mib', 'sizeMiB', int),
    f('start_mib', 'startMiB', int),
    f('type_guid', 'typeGuid', str),
    same('wipe_partition_entry', bool),
  ],
  Filesystem: [
    same('device', str, true),
    same('format', str),
    same('label', str),
    same('mount_options', list(str)),
    same('options', list(str)),
    same('path', str),
    same('uuid', str),
    same('wipe_filesystem', bool),
    f('with_mount_unit', undefined, bool),
  ],
  Luks: [
    same('clevis', s('Clevis')),
    same('device', str),
    same('key_file', s('Resource')),
    same('label', str),
    same('name', str, true),
    same('options', list(str)),
    same('uuid', str),
    same('wipe_volume', bool),
  ],
  Clevis: [same('custom', s('ClevisCustom')), same('tang', list(s('Tang'))), same('threshold', int), same('tpm2', bool)],
  ClevisCustom: [same('config', str), same('needs_network', bool), same('pin', str)],
  Tang: [same('thumbprint', str), same('url', str)],
  Raid: [same('devices', list(str)), same('level', str), same('name', str, true), same('options', list(str)), same('spares', int)],
  Tree: [f('local', undefined, str), f('path', undefined, str)],
  Systemd: [same('units', list(s('Unit')))],
  Unit: [same('contents', str), same('dropins', list(s('Dropin'))), same('enabled', bool), same('mask', bool), same('name', str, true)],
  Dropin: [same('contents', str), same('name', str, true)],
};

/**
 * Butane base v0_5 (flatcar 1.1.0 -> Ignition 3.4.0): `contents_local` for units and drop-ins,
 * `ssh_authorized_keys_local`, LUKS discard and open options, offline Tang advertisements.
 */
const v0_5: Schema = {
  ...v0_4,
  PasswdUser: [...v0_4.PasswdUser, f('ssh_authorized_keys_local', undefined, list(str))],
  Unit: [...v0_4.Unit, f('contents_local', undefined, str)],
  Dropin: [...v0_4.Dropin, f('contents_local', undefined, str)],
  Luks: [
    same('clevis', s('Clevis')),
    same('device', str),
    same('discard', bool),
    same('key_file', s('Resource')),
    same('label', str),
    same('name', str, true),
    same('open_options', list(str)),
    same('options', list(str)),
    same('uuid', str),
    same('wipe_volume', bool),
  ],
  Tang: [same('advertisement', str), same('thumbprint', str), same('url', str)],
};

export const VERSIONS: readonly VersionInfo[] = [
  { variant: 'flatcar', version: '1.0.0', ignitionVersion: '3.3.0', schema: v0_4 },
  { variant: 'flatcar', version: '1.1.0', ignitionVersion: '3.4.0', schema: v0_5 },
];

export function findVersion(variant: string, version: string): VersionInfo | undefined {
  return VERSIONS.find((v) => v.variant === variant && v.version === version);
}

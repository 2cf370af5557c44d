/**
 * Answers (with the chosen preset's defaults underneath) -> a validated ClusterSpec. Every problem
 * is collected with the answer it concerns; nothing is thrown until all answers were looked at.
 */
import { formatIPv4, isHost, parseCidr, parseIPv4, type Network } from '../net/ipv4.js';
import * as check from './checks.js';
import { ARCHITECTURES, architectureOf } from '../architectures/index.js';
import { checkOf, defaultOf } from './definition.js';
import { loadPreset } from './presets.js';
import { warning, type Warning } from './warnings.js';
import {
  getField,
  PRESETS,
  SpecError,
  type Answers,
  type ClusterSpec,
  type DhcpNetwork,
  type Field,
  type PresetName,
  type Problem,
  type ProblemCode,
  type RebootStrategy,
  type SecretsDelivery,
  type StaticNetwork,
} from './types.js';

/** An answer whose resolved value equals its default (from the preset or derived from other answers). */
export interface DefaultValue {
  field: Field;
  value: string;
}

export interface ResolvedSpec {
  spec: ClusterSpec;
  warnings: Warning[];
  /** Answers at their default value, for the summary. */
  defaults: DefaultValue[];
}

export const DEFAULT_INTERFACE = defaultOf('network.interface') as string;
/** The channels Flatcar's public update server serves. */
export const PUBLIC_CHANNELS = ['stable', 'beta', 'alpha', 'lts'];
/** Flatcar's etcd image repository (its etcd-wrapper's ETCD_IMAGE_URL default). */
export const ETCD_IMAGE_REPO = defaultOf('etcd.image') as string;
const STATIC_FIELDS: Field[] = ['network.cidr', 'network.gateway', 'network.firstAddress', 'network.dns', 'network.domains', 'network.interface', 'network.macPrefix'];

class Resolver {
  readonly problems: Problem[] = [];
  readonly warnings: Warning[] = [];
  readonly defaults: DefaultValue[] = [];

  constructor(
    private readonly given: Answers,
    private readonly preset: Answers,
  ) {}

  fail(field: Field, message: string, code?: ProblemCode): undefined {
    this.problems.push(code ? { field, message, code } : { field, message });
    return undefined;
  }

  isGiven(field: Field): boolean {
    return getField(this.given, field) !== undefined;
  }

  /**
   * The answer, else the preset's value, else `derived`, else the answer's static default (its
   * definition's); noted as a default when equal to it.
   */
  /** The value an answer has (given, else the preset's), without reading it as an answer. */
  peek(field: Field): unknown {
    return getField(this.given, field) ?? getField(this.preset, field);
  }

  private pick(field: Field, derived: unknown): unknown {
    const fallback = getField(this.preset, field) ?? derived ?? defaultOf(field);
    const value = getField(this.given, field) ?? fallback;
    const empty = value === undefined || (Array.isArray(value) && value.length === 0);
    // A number typed as text ("3" from a flag) equals the same number from a preset or the wizard.
    const same = Array.isArray(value) ? JSON.stringify(value) === JSON.stringify(fallback) : fallback !== undefined && String(value) === String(fallback);
    if (!empty && typeof value !== 'boolean' && same) {
      this.defaults.push({ field, value: Array.isArray(value) ? value.join(', ') : String(value) });
    }
    return value;
  }

  /** A text answer, checked by its definition's check (src/answers/definition.ts checkOf). */
  text(field: Field, derived?: string): string | undefined {
    const value = this.pick(field, derived);
    if (value === undefined) return undefined;
    if (typeof value !== 'string') return this.fail(field, `must be text (got ${check.show(value)})`);
    const reason = checkOf(field)?.(value);
    return reason ? this.fail(field, reason) : value;
  }

  /** A list answer, each item checked by its definition's check. */
  list(field: Field, derived?: string[]): string[] | undefined {
    const valid = checkOf(field) ?? (() => undefined);
    const value = this.pick(field, derived);
    if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
      return this.fail(field, `must be a list of text values (got ${check.show(value)})`);
    }
    const reasons = (value as string[]).map(valid).filter((r): r is string => r !== undefined);
    return reasons.length ? this.fail(field, reasons[0]!) : (value as string[]);
  }

  /** A whole number (or its digits from a flag), within its definition's minimum and maximum. */
  whole(field: Field, derived?: number): number | undefined {
    const value = this.pick(field, derived);
    if (value === undefined) return undefined;
    const n = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) {
      return this.fail(field, `must be a whole number (got ${check.show(value)})`);
    }
    const reason = checkOf(field)?.(String(n));
    return reason ? this.fail(field, reason) : n;
  }

  flag(field: Field, derived?: boolean): boolean | undefined {
    const value = this.pick(field, derived);
    return typeof value === 'boolean' ? value : this.fail(field, `must be true or false (got ${check.show(value)})`);
  }

  address(field: Field, derived: string, net: Network): string | undefined {
    const value = this.text(field, derived);
    if (value === undefined) return undefined;
    return isHost(net, parseIPv4(value)!) ? value : this.fail(field, `${value} is not a host address of ${formatIPv4(net.base)}/${net.prefixLength}`);
  }
}

function resolvePreset(answers: Answers): PresetName {
  const preset = answers.preset;
  if (preset === undefined) {
    throw new SpecError([{ field: 'preset', message: `required: choose one of ${PRESETS.join(', ')}` }]);
  }
  if (!(PRESETS as readonly unknown[]).includes(preset)) {
    throw new SpecError([{ field: 'preset', message: `must be one of ${PRESETS.join(', ')} (got ${check.show(preset)})` }]);
  }
  return preset;
}

function resolveSize(r: Resolver, preset: PresetName): number | undefined {
  const size = r.whole('size');
  if (size === undefined) return undefined;
  const refused = architectureOf(preset).checkSize(size);
  if (refused !== undefined) return r.fail('size', refused);
  if (architectureOf(preset).everyMachineIsMember && size % 2 === 0) {
    const t = Math.floor((size - 1) / 2);
    r.warnings.push(
      warning(
        'even-etcd-size',
        `--size ${size}: an etcd cluster of ${size} members tolerates ${t} failed member${t === 1 ? '' : 's'}, no more than ${size - 1} members do; an odd size is better`,
      ),
    );
  }
  return size;
}

function resolveEtcd(r: Resolver, preset: PresetName, size: number | undefined, name: string | undefined): ClusterSpec['etcd'] {
  const fields: Field[] = ['etcd.size', 'etcd.version', 'etcd.discovery', 'etcd.token', 'etcd.image'];
  const architecture = architectureOf(preset);
  if (!architecture.runsEtcd) {
    for (const f of fields.filter((f) => r.isGiven(f))) r.fail(f, `the ${preset} preset runs no etcd; leave it out`);
    return null;
  }
  const wanted = size === undefined ? undefined : architecture.etcdSizeFor(size);
  const etcdSize = r.whole('etcd.size', wanted);
  const refused = etcdSize !== undefined && size !== undefined ? architecture.checkEtcdSize(etcdSize, size) : undefined;
  if (refused !== undefined) r.fail(refused.field, refused.message, refused.code);
  const version = r.text('etcd.version');
  const token = r.text('etcd.token', name);
  const discovery = r.text('etcd.discovery') ?? null;
  const image = r.text('etcd.image');
  if (discovery !== null && version !== undefined && check.etcdMinor(version) >= 6) {
    r.fail(
      'etcd.discovery',
      `etcd ${version} no longer speaks the v2 discovery protocol of discovery URLs; use a static initial cluster (leave --discovery out) or --etcd-version v3.5.x`,
    );
  }
  if (etcdSize === undefined || version === undefined || token === undefined || image === undefined) return null;
  return { size: etcdSize, version, token, discovery, image };
}

function resolveNetwork(r: Resolver, preset: PresetName): StaticNetwork | DhcpNetwork | undefined {
  const staticGiven = STATIC_FIELDS.filter((f) => r.isGiven(f));
  const dhcp = r.isGiven('network.dhcp') || staticGiven.length === 0 ? r.flag('network.dhcp') : false;
  if (dhcp === undefined) return undefined;
  if (dhcp) {
    for (const f of staticGiven) {
      r.fail(f, 'not with --dhcp: DHCP gives the machines their addresses, gateway and DNS (on every interface)');
    }
    return { dhcp: true };
  }
  const cidr = r.text('network.cidr');
  if (cidr === undefined) return undefined;
  const net = parseCidr(cidr) as Network;
  const gateway = r.address('network.gateway', formatIPv4(net.base + 1), net);
  // The derived first address is one its own check accepts: host .101 (or .2 in a small network),
  // moved past the gateway and the DNS servers.
  const dnsGiven = r.peek('network.dns');
  const taken = new Set([gateway, ...(Array.isArray(dnsGiven) ? dnsGiven : [])].map((a) => parseIPv4(String(a ?? ''))));
  let derivedFirst = net.base + 101 < net.broadcast ? net.base + 101 : net.base + 2;
  while (taken.has(derivedFirst) && derivedFirst + 1 < net.broadcast) derivedFirst++;
  const firstAddress = r.address('network.firstAddress', formatIPv4(derivedFirst), net);
  const dns = r.list('network.dns', gateway ? [gateway] : []);
  const domains = r.list('network.domains');
  let match: StaticNetwork['match'] | undefined;
  if (r.isGiven('network.macPrefix')) {
    if (r.isGiven('network.interface')) r.fail('network.macPrefix', 'choose one of --interface and --mac-prefix');
    const prefix = r.text('network.macPrefix');
    if (prefix !== undefined) match = { macPrefix: prefix.toLowerCase() };
  } else {
    const name = r.text('network.interface');
    if (name !== undefined) match = { interface: name };
  }
  // Asked for by name, the first machine's address must be its own (a default one skips the gateway and DNS).
  if (firstAddress && r.isGiven('network.firstAddress')) {
    const first = parseIPv4(firstAddress);
    const taken = first === parseIPv4(gateway ?? '') ? 'the gateway' : dns?.some((d) => parseIPv4(d) === first) ? 'a DNS server' : undefined;
    if (taken) return r.fail('network.firstAddress', `${firstAddress} is ${taken}: the first machine needs an address of its own`, 'first-address-taken');
  }
  if (match && 'interface' in match && !architectureOf(preset).localVm && /[*?[\s]/.test(match.interface)) {
    r.warnings.push(
      warning(
        'glob-interface',
        `--interface "${match.interface}": the static address goes on every interface whose name matches and that has a link, so a machine with several NICs gets it on each of them; give --mac-prefix (each machine's NIC by MAC) or one interface name`,
      ),
    );
  }
  if (!gateway || !firstAddress || !dns || !domains || !match) return undefined;
  return { dhcp: false, cidr, prefixLength: net.prefixLength, gateway, firstAddress, dns, domains, match };
}

function resolveUpdates(r: Resolver, preset: PresetName, etcdVersion: string | undefined): ClusterSpec['updates'] | undefined {
  const group = r.text('updates.group');
  const strategy = r.text('updates.rebootStrategy') as RebootStrategy | undefined;
  if (strategy === 'etcd-lock' && !architectureOf(preset).runsEtcd) {
    r.fail('updates.rebootStrategy', `etcd-lock needs etcd, which the ${preset} preset does not run; use reboot or off`);
  } else if (strategy === 'etcd-lock' && etcdVersion && check.etcdMinor(etcdVersion) >= 6) {
    r.fail('updates.rebootStrategy', `etcd-lock needs etcd's v2 API, which etcd ${etcdVersion} no longer has; use --etcd-version v3.5.x or reboot/off`);
  }
  const start = r.text('updates.rebootWindowStart');
  const length = r.text('updates.rebootWindowLength');
  if ((start === undefined) !== (length === undefined) && !r.problems.some((p) => p.field.startsWith('updates.rebootWindow'))) {
    r.fail(start === undefined ? 'updates.rebootWindowStart' : 'updates.rebootWindowLength', 'a reboot window needs both --reboot-window-start and --reboot-window-length');
  }
  const rebootWindow = start !== undefined && length !== undefined ? { start, length } : null;
  if (rebootWindow && strategy === 'off') r.warnings.push(warning('window-without-reboot', 'a reboot window has no effect with --reboot-strategy off'));
  const server = r.text('updates.server') ?? null;
  // Flatcar's public server knows its channels only: another group there never updates.
  if (group !== undefined && server === null && !PUBLIC_CHANNELS.includes(group)) {
    r.fail(
      'updates.group',
      `${group} is not a channel of Flatcar's public update server (${PUBLIC_CHANNELS.join(', ')}): machines would never update; give --update-server URL of the update server that has this group`,
      'group-not-public',
    );
  }
  if (group === undefined || strategy === undefined) return undefined;
  return { group, rebootStrategy: strategy, rebootWindow, server };
}

/** Said on standard error and, loudly, in SUMMARY.md. */
const ETCD_INSECURE = warning(
  'etcd-insecure',
  "--insecure: etcd TLS is off: members and proxies talk plain HTTP without client certificates, so anyone who reaches ports 2379 and 2380 can read and change the cluster's data",
);
const DOCKER_INSECURE = warning(
  'docker-insecure',
  '--docker-insecure: the Docker API listens on plain TCP port 2375 without TLS: anyone who can reach that port is root on the VM',
);

/** The architectures that serve the Docker API on TCP, for a message. */
const dockerApiPresets = (): string => PRESETS.filter((p) => ARCHITECTURES[p].servesDockerApi).join(' and ');

function resolveSecurity(r: Resolver, preset: PresetName): ClusterSpec['security'] | undefined {
  if (architectureOf(preset).servesDockerApi) {
    if (r.isGiven('security.secrets')) r.fail('security.secrets', `the ${preset} preset keeps its keys in its config; leave it out`);
    if (r.isGiven('security.etcdTls')) r.fail('security.etcdTls', `the ${preset} preset runs no etcd; for its Docker API use --docker-insecure`);
    const dockerTls = r.flag('security.dockerTls');
    if (dockerTls === false) r.warnings.push(DOCKER_INSECURE);
    return dockerTls === undefined ? undefined : { etcdTls: null, dockerTls, secrets: 'inline' };
  }
  if (r.isGiven('security.dockerTls')) r.fail('security.dockerTls', `only the ${dockerApiPresets()} preset serves the Docker API on TCP; leave it out`);
  const etcdTls = r.flag('security.etcdTls');
  if (etcdTls === false) r.warnings.push(ETCD_INSECURE);
  const secrets = r.text('security.secrets') as SecretsDelivery | undefined;
  if (secrets === 'ssh' && etcdTls === false) r.fail('security.secrets', 'with --insecure there are no private keys to deliver; leave it out');
  return etcdTls === undefined || secrets === undefined ? undefined : { etcdTls, dockerTls: null, secrets };
}

/** Resolves answers against their preset; throws a SpecError listing every problem. */
export function resolveSpec(answers: Answers): ResolvedSpec {
  const preset = resolvePreset(answers);
  const r = new Resolver(answers, loadPreset(preset).defaults);
  const name = r.text('name');
  const namePrefix = r.text('namePrefix', name === undefined ? undefined : `${name}-`);
  const size = resolveSize(r, preset);
  const etcd = resolveEtcd(r, preset, size, name);
  const network = resolveNetwork(r, preset);
  const ntp = r.list('network.ntp');
  const keys = r.list('ssh.keys');
  const updates = resolveUpdates(r, preset, etcd?.version);
  const security = resolveSecurity(r, preset);
  const templates = r.text('templates') ?? null;
  if (keys && keys.length === 0) {
    r.warnings.push(warning('no-ssh-key', 'no SSH key given (--ssh-key): nobody can log in to the machines over SSH'));
  }
  if (r.problems.length) throw new SpecError(r.problems);
  // The same key twice (a file and a flag) would be an invalid config: keep the first.
  const unique = [...new Set(keys)];
  const spec: ClusterSpec = {
    preset,
    name: name!,
    namePrefix: namePrefix!,
    size: size!,
    etcd,
    network: network!,
    ntp: ntp!,
    ssh: { keys: unique },
    updates: updates!,
    security: security!,
    templates,
  };
  return { spec, warnings: r.warnings, defaults: r.defaults };
}

/**
 * One worker's grpc-proxy process: the generated `grpc-proxy start` arguments with the endpoints
 * and the listen address mapped to loopback (host, and port in the `ports` layout), certificate paths pointing at files written for the
 * rehearsal, and its data dir in the work dir. Every other argument is passed as generated. Pure.
 */
import { rewriteEndpoints } from './addresses.js';
import { materialise, type PlanContext, type Self } from './plan-context.js';
import type { MachineReading, PlannedFile, PlannedProcess, ProxyReading } from './types.js';

const ADDRESS_FLAGS = ['endpoints', 'listen-addr', 'advertise-client-url', 'metrics-addr'];
const PATH_FLAGS = ['cert', 'key', 'cacert', 'cert-file', 'key-file', 'trusted-ca-file', 'client-crl-file'];
/** Flags of `etcd grpc-proxy start` that take a value (the others are switches). */
const VALUE_FLAGS = new Set([
  ...ADDRESS_FLAGS,
  ...PATH_FLAGS,
  'data-dir',
  'namespace',
  'resolver-prefix',
  'resolver-ttl',
  'discovery-srv',
  'discovery-srv-name',
  'experimental-leasing-prefix',
  'listen-cipher-suites',
  'max-concurrent-streams',
  'max-recv-bytes',
  'max-send-bytes',
]);
const GRPC_PROXY_DEFAULT_PORT = '23790';

/** An argument as written: `--flag=value`, `--flag value`, a switch, or anything else. */
export interface ProxyArg {
  flag: string | null;
  value: string | null;
  joined: boolean;
}

export function parseProxyArgs(words: string[]): ProxyArg[] {
  const out: ProxyArg[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    const m = /^--?([a-z0-9-]+)(?:=(.*))?$/s.exec(w);
    if (!m) out.push({ flag: null, value: w, joined: false });
    else if (m[2] !== undefined) out.push({ flag: m[1]!, value: m[2], joined: true });
    else if (VALUE_FLAGS.has(m[1]!) && i + 1 < words.length) out.push({ flag: m[1]!, value: words[++i]!, joined: false });
    else out.push({ flag: m[1]!, value: null, joined: false });
  }
  return out;
}

export function formatProxyArgs(args: ProxyArg[]): string[] {
  return args.flatMap((a) => (a.flag === null ? [a.value!] : a.value === null ? [`--${a.flag}`] : a.joined ? [`--${a.flag}=${a.value}`] : [`--${a.flag}`, a.value]));
}

export function planProxy(reading: MachineReading, proxy: ProxyReading, ctx: PlanContext): PlannedProcess {
  const { machine } = reading;
  const self: Self = { machine };
  const home = `${ctx.workDir}/${machine}.proxy`;
  const map = (value: string, bare = false) => rewriteEndpoints(value, (host, port) => ctx.book.endpoint(host, port, self), bare);
  const files: PlannedFile[] = [];
  const args = parseProxyArgs(proxy.args);
  const find = (flag: string) => args.find((a) => a.flag === flag && a.value !== null);
  if (!find('endpoints')) ctx.problems.push(`${machine}: ${proxy.unit} gives grpc-proxy no --endpoints (its default is itself, 127.0.0.1:2379)`);
  if (!find('listen-addr')) {
    args.push({ flag: 'listen-addr', value: `127.0.0.1:${GRPC_PROXY_DEFAULT_PORT}`, joined: true });
    ctx.notes.add(`grpc-proxy without --listen-addr listens on its default 127.0.0.1:${GRPC_PROXY_DEFAULT_PORT}`);
  }
  if (!find('data-dir')) args.push({ flag: 'data-dir', value: '', joined: true });
  for (const a of args) {
    if (a.flag === null || a.value === null) {
      if (a.value !== null) a.value = map(a.value);
    } else if (ADDRESS_FLAGS.includes(a.flag)) {
      a.value = map(a.value, true);
    } else if (a.flag === 'data-dir') {
      a.value = `${home}/data`;
    } else if (PATH_FLAGS.includes(a.flag) && a.value !== '') {
      const got = materialise(a.value, proxy.mounts, reading.files, home);
      if ('error' in got) ctx.problems.push(`${machine}: grpc-proxy --${a.flag}=${a.value}: ${got.error}`);
      else {
        files.push(got.file);
        a.value = got.file.path;
      }
    }
  }
  const listen = find('listen-addr')!.value!;
  const servesTls = Boolean(find('cert-file') && find('key-file'));
  return {
    kind: 'proxy',
    machine,
    name: machine,
    clientUrl: `${servesTls ? 'https' : 'http'}://${listen}`,
    listens: [listen],
    args: ['grpc-proxy', 'start', ...formatProxyArgs(args)],
    env: {},
    dirs: [`${home}/data`],
    files,
    home,
  };
}

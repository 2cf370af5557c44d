/** The rehearsal's planner: loopback addresses or ports, data dirs, wrapper variables, certificates, safety. */
import { describe, expect, test } from 'vitest';
import { planRehearsal, readMachine, type MachineReading, type PlanOptions, type RehearsalPlan } from '../../src/rehearse/index.js';
import {
  clusterConfigs,
  file,
  memberIgnition,
  proxyUnit,
  staticCluster,
  tlsClusterConfigs,
  tlsMemberIgnition,
  tlsWorkerIgnition,
  type ClusterSpecLite,
  type Ign,
} from '../helpers/rehearse-fixtures.js';

const WORK = '/tmp/flatcar-rehearse-test';

const read = (configs: Record<string, Ign>): MachineReading[] =>
  Object.entries(configs)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([name, config]) => readMachine(name, config));

const planOf = (configs: Record<string, Ign>, proxies?: number, options: Partial<PlanOptions> = {}) => planRehearsal(read(configs), { workDir: WORK, proxies, ...options });

/** Every environment value and argument of every process, for the loopback-only check. */
const allText = (plan: RehearsalPlan) => [...plan.members, ...plan.proxies].flatMap((p) => [...Object.values(p.env), ...p.args]).join(' ');

describe('a 3-member cluster with 2 workers', () => {
  const plan = planOf(clusterConfigs(staticCluster('prod', 3, 2)));

  test('members on 127.0.0.11-13, every address in every URL mapped, other variables exactly as generated', () => {
    expect(plan.problems).toEqual([]);
    expect(plan.members.map((m) => m.clientUrl)).toEqual(['http://127.0.0.11:2379', 'http://127.0.0.12:2379', 'http://127.0.0.13:2379']);
    expect(plan.members[1]).toEqual({
      kind: 'member',
      machine: 'prod-etcd-2',
      name: 'prod-etcd-2',
      clientUrl: 'http://127.0.0.12:2379',
      listens: ['127.0.0.12:2380', '127.0.0.12:2379'],
      args: ['--data-dir', `${WORK}/prod-etcd-2/data`],
      env: {
        ETCD_NAME: 'prod-etcd-2',
        ETCD_LISTEN_PEER_URLS: 'http://127.0.0.12:2380',
        ETCD_LISTEN_CLIENT_URLS: 'http://127.0.0.12:2379',
        ETCD_INITIAL_ADVERTISE_PEER_URLS: 'http://127.0.0.12:2380',
        ETCD_ADVERTISE_CLIENT_URLS: 'http://127.0.0.12:2379',
        ETCD_INITIAL_CLUSTER: 'prod-etcd-1=http://127.0.0.11:2380,prod-etcd-2=http://127.0.0.12:2380,prod-etcd-3=http://127.0.0.13:2380',
        ETCD_INITIAL_CLUSTER_TOKEN: 'prod',
        ETCD_INITIAL_CLUSTER_STATE: 'new',
        ETCD_ENABLE_V2: 'true',
      },
      dirs: [`${WORK}/prod-etcd-2/data`],
      files: [],
      home: `${WORK}/prod-etcd-2`,
    });
  });

  test('the wrapper-only ETCD_IMAGE_TAG is dropped with a note; the data dir goes to the work dir', () => {
    expect(plan.notes).toContain("ETCD_IMAGE_TAG dropped: the etcd-wrapper's own setting, not etcd's");
    for (const m of plan.members) {
      expect(m.env.ETCD_IMAGE_TAG).toBeUndefined();
      expect(m.env.ETCD_DATA_DIR).toBeUndefined();
      expect(m.args).toEqual(['--data-dir', `${m.home}/data`]);
    }
  });

  test('each proxy listens on its own 127.0.1.x (its 127.0.0.1), towards the mapped members; other arguments as generated', () => {
    expect(plan.proxies.map((p) => [p.machine, p.clientUrl])).toEqual([
      ['prod-worker-1', 'http://127.0.1.1:2379'],
      ['prod-worker-2', 'http://127.0.1.2:2379'],
    ]);
    expect(plan.proxies[0]!.args).toEqual([
      'grpc-proxy',
      'start',
      '--endpoints=http://127.0.0.11:2379,http://127.0.0.12:2379,http://127.0.0.13:2379',
      '--listen-addr=127.0.1.1:2379',
      `--data-dir=${WORK}/prod-worker-1.proxy/data`,
    ]);
    expect(plan.skippedProxies).toEqual([]);
  });

  test('the address map says what stands for what; nothing outside 127.0.0.0/8 is left', () => {
    expect(plan.addresses).toEqual([
      { original: '10.0.0.101', mapped: '127.0.0.11', owner: 'prod-etcd-1' },
      { original: '10.0.0.102', mapped: '127.0.0.12', owner: 'prod-etcd-2' },
      { original: '10.0.0.103', mapped: '127.0.0.13', owner: 'prod-etcd-3' },
      { original: "prod-worker-1's 127.0.0.1", mapped: '127.0.1.1', owner: 'prod-worker-1' },
      { original: "prod-worker-2's 127.0.0.1", mapped: '127.0.1.2', owner: 'prod-worker-2' },
    ]);
    expect(allText(plan)).not.toMatch(/10\.0\.0\./);
    expect(plan.clientTls).toBeNull();
  });
});

describe('other shapes', () => {
  test('a single-member dev cluster listening on 0.0.0.0 (DHCP style, reached by host name)', () => {
    const cluster: ClusterSpecLite = { members: [{ name: 'dev-etcd-1', host: 'dev-etcd-1', listen: '0.0.0.0' }], workers: ['dev-worker-1'], token: 'dev' };
    const plan = planOf(clusterConfigs(cluster));
    expect(plan.problems).toEqual([]);
    const [m] = plan.members;
    expect(m!.env.ETCD_LISTEN_CLIENT_URLS).toBe('http://127.0.0.11:2379');
    expect(m!.env.ETCD_ADVERTISE_CLIENT_URLS).toBe('http://127.0.0.11:2379');
    expect(m!.env.ETCD_INITIAL_CLUSTER).toBe('dev-etcd-1=http://127.0.0.11:2380');
    expect(plan.proxies[0]!.args).toContain('--endpoints=http://127.0.0.11:2379');
    expect(plan.addresses[0]).toEqual({ original: 'dev-etcd-1', mapped: '127.0.0.11', owner: 'dev-etcd-1' });
  });

  test('a 5-member cluster with 5 workers: 127.0.0.11-15, and only the first 3 proxies by default', () => {
    const plan = planOf(clusterConfigs(staticCluster('big', 5, 5)));
    expect(plan.problems).toEqual([]);
    expect(plan.members.map((m) => m.listens[1])).toEqual(['127.0.0.11:2379', '127.0.0.12:2379', '127.0.0.13:2379', '127.0.0.14:2379', '127.0.0.15:2379']);
    expect(plan.proxies.map((p) => p.machine)).toEqual(['big-worker-1', 'big-worker-2', 'big-worker-3']);
    expect(plan.skippedProxies).toEqual(['big-worker-4', 'big-worker-5']);
    expect(planOf(clusterConfigs(staticCluster('big', 5, 5)), 0).proxies).toEqual([]);
  });

  test('an endpoint that is no member is mapped too (nothing runs there) and noted', () => {
    const cluster = staticCluster('p', 1, 0);
    const worker: Ign = {
      ignition: { version: '3.3.0' },
      systemd: { units: [{ name: 'etcd-grpc-proxy.service', enabled: true, contents: proxyUnit(['http://10.0.0.101:2379', 'http://10.9.9.9:2379']) }] },
    };
    const plan = planOf({ ...clusterConfigs(cluster), 'p-worker-1': worker });
    expect(plan.proxies[0]!.args[2]).toBe('--endpoints=http://127.0.0.11:2379,http://127.0.0.12:2379');
    expect(plan.notes).toContain('10.9.9.9 is no etcd member found in DIR: mapped to 127.0.0.12, where nothing runs');
  });

  test('two members with the same address, or a missing variable, are problems', () => {
    const cluster = staticCluster('p', 2, 0);
    cluster.members[1]!.host = cluster.members[0]!.host;
    const configs = clusterConfigs(cluster);
    configs['p-etcd-1']!.systemd.units[0].dropins[1].contents = configs['p-etcd-1']!.systemd.units[0].dropins[1].contents.replace(
      /Environment="ETCD_LISTEN_CLIENT_URLS=[^"]*"\n/,
      '',
    );
    const plan = planOf(configs);
    expect(plan.problems).toContain('10.0.0.101 is the address of both p-etcd-1 and p-etcd-2');
    expect(plan.problems).toContain("p-etcd-1: etcd-member.service sets no ETCD_LISTEN_CLIENT_URLS (etcd's default is localhost only)");
  });

  test('discovery: replaced by a static initial cluster of the members found, with a note', () => {
    const cluster = staticCluster('d', 3, 0);
    const configs = Object.fromEntries(
      cluster.members.map((m) => [
        m.name,
        memberIgnition(m, cluster, [{ name: '30-discovery.conf', contents: '[Service]\nEnvironment="ETCD_DISCOVERY=https://discovery.etcd.io/abc"\n' }]),
      ]),
    );
    const plan = planOf(configs);
    expect(plan.problems).toEqual([]);
    expect(plan.members[2]!.env.ETCD_DISCOVERY).toBeUndefined();
    expect(plan.members[2]!.env.ETCD_INITIAL_CLUSTER).toBe('d-etcd-1=http://127.0.0.11:2380,d-etcd-2=http://127.0.0.12:2380,d-etcd-3=http://127.0.0.13:2380');
    expect(plan.notes.some((n) => n.startsWith('ETCD_DISCOVERY replaced by a static ETCD_INITIAL_CLUSTER'))).toBe(true);
  });
});

describe('TLS (issue 6): container certificate paths become files written for the rehearsal', () => {
  const cluster = staticCluster('s', 1, 1, false);
  const tlsDropin = {
    name: '30-tls.conf',
    contents: [
      '[Service]',
      'Environment="ETCD_SSL_DIR=/etc/ssl/etcd"',
      'Environment="ETCD_CERT_FILE=/etc/ssl/certs/server.crt"',
      'Environment="ETCD_KEY_FILE=/etc/ssl/certs/server.key"',
      'Environment="ETCD_TRUSTED_CA_FILE=/etc/ssl/certs/ca.crt"',
      'Environment="ETCD_CLIENT_CERT_AUTH=true"',
      'Environment="ETCD_ADVERTISE_CLIENT_URLS=https://10.0.0.101:2379"',
      'Environment="ETCD_LISTEN_CLIENT_URLS=https://10.0.0.101:2379"',
      '',
    ].join('\n'),
  };
  const member = memberIgnition(cluster.members[0]!, cluster, [tlsDropin]);
  member.storage.files.push(
    file('/etc/ssl/etcd/server.crt', 'SERVER CERT\n'),
    file('/etc/ssl/etcd/server.key', 'SERVER KEY\n', { mode: 0o600, gzip: true }),
    file('/etc/ssl/etcd/ca.crt', 'CA CERT\n'),
  );
  const worker: Ign = {
    ignition: { version: '3.3.0' },
    storage: {
      files: [file('/etc/ssl/etcd/worker.crt', 'WORKER CERT\n'), file('/etc/ssl/etcd/worker.key', 'WORKER KEY\n', { mode: 0o600 }), file('/etc/ssl/etcd/ca.crt', 'CA CERT\n')],
    },
    systemd: {
      units: [
        {
          name: 'etcd-grpc-proxy.service',
          enabled: true,
          contents: proxyUnit(['https://10.0.0.101:2379'], '-v /etc/ssl/etcd:/etc/ssl/certs:ro ').replace(
            '--listen-addr=',
            '--cert=/etc/ssl/certs/worker.crt --key=/etc/ssl/certs/worker.key --cacert=/etc/ssl/certs/ca.crt --listen-addr=',
          ),
        },
      ],
    },
  };

  test('member and proxy files are planned with their contents and modes; flags point at them; etcdctl uses the proxy client cert', () => {
    const plan = planOf({ 's-etcd-1': member, 's-worker-1': worker });
    expect(plan.problems).toEqual([]);
    const m = plan.members[0]!;
    expect(m.env.ETCD_SSL_DIR).toBeUndefined();
    expect(m.env.ETCD_CLIENT_CERT_AUTH).toBe('true');
    expect(m.env.ETCD_KEY_FILE).toBe(`${WORK}/s-etcd-1/files/etc/ssl/etcd/server.key`);
    expect(m.files).toContainEqual({ path: `${WORK}/s-etcd-1/files/etc/ssl/etcd/server.key`, contents: Buffer.from('SERVER KEY\n'), mode: 0o600 });
    expect(m.clientUrl).toBe('https://127.0.0.1:22379');
    const p = plan.proxies[0]!;
    expect(p.args).toContain(`--cert=${WORK}/s-worker-1.proxy/files/etc/ssl/etcd/worker.crt`);
    expect(p.args).toContain('--endpoints=https://127.0.0.1:22379');
    expect(plan.clientTls).toEqual({
      cacert: `${WORK}/s-worker-1.proxy/files/etc/ssl/etcd/ca.crt`,
      cert: `${WORK}/s-worker-1.proxy/files/etc/ssl/etcd/worker.crt`,
      key: `${WORK}/s-worker-1.proxy/files/etc/ssl/etcd/worker.key`,
    });
  });

  test('https without certificates, or a proxy that cannot verify or authenticate, is found before anything starts', () => {
    const bare = structuredClone(member);
    bare.systemd.units[0].dropins[2].contents = '[Service]\nEnvironment="ETCD_CLIENT_CERT_AUTH=true"\n';
    for (const d of bare.systemd.units[0].dropins) d.contents = d.contents.replaceAll('http://', 'https://');
    const proxyWithout = structuredClone(worker);
    proxyWithout.systemd.units[0].contents = proxyUnit(['https://10.0.0.101:2379']);
    expect(planOf({ 's-etcd-1': bare, 's-worker-1': proxyWithout }).problems).toEqual([
      's-etcd-1: https client URLs but no ETCD_CERT_FILE or ETCD_KEY_FILE: etcd cannot serve them',
      's-etcd-1: https peer URLs but no ETCD_PEER_CERT_FILE or ETCD_PEER_KEY_FILE: etcd cannot serve them',
      's-worker-1: grpc-proxy reaches https members without --cacert: it cannot verify their certificates',
      's-worker-1: the members require client certificates (ETCD_CLIENT_CERT_AUTH) but grpc-proxy gives no --cert and --key',
    ]);
  });

  test('a certificate the config does not write, or the container cannot see, is a problem', () => {
    const broken = structuredClone(member);
    broken.storage.files = broken.storage.files.filter((f: Ign) => f.path !== '/etc/ssl/etcd/ca.crt');
    const unmounted = structuredClone(worker);
    unmounted.systemd.units[0].contents = unmounted.systemd.units[0].contents.replace('-v /etc/ssl/etcd:/etc/ssl/certs:ro ', '');
    const plan = planOf({ 's-etcd-1': broken, 's-worker-1': unmounted });
    expect(plan.problems).toEqual([
      's-etcd-1: ETCD_TRUSTED_CA_FILE=/etc/ssl/certs/ca.crt: the config writes no /etc/ssl/etcd/ca.crt (seen as /etc/ssl/certs/ca.crt in the container)',
      's-worker-1: grpc-proxy --cert=/etc/ssl/certs/worker.crt: /etc/ssl/certs/worker.crt is not mounted into the container (it sees nothing)',
      's-worker-1: grpc-proxy --key=/etc/ssl/certs/worker.key: /etc/ssl/certs/worker.key is not mounted into the container (it sees nothing)',
      's-worker-1: grpc-proxy --cacert=/etc/ssl/certs/ca.crt: /etc/ssl/certs/ca.crt is not mounted into the container (it sees nothing)',
    ]);
  });
});

describe('TLS: the ports layout (every process on 127.0.0.1, the address the certificates name, each machine with ports of its own)', () => {
  const plan = planOf(tlsClusterConfigs(staticCluster('prod', 3, 2)));

  test('members get 22379/22380 + 10*i: every URL rewritten (host and port), every other variable and file as generated', () => {
    expect(plan.problems).toEqual([]);
    expect(plan.layout).toBe('ports');
    expect(plan.members.map((m) => m.clientUrl)).toEqual(['https://127.0.0.1:22379', 'https://127.0.0.1:22389', 'https://127.0.0.1:22399']);
    const m = plan.members[1]!;
    expect(m.listens).toEqual(['127.0.0.1:22390', '127.0.0.1:22389']);
    const files = `${WORK}/prod-etcd-2/files/etc/ssl/etcd`;
    expect(m.env).toEqual({
      ETCD_NAME: 'prod-etcd-2',
      ETCD_LISTEN_PEER_URLS: 'https://127.0.0.1:22390',
      ETCD_LISTEN_CLIENT_URLS: 'https://127.0.0.1:22389',
      ETCD_INITIAL_ADVERTISE_PEER_URLS: 'https://127.0.0.1:22390',
      ETCD_ADVERTISE_CLIENT_URLS: 'https://127.0.0.1:22389',
      ETCD_INITIAL_CLUSTER: 'prod-etcd-1=https://127.0.0.1:22380,prod-etcd-2=https://127.0.0.1:22390,prod-etcd-3=https://127.0.0.1:22400',
      ETCD_INITIAL_CLUSTER_TOKEN: 'prod',
      ETCD_INITIAL_CLUSTER_STATE: 'new',
      ETCD_ENABLE_V2: 'true',
      ETCD_TRUSTED_CA_FILE: `${files}/ca.pem`,
      ETCD_CERT_FILE: `${files}/server.pem`,
      ETCD_KEY_FILE: `${files}/server-key.pem`,
      ETCD_CLIENT_CERT_AUTH: 'true',
      ETCD_PEER_TRUSTED_CA_FILE: `${files}/ca.pem`,
      ETCD_PEER_CERT_FILE: `${files}/peer.pem`,
      ETCD_PEER_KEY_FILE: `${files}/peer-key.pem`,
      ETCD_PEER_CLIENT_CERT_AUTH: 'true',
      ETCD_PEER_CERT_ALLOWED_CN: 'etcd-peer',
    });
    expect(m.files).toContainEqual({ path: `${files}/peer-key.pem`, contents: Buffer.from('prod-etcd-2 peer-key.pem\n'), mode: 0o600 });
  });

  test("proxies: --endpoints to the members' client ports, their 127.0.0.1:2379 on ports of their own after the members'", () => {
    expect(plan.proxies.map((p) => [p.machine, p.clientUrl, p.listens])).toEqual([
      ['prod-worker-1', 'http://127.0.0.1:22409', ['127.0.0.1:22409']],
      ['prod-worker-2', 'http://127.0.0.1:22419', ['127.0.0.1:22419']],
    ]);
    const files = `${WORK}/prod-worker-1.proxy/files/etc/ssl/etcd`;
    expect(plan.proxies[0]!.args).toEqual([
      'grpc-proxy',
      'start',
      '--endpoints=https://127.0.0.1:22379,https://127.0.0.1:22389,https://127.0.0.1:22399',
      `--cert=${files}/client.pem`,
      `--key=${files}/client-key.pem`,
      `--cacert=${files}/ca.pem`,
      '--listen-addr=127.0.0.1:22409',
      `--data-dir=${WORK}/prod-worker-1.proxy/data`,
    ]);
    expect(plan.clientTls).toEqual({ cacert: `${files}/ca.pem`, cert: `${files}/client.pem`, key: `${files}/client-key.pem` });
  });

  test('the address map and a note say which port stands for which, and why; nothing outside 127.0.0.0/8', () => {
    expect(plan.addresses).toEqual([
      { original: '10.0.0.101:2379', mapped: '127.0.0.1:22379', owner: 'prod-etcd-1' },
      { original: '10.0.0.101:2380', mapped: '127.0.0.1:22380', owner: 'prod-etcd-1' },
      { original: '10.0.0.102:2379', mapped: '127.0.0.1:22389', owner: 'prod-etcd-2' },
      { original: '10.0.0.102:2380', mapped: '127.0.0.1:22390', owner: 'prod-etcd-2' },
      { original: '10.0.0.103:2379', mapped: '127.0.0.1:22399', owner: 'prod-etcd-3' },
      { original: '10.0.0.103:2380', mapped: '127.0.0.1:22400', owner: 'prod-etcd-3' },
      { original: "prod-worker-1's 127.0.0.1:2379", mapped: '127.0.0.1:22409', owner: 'prod-worker-1' },
      { original: "prod-worker-2's 127.0.0.1:2379", mapped: '127.0.0.1:22419', owner: 'prod-worker-2' },
    ]);
    const note = plan.notes.find((n) => n.startsWith('ports remapped: the members serve TLS'));
    expect(note).toContain('every process runs on 127.0.0.1 with ports of its own (10 per machine from 22379): 10.0.0.101:2379 -> 22379, 10.0.0.101:2380 -> 22380,');
    expect(note).toContain("prod-worker-2's 127.0.0.1:2379 -> 22419; every other flag, certificate and key is as generated");
    expect(allText(plan)).not.toMatch(/10\.0\.0\./);
  });

  test("0.0.0.0 listens (DHCP style, reached by host name) go to the member's own ports; a configurable port base", () => {
    const cluster: ClusterSpecLite = { members: [{ name: 'dev-etcd-1', host: 'dev-etcd-1', listen: '0.0.0.0' }], workers: ['dev-worker-1'], token: 'dev' };
    const plan = planOf(tlsClusterConfigs(cluster), undefined, { portBase: 30000 });
    expect(plan.problems).toEqual([]);
    const m = plan.members[0]!;
    expect([m.env.ETCD_LISTEN_CLIENT_URLS, m.env.ETCD_LISTEN_PEER_URLS]).toEqual(['https://127.0.0.1:30000', 'https://127.0.0.1:30001']);
    expect([m.env.ETCD_ADVERTISE_CLIENT_URLS, m.env.ETCD_INITIAL_ADVERTISE_PEER_URLS]).toEqual(['https://127.0.0.1:30000', 'https://127.0.0.1:30001']);
    expect(m.env.ETCD_INITIAL_CLUSTER).toBe('dev-etcd-1=https://127.0.0.1:30001');
    expect(plan.proxies[0]!.args).toContain('--endpoints=https://127.0.0.1:30000');
    expect(plan.proxies[0]!.args).toContain('--listen-addr=127.0.0.1:30010');
    expect(plan.addresses.slice(0, 3)).toEqual([
      { original: 'dev-etcd-1:2379', mapped: '127.0.0.1:30000', owner: 'dev-etcd-1' },
      { original: 'dev-etcd-1:2380', mapped: '127.0.0.1:30001', owner: 'dev-etcd-1' },
      { original: "dev-etcd-1's 0.0.0.0:2380", mapped: '127.0.0.1:30001', owner: 'dev-etcd-1' },
    ]);
  });

  test("a member's own 127.0.0.1 listen, other ports (metrics) and a proxy's default listen address each get a port of their own", () => {
    const cluster = staticCluster('m', 1, 0, false);
    const member = tlsMemberIgnition(cluster.members[0]!, cluster, () => 'PEM\n', [
      'ETCD_SSL_DIR=/etc/ssl/etcd',
      'ETCD_CERT_FILE=/etc/ssl/certs/server.pem',
      'ETCD_KEY_FILE=/etc/ssl/certs/server-key.pem',
      'ETCD_LISTEN_CLIENT_URLS=https://10.0.0.101:2379,https://127.0.0.1:2379',
      'ETCD_LISTEN_METRICS_URLS=http://10.0.0.101:2381',
      'ETCD_PEER_CERT_FILE=/etc/ssl/certs/peer.pem',
      'ETCD_PEER_KEY_FILE=/etc/ssl/certs/peer-key.pem',
    ]);
    const worker = tlsWorkerIgnition('m-worker-1', cluster, () => 'PEM\n');
    worker.systemd.units[0].contents = worker.systemd.units[0].contents.replace(' --listen-addr=127.0.0.1:2379', '');
    const plan = planOf({ 'm-etcd-1': member, 'm-worker-1': worker });
    expect(plan.problems).toEqual([]);
    const m = plan.members[0]!;
    expect(m.env.ETCD_LISTEN_CLIENT_URLS).toBe('https://127.0.0.1:22379,https://127.0.0.1:22381');
    expect(m.env.ETCD_LISTEN_METRICS_URLS).toBe('http://127.0.0.1:22382');
    expect(m.listens).toEqual(['127.0.0.1:22380', '127.0.0.1:22379', '127.0.0.1:22381', '127.0.0.1:22382']);
    expect(new Set(m.listens).size).toBe(m.listens.length);
    expect(plan.proxies[0]!.args).toContain('--listen-addr=127.0.0.1:22389');
    expect(plan.notes).toContain('grpc-proxy without --listen-addr listens on its default 127.0.0.1:23790');
    expect(plan.addresses).toContainEqual({ original: "m-etcd-1's 127.0.0.1:2379", mapped: '127.0.0.1:22381', owner: 'm-etcd-1' });
  });

  test('an endpoint that is no member gets ports where nothing runs, with a note; ports past 65535 are a problem', () => {
    const configs = tlsClusterConfigs(staticCluster('p', 1, 1));
    configs['p-worker-1']!.systemd.units[0].contents = configs['p-worker-1']!.systemd.units[0].contents.replace(
      'https://10.0.0.101:2379',
      'https://10.0.0.101:2379,https://10.9.9.9:2379',
    );
    const plan = planOf(configs);
    expect(plan.proxies[0]!.args[2]).toBe('--endpoints=https://127.0.0.1:22379,https://127.0.0.1:22389');
    expect(plan.notes).toContain('10.9.9.9:2379 is no etcd member found in DIR: mapped to 127.0.0.1:22389, where nothing runs');
    expect(planOf(configs, undefined, { portBase: 65530 }).problems).toEqual([
      '10.9.9.9:2379: no port left above the port base 65530 (it would be 65540)',
      "p-worker-1's 127.0.0.1:2379: no port left above the port base 65530 (it would be 65550)",
    ]);
  });

  test('either layout on request: plain http on ports, TLS on addresses (where these certificates would not verify)', () => {
    const http = planOf(clusterConfigs(staticCluster('h', 3, 1)), undefined, { layout: 'ports' });
    expect(http.problems).toEqual([]);
    expect(http.members.map((m) => m.env.ETCD_INITIAL_CLUSTER)[0]).toBe('h-etcd-1=http://127.0.0.1:22380,h-etcd-2=http://127.0.0.1:22390,h-etcd-3=http://127.0.0.1:22400');
    expect(http.notes.find((n) => n.startsWith('ports remapped'))).toMatch(/^ports remapped: as asked, every process runs on 127\.0\.0\.1/);
    const tls = planOf(tlsClusterConfigs(staticCluster('t', 1, 0)), undefined, { layout: 'addresses' });
    expect([tls.layout, tls.members[0]!.clientUrl]).toEqual(['addresses', 'https://127.0.0.11:2379']);
  });
});

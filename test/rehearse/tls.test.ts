/**
 * TLS the way issue 6 will generate it: members serve https with client-certificate auth on both
 * ports, their certificates in ETCD_SSL_DIR (mounted at /etc/ssl/certs by the wrapper), a worker's
 * proxy in Docker with `-v` and `--cert --key --cacert`. The rehearsal writes the certificates from
 * the configs and runs the drill over TLS with the real etcd.
 *
 * The certificates are made here with openssl the way the PKI issues them: each member's real
 * address, its name, localhost and 127.0.0.1. So the rehearsal runs every member on 127.0.0.1 with
 * ports of its own (a loopback block's + 10*i, clear of the other test files); a certificate that does not
 * name 127.0.0.1 is found before anything starts.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { planRehearsal, readClusterDir, rehearse } from '../../src/rehearse/index.js';
import { file, memberIgnition, proxyUnit, staticCluster, writeClusterDir, type ClusterSpecLite, type Ign, type MemberSpec } from '../helpers/rehearse-fixtures.js';
import { loopbackBlock } from '../helpers/loopback.js';
import { requireTools } from '../helpers/tools.js';

requireTools('etcd', 'etcdctl', 'openssl');
const made: string[] = [];
afterAll(() =>
  made.forEach((d) => {
    rmSync(d, { recursive: true, force: true });
  }),
);

function openssl(cwd: string, ...args: string[]): void {
  const r = spawnSync('openssl', args, { cwd, encoding: 'utf8', timeout: 20_000 });
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')}: ${r.stderr}`);
}

/** A P-256 CA and leaf certificates signed by it, as PEM text. */
function pki(leaves: { name: string; subject: string; san?: string; usage: string }[]): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), 'rehearse-pki-'));
  made.push(dir);
  openssl(dir, 'ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'ca.key');
  openssl(dir, 'req', '-x509', '-new', '-key', 'ca.key', '-subj', '/CN=rehearse-test-ca', '-days', '2', '-out', 'ca.crt');
  const out: Record<string, string> = { 'ca.crt': readFileSync(join(dir, 'ca.crt'), 'utf8') };
  for (const leaf of leaves) {
    writeFileSync(join(dir, `${leaf.name}.ext`), `${leaf.san ? `subjectAltName=${leaf.san}\n` : ''}extendedKeyUsage=${leaf.usage}\nkeyUsage=digitalSignature,keyEncipherment\n`);
    openssl(dir, 'ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', `${leaf.name}.key`);
    openssl(dir, 'req', '-new', '-key', `${leaf.name}.key`, '-subj', leaf.subject, '-out', `${leaf.name}.csr`);
    openssl(
      dir,
      'x509',
      '-req',
      '-in',
      `${leaf.name}.csr`,
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-days',
      '2',
      '-extfile',
      `${leaf.name}.ext`,
      '-out',
      `${leaf.name}.crt`,
    );
    out[`${leaf.name}.crt`] = readFileSync(join(dir, `${leaf.name}.crt`), 'utf8');
    out[`${leaf.name}.key`] = readFileSync(join(dir, `${leaf.name}.key`), 'utf8');
  }
  return out;
}

const TLS_ENV = [
  'ETCD_SSL_DIR=/etc/ssl/etcd',
  'ETCD_CERT_FILE=/etc/ssl/certs/server.crt',
  'ETCD_KEY_FILE=/etc/ssl/certs/server.key',
  'ETCD_TRUSTED_CA_FILE=/etc/ssl/certs/ca.crt',
  'ETCD_CLIENT_CERT_AUTH=true',
  'ETCD_PEER_CERT_FILE=/etc/ssl/certs/server.crt',
  'ETCD_PEER_KEY_FILE=/etc/ssl/certs/server.key',
  'ETCD_PEER_TRUSTED_CA_FILE=/etc/ssl/certs/ca.crt',
  'ETCD_PEER_CLIENT_CERT_AUTH=true',
];

function tlsMember(cluster: ClusterSpecLite, m: MemberSpec, certs: Record<string, string>): Ign {
  const config = memberIgnition(m, cluster, [{ name: '30-tls.conf', contents: `[Service]\n${TLS_ENV.map((e) => `Environment="${e}"`).join('\n')}\n` }]);
  config.storage.files.push(
    file('/etc/ssl/etcd/ca.crt', certs['ca.crt']!),
    file('/etc/ssl/etcd/server.crt', certs[`${m.name}.crt`]!),
    file('/etc/ssl/etcd/server.key', certs[`${m.name}.key`]!, { mode: 0o600, gzip: true }),
  );
  return config;
}

describe('a TLS cluster (client-certificate auth on client and peer ports)', () => {
  test('3 members and a proxy over https on 127.0.0.1 with ports of their own: the drill passes with the certificates from the configs', async () => {
    const cluster = { ...staticCluster('tls', 3, 1, false), scheme: 'https' as const };
    const certs = pki([
      ...cluster.members.map((m) => ({ name: m.name, subject: `/CN=${m.name}`, san: `IP:${m.host},DNS:${m.name},DNS:localhost,IP:127.0.0.1`, usage: 'serverAuth,clientAuth' })),
      { name: 'proxy', subject: '/O=etcd-proxy', san: 'DNS:tls-worker-1', usage: 'clientAuth' },
    ]);
    const configs: Record<string, Ign> = {};
    for (const m of cluster.members) configs[m.name] = tlsMember(cluster, m, certs);
    const flags = '--cert=/etc/ssl/certs/proxy.crt --key=/etc/ssl/certs/proxy.key --cacert=/etc/ssl/certs/ca.crt ';
    configs['tls-worker-1'] = {
      ignition: { version: '3.3.0' },
      storage: {
        files: [
          file('/etc/ssl/etcd/ca.crt', certs['ca.crt']!),
          file('/etc/ssl/etcd/proxy.crt', certs['proxy.crt']!),
          file('/etc/ssl/etcd/proxy.key', certs['proxy.key']!, { mode: 0o600 }),
        ],
      },
      systemd: {
        units: [
          {
            name: 'etcd-grpc-proxy.service',
            enabled: true,
            contents: proxyUnit(
              cluster.members.map((m) => `https://${m.host}:2379`),
              '-v /etc/ssl/etcd:/etc/ssl/certs:ro ',
              flags,
            ),
          },
        ],
      },
    };
    const dir = writeClusterDir(configs);
    made.push(dir);

    const { portBase } = loopbackBlock();
    const r = await rehearse(dir, { portBase, timeoutSeconds: 60, network: 'loopback' });
    expect(
      r.steps.filter((s) => s.status !== 'passed'),
      JSON.stringify(r.steps, null, 1),
    ).toEqual([]);
    expect(r.layout).toBe('ports');
    expect(r.steps.map((s) => s.id)).toEqual(['plan', 'ports', 'members', 'client-cert', 'proxy:tls-worker-1', 'tolerate', 'quorum', 'heal', 'cleanup']);
    expect(r.members.map((m) => m.clientUrl)).toEqual([0, 10, 20].map((d) => `https://127.0.0.1:${portBase + d}`));
    expect(r.proxies.map((p) => p.clientUrl)).toEqual([`http://127.0.0.1:${portBase + 30}`]);
    expect(r.steps.find((s) => s.id === 'client-cert')!.detail).toMatch(/^refused by tls-etcd-1, tls-etcd-2, tls-etcd-3 \(.*certificate.*\); with the certificate it answers$/);
    expect(r.notes).toContain("ETCD_SSL_DIR dropped: the etcd-wrapper's own setting, not etcd's");
    expect(r.notes.some((n) => n.startsWith('ports remapped: the members serve TLS'))).toBe(true);
    expect(spawnSync('pgrep', ['-f', r.workDir], { encoding: 'utf8' }).stdout).toBe('');
    expect(existsSync(r.workDir)).toBe(false);
  });

  test('a certificate that does not name 127.0.0.1 is found before anything starts: it cannot verify where the rehearsal dials it', () => {
    const cluster = { ...staticCluster('real', 1, 0, false), scheme: 'https' as const };
    const m = cluster.members[0]!;
    const certs = pki([{ name: m.name, subject: `/CN=${m.name}`, san: `IP:${m.host},DNS:${m.name},DNS:localhost`, usage: 'serverAuth,clientAuth' }]);
    const dir = writeClusterDir({ [m.name]: tlsMember(cluster, m, certs) });
    made.push(dir);
    const plan = planRehearsal(readClusterDir(dir), { workDir: '/tmp/flatcar-rehearse-x' });
    expect(plan.problems).toEqual([
      'real-etcd-1: its ETCD_CERT_FILE names IP Address:10.0.0.101, DNS:real-etcd-1, DNS:localhost, not 127.0.0.1, where the rehearsal reaches it: TLS would fail verification here',
      'real-etcd-1: its ETCD_PEER_CERT_FILE names IP Address:10.0.0.101, DNS:real-etcd-1, DNS:localhost, not 127.0.0.1, where the rehearsal reaches it: TLS would fail verification here',
    ]);
    // With the addresses layout asked for, it is the per-member loopback address that is missing.
    expect(planRehearsal(readClusterDir(dir), { workDir: '/tmp/flatcar-rehearse-x', layout: 'addresses' }).problems[0]).toMatch(
      /, not 127\.0\.0\.11, where the rehearsal reaches it/,
    );
  });
});

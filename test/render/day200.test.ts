/**
 * Issue 15 (configs that hold on day 200), as rendered: etcd maintenance settings, locksmith's
 * endpoint order, update server, NTP, etcd image mirror, the CA bundle copy for https discovery.
 */
import { describe, expect, it } from 'vitest';
import { plan, type Plan } from '../../src/plan/index.js';
import { loadTemplates, machineRenderer, type TemplateSet } from '../../src/render/index.js';
import { resolveSpec } from '../../src/answers/resolve.js';
import type { Answers } from '../../src/answers/types.js';
import { butaneFiles, butaneUnits, environment, withKey } from '../helpers/generator.js';

const templates = loadTemplates();
const renderMachines = (p: Plan, set: TemplateSet) => p.machines.map((machine) => ({ machine, butane: machineRenderer(p, set)(machine) }));
const planOf = (answers: Answers): Plan => plan(resolveSpec(answers).spec);
const dropin = (butane: string, unit: string, name: string): string => butaneUnits(butane)[unit]?.dropins?.find((d) => d.name === name)?.contents ?? '';

describe('etcd maintenance', () => {
  it('every member compacts periodically (1h of history) and states its quota (4 GiB)', () => {
    for (const answers of [withKey({ preset: 'production', size: 4 }), withKey({ preset: 'small', size: 3 }), withKey({ preset: 'dev', size: 2, security: { etcdTls: false } })]) {
      const p = planOf(answers);
      for (const m of renderMachines(p, templates).filter((m) => m.machine.role === 'etcd')) {
        expect(environment(dropin(m.butane, 'etcd-member.service', '25-maintenance.conf'))).toEqual({
          ETCD_AUTO_COMPACTION_MODE: 'periodic',
          ETCD_AUTO_COMPACTION_RETENTION: '1h',
          ETCD_QUOTA_BACKEND_BYTES: String(4 * 1024 ** 3),
        });
      }
    }
  });
});

describe("locksmith's endpoints", () => {
  const endpointsOf = (butane: string) => environment(dropin(butane, 'locksmithd.service', '20-etcd-endpoints.conf')).LOCKSMITHD_ENDPOINT!.split(',');

  it('members list their own member first; workers a rotation; no member is first everywhere; the drop-in says why', () => {
    const p = planOf(withKey({ preset: 'production', size: 8 }));
    const machines = renderMachines(p, templates);
    const all = p.etcd!.clientEndpoints;
    const firsts = new Set<string>();
    for (const m of machines) {
      const list = endpointsOf(m.butane);
      expect([...list].sort()).toEqual([...all].sort());
      firsts.add(list[0]!);
      if (m.machine.role === 'etcd') expect(list[0]).toBe(p.etcd!.members.find((e) => e.name === m.machine.name)!.clientUrl);
      expect(dropin(m.butane, 'locksmithd.service', '20-etcd-endpoints.conf')).toMatch(/# locksmith tries the next endpoint only when one refuses the connection/);
    }
    expect(firsts).toEqual(new Set(all));
    const workers = machines.filter((m) => m.machine.role === 'worker').map((m) => endpointsOf(m.butane)[0]);
    expect(workers).toEqual([all[0], all[1], all[2], all[0], all[1]]);
    // Orders differ across machines: more than one distinct order.
    expect(new Set(machines.map((m) => endpointsOf(m.butane).join(','))).size).toBe(3);
  });

  it('small: each member first in its own list', () => {
    const p = planOf(withKey({ preset: 'small', size: 5 }));
    const lists = renderMachines(p, templates).map((m) => endpointsOf(m.butane));
    expect(lists.map((l) => l[0])).toEqual(p.etcd!.clientEndpoints);
  });
});

describe('updates, NTP, image mirror', () => {
  it('--update-server writes SERVER= (then any group); without it no SERVER line (the public server)', () => {
    const own = renderMachines(planOf(withKey({ preset: 'dev', size: 2, updates: { group: 'prod-fleet', server: 'https://nebraska.example.com/v1/update/' } })), templates);
    for (const m of own) {
      expect(butaneFiles(m.butane)['/etc/flatcar/update.conf']!.contents.inline).toBe('GROUP=prod-fleet\nSERVER=https://nebraska.example.com/v1/update/\nREBOOT_STRATEGY=reboot\n');
    }
    const [pub] = renderMachines(planOf(withKey({ preset: 'dev', size: 2 })), templates);
    expect(butaneFiles(pub!.butane)['/etc/flatcar/update.conf']!.contents.inline).not.toMatch(/SERVER=/);
  });

  it('--ntp writes a timesyncd drop-in on every machine; without it none', () => {
    for (const m of renderMachines(planOf(withKey({ preset: 'production', size: 4, network: { ntp: ['ntp1.example.com', '10.0.0.5'] } })), templates)) {
      const f = butaneFiles(m.butane)['/etc/systemd/timesyncd.conf.d/10-ntp.conf']!;
      expect(f.mode).toBe(644); // YAML 0644 as the yaml library reads it
      expect(f.contents.inline).toBe('[Time]\nNTP=ntp1.example.com 10.0.0.5\n');
    }
    const [laptop] = renderMachines(planOf({ preset: 'laptop', network: { ntp: ['ntp.example.com'] } }), templates);
    expect(butaneFiles(laptop!.butane)['/etc/systemd/timesyncd.conf.d/10-ntp.conf']).toBeDefined();
    const [plain] = renderMachines(planOf(withKey({ preset: 'dev', size: 2 })), templates);
    expect(butaneFiles(plain!.butane)['/etc/systemd/timesyncd.conf.d/10-ntp.conf']).toBeUndefined();
  });

  it('--etcd-image: ETCD_IMAGE_URL for the wrapper and the same repository for the proxies; default: neither changes', () => {
    const [etcd, worker] = renderMachines(planOf(withKey({ preset: 'dev', size: 2, etcd: { image: 'registry.example.com:5000/coreos/etcd' } })), templates);
    expect(environment(dropin(etcd!.butane, 'etcd-member.service', '10-image.conf'))).toEqual({
      ETCD_IMAGE_TAG: 'v3.5.16',
      ETCD_IMAGE_URL: 'registry.example.com:5000/coreos/etcd',
    });
    expect(butaneUnits(worker!.butane)['etcd-grpc-proxy.service']!.contents).toContain(' registry.example.com:5000/coreos/etcd:v3.5.16 /usr/local/bin/etcd grpc-proxy start');
    const [plain, plainWorker] = renderMachines(planOf(withKey({ preset: 'dev', size: 2 })), templates);
    expect(environment(dropin(plain!.butane, 'etcd-member.service', '10-image.conf'))).toEqual({ ETCD_IMAGE_TAG: 'v3.5.16' });
    expect(butaneUnits(plainWorker!.butane)['etcd-grpc-proxy.service']!.contents).toContain(' quay.io/coreos/etcd:v3.5.16 ');
  });
});

describe('https discovery with TLS', () => {
  const COPY = 'ExecStartPre=/usr/bin/install -m 0644 /etc/ssl/certs/ca-certificates.crt /etc/ssl/etcd/ca-certificates.crt';
  it("members copy the host's public CA bundle into ETCD_SSL_DIR before etcd starts; not without discovery, http discovery or TLS", () => {
    const members = renderMachines(planOf(withKey({ preset: 'small', size: 3, etcd: { discovery: 'https://discovery.etcd.io/abc' } })), templates);
    for (const m of members) expect(dropin(m.butane, 'etcd-member.service', '30-tls.conf')).toContain(COPY + '\n');
    const cases: Answers[] = [
      withKey({ preset: 'small', size: 3 }),
      withKey({ preset: 'small', size: 3, etcd: { discovery: 'http://discovery.lan/abc' } }),
      withKey({ preset: 'small', size: 3, etcd: { discovery: 'https://discovery.etcd.io/abc' }, security: { etcdTls: false } }),
    ];
    for (const answers of cases) for (const m of renderMachines(planOf(answers), templates)) expect(m.butane).not.toContain('ExecStartPre=');
  });
});

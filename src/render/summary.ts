/** SUMMARY.md: what was designed, in what order to boot it and how, and what to watch out for. */
import { architectureOf } from '../architectures/index.js';
import type { Machine, Plan } from '../plan/index.js';
import { needsPki } from '../plan/index.js';
import type { DefaultValue } from '../answers/resolve.js';
import { hasWarning, type Warning } from '../answers/warnings.js';
import { FLAG_OF } from '../answers/types.js';
import { DOCKER_PORT, DOCKER_TLS_PORT, ETCD_COMPACTION_MODE, ETCD_COMPACTION_RETENTION, ETCD_QUOTA_BACKEND_BYTES, PROXY_LISTEN } from './context.js';
import { topologyMermaid } from './topology.js';

export interface SummaryOptions {
  /** The output directory as the user names it (DOCKER_CERT_PATH). */
  outDir: string;
  /** Each certificate of the PKI (the CA first) and when it expires; absent without a PKI. */
  certificates?: readonly CertificateExpiry[];
}

/** A certificate of the PKI and its notAfter (ISO 8601). */
export interface CertificateExpiry {
  name: string;
  expires: string;
}

const CHANNELS = ['stable', 'beta', 'alpha', 'lts'];

function roleOf(plan: Plan, m: Machine): string {
  if (m.role === 'laptop') return 'laptop VM';
  if (m.role === 'worker') return 'worker';
  return architectureOf(plan.spec.preset).memberLabel;
}

function runs(plan: Plan, m: Machine): string {
  const lock = plan.spec.updates.rebootStrategy === 'etcd-lock' ? ', locksmithd (etcd-lock)' : '';
  const version = plan.etcd?.version ?? '';
  if (m.role === 'laptop') {
    return plan.spec.security.dockerTls
      ? `Docker, API socket-activated on TCP ${DOCKER_TLS_PORT} (TLS, client certificates); your containers`
      : `Docker, API socket-activated on TCP ${DOCKER_PORT} (plain, no TLS); your containers`;
  }
  if (m.role === 'worker') return `etcd-grpc-proxy.service (etcd ${version} image) on ${PROXY_LISTEN}${lock}; your containers`;
  return `etcd ${version} (etcd-member.service)${lock}${architectureOf(plan.spec.preset).membersRunWorkloads ? '; your containers' : ''}`;
}

/** A machine's role and what runs there, in words (for summaries and reviews). */
export function describeMachine(plan: Plan, m: Machine): { role: string; runs: string } {
  return { role: roleOf(plan, m), runs: runs(plan, m) };
}

function machinesTable(plan: Plan): string[] {
  const net = plan.spec.network;
  const withMac = plan.machines.some((m) => m.mac);
  const head = ['machine', 'role', 'address', ...(withMac ? ['MAC'] : []), 'runs', 'boot with'];
  const rows = plan.machines.map((m) => [
    m.name,
    roleOf(plan, m),
    m.address && !net.dhcp ? `${m.address}/${net.prefixLength}` : 'DHCP',
    ...(withMac ? [m.mac ?? ''] : []),
    runs(plan, m),
    `${m.name}.ign`,
  ]);
  return [head, head.map(() => '---'), ...rows].map((r) => `| ${r.join(' | ')} |`);
}

function etcdSection(plan: Plan): string[] {
  const etcd = plan.etcd;
  if (!etcd) return [];
  const n = etcd.members.length;
  const out = [
    '## etcd',
    '',
    `- ${n} member${n === 1 ? '' : 's'}: ${etcd.members.map((m) => m.name).join(', ')} (etcd ${etcd.version}, image ${etcd.image}).`,
    `- Fault tolerance: ${etcd.faultTolerance} member${etcd.faultTolerance === 1 ? '' : 's'} may fail (quorum ${etcd.quorum} of ${n}).` +
      (etcd.faultTolerance === 0 ? ' **If this machine is down, etcd is down.**' : ''),
    `- Client endpoints: ${etcd.clientEndpoints.join(', ')}.`,
    etcd.tls
      ? '- TLS on the client and peer ports, with client certificates required (see "TLS and the PKI" below).'
      : '- **No TLS (--insecure)**: plain HTTP, no client authentication.',
  ];
  if (plan.machines.some((m) => m.role === 'worker')) {
    out.push(
      `- Workers use etcd at http://${PROXY_LISTEN} through etcd-grpc-proxy.service (etcd's v3 API only, local to the machine)` +
        (etcd.tls ? ", which reaches the members over TLS with the worker's own client certificate." : '.'),
    );
  }
  out.push(
    etcd.discovery
      ? `- The members find each other through the discovery URL ${etcd.discovery}; it must have been created for exactly ${n} members.`
      : `- Static initial cluster (token ${etcd.token}): ${etcd.initialCluster}.`,
  );
  if (plan.spec.network.dhcp) {
    out.push("- With DHCP, members and workers reach each other by host name: the names must resolve on your network (for example through your DHCP server's DNS).");
  }
  return [...out, ''];
}

/** etcdctl's settings for a member, run in the output directory (a member's server certificate is also a client certificate). */
function etcdctlLine(plan: Plan): string {
  const etcd = plan.etcd!;
  const endpoints = etcd.clientEndpoints.join(',');
  if (!etcd.tls) return `export ETCDCTL_API=3 ETCDCTL_ENDPOINTS=${endpoints}`;
  const m = etcd.members[0]!.name;
  return `export ETCDCTL_API=3 ETCDCTL_ENDPOINTS=${endpoints} ETCDCTL_CACERT=pki/ca.pem ETCDCTL_CERT=pki/etcd/member/${m}/server.pem ETCDCTL_KEY=pki/etcd/member/${m}/server-key.pem`;
}

function maintenanceSection(plan: Plan): string[] {
  if (!plan.etcd) return [];
  const gib = ETCD_QUOTA_BACKEND_BYTES / 1024 ** 3;
  return [
    '## etcd maintenance',
    '',
    `- Every member compacts its history itself (\`ETCD_AUTO_COMPACTION_MODE=${ETCD_COMPACTION_MODE}\`, \`ETCD_AUTO_COMPACTION_RETENTION=${ETCD_COMPACTION_RETENTION}\`: one hour of`,
    '  history stays for watchers to resume), and its database may grow to the stated quota of ' + `${gib} GiB (\`ETCD_QUOTA_BACKEND_BYTES\`).`,
    '  At the quota etcd raises the NOSPACE alarm and refuses writes.',
    '- Compaction frees space inside the database file but does not shrink it: defragment now and then (monthly, or when',
    '  `dbSize` is far above `dbSizeInUse`), one member at a time, since a member pauses while it defragments. From this directory:',
    '',
    '```sh',
    etcdctlLine(plan),
    'etcdctl endpoint status --write-out=table     # DB SIZE per member',
    'etcdctl endpoint status --write-out=json      # dbSize (the file) and dbSizeInUse (the data)',
    'etcdctl alarm list                            # NOSPACE after the quota was hit',
    ...plan.etcd.members.map((m) => `etcdctl defrag --endpoints=${m.clientUrl}`),
    'etcdctl alarm disarm                          # only after defragmenting, once space is free again',
    '```',
    '',
  ];
}

function dayTwoSection(plan: Plan): string[] {
  if (!plan.etcd) return [];
  const discovery = plan.etcd.discovery !== null;
  return [
    '## Day 2: replacing, adding and removing machines',
    '',
    "Ignition applies a config once, on the first boot; an etcd member's config also says how it joins. So:",
    '',
    discovery
      ? '- **Replace** a failed etcd member: this cluster formed through a discovery URL, which is used once; `flatcar-architect replace` refuses it. Remove the member (`etcdctl member remove`), add it back (`etcdctl member add NAME --peer-urls=URL`) and boot it with a config whose etcd settings say `ETCD_INITIAL_CLUSTER_STATE=existing` and the current members (regenerate without `--discovery`).'
      : `- **Replace** a failed etcd member (a new disk, or a new machine at its address): \`flatcar-architect replace DIR MACHINE\` writes that machine's new config (\`ETCD_INITIAL_CLUSTER_STATE=existing\`, the current members), leaves every other file as it is and prints the steps in order: \`etcdctl member remove\` of the old member, \`etcdctl member add\` of the new one, then boot it with its new config. Booting the old config again fails: the member "has already been bootstrapped".`,
    '- A worker is replaced by booting its config again: it holds no etcd data.',
    '- **Add** machines: `flatcar-architect scale DIR --size N`; existing configs stay byte for byte, and new etcd members come with their `etcdctl member add` steps.',
    '- **Remove** machines: `flatcar-architect scale DIR --size N --force`; etcd members leave with `etcdctl member remove`, one at a time, as printed.',
    '- Keep the quorum while you work: one member at a time, and wait for `etcdctl endpoint health --cluster` between steps.',
    '',
  ];
}

function certificatesSection(plan: Plan, options: SummaryOptions): string[] {
  const certs = options.certificates;
  if (!certs?.length || !needsPki(plan)) return [];
  const day = (iso: string) => iso.slice(0, 10);
  const first = [...certs].sort((a, b) => a.expires.localeCompare(b.expires))[0]!;
  return [
    '## Certificate expiry',
    '',
    `The first certificate to expire is ${first.name}, on ${day(first.expires)}. Before then, renew (README, "Renewing certificates"):`,
    plan.spec.security.secrets === 'ssh'
      ? 'generate again with `--pki DIR` (certificates within 30 days of expiry are made anew), then `flatcar-architect deliver DIR` copies the new keys and restarts the services.'
      : 'generate again with `--pki DIR` (certificates within 30 days of expiry are made anew); the keys are in the configs, so each machine then needs its new config: re-provision the workers, and the etcd members one at a time with `flatcar-architect replace`.',
    '',
    '| certificate | expires |',
    '| --- | --- |',
    ...certs.map((c) => `| ${c.name} | ${day(c.expires)} |`),
    '',
  ];
}

function updatesSection(plan: Plan): string[] {
  const u = plan.spec.updates;
  const strategy = {
    'etcd-lock':
      "etcd-lock: locksmithd takes a lock in etcd before rebooting, so one machine reboots at a time. locksmith uses etcd's v2 API (enabled on the members with ETCD_ENABLE_V2) and reaches the members directly. For Kubernetes clusters the Flatcar docs recommend the update operator (FLUO) or kured instead.",
    reboot: 'reboot: a machine reboots as soon as an update is installed.',
    off: 'off: updates are installed but nobody reboots; reboot the machines yourself.',
  }[u.rebootStrategy];
  return [
    '## Updates and reboots',
    '',
    `- Update group: ${u.group}, from ${u.server === null ? "Flatcar's public update server" : u.server === 'disabled' ? 'nowhere: updates are disabled (SERVER=disabled)' : `your update server ${u.server} (SERVER= in /etc/flatcar/update.conf)`}.`,
    `- Reboot strategy ${strategy}`,
    ...(u.rebootWindow ? [`- Reboot window: ${u.rebootWindow.start} for ${u.rebootWindow.length}.`] : []),
    '',
  ];
}

function bootSection(plan: Plan): string[] {
  const first = plan.machines[0]!.name;
  const channel = CHANNELS.includes(plan.spec.updates.group) ? plan.spec.updates.group : 'stable';
  return [
    '## Boot order',
    '',
    ...plan.bootOrder.map((s, i) => `${i + 1}. ${s.machines.join(', ')}: ${s.note}.`),
    '',
    '## How to boot each file',
    '',
    'Each machine boots with its own `.ign` file (shown here for ' + first + '). Ignition applies it once, on the',
    'first boot: a changed config needs a freshly provisioned machine.',
    '',
    `- Install to disk: \`flatcar-install -d /dev/sda -C ${channel} -i ${first}.ign\`, then reboot.`,
    `- PXE/iPXE: Flatcar's PXE image runs from RAM (no updates; etcd's data lost on every reboot), so use PXE to install: boot the PXE image with a config that runs \`flatcar-install\`, then boot from disk with \`${first}.ign\` (\`--matchbox DIR\` writes both stages).`,
    `- QEMU: \`-fw_cfg name=opt/org.flatcar-linux/config,file=${first}.ign\`.`,
    `- VMware: guestinfo \`ignition.config.data\` set to the base64 of \`${first}.ign\` and \`ignition.config.data.encoding\` set to \`base64\`.`,
    '',
    'The `.bu` files are the Butane sources of the `.ign` files; after editing one, transpile it again with',
    `\`flatcar-architect transpile --pretty -o ${first}.ign ${first}.bu\`.`,
    '',
  ];
}

function dockerSection(plan: Plan, options: SummaryOptions): string[] {
  const laptop = plan.machines.find((m) => m.role === 'laptop');
  if (!laptop) return [];
  if (!plan.spec.security.dockerTls) {
    const host = laptop.address ?? 'ADDRESS';
    return [
      '## Docker API',
      '',
      `- From the host: \`export DOCKER_HOST=tcp://${host}:${DOCKER_PORT}\`, then \`docker ps\`. No TLS: anyone who reaches the port is root on the VM.`,
      ...(laptop.address
        ? []
        : [
            `- With DHCP, ADDRESS is the VM's address (see \`ip -4 addr\` on its console). With QEMU's user networking, forward the port instead:`,
            `  \`-nic user,hostfwd=tcp:127.0.0.1:${DOCKER_PORT}-:${DOCKER_PORT}\` and \`DOCKER_HOST=tcp://127.0.0.1:${DOCKER_PORT}\`.`,
          ]),
      '',
    ];
  }
  const host = laptop.address ?? 'localhost';
  const certPath = `${options.outDir}/docker-client`;
  return [
    '## Docker API',
    '',
    `The API listens on TCP ${DOCKER_TLS_PORT} with TLS and accepts only clients with a certificate of this cluster's CA. The client's`,
    `\`ca.pem\`, \`cert.pem\` and \`key.pem\` are in \`${certPath}\` (keep \`key.pem\` private). From the host:`,
    '',
    '```sh',
    `export DOCKER_HOST=tcp://${host}:${DOCKER_TLS_PORT} DOCKER_TLS_VERIFY=1 DOCKER_CERT_PATH=${certPath}`,
    'docker ps',
    '```',
    '',
    ...(laptop.address
      ? []
      : [
          `- With DHCP the VM's address is not known in advance, and the server certificate names \`${laptop.name}\`, \`localhost\` and \`127.0.0.1\`:`,
          `  forward the port, e.g. with QEMU's user networking \`-nic user,hostfwd=tcp:127.0.0.1:${DOCKER_TLS_PORT}-:${DOCKER_TLS_PORT}\`, and use \`localhost\` as above`,
          `  (or \`tcp://${laptop.name}:${DOCKER_TLS_PORT}\` where that name resolves to the VM).`,
          '',
        ]),
  ];
}

function pkiSection(plan: Plan): string[] {
  if (!needsPki(plan)) return [];
  const member = plan.etcd?.tls ? plan.etcd.members[0] : undefined;
  return [
    '## TLS and the PKI',
    '',
    "- `pki/` holds the cluster's CA (`ca.pem`, and its private key `ca-key.pem`) and every certificate with its key. The CA key",
    '  is in no machine config. Keep `pki/` private and back it up: whoever has `ca-key.pem` can make certificates the cluster trusts.',
    '- Running the generator again into this directory (`--force`), or with `--pki DIR`, keeps the CA and every certificate that',
    '  still fits, so the configs stay the same and new machines join the same trust. `--rotate-pki` makes a new CA and new',
    '  certificates on purpose: every machine then needs its new config (Ignition runs only on the first boot).',
    ...(plan.spec.security.secrets === 'ssh'
      ? [
          '- `--secrets ssh`: the configs hold certificates but no private key. Once the machines are up (SSH as core),',
          "  `flatcar-architect deliver DIR` copies each machine's keys (owner, mode 0600) and restarts etcd, its proxy and locksmith;",
          '  until then those services retry.',
        ]
      : [
          "- Each machine's config holds that machine's private keys: the `.bu` and `.ign` files are readable by you only",
          '  (mode 0600). Hand them to the machines over a trusted channel (not a public HTTP server).',
        ]),
    ...(member
      ? [
          `- On the machines, etcd's files are in \`/etc/ssl/etcd\` (owned by the etcd user, keys 0600), seen as \`/etc/ssl/certs\` inside`,
          "  the etcd container. With etcdctl, run in this directory, a member's certificate serves as a client certificate too:",
          `  \`etcdctl --endpoints=${member.clientUrl} --cacert=pki/ca.pem --cert=pki/etcd/member/${member.name}/server.pem --key=pki/etcd/member/${member.name}/server-key.pem endpoint health\`.`,
        ]
      : []),
    '',
  ];
}

function loudWarnings(plan: Plan, warnings: readonly Warning[]): string[] {
  const out: string[] = [];
  if (plan.spec.ssh.keys.length === 0) {
    out.push('> **WARNING: no SSH key was given.** Nobody can log in to these machines over SSH. Regenerate with `--ssh-key ~/.ssh/id_ed25519.pub` before booting them.');
  }
  if (hasWarning(warnings, 'etcd-insecure')) {
    out.push(
      "> **WARNING: etcd runs without TLS (--insecure).** Members and proxies talk plain HTTP without client certificates: anyone who can reach ports 2379 and 2380 can read and change the cluster's data. Regenerate without `--insecure` before putting these machines on a shared network.",
    );
  }
  if (hasWarning(warnings, 'docker-insecure')) {
    out.push(
      `> **WARNING: the Docker API listens on plain TCP port ${DOCKER_PORT} without TLS (--docker-insecure).** Anyone who can reach that port is root on the VM: keep it on a host-only or NAT network, or regenerate without \`--docker-insecure\`.`,
    );
  }
  // Those with a paragraph of their own above are not repeated.
  const own = ['no-ssh-key', 'etcd-insecure', 'docker-insecure'];
  for (const w of warnings.filter((w) => !own.includes(w.code))) out.push(`> **Warning:** ${w.text}`);
  return out.length ? [...out.flatMap((w) => [w, ''])] : [];
}

function defaultsSection(defaults: DefaultValue[]): string[] {
  if (!defaults.length) return [];
  return [
    '## Defaults used',
    '',
    'These settings have their default value (from the preset, or derived from the other answers); change any of them with its flag:',
    '',
    '| flag | value |',
    '| --- | --- |',
    ...defaults.map((d) => `| \`${FLAG_OF[d.field]}\` | \`${d.value}\` |`),
    '',
  ];
}

/** The drawing as Mermaid (GitHub and most Markdown viewers render it); topology.svg is the same picture. */
function topologySection(plan: Plan): string[] {
  return ['## Topology', '', 'Also drawn in `topology.svg`.', '', '```mermaid', topologyMermaid(plan).replace(/\n+$/, ''), '```', ''];
}

export function formatSummary(plan: Plan, description: string, warnings: readonly Warning[], defaults: DefaultValue[], options: SummaryOptions = { outDir: 'DIR' }): string {
  const { spec } = plan;
  return [
    `# ${spec.name}: a Flatcar Container Linux cluster (${spec.preset} preset)`,
    '',
    `${description}. ${spec.size} machine${spec.size === 1 ? '' : 's'}.`,
    '',
    ...loudWarnings(plan, warnings),
    '## Machines',
    '',
    ...machinesTable(plan),
    '',
    ...etcdSection(plan),
    ...dockerSection(plan, options),
    ...pkiSection(plan),
    ...certificatesSection(plan, options),
    ...maintenanceSection(plan),
    ...dayTwoSection(plan),
    ...updatesSection(plan),
    ...bootSection(plan),
    ...topologySection(plan),
    ...defaultsSection(defaults),
    '## Regenerate',
    '',
    '`cluster.yaml` holds every answer: `flatcar-architect --answers cluster.yaml --out DIR` writes these files again.',
    '',
  ].join('\n');
}

/**
 * The cluster drawn: a Mermaid flowchart (for SUMMARY.md) and a standalone SVG (topology.svg)
 * showing machines, roles, addresses, the etcd members and where each worker's proxy points.
 * Pure: plan in, text out. Large clusters show the first workers and a count of the rest.
 */
import { architectureOf } from '../architectures/index.js';
import type { Machine, Plan } from '../plan/index.js';

/** Workers drawn one by one; the rest are summarised in one box. */
export const MAX_DRAWN_WORKERS = 12;

interface Drawing {
  members: Machine[];
  workers: Machine[];
  hiddenWorkers: number;
  laptop: Machine | undefined;
}

function layout(plan: Plan): Drawing {
  const members = plan.machines.filter((m) => m.role === 'etcd');
  const allWorkers = plan.machines.filter((m) => m.role === 'worker');
  return {
    members,
    workers: allWorkers.slice(0, MAX_DRAWN_WORKERS),
    hiddenWorkers: Math.max(0, allWorkers.length - MAX_DRAWN_WORKERS),
    laptop: plan.machines.find((m) => m.role === 'laptop'),
  };
}

const where = (m: Machine): string => m.address ?? 'DHCP';

function etcdTitle(plan: Plan): string {
  const e = plan.etcd!;
  const n = e.members.length;
  return `etcd ${e.version}: ${n} member${n === 1 ? '' : 's'}, tolerates ${e.faultTolerance} failure${e.faultTolerance === 1 ? '' : 's'}`;
}

/** Mermaid `flowchart` source (without the ``` fence). Names and addresses are safe tokens already. */
export function topologyMermaid(plan: Plan): string {
  const d = layout(plan);
  const lines = ['flowchart TB'];
  // Every machine's id carries a prefix, so no name (a machine may be pinned as `end`, `graph`,
  // `subgraph`, `style`, `etcd`, `host`...) can be a Mermaid keyword or another node's id.
  const id = (m: Machine) => `m_${m.name.replace(/[^A-Za-z0-9_]/g, '_')}`;
  if (d.laptop) {
    const docker = architectureOf(plan.spec.preset).servesDockerApi ? 'Docker API' : '';
    lines.push(`  host(["your computer"])`, `  ${id(d.laptop)}["${d.laptop.name}<br/>${where(d.laptop)}<br/>${docker}"]`, `  host -->|DOCKER_HOST| ${id(d.laptop)}`);
    return lines.join('\n') + '\n';
  }
  lines.push(`  subgraph etcd["${etcdTitle(plan)}"]`);
  for (const m of d.members) {
    const extra = `<br/>${architectureOf(plan.spec.preset).memberNodeLabel}`;
    lines.push(`    ${id(m)}["${m.name}<br/>${where(m)}${extra}"]`);
  }
  lines.push('  end');
  for (const w of d.workers) {
    lines.push(`  ${id(w)}["${w.name}<br/>${where(w)}<br/>grpc-proxy 127.0.0.1:2379"] -->|v3 API| etcd`);
  }
  if (d.hiddenWorkers > 0) lines.push(`  more["… ${d.hiddenWorkers} more workers, each with its own proxy"] -->|v3 API| etcd`);
  return lines.join('\n') + '\n';
}

function xml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}

const BOX_W = 170;
const BOX_H = 66;
const GAP = 20;
const PAD = 24;

function box(x: number, y: number, title: string, subtitle: string, kind: 'member' | 'worker' | 'laptop' | 'more', third = ''): string {
  const fill = { member: '#dbeafe', worker: '#dcfce7', laptop: '#fef3c7', more: '#f3f4f6' }[kind];
  return [
    `<g class="${kind}">`,
    `<rect x="${x}" y="${y}" width="${BOX_W}" height="${BOX_H}" rx="8" fill="${fill}" stroke="#334155"/>`,
    `<text x="${x + BOX_W / 2}" y="${y + 22}" text-anchor="middle" font-weight="bold">${xml(title)}</text>`,
    `<text x="${x + BOX_W / 2}" y="${y + 40}" text-anchor="middle">${xml(subtitle)}</text>`,
    third ? `<text x="${x + BOX_W / 2}" y="${y + 56}" text-anchor="middle" fill="#475569">${xml(third)}</text>` : '',
    '</g>',
  ].join('');
}

/** A self-contained SVG picture of the cluster. */
export function topologySvg(plan: Plan): string {
  const d = layout(plan);
  const parts: string[] = [];
  let width: number;
  let height: number;
  const title = `${plan.spec.name} (${plan.spec.preset}): ${plan.machines.length} machine${plan.machines.length === 1 ? '' : 's'}`;
  if (d.laptop) {
    width = PAD * 2 + BOX_W * 2 + GAP * 3;
    height = PAD * 2 + 40 + BOX_H;
    parts.push(box(PAD, PAD + 40, 'your computer', 'docker CLI', 'more'));
    parts.push(box(PAD + BOX_W + GAP * 3, PAD + 40, d.laptop.name, where(d.laptop), 'laptop', 'Docker API'));
    const y = PAD + 40 + BOX_H / 2;
    parts.push(`<line x1="${PAD + BOX_W}" y1="${y}" x2="${PAD + BOX_W + GAP * 3}" y2="${y}" stroke="#334155" marker-end="url(#arrow)"/>`);
  } else {
    const perRow = Math.max(1, Math.min(6, Math.max(d.members.length, d.workers.length + (d.hiddenWorkers ? 1 : 0))));
    width = Math.max(560, PAD * 2 + perRow * BOX_W + (perRow - 1) * GAP + GAP * 2);
    const memberRows = Math.ceil(d.members.length / perRow);
    const etcdTop = PAD + 40;
    const etcdH = memberRows * (BOX_H + GAP) + GAP + 24;
    parts.push(`<rect x="${PAD}" y="${etcdTop}" width="${width - PAD * 2}" height="${etcdH}" rx="12" fill="none" stroke="#1d4ed8" stroke-dasharray="6 4"/>`);
    parts.push(`<text x="${PAD + 12}" y="${etcdTop + 18}" fill="#1d4ed8">${xml(etcdTitle(plan))}</text>`);
    d.members.forEach((m, i) => {
      const x = PAD + GAP + (i % perRow) * (BOX_W + GAP);
      const y = etcdTop + 24 + Math.floor(i / perRow) * (BOX_H + GAP) + GAP / 2;
      parts.push(box(x, y, m.name, where(m), 'member', architectureOf(plan.spec.preset).memberBoxLabel));
    });
    const drawn = [
      ...d.workers.map((w) => ({ title: w.name, sub: where(w), third: 'worker + grpc-proxy', kind: 'worker' as const })),
      ...(d.hiddenWorkers ? [{ title: `… ${d.hiddenWorkers} more`, sub: 'workers', third: 'each with a grpc-proxy', kind: 'more' as const }] : []),
    ];
    let workerTop = etcdTop + etcdH;
    if (drawn.length > 0) {
      // One group of workers, one arrow: each worker reaches etcd through its own local grpc-proxy.
      const groupTop = etcdTop + etcdH + GAP * 3;
      const rows = Math.ceil(drawn.length / perRow);
      const groupH = rows * (BOX_H + GAP) + GAP + 24;
      const arrowX = PAD + GAP + BOX_W / 2;
      parts.push(`<line x1="${arrowX}" y1="${groupTop}" x2="${arrowX}" y2="${etcdTop + etcdH}" stroke="#16a34a" stroke-width="2" marker-end="url(#arrow)"/>`);
      parts.push(`<text x="${arrowX + 8}" y="${groupTop - GAP}" fill="#16a34a">v3 API via each worker's grpc-proxy (127.0.0.1:2379)</text>`);
      parts.push(`<rect x="${PAD}" y="${groupTop}" width="${width - PAD * 2}" height="${groupH}" rx="12" fill="none" stroke="#16a34a" stroke-dasharray="6 4"/>`);
      parts.push(`<text x="${PAD + 12}" y="${groupTop + 18}" fill="#16a34a">workers</text>`);
      drawn.forEach((w, i) => {
        const x = PAD + GAP + (i % perRow) * (BOX_W + GAP);
        const y = groupTop + 24 + Math.floor(i / perRow) * (BOX_H + GAP) + GAP / 2;
        parts.push(box(x, y, w.title, w.sub, w.kind, w.third));
      });
      workerTop = groupTop + groupH;
    }
    height = workerTop + PAD;
  }
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12" role="img">`,
    // The drawing's name for screen readers and image viewers (the visible heading below says the same).
    `<title>${xml(title)}</title>`,
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#334155"/></marker></defs>',
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${PAD}" y="${PAD + 8}" font-size="16" font-weight="bold">${xml(title)}</text>`,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}

/**
 * The review shown before writing, and its menu: write, change a section, show every machine, or
 * cancel. It fits the terminal: wrapped by words within its width, large clusters collapsed (etcd
 * members listed, workers as a range with a count), and lines that changed since the last review
 * marked.
 */
import { colors } from '../io/color.js';
import { resolveSpec } from '../answers/resolve.js';
import { plan as planCluster, type Machine, type Plan } from '../plan/index.js';
import { describeMachine } from '../render/summary.js';
import { currentAnswers, currentOutDir, inWords, outputHoldsFiles, type WizardContext } from './context.js';
import type { Section } from './question.js';
import { fingerprint } from './steps/ssh.js';
import { wrap } from './text.js';

export type { Section } from './question.js';
export type ReviewChoice = { action: 'write' } | { action: 'cancel' } | { action: 'full' } | { action: 'change'; section: Section };

const SECTIONS: { section: Section; label: string }[] = [
  { section: 'architecture', label: 'architecture and size' },
  { section: 'network', label: 'network' },
  { section: 'names', label: 'names' },
  { section: 'ssh', label: 'SSH keys' },
  { section: 'updates', label: 'updates and reboots' },
  { section: 'output', label: 'output directory' },
];

/** Above this many machines the review lists the etcd members and shows the others as ranges. */
export const COLLAPSE_ABOVE = 12;

const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;

function address(p: Plan, m: Machine): string {
  const net = p.spec.network;
  return m.address && !net.dhcp ? `${m.address}/${net.prefixLength}` : 'DHCP';
}

/** Rows as a table when it fits the width; else each machine on its own line with its details below. */
function table(rows: string[][], width: number): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const total = widths.reduce((a, b) => a + b, 0) + 2 * (widths.length - 1);
  if (total <= width)
    return rows.map((r) =>
      r
        .map((v, c) => v.padEnd(widths[c]!))
        .join('  ')
        .trimEnd(),
    );
  return rows.slice(1).flatMap((r) => [wrap(r[0]!, width), wrap(`  ${r.slice(1).join(', ')}`, width, '    ')]);
}

interface Line {
  /** What the line is about (to mark it when it changes). */
  key: string;
  text: string;
}

/** The design as lines. Throws a SpecError if the answers do not resolve. */
function reviewLines(ctx: WizardContext, width: number): { head: string; machines: string[]; lines: Line[]; collapsed: boolean; total: number } {
  const { spec, warnings } = resolveSpec(currentAnswers(ctx));
  const p = planCluster(spec);
  const collapsed = p.machines.length > COLLAPSE_ABOVE && !ctx.fullTable;
  const rows = [['machine', 'role', 'address']];
  const ranges: string[] = [];
  const byRole = new Map<string, Machine[]>();
  for (const m of p.machines) {
    const role = describeMachine(p, m).role;
    byRole.set(role, [...(byRole.get(role) ?? []), m]);
  }
  for (const [role, ms] of byRole) {
    if (!collapsed || role.startsWith('etcd') || ms.length <= 2) rows.push(...ms.map((m) => [m.name, role, address(p, m)]));
    else {
      const first = ms[0]!;
      const last = ms[ms.length - 1]!;
      const where = first.address && !spec.network.dhcp ? `, ${address(p, first)} to ${address(p, last)}` : ', DHCP';
      ranges.push(wrap(`${plural(ms.length, role)}: ${first.name} … ${last.name}${where}`, width, '  '));
    }
  }
  const machines = [...table(rows, width), ...ranges];
  const lines: Line[] = [];
  const add = (key: string, text: string, indent = '  ') => lines.push({ key, text: wrap(text, width, indent) });
  for (const [role, ms] of byRole) add(`runs:${role}`, `${role} runs: ${describeMachine(p, ms[0]!).runs}`, '    ');
  if (p.etcd) {
    const n = p.etcd.members.length;
    add('etcd', `etcd: ${plural(n, 'member')}, tolerates ${plural(p.etcd.faultTolerance, 'failed member')} (quorum ${p.etcd.quorum})`);
  }
  const net = spec.network;
  if (net.dhcp) add('network', `network: DHCP${spec.etcd?.discovery ? `, etcd discovery ${spec.etcd.discovery}` : ''}`);
  else {
    const match = 'interface' in net.match ? `interface ${net.match.interface}` : `MACs from ${net.match.macPrefix}`;
    add('network', `network: ${net.cidr}, gateway ${net.gateway}, first address ${net.firstAddress}, ${match}`);
    add('dns', `DNS: ${net.dns.join(', ')}${net.domains.length ? `; search ${net.domains.join(', ')}` : ''}`);
  }
  const u = spec.updates;
  const window = u.rebootWindow ? `, reboots from ${u.rebootWindow.start} for ${u.rebootWindow.length}` : '';
  const from = u.server === null ? `${u.group} channel` : u.server === 'disabled' ? `group ${u.group}, update server disabled (no updates)` : `group ${u.group} from ${u.server}`;
  add('updates', `updates: ${from}, reboot strategy ${u.rebootStrategy}${window}`);
  add('ssh', `SSH keys: ${spec.ssh.keys.length === 0 ? 'none (nobody can log in over SSH)' : spec.ssh.keys.length}`);
  spec.ssh.keys.forEach((k, i) => {
    const f = fingerprint(k);
    add(`ssh:${i}`, `  ${f.type} ${f.sha256}${f.comment ? ' ' + f.comment : ''}`, '    ');
  });
  const out = currentOutDir(ctx);
  add('output', `output: ${out}${outputHoldsFiles(ctx, out) ? ' (exists: you will see what changes and be asked before anything is replaced)' : ' (new)'}`);
  for (const [i, w] of warnings.entries()) {
    // The SSH keys line says it already ("none (nobody can log in over SSH)").
    if (w.code === 'no-ssh-key') continue;
    add(`warning:${i}`, `warning: ${inWords(ctx, w.text)}`);
  }
  const head = `Cluster ${spec.name}: ${spec.preset}, ${plural(spec.size, 'machine')}`;
  return { head, machines, lines, collapsed, total: p.machines.length };
}

/** The design as text (what the review prints). Throws a SpecError if the answers do not resolve. */
export function formatReview(ctx: WizardContext, color: boolean, width = ctx.columns ?? process.stdout.columns ?? 80): { text: string; collapsed: boolean; total: number } {
  const c = colors(color);
  const { head, machines, lines, collapsed, total } = reviewLines(ctx, width);
  const before = ctx.lastReview;
  const now = new Map<string, string>();
  let marked = false;
  const shown = lines.map((l) => {
    now.set(l.key, l.text);
    // A line that is new or differs from the last review's is marked.
    const changed = before !== undefined && before.get(l.key) !== l.text;
    if (!changed) return l.text;
    marked = true;
    return c.bold(`${l.text} ${c.yellow('(changed)')}`.replace(/^(.*)$/s, (t) => wrap(t, width, '  ')));
  });
  const machinesKey = machines.join('\n');
  const machinesChanged = before !== undefined && before.get('machines') !== machinesKey;
  now.set('machines', machinesKey);
  ctx.lastReview = now;
  const [tableHead, ...body] = machines;
  const out = [
    '',
    c.bold(wrap(head + (machinesChanged ? ' (machines changed)' : ''), width)),
    '',
    /^machine\s/.test(tableHead ?? '') ? c.underline(tableHead!) : tableHead!,
    ...body,
    '',
    ...shown,
  ];
  if (marked || machinesChanged) out.push(c.dim(wrap('(changed): differs from the last review.', width)));
  return { text: out.join('\n') + '\n', collapsed, total };
}

/** `askable(section)`: whether the section has a question left to ask (all given up front: no "Change" item). */
export async function review(ctx: WizardContext, color: boolean, askable: (section: Section) => boolean = () => true): Promise<ReviewChoice> {
  const { text, collapsed, total } = formatReview(ctx, color);
  ctx.print(text);
  return ctx.prompts.select<ReviewChoice>({
    message: 'Write these files?',
    choices: [
      { name: 'Write the configs', value: { action: 'write' } },
      ...SECTIONS.filter((s) => askable(s.section)).map((s) => ({ name: `Change ${s.label}`, value: { action: 'change' as const, section: s.section } })),
      ...(collapsed ? [{ name: `Show all ${total} machines`, value: { action: 'full' as const } }] : []),
      { name: 'Cancel (write nothing)', value: { action: 'cancel' } },
    ],
  });
}

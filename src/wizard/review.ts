/** The summary shown before writing, and the menu: write, change a section, or cancel. */
import { colors } from '../io/color.js';
import { plan as planCluster } from '../plan/index.js';
import { describeMachine } from '../render/summary.js';
import { resolveSpec } from '../answers/resolve.js';
import { FLAG_OF, SpecError } from '../answers/types.js';
import { currentAnswers, type WizardContext } from './context.js';

export type Section = 'architecture' | 'network' | 'names' | 'ssh' | 'updates' | 'output';
export type ReviewChoice = { action: 'write' } | { action: 'cancel' } | { action: 'change'; section: Section };

const SECTIONS: { section: Section; label: string }[] = [
  { section: 'architecture', label: 'architecture and size' },
  { section: 'network', label: 'network' },
  { section: 'names', label: 'names' },
  { section: 'ssh', label: 'SSH keys' },
  { section: 'updates', label: 'updates and reboots' },
  { section: 'output', label: 'output directory' },
];

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((v, c) => v.padEnd(widths[c]!)).join('  ').trimEnd());
}

/** The design as text: machines table, etcd fault tolerance, warnings. Throws a SpecError if the answers do not resolve. */
export function formatReview(ctx: WizardContext, color: boolean): string {
  const c = colors(color);
  const { spec, warnings } = resolveSpec(currentAnswers(ctx));
  const p = planCluster(spec);
  const lines = [
    '',
    c.bold(`Cluster ${spec.name}: ${spec.preset}, ${spec.size} machine${spec.size === 1 ? '' : 's'}`),
    '',
  ];
  const rows = [['machine', 'role', 'address', 'runs'], ...p.machines.map((m) => {
    const d = describeMachine(p, m);
    return [m.name, d.role, m.address && !spec.network.dhcp ? `${m.address}/${spec.network.prefixLength}` : 'DHCP', d.runs];
  })];
  const [head, ...body] = table(rows);
  lines.push(c.underline(head!), ...body, '');
  if (p.etcd) {
    const n = p.etcd.members.length;
    const t = p.etcd.faultTolerance;
    lines.push(`etcd: ${n} member${n === 1 ? '' : 's'}, tolerates ${t} failed member${t === 1 ? '' : 's'} (quorum ${p.etcd.quorum})`);
  }
  lines.push(`updates: ${spec.updates.group}, reboot strategy ${spec.updates.rebootStrategy}`);
  lines.push(`SSH keys: ${spec.ssh.keys.length === 0 ? c.red('none') : spec.ssh.keys.length}`);
  lines.push(`output: ${ctx.outDir}`);
  for (const w of warnings) lines.push(c.yellow(`warning: ${w}`));
  return lines.join('\n') + '\n';
}

export async function review(ctx: WizardContext, color: boolean): Promise<ReviewChoice> {
  try {
    ctx.print(formatReview(ctx, color));
  } catch (e) {
    if (!(e instanceof SpecError)) throw e;
    // Answers that cannot make a cluster: show why and go back to the section concerned.
    for (const p of e.problems) ctx.print(`${FLAG_OF[p.field]}: ${p.message}\n`);
    const field = e.problems[0]!.field;
    const section: Section = field.startsWith('network') || field === 'etcd.discovery' ? 'network' : field === 'name' || field === 'namePrefix' ? 'names' : field.startsWith('updates') ? 'updates' : field.startsWith('ssh') ? 'ssh' : 'architecture';
    return { action: 'change', section };
  }
  return ctx.prompts.select<ReviewChoice>({
    message: 'Write these files?',
    choices: [
      { name: 'Write the configs', value: { action: 'write' } },
      ...SECTIONS.map((s) => ({ name: `Change ${s.label}`, value: { action: 'change' as const, section: s.section } })),
      { name: 'Cancel (write nothing)', value: { action: 'cancel' } },
    ],
  });
}

/**
 * What answers add to a generated cluster beyond the templates: `machines:` pins (applied to the
 * plan) and snippets (merged into each machine's Butane after rendering, before transpiling). Used
 * by generate.ts; every function is pure except reading snippet files when none are given.
 */
import type { Machine, Plan } from './plan/index.js';
import { pinMachines, type MachinePin } from './plan/pins.js';
import { checkTargets, loadSnippets, mergeSnippets, snippetsFor, type ParsedSnippet, type SnippetRef } from './snippets/index.js';
import { stringify } from 'yaml';
import * as check from './answers/checks.js';
import { HOST_NAME } from './answers/patterns.js';
import { SpecError, type Answers, type EtcdMembershipEntry, type Field } from './answers/types.js';
import type { EtcdView } from './plan/index.js';

export interface Customisations {
  pins: MachinePin[];
  snippets: ParsedSnippet[];
  /** etcdMembership: machines made for an earlier etcd membership (src/scale/). */
  membership?: EtcdMembershipEntry[];
}

/**
 * The pins of the answers, and the snippets: `given` (read by the caller, e.g. the CLI relative to
 * the answers file) or else the answers' `snippets:` read relative to the current directory.
 */
export function customisationsOf(answers: Answers, given?: ParsedSnippet[]): Customisations {
  const a = answers as Answers & { machines?: MachinePin[]; snippets?: SnippetRef[] };
  return { pins: a.machines ?? [], snippets: given ?? loadSnippets(a.snippets ?? [], process.cwd()), membership: a.etcdMembership ?? [] };
}

/** The plan with the pins applied; checks that every snippet's target exists. */
export function customisePlan(plan: Plan, c: Customisations): Plan {
  const pinned = pinMachines(plan, c.pins);
  checkTargets(
    c.snippets,
    pinned.machines.map((m) => m.name),
  );
  return withMembership(pinned, c.membership ?? []);
}

/** The plan with each listed machine's etcd settings (etcdMembership); throws a SpecError for an unknown machine. */
function withMembership(plan: Plan, entries: EtcdMembershipEntry[]): Plan {
  if (!entries.length) return plan;
  const names = new Set(plan.machines.map((m) => m.name));
  const views: Record<string, EtcdView> = {};
  entries.forEach((e, i) => {
    const at = (key: string) => `etcdMembership[${i}].${key}` as Field;
    const bad = (key: string, reason: string | undefined) => {
      if (reason) throw new SpecError([{ field: at(key), message: reason }]);
    };
    if (e.initialCluster !== undefined) bad('initialCluster', check.initialCluster(String(e.initialCluster)));
    if (e.state !== undefined && e.state !== 'new' && e.state !== 'existing') bad('state', `must be new or existing (got ${check.shown(String(e.state))})`);
    for (const url of e.clientEndpoints ?? []) bad('clientEndpoints', check.clientUrl(String(url)));
    for (const name of e.machines ?? []) {
      const field = at('machines');
      bad('machines', HOST_NAME.test(String(name)) ? undefined : `must be machine names (got ${check.shown(String(name))})`);
      if (!plan.etcd) throw new SpecError([{ field, message: 'this cluster runs no etcd' }]);
      if (!names.has(name)) throw new SpecError([{ field, message: `no machine is called ${name}` }]);
      if (views[name]) throw new SpecError([{ field, message: `${name} is listed twice` }]);
      const view: EtcdView = {};
      if (e.initialCluster !== undefined) view.initialCluster = e.initialCluster;
      if (e.state !== undefined) view.state = e.state;
      if (e.clientEndpoints !== undefined) view.clientEndpoints = [...e.clientEndpoints];
      views[name] = view;
    }
  });
  return { ...plan, etcdViews: views };
}

/** A machine's rendered Butane with its snippets merged in. */
export function customiseButane(machine: Machine, butane: string, c: Customisations): string {
  return mergeSnippets(butane, machine.name, snippetsFor(machine, c.snippets));
}

/** `machines:` and `snippets:` for cluster.yaml (snippet files by absolute path), or nothing. */
export function customisationsYaml(c: Customisations): string {
  const extra: Record<string, unknown> = {};
  if (c.pins.length) extra.machines = c.pins.map((p) => ({ ...p }));
  if (c.snippets.length) extra.snippets = c.snippets.map((s) => ({ target: s.target, file: s.path ?? s.label }));
  if (c.membership?.length) extra.etcdMembership = c.membership.map((e) => ({ ...e }));
  return Object.keys(extra).length ? stringify(extra, { lineWidth: 0 }) : '';
}

/**
 * The library entry: answers -> ClusterSpec -> plan -> Butane per machine -> Ignition, with
 * cluster.yaml and SUMMARY.md, all in memory. Reads only the package's presets and templates (or a
 * `templates` directory); writes nothing.
 */
import { formatFinding, transpile, TranspileError } from './butane/index.js';
import { plan as planCluster, type Machine, type Plan } from './plan/index.js';
import { loadTemplates, renderMachines, type TemplateSet } from './render/index.js';
import { formatSummary } from './render/summary.js';
import { formatAnswersFile } from './spec/answers-file.js';
import { loadPreset } from './spec/presets.js';
import { resolveSpec, type DefaultValue } from './spec/resolve.js';
import type { Answers, ClusterSpec } from './spec/types.js';

export interface GenerateOptions {
  /** Templates to render with (default: the built-in ones, with `answers.templates` in their place). */
  templates?: TemplateSet;
}

export interface GeneratedMachine extends Machine {
  /** The Butane document (YAML). */
  butane: string;
  /** The Ignition config (JSON). */
  ignition: string;
}

export interface GeneratedFile {
  /** File name inside the output directory. */
  name: string;
  contents: string;
}

export interface GenerateResult {
  spec: ClusterSpec;
  plan: Plan;
  machines: GeneratedMachine[];
  /** Every output file: `<machine>.bu`, `<machine>.ign`, `cluster.yaml`, `SUMMARY.md`. */
  files: GeneratedFile[];
  warnings: string[];
  /** Answers at their default value. */
  defaults: DefaultValue[];
}

/** A rendered config that is not valid Butane: a template's fault, named with the machine. */
export class GenerateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GenerateError';
  }
}

function toIgnition(machine: Machine, butane: string): string {
  try {
    return transpile(butane, { strict: true, pretty: true }).ignition + '\n';
  } catch (e) {
    if (!(e instanceof TranspileError)) throw e;
    const findings = e.findings.map(formatFinding).join('; ');
    throw new GenerateError(`${machine.name}.bu is not valid Butane (check the templates): ${findings || e.summary}`);
  }
}

export function generate(answers: Answers, options: GenerateOptions = {}): GenerateResult {
  const { spec, warnings, defaults } = resolveSpec(answers);
  const plan = planCluster(spec);
  const templates = options.templates ?? loadTemplates(spec.templates);
  const machines = renderMachines(plan, templates).map(({ machine, butane }) => ({
    ...machine,
    butane,
    ignition: toIgnition(machine, butane),
  }));
  const files: GeneratedFile[] = [
    ...machines.flatMap((m) => [
      { name: `${m.name}.bu`, contents: m.butane },
      { name: `${m.name}.ign`, contents: m.ignition },
    ]),
    { name: 'cluster.yaml', contents: formatAnswersFile(spec) },
    { name: 'SUMMARY.md', contents: formatSummary(plan, loadPreset(spec.preset).description, warnings, defaults) },
  ];
  return { spec, plan, machines, files, warnings, defaults };
}

/** Plan -> one Butane document per machine, from the role's template (`<role>.bu.hbs`). Pure. */
import type { Machine, Plan } from '../plan/index.js';
import type { MachineSecrets } from '../pki/index.js';
import { machineContext } from './context.js';
import { compileTemplates } from './engine.js';
import type { TemplateSet } from './templates.js';

export { TemplateError } from './errors.js';
export { loadTemplates, checkTemplate, type TemplateSet, type TemplateSource } from './templates.js';
export { machineContext, type MachineContext } from './context.js';
export { yamlQuote, lineText, systemdEnv } from './helpers.js';

/** Lines of nothing but the partials' indentation become empty; the document ends with one newline. */
function tidy(text: string): string {
  return text.replace(/^[ \t]+$/gm, '').replace(/\n*$/, '\n');
}

/**
 * One machine at a time (templates compiled once): for writing a large cluster machine by machine.
 * `secretsOf`: each machine's share of the PKI (null: none), see machineContext.
 */
export function machineRenderer(plan: Plan, templates: TemplateSet, secretsOf: (m: Machine) => MachineSecrets | null = () => null): (machine: Machine) => string {
  const render = compileTemplates(templates);
  return (machine) => tidy(render(`${machine.role}.bu`, machineContext(plan, machine, secretsOf(machine))));
}

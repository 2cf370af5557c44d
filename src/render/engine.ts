/**
 * Handlebars set up for Butane: strict (a missing value is an error), no HTML escaping (the quoting
 * helpers do YAML's), every template a partial by its name without `.hbs`, and every error
 * reported as a TemplateError with the template file, line and missing value.
 */
import type Handlebars from 'handlebars';
import { handlebars, runtime } from './handlebars.js';
import { TemplateError } from './errors.js';
import { HelperError, helpers, type Loc } from './helpers.js';
import type { TemplateSet, TemplateSource } from './templates.js';

type Render = (context: unknown, options?: Handlebars.RuntimeOptions) => string;

type Node = { type: string; loc?: { start: Loc; end: Loc }; original?: string; [key: string]: unknown };

/** The expression of a template at a position, and the paths it reads. */
function expressionAt(t: TemplateSource, at: Loc): { text: string; paths: string[] } | undefined {
  let found: Node | undefined;
  const walk = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      node.forEach(walk);
      return;
    }
    const n = node as Node;
    if ((n.type === 'MustacheStatement' || n.type === 'SubExpression') && n.loc?.start.line === at.line && n.loc.start.column === at.column) {
      found ??= n;
    }
    for (const key of ['body', 'program', 'inverse', 'params', 'path']) walk(n[key]);
  };
  walk(handlebars().parse(t.source));
  if (!found?.loc) return undefined;
  const lines = t.source.split('\n');
  const { start, end } = found.loc;
  const text = start.line === end.line ? lines[start.line - 1]!.slice(start.column, end.column) : lines[start.line - 1]!.slice(start.column);
  const paths = (found.params as Node[]).filter((p) => p.type === 'PathExpression').map((p) => p.original!);
  return { text, paths };
}

function explain(t: TemplateSource, e: unknown): TemplateError {
  if (e instanceof TemplateError) return e;
  if (e instanceof HelperError) {
    const expr = e.missing && e.loc ? expressionAt(t, e.loc) : undefined;
    return expr
      ? new TemplateError(t.file, e.loc!.line, `missing value ${expr.paths.map((p) => `"${p}"`).join(' or ')} in ${expr.text}`)
      : new TemplateError(t.file, e.loc?.line, e.message);
  }
  const ex = e as Error & { lineNumber?: number };
  const through = /^Cannot read properties of (?:undefined|null) \(reading '([^']+)'\)/.exec(ex.message);
  if (through) {
    // A path whose middle is missing, e.g. {{#if cluster.nope.deeper}}: find the expression by its tail.
    const lines = t.source.split('\n');
    const i = lines.findIndex((l) => (l.match(/\{\{[^}]*\}\}/g) ?? []).some((u) => u.includes(`.${through[1]}`)));
    const use = i >= 0 ? lines[i]!.match(/\{\{[^}]*\}\}/g)!.find((u) => u.includes(`.${through[1]}`)) : undefined;
    return new TemplateError(t.file, i >= 0 ? i + 1 : undefined, `missing value before ".${through[1]}"${use ? ` in ${use}` : ''}`);
  }
  const message = ex.message.replace(/ - \d+:\d+$/, '');
  const missing = /^"([^"]+)" not defined in/.exec(message);
  if (missing && ex.lineNumber !== undefined) {
    const text = t.source.split('\n')[ex.lineNumber - 1] ?? '';
    const uses = text.match(/\{\{[^}]*\}\}/g)?.filter((u) => u.includes(missing[1]!)) ?? [];
    return new TemplateError(t.file, ex.lineNumber, `missing value "${missing[1]}"${uses.length ? ` in ${uses.join(' ')}` : ''}`);
  }
  return new TemplateError(t.file, ex.lineNumber, message);
}

/** Template name (file name without `.hbs`) -> render function. */
export function compileTemplates(set: TemplateSet): (name: string, context: unknown) => string {
  // Precompiled built-ins need only the runtime; anything else the compiler (see templates.ts).
  const all = [...set.values()];
  const hb = (all.every((t) => t.precompiled) ? runtime : handlebars()).create();
  hb.registerHelper(helpers as unknown as Handlebars.HelperDeclareSpec);
  const compiled = new Map<string, Render>();
  for (const t of all) {
    const render: Render = t.precompiled
      ? hb.template(new Function(`return ${t.precompiled};`)() as Parameters<typeof hb.template>[0])
      : hb.compile(t.source, { strict: true, noEscape: true });
    const wrapped: Render = (context, options) => {
      try {
        return render(context, options);
      } catch (e) {
        throw explain(t, e);
      }
    };
    const name = t.name.slice(0, -'.hbs'.length);
    compiled.set(name, wrapped);
    hb.registerPartial(name, wrapped as unknown as Handlebars.Template);
  }
  return (name, context) => {
    const render = compiled.get(name);
    if (!render) throw new Error(`internal: no template ${name}.hbs`);
    return render(context);
  };
}

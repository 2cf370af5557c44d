/**
 * Template loading: the built-in `templates/*.hbs` next to the installed code, each replaceable by a
 * file of the same name in a `--templates DIR`. Every template is parsed and checked on loading:
 * a `{{...}}` that writes a value must go through a quoting helper (q, line, env).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { InputLimitError, LIMITS, readBoundedFile } from '../io/bounded.js';
import { join, relative } from 'node:path';
import { createHash } from 'node:crypto';
import { handlebars } from './handlebars.js';
import { packageRoot, templatesDir } from '../package-root.js';
import { shown } from '../answers/checks.js';
import { SpecError } from '../answers/types.js';
import { TemplateError } from './errors.js';
import { OUTPUT_HELPERS } from './helpers.js';

export interface TemplateSource {
  /** File name, e.g. `etcd.bu.hbs`: what a `--templates` file replaces. */
  name: string;
  /** The path shown in messages. */
  file: string;
  source: string;
  /** Handlebars' precompiled code, for a built-in template unchanged since the build (see scripts/precompile-templates.mjs). */
  precompiled?: string;
}

/** Templates by file name. */
export type TemplateSet = ReadonlyMap<string, TemplateSource>;

const EXT = '.hbs';

function readDir(dir: string, shown: (file: string) => string): TemplateSource[] {
  return readdirSync(dir)
    .filter((n) => n.endsWith(EXT))
    .sort()
    .map((name) => ({ name, file: shown(join(dir, name)), source: readTemplate(join(dir, name), shown(join(dir, name))) }));
}

/** A template file: a regular file of at most LIMITS.template bytes (a problem is one line about `templates`). */
function readTemplate(path: string, label: string): string {
  try {
    return readBoundedFile(path, LIMITS.template, label);
  } catch (e) {
    const message = e instanceof InputLimitError ? e.message : `${label}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`;
    throw new SpecError([{ field: 'templates', message }]);
  }
}

type Node = { type: string; loc?: { start: { line: number } }; [key: string]: unknown };

function lint(t: TemplateSource, node: Node | undefined | null): void {
  if (!node || typeof node !== 'object') return;
  if (node.type === 'MustacheStatement') {
    const path = node.path as Node & { original?: unknown };
    const helper = path.type === 'PathExpression' ? String(path.original) : '';
    const params = node.params as unknown[];
    if (!(OUTPUT_HELPERS as readonly string[]).includes(helper) || params.length === 0) {
      const text = t.source.split('\n')[(node.loc?.start.line ?? 1) - 1]?.trim();
      throw new TemplateError(
        t.file,
        node.loc?.start.line,
        `every value must go through a quoting helper: {{q value}} for YAML, {{line value}} inside a block, {{env "NAME" value}} for Environment= (in: ${text})`,
      );
    }
  }
  for (const key of ['body', 'program', 'inverse']) {
    const child = node[key];
    if (Array.isArray(child))
      child.forEach((c) => {
        lint(t, c as Node);
      });
    else lint(t, child as Node);
  }
}

/** Parses and checks one template; a problem is a TemplateError naming its file and line. */
export function checkTemplate(t: TemplateSource): void {
  let ast: Node;
  try {
    ast = handlebars().parse(t.source) as unknown as Node;
  } catch (e) {
    const message = (e as Error).message;
    const line = /on line (\d+)/.exec(message);
    throw new TemplateError(t.file, line ? Number(line[1]) : undefined, message.split('\n').slice(-1)[0]!);
  }
  lint(t, ast);
}

/** The built-in templates, with a directory's same-named files in their place. */
export function loadTemplates(overrideDir?: string | null): TemplateSet {
  const root = packageRoot();
  const set = new Map(readDir(templatesDir(), (f) => relative(root, f)).map((t) => [t.name, t]));
  const replaced = new Set<string>();
  if (overrideDir) {
    if (!existsSync(overrideDir) || !statSync(overrideDir).isDirectory()) {
      throw new SpecError([{ field: 'templates', message: `${shown(overrideDir)} is not a directory` }]);
    }
    for (const t of readDir(overrideDir, (f) => f)) {
      if (!set.has(t.name)) {
        throw new SpecError([{ field: 'templates', message: `${t.file} does not replace a built-in template; the names are: ${[...set.keys()].join(', ')}` }]);
      }
      set.set(t.name, t);
      replaced.add(t.name);
    }
  }
  const built = precompiledTemplates();
  for (const [name, t] of set) {
    const pre = built?.[name];
    // Unchanged built-ins were checked and compiled at build time; everything else is checked now.
    if (pre && !replaced.has(name) && pre.sha256 === createHash('sha256').update(t.source).digest('hex')) {
      set.set(name, { ...t, precompiled: pre.code });
    } else {
      checkTemplate(t);
    }
  }
  return set;
}

let precompiled: Record<string, { sha256: string; code: string }> | null | undefined;

/** dist/src/render/templates.precompiled.json (made by the build), or null without one. */
function precompiledTemplates(): Record<string, { sha256: string; code: string }> | null {
  if (precompiled !== undefined) return precompiled;
  try {
    precompiled = JSON.parse(readFileSync(join(packageRoot(), 'dist', 'src', 'render', 'templates.precompiled.json'), 'utf8'));
  } catch {
    precompiled = null;
  }
  return precompiled ?? null;
}

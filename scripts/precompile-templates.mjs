/**
 * Build step: precompiles the built-in templates (templates/*.hbs) into
 * dist/src/render/templates.precompiled.json: per file name, the SHA-256 of the source it was made
 * from and Handlebars' precompiled code (strict, noEscape: the options src/render/engine.ts compiles
 * with). At run time a built-in template whose source still has that hash is loaded with the
 * Handlebars runtime only (no parser, no compiler); any other (a --templates override, an edited
 * file) is checked and compiled as before.
 */
import Handlebars from 'handlebars';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { checkTemplate } = await import(join(root, 'dist', 'src', 'render', 'templates.js'));
const dir = join(root, 'templates');
const out = {};
for (const name of readdirSync(dir)
  .filter((n) => n.endsWith('.hbs'))
  .sort()) {
  const source = readFileSync(join(dir, name), 'utf8');
  checkTemplate({ name, file: `templates/${name}`, source }); // the lint the run-time path skips
  out[name] = {
    sha256: createHash('sha256').update(source).digest('hex'),
    code: Handlebars.precompile(source, { strict: true, noEscape: true }),
  };
}
const file = join(root, 'dist', 'src', 'render', 'templates.precompiled.json');
mkdirSync(dirname(file), { recursive: true });
writeFileSync(file, JSON.stringify(out));

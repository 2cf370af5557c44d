/** Issue 7: `import { generate } from 'flatcar-architect'` from the built package, in memory, typed. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/paths.js';

type Library = typeof import('../../src/index.js');

describe('the built library (dist/src/index.js, built by pretest)', () => {
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { exports: { '.': { types: string; default: string } }; files: string[] };

  it("package.json's exports point at the built entry and its declarations, and the schema is published", () => {
    expect(pkg.exports['.'].default).toBe('./dist/src/index.js');
    expect(pkg.exports['.'].types).toBe('./dist/src/index.d.ts');
    expect(existsSync(join(repoRoot, pkg.exports['.'].default))).toBe(true);
    const types = readFileSync(join(repoRoot, pkg.exports['.'].types), 'utf8');
    expect(types).toMatch(/export \{[^}]*\bgenerate\b[^}]*\} from .\.\/generate\.js/);
    expect(pkg.files).toContain('schema');
  });

  it('generates a cluster in memory: machines, their files, warnings; writes nothing', async () => {
    const lib = (await import(pathToFileURL(join(repoRoot, 'dist', 'src', 'index.js')).href)) as Library;
    const result = await lib.generate({
      preset: 'production',
      name: 'lib',
      size: 4,
      network: { macPrefix: '52:54:00' },
      machines: [{ planned: 'lib-worker-1', name: 'lib-gpu' }],
    });
    expect(result.machines.map((m) => [m.name, m.role, m.address])).toEqual([
      ['lib-etcd-1', 'etcd', '10.0.0.101'],
      ['lib-etcd-2', 'etcd', '10.0.0.102'],
      ['lib-etcd-3', 'etcd', '10.0.0.103'],
      ['lib-gpu', 'worker', '10.0.0.104'],
    ]);
    for (const m of result.machines) expect(JSON.parse(m.ignition).ignition.version).toBe('3.3.0');
    // Real certificates (a new CA), not the placeholders of previewCluster.
    expect(result.preview).toBe(false);
    expect(lib.previewCluster({ preset: 'dev', name: 'p' }).preview).toBe(true);
    expect(result.files.map((f) => f.name)).toEqual(expect.arrayContaining(['lib-gpu.bu', 'lib-gpu.ign', 'cluster.yaml', 'SUMMARY.md']));
    expect(result.warnings).toContainEqual({ code: 'no-ssh-key', text: 'no SSH key given (--ssh-key): nobody can log in to the machines over SSH', loud: false });
    expect(lib.answersSchema().$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(() => lib.readAnswersText('size: x\n', 'a.yaml', '.')).toThrow('a.yaml:1:1 size: must be a whole number (got x)');
  });
});

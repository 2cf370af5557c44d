/**
 * Issue 16: the repository checks itself. TypeScript runs with the strict index and unused checks,
 * and Biome's lint (part of `npm test`) passes on the sources and tests.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './helpers/paths.js';

const json = (file: string) => JSON.parse(readFileSync(join(repoRoot, file), 'utf8'));

describe('the repository checks itself', () => {
  it('tsconfig: strict, noUncheckedIndexedAccess, noUnusedLocals, noUnusedParameters', () => {
    const o = json('tsconfig.json').compilerOptions;
    expect({ strict: o.strict, noUncheckedIndexedAccess: o.noUncheckedIndexedAccess, noUnusedLocals: o.noUnusedLocals, noUnusedParameters: o.noUnusedParameters }).toEqual({
      strict: true,
      noUncheckedIndexedAccess: true,
      noUnusedLocals: true,
      noUnusedParameters: true,
    });
  });

  it('npm test lints first (Biome: lint rules and format), and both pass', () => {
    const scripts = json('package.json').scripts;
    expect(scripts.pretest).toMatch(/npm run lint/);
    expect(scripts.lint).toBe('biome lint && biome format');
    for (const command of ['lint', 'format']) {
      const r = spawnSync(join(repoRoot, 'node_modules/.bin/biome'), [command, '--max-diagnostics=20'], { cwd: repoRoot, encoding: 'utf8' });
      expect(r.status, `biome ${command}: ${r.stdout}${r.stderr}`).toBe(0);
    }
  });
});

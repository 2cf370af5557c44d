/** Every generated DIR has topology.svg (well-formed: xmllint) and SUMMARY.md a Topology section with a Mermaid block. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run.js';

const cwd = mkdtempSync(join(tmpdir(), 'fa-topology-out-'));
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

describe('topology in the output', () => {
  for (const [name, args] of [
    ['production', ['--preset', 'production', '--size', '6']],
    ['small', ['--preset', 'small', '--size', '3']],
    ['dev', ['--preset', 'dev', '--size', '3', '--dhcp']],
    ['laptop', ['--preset', 'laptop']],
  ] as const) {
    it(`${name}: topology.svg is well-formed and SUMMARY.md has the Mermaid drawing`, () => {
      const r = runCli([...args, '--out', name], { cwd });
      expect(r.status, r.stderr).toBe(0);
      const svg = join(cwd, name, 'topology.svg');
      const lint = spawnSync('xmllint', ['--noout', svg], { encoding: 'utf8' });
      expect(lint.status, lint.stderr).toBe(0);
      expect(readFileSync(svg, 'utf8')).toMatch(/^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/m);
      const summary = readFileSync(join(cwd, name, 'SUMMARY.md'), 'utf8');
      const block = summary.match(/## Topology\n\n[^\n]*topology\.svg[^\n]*\n\n```mermaid\n(flowchart TB\n[\s\S]*?)```\n/);
      expect(block, summary).not.toBeNull();
      const machines = JSON.parse(runCli([...args, '--dry-run', '--json'], { cwd }).stdout).machines as { name: string }[];
      for (const m of machines) expect(block![1]).toContain(m.name);
    });
  }
});

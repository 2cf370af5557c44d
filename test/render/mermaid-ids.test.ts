/**
 * Mermaid ids in SUMMARY.md cannot collide with Mermaid keywords or with the drawing's own ids
 * (issue 13): machines pinned as `end`, `graph`, `subgraph`... still give a flowchart whose every
 * node id is its own. Checked through the built bin (an answers file pinning the names), with a
 * small checker of the flowchart's lines (no Mermaid parser is installed here: the checker knows the
 * few line shapes topology.ts writes and Mermaid's reserved words).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { repoRoot } from '../helpers/paths.js';
import { tempDirs } from '../helpers/tmp.js';

const bin = join(repoRoot, 'dist', 'bin', 'flatcar-architect.js');
const tmp = tempDirs('fa-mermaid-');
const KEYWORDS = [
  'end',
  'subgraph',
  'graph',
  'flowchart',
  'style',
  'classdef',
  'class',
  'click',
  'linkstyle',
  'direction',
  'default',
  'call',
  'href',
  'interpolate',
  'acctitle',
  'accdescr',
];

/** The node ids the flowchart defines and uses; fails on a line of an unknown shape. */
function nodeIds(mermaid: string): { defined: string[]; used: string[] } {
  const defined: string[] = [];
  const used: string[] = [];
  for (const line of mermaid.split('\n').slice(1)) {
    const subgraph = /^\s*subgraph (\S+?)\["[^"]*"\]$/.exec(line);
    const node = /^\s*(\S+?)(?:\["[^"]*"\]|\(\["[^"]*"\]\))(?: -->\|[^|]+\| (\S+))?$/.exec(line);
    const edge = /^\s*(\S+) -->\|[^|]+\| (\S+)$/.exec(line);
    if (subgraph) defined.push(subgraph[1]!);
    else if (/^\s*end$/.test(line)) continue;
    else if (node) {
      defined.push(node[1]!);
      if (node[2]) used.push(node[2]);
    } else if (edge) used.push(edge[1]!, edge[2]!);
    else throw new Error(`unexpected flowchart line: ${line}`);
  }
  return { defined, used };
}

function summaryMermaid(answers: string): string {
  const cwd = tmp();
  writeFileSync(join(cwd, 'a.yaml'), answers);
  const r = spawnSync(process.execPath, [bin, '--answers', 'a.yaml', '--out', 'out'], { cwd, encoding: 'utf8', timeout: 60_000 });
  expect(r.status, r.stderr).toBe(0);
  const summary = readFileSync(join(cwd, 'out', 'SUMMARY.md'), 'utf8');
  return /```mermaid\n([\s\S]*?)\n```/.exec(summary)![1]!;
}

test.each([
  ['production', ['end', 'subgraph', 'graph', 'style', 'host', 'more']],
  ['small', ['end', 'flowchart', 'click']],
  ['laptop', ['end']],
])("%s machines pinned as Mermaid keywords and the drawing's own ids still give distinct, non-keyword ids", (preset, names) => {
  const planned =
    preset === 'production'
      ? ['p-etcd-1', 'p-etcd-2', 'p-etcd-3', 'p-worker-1', 'p-worker-2', 'p-worker-3']
      : preset === 'small'
        ? ['p-node-1', 'p-node-2', 'p-node-3']
        : ['p-node-1'];
  const size = preset === 'laptop' ? '' : `size: ${planned.length}\n`;
  const pins = names.map((n, i) => `  - planned: ${planned[i]}\n    name: ${n}\n`).join('');
  const mermaid = summaryMermaid(`preset: ${preset}\nname: p\n${size}machines:\n${pins}`);
  for (const n of names) expect(mermaid).toContain(`["${n}<br/>`);
  const { defined, used } = nodeIds(mermaid);
  expect(new Set(defined).size).toBe(defined.length);
  for (const id of defined) expect(KEYWORDS, id).not.toContain(id.toLowerCase());
  for (const id of used) expect(defined, id).toContain(id);
  // A machine called `end` must not close the subgraph early: exactly one `end` line per subgraph.
  expect(mermaid.split('\n').filter((l) => l.trim() === 'end').length).toBe(mermaid.split('\n').filter((l) => /^\s*subgraph /.test(l)).length);
});

/** The topology drawing: well-formed SVG (checked by xmllint) and Mermaid that show every machine and the etcd layout. */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import { topologyMermaid, topologySvg, MAX_DRAWN_WORKERS } from '../../src/render/topology.js';
import type { Answers } from '../../src/answers/types.js';
import { tempDir } from '../helpers/tmp.js';
import { planOf } from '../helpers/plan.js';

const dir = tempDir('topology-');

function wellFormed(svg: string): void {
  const file = join(dir, 'x.svg');
  writeFileSync(file, svg);
  const r = spawnSync('xmllint', ['--noout', file], { encoding: 'utf8' });
  expect(r.error).toBeUndefined();
  expect(r.status, r.stderr).toBe(0);
}

describe('topology', () => {
  it.each([[{ preset: 'laptop' }], [{ preset: 'small', size: 5 }], [{ preset: 'dev', size: 3 }], [{ preset: 'production', size: 8 }]] as [Answers][])(
    'draws %j with every machine and its address',
    (answers) => {
      const p = planOf(answers);
      const svg = topologySvg(p);
      const mermaid = topologyMermaid(p);
      wellFormed(svg);
      // Named for screen readers: <title> first inside <svg role="img">, the same words as the heading.
      const heading = /<text [^>]*font-weight="bold">([^<]+)<\/text>/.exec(svg)?.[1];
      expect(heading).toBeTruthy();
      expect(svg).toMatch(new RegExp(`^<svg [^>]* role="img">\n<title>${heading!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}</title>\n`));
      for (const m of p.machines) {
        expect(svg).toContain(`>${m.name}<`);
        expect(mermaid).toContain(`${m.name}<br/>${m.address ?? 'DHCP'}`);
      }
      if (p.etcd) {
        expect(mermaid).toContain(`subgraph etcd["etcd ${p.etcd.version}: ${p.etcd.members.length} member`);
        expect(svg).toContain(`tolerates ${p.etcd.faultTolerance} failure`);
        const workers = p.machines.filter((m) => m.role === 'worker');
        expect(mermaid.match(/-->\|v3 API\| etcd/g)?.length ?? 0).toBe(workers.length);
      } else {
        expect(mermaid).toContain('host -->|DOCKER_HOST|');
      }
    },
  );

  it('summarises the workers of a large cluster instead of drawing thousands of boxes', () => {
    const p = planOf({ preset: 'production', size: 500, network: { cidr: '10.0.0.0/16' } });
    const svg = topologySvg(p);
    wellFormed(svg);
    const hidden = 495 - MAX_DRAWN_WORKERS;
    expect(svg).toContain(`… ${hidden} more`);
    expect(topologyMermaid(p)).toContain(`… ${hidden} more workers`);
    expect(svg.length).toBeLessThan(20_000);
    expect(svg).not.toContain('production-worker-13<');
  });
});

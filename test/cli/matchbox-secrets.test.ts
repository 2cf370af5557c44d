/** --matchbox on the command line: --secrets ssh by default (no private key in any served file), a loud warning with keys inline. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { runGenerate } from '../../src/cli/generate.js';
import { decodeDataUrl } from '../../src/butane/index.js';
import { KEY } from '../helpers/generator.js';
import { filesBelow, tempDirs } from '../helpers/tmp.js';

const tmp = tempDirs('fa-mb-cli-');

async function run(extra: Record<string, unknown>) {
  const cwd = tmp();
  const out: string[] = [];
  const err: string[] = [];
  const code = await runGenerate(
    { preset: 'production', size: '4', sshKey: [KEY], macPrefix: '52:54:00', out: 'c', matchbox: 'mb', matchboxUrl: 'http://mb.lan:8080', ...extra },
    { cwd, stdout: (t) => out.push(t), stderr: (t) => err.push(t), interactive: false },
  );
  return { cwd, code, out: out.join(''), err: err.join('') };
}

/** Every text a served file carries: the file itself and, for Ignition, each file's decoded contents. */
function servedTexts(dir: string): string[] {
  const files = filesBelow(dir, (b) => b.toString('utf8'));
  return Object.entries(files).flatMap(([name, text]) => {
    if (!name.endsWith('.ign')) return [text];
    const ign = JSON.parse(text) as { storage?: { files?: { contents?: { source?: string; compression?: string } }[] } };
    return [
      text,
      ...(ign.storage?.files ?? []).map((f) => {
        const bytes = decodeDataUrl(f.contents!.source!);
        return (f.contents!.compression === 'gzip' ? gunzipSync(bytes) : bytes).toString('utf8');
      }),
    ];
  });
}

describe('--matchbox and secrets', () => {
  it('defaults to --secrets ssh: no private key in any served file, recorded in cluster.yaml, ownership said', async () => {
    const r = await run({});
    expect(r.code, r.err).toBe(0);
    expect(r.err).not.toMatch(/WARNING: --matchbox/);
    const texts = servedTexts(join(r.cwd, 'mb'));
    expect(texts.length).toBeGreaterThan(20);
    for (const t of texts) expect(t).not.toMatch(/PRIVATE KEY/);
    expect(texts.some((t) => t.includes('BEGIN CERTIFICATE'))).toBe(true);
    expect(readFileSync(join(r.cwd, 'c', 'cluster.yaml'), 'utf8')).toMatch(/\n {2}secrets: ssh\n/);
    expect(r.out).toContain('chown -R matchbox:matchbox /var/lib/matchbox');
    expect(Object.keys(filesBelow(join(r.cwd, 'mb'), () => 0))).toEqual(
      expect.arrayContaining(['groups/production-etcd-1-install.json', 'ignition/production-etcd-1-install.ign', 'groups/production-etcd-1.json']),
    );
  });

  it('--secrets inline: a loud warning that anyone can fetch the keys over plain HTTP', async () => {
    const r = await run({ secrets: 'inline' });
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/^WARNING: --matchbox: the Ignition configs of 4 machines hold private keys, and Matchbox serves them to anyone who asks over plain HTTP/m);
    expect(servedTexts(join(r.cwd, 'mb')).some((t) => t.includes('PRIVATE KEY'))).toBe(true);
  });
});

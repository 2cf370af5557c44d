/** Re-running into an existing DIR in a real terminal (tmux): the diff, the question, the answer. */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { cliPath } from '../helpers/paths.js';
import { runCli } from '../helpers/run.js';
import { Tmux } from '../helpers/tmux.js';

let tmux: Tmux | undefined;
afterEach(() => tmux?.kill());
const cwd = mkdtempSync(join(tmpdir(), 'fa-replace-tmux-'));
afterAll(() => rmSync(cwd, { recursive: true, force: true }));
const command = `${process.execPath} ${cliPath}`;

describe('generating into an existing DIR in a terminal', () => {
  it('shows the diff, asks, and writes nothing on no; replaces on yes', async () => {
    expect(runCli(['--preset', 'dev', '--size', '2', '--out', 'lab'], { cwd }).status).toBe(0);
    tmux = new Tmux(`${command} --preset dev --size 3 --out lab`, { cwd, env: { NO_COLOR: '1' } });
    const screen = await tmux.waitFor(/Replace lab\/ with these files\?/);
    expect(screen).toMatch(/lab\/ would change: 4 files added/);
    expect(screen).toMatch(/\+ dev-worker-2\.ign \(new, \d+ lines\)/);
    expect(screen).toContain('~ cluster.yaml (+1 -1 lines)');
    tmux.keys('n', 'Enter');
    expect(await tmux.waitFor(/EXIT=\d+/)).toContain('EXIT=1\n');
    expect(readdirSync(join(cwd, 'lab'))).not.toContain('dev-worker-2.ign');
    tmux.kill();

    tmux = new Tmux(`${command} --preset dev --size 3 --out lab`, { cwd, env: { NO_COLOR: '1' } });
    await tmux.waitFor(/Replace lab\/ with these files\?/);
    tmux.keys('y', 'Enter');
    const done = await tmux.waitFor(/EXIT=\d+/);
    expect(done).toContain('EXIT=0');
    expect(done).toContain('Wrote the dev cluster');
    expect(readdirSync(join(cwd, 'lab'))).toContain('dev-worker-2.ign');
  });

  it('at 80x24 the header stays on screen above the question, even when every file changes; the full diff on request', async () => {
    expect(runCli(['--preset', 'dev', '--size', '30', '--out', 'many'], { cwd }).status).toBe(0);
    tmux = new Tmux(`${command} --preset dev --size 30 --name other --out many`, { cwd, env: { NO_COLOR: '1' }, width: 80, height: 24 });
    await tmux.waitFor(/Replace many\/ with these files\?/);
    const shown = tmux.visible();
    expect(shown).toMatch(/many\/ would change: \d+ files added, \d+ files removed/);
    expect(shown).toMatch(/… and \d+ more files \(Show the full diff lists every change\)/);
    tmux.keys('Down', 'Down', 'Enter'); // Show the full diff
    await tmux.waitFor(/(Replace many\/ with these files\?[\s\S]*){2}/);
    expect(tmux.screen()).toContain('+ other-worker-29.ign');
    expect(tmux.visible()).toMatch(/many\/ would change: /);
    tmux.keys('C-c');
    const done = await tmux.waitFor(/EXIT=\d+/);
    expect(done).toContain('Interrupted: nothing was written.');
    expect(done).toContain('EXIT=130');
    expect(readdirSync(join(cwd, 'many'))).toContain('dev-worker-29.ign');
    expect(readdirSync(cwd).filter((n) => n.startsWith('.many'))).toEqual([]);
  });
});

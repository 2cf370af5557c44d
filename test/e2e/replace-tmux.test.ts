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
    expect(screen).toContain('+ dev-worker-2.ign');
    expect(screen).toContain('    +size: 3');
    tmux.keys('n', 'Enter');
    expect(await tmux.waitFor(/EXIT=\d+/)).toContain('EXIT=130');
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
});

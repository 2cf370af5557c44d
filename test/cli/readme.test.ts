/** README.md stays true: every flag of every command is documented, and the set-up commands are there. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/paths.js';
import { runCli } from '../helpers/run.js';

const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');

function flagsOf(command: string[]): string[] {
  const help = runCli([...command, '--help']);
  expect(help.status).toBe(0);
  return [...new Set([...help.stdout.matchAll(/^\s+(?:-\w, )?(--[a-z][a-z-]*)/gm)].map((m) => m[1]!))].filter((f) => f !== '--help');
}

describe('README.md', () => {
  it('shows the two set-up commands', () => {
    expect(readme).toContain('npm install && npx flatcar-architect --preset production --size 5');
    expect(readme).toContain('npm test');
  });

  const commands = [[], ['init'], ['plan'], ['transpile'], ['rehearse'], ['scale'], ['replace'], ['deliver'], ['schema']];
  it.each(commands.map((c) => [c.join(' ') || '(default)', c] as const))('documents every flag of %s', (_name, command) => {
    const help = runCli([...command, '--help']);
    if (command.length) expect(help.stdout).toContain(`flatcar-architect ${command[0]}`);
    const missing = flagsOf(command).filter((flag) => !new RegExp(`\`[^\`]*${flag}(?![a-z-])`).test(readme));
    expect(missing).toEqual([]);
  });
});

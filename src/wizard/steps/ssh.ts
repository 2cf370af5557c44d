/** Step 5: SSH keys for the `core` user: the ~/.ssh/*.pub keys found, and any pasted ones. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { currentValue, isGiven, problemWith, setAnswer, type WizardContext } from '../context.js';

const PASTE = '\u0000paste';

/** Public keys in ~/.ssh, one entry per key line. */
export function findPublicKeys(home: string): { file: string; key: string }[] {
  const dir = join(home, '.ssh');
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.pub')).sort();
  } catch {
    return [];
  }
  const found: { file: string; key: string }[] = [];
  for (const name of names) {
    try {
      for (const line of readFileSync(join(dir, name), 'utf8').split('\n')) {
        if (line.trim() !== '') found.push({ file: `~/.ssh/${name}`, key: line.trim() });
      }
    } catch {
      // An unreadable file is simply not offered.
    }
  }
  return found;
}

function short(key: string): string {
  const [type, body = '', ...comment] = key.split(' ');
  return `${type} ${body.slice(0, 12)}…${body.slice(-8)}${comment.length ? ' ' + comment.join(' ') : ''}`;
}

export async function askSshKeys(ctx: WizardContext): Promise<void> {
  if (isGiven(ctx, 'ssh.keys')) return;
  const chosen = new Set((currentValue(ctx, 'ssh.keys') as string[] | undefined) ?? []);
  const found = findPublicKeys(ctx.home);
  const picked = await ctx.prompts.checkbox<string>({
    message: 'SSH keys that may log in as core (space to toggle, enter to accept):',
    choices: [
      ...found.map((f) => ({ name: `${short(f.key)}  (${f.file})`, value: f.key, checked: chosen.size === 0 || chosen.has(f.key) })),
      ...[...chosen].filter((k) => !found.some((f) => f.key === k)).map((k) => ({ name: short(k), value: k, checked: true })),
      { name: 'Paste another public key…', value: PASTE },
    ],
  });
  const keys = picked.filter((k) => k !== PASTE);
  if (picked.includes(PASTE)) {
    for (;;) {
      const key = await ctx.prompts.input({
        message: 'Public key (ssh-ed25519 AAAA… comment), empty to finish:',
        validate: (text) => (text.trim() === '' ? true : (problemWith(ctx, 'ssh.keys', [...keys, text.trim()]) ?? true)),
      });
      if (key.trim() === '') break;
      keys.push(key.trim());
    }
  }
  setAnswer(ctx, 'ssh.keys', [...new Set(keys)]);
  if (keys.length === 0) ctx.print('No SSH key: nobody will be able to log in to the machines over SSH.\n');
}

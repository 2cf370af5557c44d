/**
 * SSH keys for the `core` user: the ~/.ssh/*.pub keys found, and keys pasted or read from a path
 * typed at the prompt, with the same rules and messages as `--ssh-key`. Keys chosen before (pasted
 * ones too) stay chosen when the section is asked again.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readSshKeys } from '../../cli/generate.js';
import { UsageError } from '../../cli/errors.js';
import { currentValue, isGiven, problemWith, seen, setAnswer, type WizardContext } from '../context.js';
import type { Question } from '../question.js';
import { WizardBack } from '../prompts.js';
import { columnsOf, wrap } from '../text.js';

/** Public keys in ~/.ssh, one entry per key line. */
export function findPublicKeys(home: string): { file: string; key: string }[] {
  const dir = join(home, '.ssh');
  let names: string[];
  try {
    names = readdirSync(dir)
      .filter((n) => n.endsWith('.pub'))
      .sort();
  } catch {
    return [];
  }
  const found: { file: string; key: string }[] = [];
  for (const name of names) {
    try {
      for (const line of readFileSync(join(dir, name), 'utf8').split('\n')) {
        if (line.trim() !== '' && !line.trim().startsWith('#')) found.push({ file: `~/.ssh/${name}`, key: line.trim() });
      }
    } catch {
      // An unreadable file is simply not offered.
    }
  }
  return found;
}

/** A key's type, SHA256 fingerprint (as ssh-keygen -l prints it) and comment. */
export function fingerprint(key: string): { type: string; sha256: string; comment: string } {
  const parts = key.trim().split(/\s+/);
  const at = parts.findIndex((p) => /^[A-Za-z0-9+/]+={0,3}$/.test(p) && p.length > 20);
  const blob = at >= 0 ? parts[at]! : '';
  const type = (parts[at - 1] ?? parts[0] ?? '')
    .replace(/^ssh-/, '')
    .replace(/@openssh\.com$/, '')
    .toUpperCase();
  const sha256 = 'SHA256:' + createHash('sha256').update(Buffer.from(blob, 'base64')).digest('base64').replace(/=+$/, '');
  return { type, sha256, comment: parts.slice(at + 1).join(' ') };
}

function label(key: string, file?: string): string {
  const f = fingerprint(key);
  return `${f.type} ${f.sha256.slice(0, 19)}…${f.comment ? ' ' + f.comment : ''}${file ? ` (${file.replace('~/.ssh/', '')})` : ''}`;
}

/** `~/x` -> HOME/x. */
const expand = (text: string, home: string): string => (text === '~' ? home : text.startsWith('~/') ? join(home, text.slice(2)) : text);

/** The key lines a typed text gives (a key line, or a path to a public key file), or the reason it gives none. */
export function keysFromText(ctx: WizardContext, text: string): string[] | string {
  try {
    return readSshKeys([expand(text.trim(), ctx.home)], ctx.cwd ?? process.cwd()) ?? [];
  } catch (e) {
    if (e instanceof UsageError) return e.message.replace(/^--ssh-key: /, '');
    throw e;
  }
}

/** Esc in a question inside the SSH step: its value, back to the list of keys. */
const backTo =
  <T>(value: T) =>
  (e: unknown): T => {
    if (e instanceof WizardBack) return value;
    throw e;
  };

export const DONE = '\u0000done';
export const PASTE = '\u0000paste';
/** The command on a line of its own: wrapped at any width, it is never broken. */
export const KEYGEN_HINT = 'No SSH public key found in ~/.ssh. Make one with:\n  ssh-keygen -t ed25519\nthen choose "Paste a key or give a path" and give ~/.ssh/id_ed25519.pub.';
const NO_KEY = 'No SSH key chosen: nobody will be able to log in to the machines over SSH.';

export const SSH: Question[] = [
  {
    id: 'ssh.keys',
    section: 'ssh',
    applies: (ctx) => !isGiven(ctx, 'ssh.keys'),
    async ask(ctx) {
      const found = findPublicKeys(ctx.home);
      // First time: every key found is offered checked; after that, exactly the keys chosen.
      let chosen: string[] = seen(ctx).has('ssh.keys') ? [...((currentValue(ctx, 'ssh.keys') as string[] | undefined) ?? [])] : found.map((f) => f.key);
      // Wrapped by words to the terminal (a hint broken inside `ssh-keygen` is hard to copy).
      const say = (text: string) => ctx.print(wrap(text, columnsOf(ctx)) + '\n');
      if (found.length === 0 && chosen.length === 0) say(KEYGEN_HINT);
      for (;;) {
        const all = [...new Set([...found.map((f) => f.key), ...chosen])];
        const pick = await ctx.prompts.select<string>({
          message: `SSH keys that may log in as core (${chosen.length} chosen; Enter on a key adds or removes it):`,
          choices: [
            { name: `Done: use ${chosen.length === 0 ? 'no key' : chosen.length === 1 ? 'this key' : `these ${chosen.length} keys`}`, value: DONE },
            ...all.map((k) => ({ name: `[${chosen.includes(k) ? 'x' : ' '}] ${label(k, found.find((f) => f.key === k)?.file)}`, value: k })),
            { name: 'Paste a key or give a path to a .pub file…', value: PASTE, description: 'a line like "ssh-ed25519 AAAA… you@host", or a path such as ~/.ssh/id_ed25519.pub' },
          ],
          default: DONE,
        });
        if (pick === DONE) {
          if (chosen.length === 0) {
            say(NO_KEY);
            const go = await ctx.prompts.confirm({ message: 'Continue without an SSH key?', default: false }).catch(backTo(false));
            if (!go) continue;
          }
          setAnswer(ctx, 'ssh.keys', chosen);
          return;
        }
        if (pick === PASTE) {
          // Esc here goes back to the list of keys.
          const text = await ctx.prompts
            .input({
              message: 'Public key line, or the path of a .pub file (empty: back to the list):',
              validate: (t) => {
                if (t.trim() === '') return true;
                if (t.trim() === '?') return 'Paste one line from a .pub file, or type its path (~ works); never the private key.';
                const keys = keysFromText(ctx, t);
                if (typeof keys === 'string') return keys;
                return problemWith(ctx, 'ssh.keys', [...new Set([...chosen, ...keys])]) ?? true;
              },
            })
            .catch(backTo(''));
          if (text.trim() === '') continue;
          const keys = keysFromText(ctx, text);
          if (typeof keys !== 'string') chosen = [...new Set([...chosen, ...keys])];
          continue;
        }
        chosen = chosen.includes(pick) ? chosen.filter((k) => k !== pick) : [...chosen, pick];
      }
    },
  },
];

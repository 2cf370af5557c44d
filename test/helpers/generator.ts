/** Shared answers and small readers for the generator's tests. */
import { parse } from 'yaml';
import type { Answers } from '../../src/answers/types.js';

export const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMx7q3Yd0o8Q2pZk1v4cHqR9Wn6yT2eLbF5sJgKaPuXr admin@example';

export const withKey = (answers: Answers): Answers => ({ ...answers, ssh: { keys: [KEY] } });

/** The `Environment=` assignments of a unit or drop-in, as systemd would read them (simple quoting). */
export function environment(unit: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const m of unit.matchAll(/^Environment="([A-Za-z_][A-Za-z0-9_]*)=((?:[^"\\]|\\.)*)"$/gm)) {
    env[m[1]!] = m[2]!.replace(/\\(.)/g, '$1').replace(/%%/g, '%');
  }
  return env;
}

/** The units of a Butane document, by name. */
export function butaneUnits(butane: string): Record<string, { enabled?: boolean; contents?: string; dropins?: { name: string; contents: string }[] }> {
  const doc = parse(butane) as { systemd?: { units?: { name: string }[] } };
  return Object.fromEntries((doc.systemd?.units ?? []).map((u) => [u.name, u]));
}

/** The files of a Butane document, by path. */
export function butaneFiles(butane: string): Record<string, { mode?: number; contents: { inline: string } }> {
  const doc = parse(butane) as { storage?: { files?: { path: string }[] } };
  return Object.fromEntries((doc.storage?.files ?? []).map((f) => [f.path, f]));
}

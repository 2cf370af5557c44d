/** Reads every `<machine>.ign` of a generated DIR (sorted by name) into machine readings. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readMachine } from './read-ignition.js';
import type { MachineReading } from './types.js';

/** Bad input the command reports as one line with exit code 2. */
export class RehearseUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RehearseUsageError';
  }
}

export function readClusterDir(dir: string): MachineReading[] {
  let names: string[];
  try {
    if (!statSync(dir).isDirectory()) throw new RehearseUsageError(`${dir} is not a directory`);
    names = readdirSync(dir)
      .filter((n) => n.endsWith('.ign'))
      .sort();
  } catch (e) {
    if (e instanceof RehearseUsageError) throw e;
    throw new RehearseUsageError(`cannot read ${dir}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such directory' : (e as Error).message}`);
  }
  if (names.length === 0) throw new RehearseUsageError(`${dir} holds no .ign files: generate a cluster into it first`);
  return names.map((name) => {
    const file = join(dir, name);
    let config: unknown;
    try {
      config = JSON.parse(readFileSync(file, 'utf8'));
    } catch (e) {
      throw new RehearseUsageError(`${file} is not Ignition JSON: ${(e as Error).message}`);
    }
    return readMachine(name.slice(0, -'.ign'.length), config);
  });
}

import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const sharedDir = resolve(repoRoot, '..', 'shared');
export const conformanceDir = join(sharedDir, 'butane-conformance');
export const cliPath = join(repoRoot, 'dist', 'src', 'cli', 'main.js');
export const ignitionApply = join(sharedDir, 'tools', 'ignition-apply');

import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const sharedDir = resolve(repoRoot, '..', 'shared');
export const conformanceDir = join(repoRoot, 'test', 'fixtures', 'butane-conformance');
export const conformanceFuzzDir = join(repoRoot, 'test', 'fixtures', 'butane-conformance-fuzz');
export const cliPath = join(repoRoot, 'dist', 'src', 'cli', 'main.js');
export const ignitionApply = join(repoRoot, 'test', 'helpers', 'ignition-apply.sh');
/** The real Butane, as an oracle for differential tests only (never shipped, never run by the tool). */
export const butaneBin = join(sharedDir, 'tools', 'butane-bin', 'butane');

/**
 * Tests that need real tools say so once: `requireTools('etcd', 'etcdctl')` at the top of a test
 * file adds one test that fails, naming what is missing, when they are not installed. The tests that
 * use them never skip (npm test's pretest, scripts/check-tools.mjs, installs or names them first).
 */
import { describe, expect, test } from 'vitest';
import { findOnPath } from '../../src/rehearse/binaries.js';

/** True when every tool is on PATH; registers the test that says which are not. */
export function requireTools(...tools: string[]): boolean {
  const missing = tools.filter((t) => findOnPath(t) === null);
  describe('tools', () => {
    test(`${tools.join(', ')} ${tools.length === 1 ? 'is' : 'are'} installed (.ci/run and the pretest install them; these tests never skip)`, () => {
      expect(missing).toEqual([]);
    });
  });
  return missing.length === 0;
}

/** requireTools('etcd', 'etcdctl'): the tests that run the real etcd. */
export const requireEtcd = (): boolean => requireTools('etcd', 'etcdctl');

/** After writing: next steps per architecture, and a re-run command spelled for where the person is. */
import { mkdirSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generate } from '../../src/generate.js';
import { packageRoot } from '../../src/package-root.js';
import { nextSteps, selfCommand } from '../../src/wizard/next-steps.js';
import { tempDirs } from '../helpers/tmp.js';

const tmp = tempDirs('wizard-next-');
const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBdFcBl4tZ0nWqfXzXcAxVSBSrGSJq2SXxGZQ2qU0+kL test';

describe('next steps', () => {
  it('laptop: the QEMU command with its config, DOCKER_HOST lines', () => {
    const cwd = tmp();
    const text = nextSteps(generate({ preset: 'laptop' }), join(cwd, 'vm'), cwd, 200);
    expect(text).toContain('./flatcar_production_qemu.sh -i vm/laptop-node-1.ign');
    expect(text).toContain('export DOCKER_HOST=tcp://localhost:2376 DOCKER_TLS_VERIFY=1 DOCKER_CERT_PATH=vm/docker-client');
    expect(text).not.toContain('rehearse');
  });

  it('dev: the etcd machine first; production: boot order, rehearse, ssh to the first address', () => {
    const cwd = tmp();
    const dev = nextSteps(generate({ preset: 'dev', size: 3 }), join(cwd, 'd'), cwd, 200);
    expect(dev).toContain('Boot the etcd machine first (dev-etcd-1 at 10.0.0.101), then the workers.');
    const prod = nextSteps(generate({ preset: 'production', size: 8, ssh: { keys: [KEY] } }), join(cwd, 'p'), cwd, 200);
    expect(prod).toMatch(/rehearse p\n/);
    expect(prod).toContain('Boot order: production-etcd-1 … production-etcd-3 (first, together');
    expect(prod).toContain('ssh core@10.0.0.101');
  });

  it('no SSH key: the log-in step says nobody can log in and how to add a key, not an ssh line', () => {
    const cwd = tmp();
    for (const [answers, dir] of [
      [{ preset: 'production', size: 5 }, 'p'],
      [{ preset: 'laptop' }, 'vm'],
    ] as const) {
      const text = nextSteps(generate(answers), join(cwd, dir), cwd, 200);
      expect(text).not.toMatch(/ssh (-p 2222 )?core@/);
      expect(text).toMatch(
        /Log in: no SSH key was given, so nobody can log in over SSH\. To add one, write again with the command above and --ssh-key, e\.g\.\n +\S.* --answers (p|vm)\/cluster\.yaml --out (p|vm) --force --ssh-key ~\/\.ssh\/id_ed25519\.pub\n/,
      );
    }
    const keyed = nextSteps(generate({ preset: 'laptop', ssh: { keys: [KEY] } }), join(cwd, 'vm'), cwd, 200);
    expect(keyed).toContain('Log in: ssh -p 2222 core@localhost');
  });

  it('the re-run command: the installed one on the PATH, npx inside the package, else node with the path', () => {
    const bin = tmp();
    mkdirSync(join(bin, 'b'));
    writeFileSync(join(bin, 'b', 'flatcar-architect'), '#!/bin/sh\n');
    chmodSync(join(bin, 'b', 'flatcar-architect'), 0o755);
    expect(selfCommand(tmp(), join(bin, 'b'))).toBe('flatcar-architect');
    expect(selfCommand(packageRoot(), '/nonexistent')).toBe('npx flatcar-architect');
    expect(selfCommand(tmp(), '/nonexistent')).toBe(`node ${join(packageRoot(), 'dist', 'bin', 'flatcar-architect.js')}`);
    // Installed as a project's dependency: npx from anywhere in that project.
    expect(selfCommand('/work/proj/sub', '/nonexistent', '/work/proj/node_modules/flatcar-architect')).toBe('npx flatcar-architect');
    expect(selfCommand('/work/other', '/nonexistent', '/work/proj/node_modules/flatcar-architect')).toBe(
      'node /work/proj/node_modules/flatcar-architect/dist/bin/flatcar-architect.js',
    );
  });
});

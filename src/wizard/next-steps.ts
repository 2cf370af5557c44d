/**
 * What to do after the wizard wrote a cluster, per architecture, and a command that writes the same
 * files again without questions, spelled so that it runs where the person is: `flatcar-architect`
 * when installed on the PATH, `npx flatcar-architect` inside the package's directory (the README's
 * set-up), else `node <package>/dist/bin/flatcar-architect.js`.
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, isAbsolute, join, relative } from 'node:path';
import { architectureOf } from '../architectures/index.js';
import type { GenerateResult } from '../generate.js';
import { packageRoot } from '../package-root.js';
import { wrap } from './text.js';

const CHANNELS = ['stable', 'beta', 'alpha', 'lts'];

/** How to run this tool from `cwd`. */
export function selfCommand(cwd: string, path = process.env.PATH ?? '', root = packageRoot()): string {
  for (const dir of path.split(delimiter)) {
    // npx puts node_modules/.bin on the PATH of what it runs: that is not an installation.
    if (dir === '' || /node_modules[\\/]\.bin$/.test(dir)) continue;
    try {
      accessSync(join(dir, 'flatcar-architect'), constants.X_OK);
      return 'flatcar-architect';
    } catch {
      // not here
    }
  }
  const within = (dir: string) => !relative(dir, cwd).startsWith('..') && !isAbsolute(relative(dir, cwd));
  // npx finds the bin in the package's own directory, and in a project that has it in node_modules.
  const project = /[\\/]node_modules[\\/]/.test(root) ? root.slice(0, root.search(/[\\/]node_modules[\\/]/)) : undefined;
  return within(root) || (project !== undefined && within(project)) ? 'npx flatcar-architect' : `node ${join(root, 'dist', 'bin', 'flatcar-architect.js')}`;
}

const quote = (s: string) => (/^[A-Za-z0-9_./:@%+=,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

export function nextSteps(result: GenerateResult, dir: string, cwd: string, columns = process.stdout.columns ?? 80): string {
  const shown = quote(relative(cwd, dir) || '.');
  const { spec, plan } = result;
  const channel = CHANNELS.includes(spec.updates.group) ? spec.updates.group : 'stable';
  const first = plan.bootOrder[0]?.machines[0] ?? result.machines[0]!.name;
  const address = (name: string) => result.machines.find((m) => m.name === name)?.address ?? undefined;
  const steps: string[][] = [];
  const architecture = architectureOf(spec.preset);
  // Without a key the log-in step says how to get one in, not an ssh line that cannot work.
  const logIn = (line: string): string[] =>
    spec.ssh.keys.length > 0
      ? [line]
      : [
          `Log in: no SSH key was given, so nobody can log in over SSH. To add one, write again with the command above and --ssh-key, e.g.`,
          `${selfCommand(cwd)} --answers ${shown}/cluster.yaml --out ${shown} --force --ssh-key ~/.ssh/id_ed25519.pub`,
        ];
  if (architecture.localVm) {
    const vm = result.machines[0]!;
    steps.push(
      [`Boot the VM with Flatcar's QEMU image and script (flatcar.org/docs: installing/vms/qemu):`, `./flatcar_production_qemu.sh -i ${shown}/${vm.name}.ign -- -nographic`],
      [
        `Talk to its Docker API from here: the DOCKER_HOST lines are in ${shown}/SUMMARY.md ("Docker API"), e.g.`,
        spec.security.dockerTls
          ? `export DOCKER_HOST=tcp://${vm.address ?? 'localhost'}:2376 DOCKER_TLS_VERIFY=1 DOCKER_CERT_PATH=${shown}/docker-client`
          : `export DOCKER_HOST=tcp://${vm.address ?? 'ADDRESS'}:2375`,
        'docker ps',
      ],
      logIn(vm.address ? `Log in: ssh core@${vm.address}` : "Log in: ssh -p 2222 core@localhost (the QEMU script forwards port 2222 to the VM's SSH)"),
    );
  } else {
    const etcdFirst = architecture.bootAdvice(first, address(first));
    steps.push(
      [`Read ${shown}/SUMMARY.md: boot order, addresses, and how to boot each machine.`],
      [`Try the cluster's etcd here before booting anything: ${selfCommand(cwd)} rehearse ${shown}`],
      [`Install each machine with its own config, e.g.`, `flatcar-install -d /dev/sda -C ${channel} -i ${shown}/${first}.ign`],
      [
        etcdFirst ??
          `Boot order: ${plan.bootOrder.map((s) => `${s.machines.length === 1 ? s.machines[0] : `${s.machines[0]} … ${s.machines[s.machines.length - 1]}`} (${s.note})`).join('; then ')}.`,
      ],
      logIn(address(first) ? `Log in: ssh core@${address(first)}` : `Log in: ssh core@${first} (its address comes from DHCP)`),
    );
  }
  const lines = [
    '',
    wrap(`Every answer is in ${shown}/cluster.yaml. To write the same files again without questions:`, columns),
    `  ${selfCommand(cwd)} --answers ${shown}/cluster.yaml --out ${shown} --force`,
    '',
    'Next steps:',
    ...steps.flatMap((s, i) => [wrap(`  ${i + 1}. ${s[0]}`, columns, '     '), ...s.slice(1).map((c) => `       ${c}`)]),
    '',
  ];
  return lines.join('\n');
}

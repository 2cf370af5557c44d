/**
 * The default command: flags (and an answers file) -> answers -> generate -> write DIR -> print.
 * The only part of the generator that touches the terminal and the disk.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { relative, resolve } from 'node:path';
import { generate, GenerateError, type GenerateResult } from '../generate.js';
import { TemplateError } from '../render/index.js';
import { AnswersFileError, parseAnswersFile } from '../spec/answers-file.js';
import { looksLikeKey } from '../spec/checks.js';
import { mergeAnswers } from '../spec/merge.js';
import { FLAG_OF, getField, SpecError, type Answers, type Problem, type RebootStrategy } from '../spec/types.js';
import { checkOutputDir, OutputExistsError, writeOutputDir } from '../write/output.js';
import type { Prompts } from '../wizard/prompts.js';
import { EXIT, UsageError } from './errors.js';

export interface GenerateFlags {
  preset?: string;
  size?: string;
  etcdSize?: string;
  name?: string;
  namePrefix?: string;
  out?: string;
  force?: boolean;
  network?: string;
  gateway?: string;
  dns?: string;
  domains?: string;
  firstAddress?: string;
  interface?: string;
  macPrefix?: string;
  dhcp?: boolean;
  discovery?: string;
  sshKey?: string[];
  updateGroup?: string;
  rebootStrategy?: string;
  rebootWindowStart?: string;
  rebootWindowLength?: string;
  etcdVersion?: string;
  etcdToken?: string;
  templates?: string;
  answers?: string;
  /** false with --no-color. */
  color?: boolean;
}

export interface GenerateIo {
  cwd: string;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** A terminal to ask questions in (stdin and stdout are TTYs). */
  interactive?: boolean;
  /** Colour allowed (a TTY and no NO_COLOR); --no-color turns it off too. */
  color?: boolean;
  /** The wizard's questions (default: the terminal's). */
  prompts?: Prompts;
  home?: string;
}

const list = (v: string | undefined): string[] | undefined =>
  v === undefined ? undefined : v.split(/[,\s]+/).filter((x) => x !== '');

/** `--ssh-key FILE|KEY`: a key line as it is, else the key lines of a file (never a private key). */
function readSshKeys(values: string[] | undefined, cwd: string): string[] | undefined {
  if (!values?.length) return undefined;
  return values.flatMap((value) => {
    if (looksLikeKey(value)) return [value];
    let text: string;
    try {
      text = readFileSync(resolve(cwd, value), 'utf8');
    } catch {
      throw new UsageError(`--ssh-key: ${value} is neither an OpenSSH public key line nor a readable file`);
    }
    if (text.includes('PRIVATE KEY-----')) throw new UsageError(`--ssh-key: ${value} is a private key; give the public key (.pub) instead`);
    const keys = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
    if (!keys.length) throw new UsageError(`--ssh-key: ${value} holds no key`);
    return keys;
  });
}

/** The answers the flags give (only those given). */
export function flagsToAnswers(f: GenerateFlags, cwd: string): Answers {
  return {
    preset: f.preset as Answers['preset'],
    name: f.name,
    namePrefix: f.namePrefix,
    size: f.size,
    etcd: { size: f.etcdSize, version: f.etcdVersion, discovery: f.discovery, token: f.etcdToken },
    network: {
      dhcp: f.dhcp,
      cidr: f.network,
      gateway: f.gateway,
      firstAddress: f.firstAddress,
      dns: list(f.dns),
      domains: list(f.domains),
      interface: f.interface,
      macPrefix: f.macPrefix,
    },
    ssh: { keys: readSshKeys(f.sshKey, cwd) },
    updates: {
      group: f.updateGroup,
      rebootStrategy: f.rebootStrategy as RebootStrategy | undefined,
      rebootWindowStart: f.rebootWindowStart,
      rebootWindowLength: f.rebootWindowLength,
    },
    templates: f.templates === undefined ? undefined : resolve(cwd, f.templates),
  };
}

function readAnswers(file: string | undefined, cwd: string): Answers {
  if (file === undefined) return {};
  let text: string;
  try {
    text = readFileSync(resolve(cwd, file), 'utf8');
  } catch (e) {
    throw new UsageError(`--answers: cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    return parseAnswersFile(text, file);
  } catch (e) {
    if (e instanceof AnswersFileError) throw new UsageError(`--answers: ${e.message}`);
    throw e;
  }
}

/** One line per problem, naming the flag, or the answers file's key when the value came from there. */
function describe(p: Problem, flags: Answers, file: Answers, fileName: string | undefined): string {
  const fromFile = getField(flags, p.field) === undefined && getField(file, p.field) !== undefined;
  return fromFile ? `${fileName}: ${p.field}: ${p.message}` : `${FLAG_OF[p.field]}: ${p.message}`;
}

function report(result: GenerateResult, dir: string, io: GenerateIo): void {
  const shown = relative(io.cwd, dir) || '.';
  const width = Math.max(...result.machines.map((m) => m.name.length));
  io.stdout(`Wrote the ${result.spec.name} cluster (${result.spec.preset}, ${result.machines.length} machine${result.machines.length === 1 ? '' : 's'}) to ${shown}/\n`);
  for (const m of result.machines) {
    io.stdout(`  ${m.name.padEnd(width)}  ${m.role.padEnd(6)}  ${(m.address ?? 'DHCP').padEnd(15)}  ${m.name}.ign\n`);
  }
  io.stdout(`Boot order and how to boot each machine: ${shown}/SUMMARY.md\n`);
}

/** Exit 2 without a terminal: say which flags would have answered the wizard's questions. */
function noTerminal(): never {
  throw new UsageError('no terminal to ask questions in: give --preset (laptop, small, dev or production) or --answers FILE; run `flatcar-architect --help` for every flag');
}

export async function runGenerate(flags: GenerateFlags, io: GenerateIo, mode: { wizard?: boolean } = {}): Promise<number> {
  const file = readAnswers(flags.answers, io.cwd);
  let given = flagsToAnswers(flags, io.cwd);
  let out = flags.out;
  const wizard = mode.wizard || (flags.preset === undefined && flags.answers === undefined);
  if (wizard) {
    if (!io.interactive && !io.prompts) noTerminal();
    const asked = await askWizard(mergeAnswers(file, given), flags, io);
    if (asked === undefined) return EXIT.interrupted;
    given = asked.answers;
    out = asked.outDir;
  }
  let result: GenerateResult;
  try {
    result = generate(mergeAnswers(file, given));
  } catch (e) {
    if (e instanceof SpecError) {
      for (const p of e.problems) io.stderr(`flatcar-architect: ${describe(p, given, file, flags.answers)}\n`);
      return EXIT.usage;
    }
    if (e instanceof TemplateError || e instanceof GenerateError) {
      io.stderr(`flatcar-architect: ${e.message}\n`);
      return EXIT.failed;
    }
    throw e;
  }
  const dir = resolve(io.cwd, out ?? result.spec.name);
  try {
    checkOutputDir(dir, flags.force ?? false);
    writeOutputDir(dir, result.files, { force: flags.force });
  } catch (e) {
    if (e instanceof OutputExistsError) throw new UsageError(`--out: ${e.message}`);
    io.stderr(`flatcar-architect: cannot write ${dir}: ${(e as Error).message}\n`);
    return EXIT.failed;
  }
  for (const w of result.warnings) io.stderr(`warning: ${w}\n`);
  report(result, dir, io);
  if (wizard) nextSteps(result, dir, io);
  return EXIT.ok;
}

/** The wizard, loaded only when it runs. Returns undefined when the user cancels (Ctrl-C, Esc, menu). */
async function askWizard(given: Answers, flags: GenerateFlags, io: GenerateIo): Promise<{ answers: Answers; outDir: string } | undefined> {
  const { runWizard, terminalPrompts, WizardCancelled } = await import('../wizard/index.js');
  const prompts = io.prompts ?? (await terminalPrompts());
  try {
    return await runWizard(
      { given, answers: {}, prompts, print: io.stdout, home: io.home ?? homedir(), outGiven: flags.out !== undefined, outDir: flags.out },
      (io.color ?? false) && flags.color !== false,
    );
  } catch (e) {
    if (e instanceof WizardCancelled) {
      io.stderr('Cancelled: nothing was written.\n');
      return undefined;
    }
    throw e;
  }
}

const CHANNELS = ['stable', 'beta', 'alpha', 'lts'];

function nextSteps(result: GenerateResult, dir: string, io: GenerateIo): void {
  const shown = relative(io.cwd, dir) || '.';
  const first = result.plan.bootOrder[0]?.machines[0] ?? result.machines[0]!.name;
  io.stdout(
    [
      '',
      `Every answer is in ${shown}/cluster.yaml. To write the same files again without questions:`,
      `  flatcar-architect --answers ${shown}/cluster.yaml --out ${shown} --force`,
      '',
      'Next steps:',
      `  1. Read ${shown}/SUMMARY.md: boot order, addresses, and how to boot each machine.`,
      `  2. Install each machine with its own config, e.g. flatcar-install -d /dev/sda -C ${CHANNELS.includes(result.spec.updates.group) ? result.spec.updates.group : 'stable'} -i ${shown}/${first}.ign`,
      '  3. Boot the machines in the order SUMMARY.md gives.',
      '',
    ].join('\n'),
  );
}

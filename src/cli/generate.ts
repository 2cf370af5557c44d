/**
 * The default command: flags (and an answers file) -> answers -> generate -> write DIR -> print.
 * The only part of the generator that touches the terminal and the disk.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { generate, generateCluster, type GeneratedFile, type GenerateResult } from '../generate.js';
import { pkiDir } from '../pki/names.js';
import { SecretsError, type SecretsBundle } from '../pki/types.js';
import { resolveSpec } from '../answers/resolve.js';
import { readSshKeyArgument, SshKeyError } from '../answers/ssh-key.js';
import { flagsOverFile } from '../answers/flags-over-file.js';
import { mergeAnswers } from '../answers/merge.js';
import { SpecError, type Answers } from '../answers/types.js';
import { ANSWER_ENTRIES, type AnswerEntry, type AnswerFlags } from '../answers/definition.js';
import { hasEtcdPki } from '../architectures/index.js';
import {
  checkOutputDir,
  ForeignDirError,
  GENERATED_DIR_MODES,
  lockDir,
  OutputExistsError,
  OutputLockedError,
  overlaps,
  recoverDir,
  resolveOutputDir,
  StagedOutput,
  testPause,
  testPauseAsync,
} from '../write/output.js';
import type { Prompts } from '../wizard/prompts.js';
import { colors } from '../io/color.js';
import { CliError, EXIT, Stopped, UsageError } from './errors.js';
import { askToReplace, canAskToReplace } from './replace.js';
import { progressLine } from './progress.js';
import { checkScriptFlags, finishWithoutWriting, planMatchbox, type ScriptFlags } from './scripted.js';
import { printJsonReport, reportMatchbox } from './report.js';
import { locatedProblems, readAnswersForCli, readSnippets } from './input.js';
import { toWidth } from '../io/text.js';

/** The flags of the default command: the answers' (read off their definitions) and the others. */
export interface GenerateFlags extends ScriptFlags, AnswerFlags {
  out?: string;
  force?: boolean;
  /** --pki DIR: reuse the CA and certificates of DIR (a pki directory, or an output directory holding one). */
  pki?: string;
  /** --rotate-pki: a new CA and new certificates on purpose. */
  rotatePki?: boolean;
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
  /** Colour allowed on standard output (src/io/color.ts); --no-color turns it off too. */
  color?: boolean;
  /** The same for standard error (the warning labels). */
  colorStderr?: boolean;
  /** The wizard's questions (default: the terminal's). */
  prompts?: Prompts;
  home?: string;
  /** Standard input, for `--answers -` (default: file descriptor 0). */
  stdin?: () => string;
  /** Standard error is a terminal: long writes show a progress line there. */
  stderrTty?: boolean;
  /** Terminal widths of standard output and error (undefined: not a terminal; prose is not wrapped then). */
  columns?: number;
  stderrColumns?: number;
}

const list = (v: string | undefined): string[] | undefined => (v === undefined ? undefined : v.split(/[,\s]+/).filter((x) => x !== ''));

/** `--ssh-key FILE|KEY`: a key line as it is, else the key lines of a file, each checked (src/answers/ssh-key.ts). */
export function readSshKeys(values: string[] | undefined, cwd: string): string[] | undefined {
  if (!values?.length) return undefined;
  return values.flatMap((value) => {
    try {
      return readSshKeyArgument(value, cwd);
    } catch (e) {
      if (e instanceof SshKeyError) throw new UsageError(`--ssh-key: ${e.message}`, 'usage', 'ssh.keys');
      throw e;
    }
  });
}

/** The answer a flag's value gives, as the answer's definition says (src/answers/definition.ts). */
function flagValue({ def }: AnswerEntry, value: unknown, cwd: string): unknown {
  if (value === undefined) return undefined;
  const flag = def.flag;
  if (flag.read === 'false') return value === true ? false : undefined;
  if (flag.read === 'ssh-keys') return readSshKeys(value as string[], cwd);
  if (flag.read === 'path') return resolve(cwd, value as string);
  if (def.kind === 'list') return list(value as string);
  return value;
}

/** The answers the flags give (only those given; every section there, with the others undefined). */
export function flagsToAnswers(f: GenerateFlags, cwd: string): Answers {
  const answers: Record<string, unknown> = {};
  for (const entry of ANSWER_ENTRIES) {
    const keys = entry.field.split('.');
    let section = answers;
    for (const key of keys.slice(0, -1)) {
      section[key] ??= {};
      section = section[key] as Record<string, unknown>;
    }
    section[keys[keys.length - 1]!] = flagValue(entry, (f as Record<string, unknown>)[entry.attribute], cwd);
  }
  return answers as Answers;
}

/** `--pki DIR`: DIR itself when it holds ca.pem, else DIR/pki. */
function pkiSource(value: string, cwd: string): string {
  const dir = resolve(cwd, value);
  if (existsSync(join(dir, 'ca.pem'))) return dir;
  if (existsSync(pkiDir(dir)) && statSync(pkiDir(dir)).isDirectory()) return pkiDir(dir);
  throw new UsageError(`--pki: ${value} holds no PKI (neither ${value}/ca.pem nor ${value}/pki/)`);
}

/** The bundle to keep: --pki's, else (with --force) the one DIR has; none with --rotate-pki. */
async function existingPki(flags: GenerateFlags, dir: string, cwd: string): Promise<SecretsBundle | null> {
  if (flags.rotatePki) {
    if (flags.pki !== undefined) throw new UsageError('--rotate-pki makes a new CA and new certificates: leave out --pki');
    return null;
  }
  const from = flags.pki !== undefined ? pkiSource(flags.pki, cwd) : flags.force ? pkiDir(dir) : null;
  if (from === null) return null;
  try {
    const { loadBundle } = await import('../pki/store.js');
    const bundle = loadBundle(from);
    if (bundle === null && flags.pki !== undefined) throw new UsageError(`--pki: ${flags.pki} holds no PKI (no .pem files)`);
    return bundle;
  } catch (e) {
    if (!(e instanceof SecretsError)) throw e;
    const flag = flags.pki !== undefined ? '--pki' : '--out';
    const message = / \(rotate\)$/.test(e.message) ? e.message.replace(/ \(rotate\)$/, ' with --rotate-pki') : `${e.message} (or make a new PKI with --rotate-pki)`;
    throw new UsageError(`${flag}: the existing PKI cannot be used: ${message}`);
  }
}

function report(result: GenerateResult, dir: string, io: GenerateIo): void {
  const shown = relative(io.cwd, dir) || '.';
  const width = Math.max(...result.machines.map((m) => m.name.length));
  io.stdout(
    toWidth(`Wrote the ${result.spec.name} cluster (${result.spec.preset}, ${result.machines.length} machine${result.machines.length === 1 ? '' : 's'}) to ${shown}/`, io.columns) +
      '\n',
  );
  for (const m of result.machines) {
    io.stdout(`  ${m.name.padEnd(width)}  ${m.role.padEnd(6)}  ${(m.address ?? 'DHCP').padEnd(15)}  ${m.name}.ign\n`);
  }
  io.stdout(toWidth(`Boot order and how to boot each machine: ${shown}/SUMMARY.md`, io.columns) + '\n');
}

/** What happened to the PKI, in one or two lines. */
function reportPki(result: GenerateResult, dir: string, io: GenerateIo, flags: GenerateFlags): void {
  const pki = result.pki;
  if (!pki) return;
  const shown = relative(io.cwd, dir) || '.';
  const n = (k: number, what: string) => `${k} ${what}${k === 1 ? '' : 's'}`;
  if (pki.caCreated) {
    io.stdout(
      toWidth(
        `PKI: ${flags.rotatePki ? 'rotated: ' : ''}a new CA and ${n(pki.issued.length, 'certificate')} in ${shown}/pki/ (keep it private: ca-key.pem signs what the cluster trusts)` +
          (flags.rotatePki ? '; every machine needs its new config' : ''),
        io.columns,
      ) + '\n',
    );
  } else {
    io.stdout(
      toWidth(
        `PKI: kept the CA${flags.pki !== undefined ? ` of ${flags.pki}` : ''}; reused ${n(pki.reused.length, 'certificate')}, issued ${pki.issued.length}` +
          (pki.dropped.length ? `, dropped ${pki.dropped.length} no longer used` : '') +
          ` (${shown}/pki/)`,
        io.columns,
      ) + '\n',
    );
  }
  if (result.files.some((f) => f.name === 'docker-client/cert.pem')) {
    io.stdout(toWidth(`Docker client certificates: ${shown}/docker-client/ (DOCKER_CERT_PATH; see SUMMARY.md)`, io.columns) + '\n');
  }
}

/** A machine's file could not be written into the staging directory. */
class StreamWriteError extends Error {
  constructor(
    message: string,
    readonly path?: string,
  ) {
    super(message);
  }
}

/**
 * The staging directory of DIR, filled while machines are made, when this run writes DIR and nothing
 * else (--matchbox needs every machine's Ignition afterwards: those runs stage DIR after generating).
 */
function openStaged(dir: string, flags: GenerateFlags): StagedOutput | undefined {
  if (flags.dryRun || flags.stdout || flags.matchbox !== undefined) return undefined;
  try {
    return new StagedOutput(dir, { force: flags.force ?? false, dirModes: GENERATED_DIR_MODES, keepPki: true });
  } catch (e) {
    throw outputUsageError(e, '--out', 'out') ?? new StreamWriteError((e as Error).message);
  }
}

/** An output-directory refusal as a usage error (exit 2), or undefined for other errors. */
function outputUsageError(e: unknown, flag: string, field: string): UsageError | undefined {
  if (e instanceof OutputExistsError || e instanceof ForeignDirError) return new UsageError(`${flag}: ${e.message}`, 'output_exists', field);
  if (e instanceof OutputLockedError) return new UsageError(`${flag}: ${e.message}`, 'output_locked', field);
  return undefined;
}

/** Whether DIR holds machine configs (made with some CA). */
function hasConfigs(dir: string): boolean {
  try {
    return readdirSync(dir).some((f) => f.endsWith('.ign'));
  } catch {
    return false;
  }
}

/**
 * Takes the locks of DIR (and of the Matchbox directory) for the rest of the run, then cleans up after
 * interrupted runs (printing what it did). Returns the function that releases the locks.
 */
function lockOutputs(dir: string, matchboxDir: string | undefined, notes: string[]): () => void {
  const releases: (() => void)[] = [];
  const releaseAll = () => {
    for (const release of releases.splice(0).reverse()) release();
  };
  try {
    for (const [d, flag, field] of [[dir, '--out', 'out'], ...(matchboxDir ? [[matchboxDir, '--matchbox', 'matchbox']] : [])] as [string, string, string][]) {
      try {
        releases.push(lockDir(d));
        notes.push(...recoverDir(d));
      } catch (e) {
        throw outputUsageError(e, flag, field) ?? new StreamWriteError((e as Error).message, d);
      }
    }
  } catch (e) {
    releaseAll();
    throw e;
  }
  return releaseAll;
}

function streamTo(staged: StagedOutput, f: GeneratedFile, streamed: Set<string>): void {
  try {
    staged.add(f);
  } catch (e) {
    throw new StreamWriteError((e as Error).message);
  }
  streamed.add(f.name);
  if (streamed.size === 20) testPause('staging');
}

/** Exit 2 without a terminal: say which flags would have answered the wizard's questions. */
function noTerminal(): never {
  throw new UsageError('no terminal to ask questions in: give --preset (laptop, small, dev or production) or --answers FILE; run `flatcar-architect --help` for every flag');
}

export async function runGenerate(flags: GenerateFlags, io: GenerateIo, mode: { wizard?: boolean } = {}): Promise<number> {
  const source = readAnswersForCli(flags.answers, io.cwd, io.stdin ?? (() => readFileSync(0, 'utf8')));
  const file = source?.answers ?? {};
  let given = flagsToAnswers(flags, io.cwd);
  let out = flags.out;
  const wizard = mode.wizard || (flags.preset === undefined && flags.answers === undefined);
  checkScriptFlags(flags, wizard);
  if (flags.rotatePki && flags.pki !== undefined) throw new UsageError('--rotate-pki makes a new CA and new certificates: leave out --pki');
  if (wizard) {
    if (!io.interactive && !io.prompts) noTerminal();
    const asked = await askWizard(mergeAnswers(file, given), flags, io, (problems) => locatedProblems(problems, given, source));
    given = asked.answers;
    out = asked.outDir;
  }
  // Defaults a cluster.yaml holds give way to flags (src/answers/flags-over-file.ts); the wizard's answers are flags too.
  const answers = flagsOverFile(file, given, source?.resolvedFile ?? false);
  // --matchbox serves configs unauthenticated: keys stay out of them (--secrets ssh) unless the answers
  // say otherwise, or there are none to keep out (--insecure, the laptop).
  if (flags.matchbox !== undefined && answers.security?.secrets === undefined && hasEtcdPki(answers.preset, answers.security?.etcdTls)) {
    answers.security = { ...answers.security, secrets: 'ssh' };
  }
  let result: GenerateResult;
  let dir: string;
  // Writing a directory: machines go into its staging directory as they are made (never all in memory).
  const streamed = new Set<string>();
  // A non-empty DIR without --force: in a terminal, show what would change and ask (src/cli/replace.ts).
  let replacing = false;
  // Over half a second of rendering and certificates: a progress line on a terminal's stderr (src/cli/progress.ts).
  const progress = progressLine(io.stderr, Boolean(io.stderrTty) && !flags.json && !flags.stdout && !flags.dryRun);
  let unlock = () => {};
  // What recovery did before this run (interrupted runs' leftovers): printed, or in the --json report.
  const notes: string[] = [];
  try {
    return await generateLocked();
  } finally {
    unlock();
  }

  async function generateLocked(): Promise<number> {
    let staged: StagedOutput | undefined;
    let matchboxStaged: StagedOutput | undefined;
    try {
      dir = resolve(io.cwd, out ?? resolveSpec(answers).spec.name);
      const writing = !flags.stdout && !flags.dryRun;
      if (writing) {
        try {
          dir = resolveOutputDir(dir);
        } catch (e) {
          throw outputUsageError(e, '--out', 'out') ?? e;
        }
        let matchboxDir: string | undefined;
        try {
          if (flags.matchbox !== undefined) matchboxDir = resolveOutputDir(resolve(io.cwd, flags.matchbox));
        } catch (e) {
          throw outputUsageError(e, '--matchbox', 'matchbox') ?? e;
        }
        if (matchboxDir !== undefined && overlaps(dir, matchboxDir)) {
          throw new UsageError(
            `--matchbox: ${flags.matchbox} is the output directory, inside it or around it; writing one would destroy the other: give a separate directory`,
            'output_exists',
            'matchbox',
          );
        }
        unlock = lockOutputs(dir, matchboxDir, notes);
        // With --json they go into the report (nothing but the report on success).
        if (!flags.json) for (const note of notes) io.stderr(`flatcar-architect: note: ${note}\n`);
      }
      try {
        if (writing) checkOutputDir(dir, flags.force ?? false);
      } catch (e) {
        if (e instanceof OutputExistsError && canAskToReplace(dir, flags, io)) replacing = true;
        else throw outputUsageError(e, '--out', 'out') ?? e;
      }
      const snippets = readSnippets(source, flags, io.cwd);
      // A dry run renders the preview: the plan and configs without making keys.
      if (flags.dryRun) result = generate(answers, { outDir: dir, snippets });
      else {
        const existing = await existingPki(replacing ? { ...flags, force: true } : flags, dir, io.cwd);
        // Configs stream into the staging directory as they are made (not when asking to replace DIR).
        const sinkTo = replacing ? undefined : openStaged(dir, flags);
        staged = sinkTo;
        result = await generateCluster(answers, {
          existing,
          rotate: flags.rotatePki ?? false,
          outDir: dir,
          snippets,
          ...(sinkTo ? { sink: (f: GeneratedFile) => streamTo(sinkTo, f, streamed) } : {}),
          ...(progress.report ? { progress: progress.report } : {}),
        });
      }
      progress.done();
      if (writing && result.pki?.caCreated && !flags.rotatePki && hasConfigs(dir)) {
        throw new UsageError(
          `--out: ${relative(io.cwd, dir) || '.'} has machine configs but no pki/ with the CA they trust; restore its pki/ (or give --pki DIR with that CA), or make a new CA on purpose with --rotate-pki`,
          'pki_required',
          'pki',
        );
      }
    } catch (e) {
      progress.done();
      staged?.abort();
      if (e instanceof StreamWriteError) throw new CliError(`cannot write ${e.path ?? dir!}: ${e.message}`, 'write_failed');
      if (e instanceof SpecError) throw locatedProblems(e.problems, given, source);
      if (e instanceof SecretsError) throw new UsageError(e.message.replace(/ \(rotate\)$/, ' with --rotate-pki'));
      throw e;
    }
    const done = finishWithoutWriting(result, dir, flags, io);
    if (done !== undefined) return done;
    let matchbox: ReturnType<typeof planMatchbox>;
    try {
      matchbox = planMatchbox(result, flags, io.cwd);
      if (replacing) {
        const code = await askToReplace(dir, result.files, io, (io.color ?? false) && flags.color !== false);
        if (code !== undefined) return code;
      }
    } catch (e) {
      staged?.abort();
      throw e;
    }
    // Both trees are staged completely before either is committed; a Matchbox commit that fails puts
    // the old cluster directory back.
    let failedDir = dir;
    try {
      if (!staged) {
        try {
          staged = new StagedOutput(dir, { force: (flags.force ?? false) || replacing, dirModes: GENERATED_DIR_MODES, keepPki: true });
        } catch (e) {
          throw outputUsageError(e, '--out', 'out') ?? e;
        }
      }
      for (const f of result.files) if (!streamed.has(f.name)) staged.add(f);
      if (matchbox) {
        failedDir = matchbox.dir;
        try {
          matchboxStaged = new StagedOutput(matchbox.dir, { force: flags.force ?? false, kind: 'matchbox' });
        } catch (e) {
          throw outputUsageError(e, '--matchbox', 'matchbox') ?? e;
        }
        for (const f of matchbox.files) matchboxStaged.add(f);
        failedDir = dir;
      }
      // A signal that came while the work above ran synchronously is handled here, before the commit.
      await testPauseAsync('before-commit');
      // (Two turns of the event loop: one is not always enough for libuv to hand a pending signal over.)
      for (let i = 0; i < 2; i++) await new Promise((r) => setImmediate(r));
      staged.swap();
      if (matchboxStaged) {
        failedDir = matchbox!.dir;
        try {
          matchboxStaged.swap();
        } catch (e) {
          staged.rollback();
          throw e;
        }
      }
    } catch (e) {
      staged?.abort();
      matchboxStaged?.abort();
      if (e instanceof UsageError) throw e;
      throw new CliError(`cannot write ${failedDir}${failedDir === dir ? '' : ` (nothing was written, ${dir} neither)`}: ${(e as Error).message}`, 'write_failed');
    }
    staged.finish();
    matchboxStaged?.finish();
    const cleanup = [...staged.warnings, ...(matchboxStaged?.warnings ?? [])];
    if (!flags.json) for (const w of cleanup) io.stderr(toWidth(`warning: ${w}`, io.stderrColumns) + '\n');
    if (printJsonReport(result, dir, matchbox, flags, io, { previousPki: staged.keptPki, notes: [...notes, ...cleanup] })) return EXIT.ok;
    // The wizard's review showed every warning just before the user said "write": only the loud ones repeat.
    const c = colors((io.colorStderr ?? false) && flags.color !== false);
    for (const w of result.warnings) if (!wizard || w.loud) io.stderr(toWidth(`${w.loud ? c.bold(c.red('WARNING')) : c.yellow('warning')}: ${w.text}`, io.stderrColumns) + '\n');
    report(result, dir, io);
    reportPki(result, dir, io, flags);
    if (staged.keptPki)
      io.stdout(toWidth(`PKI: the previous pki/ is kept in ${relative(io.cwd, staged.keptPki)}/ (0700; remove it once no machine uses that CA)`, io.columns) + '\n');
    reportMatchbox(matchbox, flags, io);
    if (wizard) io.stdout((await import('../wizard/next-steps.js')).nextSteps(result, dir, io.cwd));
    return EXIT.ok;
  }
}

/**
 * The wizard, loaded only when it runs. Answers given up front are checked first (a bad one exits 2
 * at once). Nothing to be written throws Stopped: 130 for Ctrl-C, 1 for Cancel.
 */
async function askWizard(
  given: Answers,
  flags: GenerateFlags,
  io: GenerateIo,
  problems: (p: import('../answers/types.js').Problem[]) => Error,
): Promise<{ answers: Answers; outDir: string }> {
  const { runWizard, terminalPrompts, WizardCancelled, WizardQuit, precheckGiven, precheckOut } = await import('../wizard/index.js');
  const early = precheckGiven(given);
  if (early.length) throw problems(early);
  const badOut = precheckOut(flags.out, io.cwd);
  if (badOut) throw new UsageError(`--out: ${badOut}`, 'output_exists', 'out');
  const prompts = io.prompts ?? (await terminalPrompts());
  try {
    return await runWizard(
      { given, answers: {}, prompts, print: io.stdout, home: io.home ?? homedir(), cwd: io.cwd, outGiven: flags.out !== undefined, outDir: flags.out },
      (io.color ?? false) && flags.color !== false,
    );
  } catch (e) {
    if (e instanceof WizardCancelled) throw new Stopped(true);
    if (e instanceof WizardQuit) throw new Stopped(false);
    throw e;
  }
}

/**
 * The wizard's one state: the answers the person gave (only those they set: a value equal to what
 * would be derived anyway is not kept, so it keeps following its source), the answers given up
 * front (flags, an answers file), and which questions were already seen. Every question reads its
 * default from here and every check runs on it; the review is another view of the same state.
 */
import { accessSync, constants, existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { specToAnswers } from '../answers/answers-file.js';
import { mergeAnswers } from '../answers/merge.js';
import { loadPreset } from '../answers/presets.js';
import { PUBLIC_CHANNELS, resolveSpec } from '../answers/resolve.js';
import { wizardOf } from '../answers/definition.js';
import { FIELDS, FLAG_OF, getField, SpecError, type Answers, type Field, type Problem } from '../answers/types.js';
import { findArchitecture } from '../architectures/index.js';
import { plan as planCluster } from '../plan/index.js';
import type { Prompts } from './prompts.js';

export interface WizardContext {
  /** Answers given on the command line or in an answers file: their questions are not asked. */
  given: Answers;
  /** Answers the person set in the wizard (never a value that merely equals the derived one). */
  answers: Answers;
  /** Output directory when set (by --out or the person); otherwise it follows the cluster name. */
  outDir?: string;
  /** Whether --out was given. */
  readonly outGiven: boolean;
  readonly prompts: Prompts;
  /** Where the wizard writes its summary and notes. */
  readonly print: (text: string) => void;
  /** Home directory, where ~/.ssh/*.pub keys are offered from (and `~` in a typed path). */
  readonly home: string;
  /** Directory relative paths (output, key files) are resolved from (default: the process's). */
  readonly cwd?: string;
  /** Terminal width for the review (default: process.stdout.columns, else 80). */
  readonly columns?: number;
  /** Questions already seen (asked or given): cross-field checks wait until all their inputs are. */
  seen?: Set<string>;
  /** The review's lines last time it was shown, to mark what changed. */
  lastReview?: Map<string, string>;
  /** Print every machine in the review (a menu item sets it). */
  fullTable?: boolean;
}

const STATIC: Field[] = ['network.cidr', 'network.gateway', 'network.dns', 'network.firstAddress', 'network.interface'];

/**
 * The person's answers as the pipeline sees them, with the given ones on top. Answers that do not
 * apply to the current choices (static addresses while DHCP is chosen, sizes on a laptop) are kept
 * in the state, so that switching back brings them back, but left out here.
 */
export function view(ctx: WizardContext, answers: Answers = ctx.answers): Answers {
  let mine = answers;
  const preset = ctx.given.preset ?? mine.preset;
  const architecture = findArchitecture(preset);
  if (architecture?.sizeIsFixed) mine = withField(mine, 'size', undefined);
  if (architecture?.runsEtcd === false) {
    mine = withField(mine, 'etcd' as Field, undefined);
    if (mine.updates?.rebootStrategy === 'etcd-lock') mine = withField(mine, 'updates.rebootStrategy', undefined);
  }
  if (!architecture?.etcdSizeIsAnswer) mine = withField(mine, 'etcd.size', undefined);
  const presetDhcp = architecture ? loadPreset(architecture.name).defaults.network?.dhcp : undefined;
  const dhcp = ctx.given.network?.dhcp ?? mine.network?.dhcp ?? presetDhcp ?? false;
  if (dhcp) for (const f of STATIC) mine = withField(mine, f, undefined);
  else mine = withField(mine, 'etcd.discovery', undefined);
  // The wizard asks for an update server with a custom group only: back on a public channel, the
  // server answered for the custom group is kept (for switching back) but not used.
  const group = ctx.given.updates?.group ?? mine.updates?.group;
  if (ctx.given.updates?.server === undefined && (group === undefined || PUBLIC_CHANNELS.includes(String(group)))) mine = withField(mine, 'updates.server', undefined);
  return mergeAnswers(mine, ctx.given);
}

/** What the pipeline would get right now. */
export function currentAnswers(ctx: WizardContext): Answers {
  return view(ctx);
}

export function isGiven(ctx: WizardContext, field: Field): boolean {
  return getField(ctx.given, field) !== undefined;
}

export const seen = (ctx: WizardContext): Set<string> => (ctx.seen ??= new Set());

function withField(answers: Answers, field: Field, value: unknown): Answers {
  const [section, key] = field.split('.') as [string, string | undefined];
  const out = { ...(answers as Record<string, unknown>) };
  if (key === undefined) {
    if (value === undefined) delete out[section];
    else out[section] = value;
  } else {
    const inner = { ...((out[section] as Record<string, unknown> | undefined) ?? {}) };
    if (value === undefined) delete inner[key];
    else inner[key] = value;
    if (Object.keys(inner).length === 0) delete out[section];
    else out[section] = inner;
  }
  return out as Answers;
}

/** Every problem of these answers: the resolver's and the plan's (addresses that do not fit, MACs). */
export function problemsOf(answers: Answers): Problem[] {
  try {
    planCluster(resolveSpec(answers).spec);
    return [];
  } catch (e) {
    if (!(e instanceof SpecError)) throw e;
    return e.problems;
  }
}

/** The value a field would have without the person's own answer: the preset's or one derived from other answers. */
export function derivedValue(ctx: WizardContext, field: Field, answers: Answers = ctx.answers): unknown {
  const without = view(ctx, withField(answers, field, undefined));
  try {
    return getField(specToAnswers(resolveSpec(without).spec), field);
  } catch (e) {
    if (!(e instanceof SpecError)) throw e;
    return without.preset ? getField(loadPreset(without.preset).defaults, field) : undefined;
  }
}

const same = (a: unknown, b: unknown): boolean =>
  Array.isArray(a) || Array.isArray(b) ? JSON.stringify(a) === JSON.stringify(b) : a !== undefined && b !== undefined && String(a) === String(b);

/**
 * Sets one answer (a dotted field such as `network.gateway`). A new value equal to the derived one
 * is not kept as the person's own: it goes on following its source (the network, the size, the
 * preset). An answer of their own that they keep (Enter on it) stays theirs even when it happens to
 * equal the derived value now.
 */
export function setAnswer(ctx: WizardContext, field: Field, value: unknown): void {
  const own = getField(ctx.answers, field);
  const keep =
    value !== undefined &&
    ((own !== undefined && same(own, value)) ||
      (!same(value, derivedValue(ctx, field)) && !(Array.isArray(value) && value.length === 0 && derivedValue(ctx, field) === undefined)));
  ctx.answers = withField(ctx.answers, field, keep ? value : undefined);
  seen(ctx).add(field);
}

/** Forgets the person's answer to a field: it follows its source again. */
export function clearAnswer(ctx: WizardContext, field: Field): void {
  ctx.answers = withField(ctx.answers, field, undefined);
}

/** The value an answer has now: given, set, or else the one derived from the other answers. */
export function currentValue(ctx: WizardContext, field: Field): unknown {
  const explicit = getField(currentAnswers(ctx), field);
  return explicit !== undefined ? explicit : derivedValue(ctx, field);
}

/** How each answer is called in the wizard's messages (the flag path keeps flag names); from its definition. */
export const QUESTION_NAME: Partial<Record<Field, string>> = Object.fromEntries(
  FIELDS.flatMap((f) => {
    const question = wizardOf(f).question;
    return question === undefined ? [] : [[f, question]];
  }),
);

const escapeRe = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Flags in resolver messages and the wizard's words for them (from each answer's definition): the
 * patterns with what follows the flag first, then the flag alone (not a longer flag it begins).
 */
const WORDS: { field?: Field; flag: RegExp; words: string }[] = [
  ...FIELDS.flatMap((field) =>
    (wizardOf(field).words ?? []).map((w) =>
      typeof w === 'string'
        ? { field, flag: new RegExp(`${escapeRe(FLAG_OF[field])}(?![a-z0-9-])`, 'g'), words: w }
        : { field, flag: new RegExp(escapeRe(FLAG_OF[field]) + w[0], 'g'), words: w[1] },
    ),
  ),
  { flag: /--out(?![a-z0-9-])/g, words: 'the output directory' },
];

/**
 * A resolver message in the wizard's words: questions, not flags (flags given up front keep their
 * names). A flag with no words of its own is named by its question, or else by its key in an
 * answers file (the wizard does not ask it, cluster.yaml and --answers carry it).
 */
export function inWords(ctx: WizardContext, message: string): string {
  const fieldOf = (flag: string) => FIELDS.find((f) => FLAG_OF[f] === flag);
  let text = message;
  for (const { field, flag, words } of WORDS) {
    text = text.replace(flag, (...m: string[]) => (field && isGiven(ctx, field) ? m[0]! : words.replace('$1', m[1] ?? '')));
  }
  return text.replace(/(^|[\s("'])(--[a-z][a-z0-9-]*)/g, (all, before: string, flag: string) => {
    const f = fieldOf(flag);
    if (!f || isGiven(ctx, f)) return all;
    const question = QUESTION_NAME[f];
    return `${before}${question ? `the ${question.toLowerCase()} answer` : `${f} in an answers file`}`;
  });
}

/** Where a problem comes from and which question can fix it. */
export interface Conflict {
  /** The question to (re-)ask. */
  fixer: Field;
  /** Every answer involved; the check waits until all were seen. */
  inputs: Field[];
  /** The message in the wizard's words, naming the other answers involved. */
  message: string;
}

/** A question that exists in the wizard (others only come from flags or an answers file); from each answer's definition. */
export const ASKED: Field[] = FIELDS.filter((f) => wizardOf(f).asked);

const askable = (ctx: WizardContext, f: Field): boolean => ASKED.includes(f) && !isGiven(ctx, f);

/** Would these answers fit their machines into the network, with the first address derived rather than set? */
function fitsFromDerivedFirst(ctx: WizardContext, answers: Answers): boolean {
  const trial = view(ctx, withField(answers, 'network.firstAddress', undefined));
  return !problemsOf(trial).some((p) => p.code === 'addresses-do-not-fit');
}

/** A problem of the answers as a conflict: who can fix it, and what it involves. */
export function conflictOf(ctx: WizardContext, p: Problem, answers: Answers = ctx.answers): Conflict {
  const value = (f: Field) => {
    const v = getField(view(ctx, answers), f) ?? derivedValue(ctx, f, answers);
    return Array.isArray(v) ? v.join(', ') : String(v);
  };
  if (p.code === 'addresses-do-not-fit') {
    const inputs: Field[] = ['size', 'network.cidr', 'network.firstAddress'];
    const fixer: Field =
      askable(ctx, 'network.firstAddress') && fitsFromDerivedFirst(ctx, answers) ? 'network.firstAddress' : askable(ctx, 'network.cidr') ? 'network.cidr' : 'size';
    const others = inputs.filter((f) => f !== fixer).map((f) => `${QUESTION_NAME[f]}: ${value(f)}`);
    return { fixer, inputs, message: `${inWords(ctx, p.message)} (${others.join('; ')})` };
  }
  if (p.code === 'etcd-needs-workers') {
    const fixer: Field = askable(ctx, 'size') ? 'size' : 'etcd.size';
    const other: Field = fixer === 'size' ? 'etcd.size' : 'size';
    return { fixer, inputs: ['size', 'etcd.size'], message: `${inWords(ctx, p.message)} (${QUESTION_NAME[other]}: ${value(other)})` };
  }
  if (p.code === 'group-not-public') {
    // The custom group's question asks for the update server right after the group id.
    return { fixer: 'updates.group', inputs: ['updates.group', 'updates.server'], message: inWords(ctx, p.message) };
  }
  if (p.field === 'updates.server' && askable(ctx, 'updates.server')) {
    return { fixer: 'updates.group', inputs: ['updates.server'], message: inWords(ctx, p.message) };
  }
  if (p.code === 'first-address-taken') {
    return { fixer: 'network.firstAddress', inputs: ['network.gateway', 'network.dns', 'network.firstAddress'], message: inWords(ctx, p.message) };
  }
  if (!askable(ctx, p.field)) {
    // An answer given up front that the chosen architecture rejects, with no question of its own.
    return { fixer: ASKED.includes(p.field) ? p.field : 'preset', inputs: ['preset', p.field], message: `${FLAG_OF[p.field]}: ${p.message}` };
  }
  return { fixer: p.field, inputs: [p.field], message: inWords(ctx, p.message) };
}

/** The conflicts of these answers whose inputs were all seen (or given): the ones to settle now. */
export function dueConflicts(ctx: WizardContext, answers: Answers = ctx.answers): Conflict[] {
  const known = (f: Field) => seen(ctx).has(f) || isGiven(ctx, f) || !ASKED.includes(f);
  return problemsOf(view(ctx, answers))
    .map((p) => conflictOf(ctx, p, answers))
    .filter((c) => c.inputs.every(known) || (isGiven(ctx, c.fixer) && c.inputs.every((f) => f === c.fixer || known(f))));
}

/**
 * Checks one typed answer with exactly the rules the flags go through, plus the cross-field checks
 * this question can fix once their other inputs are known. Returns the reason, or undefined.
 */
export function problemWith(ctx: WizardContext, field: Field, value: unknown): string | undefined {
  const trial = withField(ctx.answers, field, value);
  const visible = new Set([...seen(ctx), field]);
  const known = (f: Field) => visible.has(f) || isGiven(ctx, f) || !ASKED.includes(f);
  for (const p of problemsOf(view(ctx, trial))) {
    const c = conflictOf(ctx, p, trial);
    // A custom group's update server is asked right after its id, in the same question.
    if (field === 'updates.group' && c.inputs.includes('updates.server') && askable(ctx, 'updates.server')) continue;
    if (p.field === field && c.inputs.length === 1) return c.message;
    if (c.fixer === field && c.inputs.every(known)) return c.message;
  }
  return undefined;
}

/** A validator for an input prompt: turns the typed text into the answer and checks it; `?` shows the help line. */
export function validator(ctx: WizardContext, field: Field, parse: (text: string) => unknown = (t) => t.trim(), help?: string) {
  return (text: string): true | string => {
    if (help && text.trim() === '?') return help;
    return problemWith(ctx, field, parse(text)) ?? true;
  };
}

/**
 * The default a question offers: the current answer when it still passes its checks, else the
 * derived one (the person's answer no longer fits what they changed elsewhere), so that Enter
 * always moves on.
 */
export function suggestion(ctx: WizardContext, field: Field, extra: unknown[] = []): unknown {
  const now = currentValue(ctx, field);
  for (const candidate of [now, derivedValue(ctx, field), ...extra]) {
    if (candidate !== undefined && problemWith(ctx, field, candidate) === undefined) return candidate;
  }
  return now;
}

/** The output directory now: the one set, else `./<cluster name>`. */
export function currentOutDir(ctx: WizardContext): string {
  return ctx.outDir ?? `./${String(currentValue(ctx, 'name') ?? 'cluster')}`;
}

/** What is wrong with an output directory (a file, not writable), or undefined; `exists` says whether it holds files. */
export function outputProblem(ctx: WizardContext, dir: string): string | undefined {
  if (dir.trim() === '') return 'give a directory';
  const path = resolve(ctx.cwd ?? process.cwd(), dir);
  if (existsSync(path)) {
    if (!statSync(path).isDirectory()) return `${dir} exists and is not a directory: choose another output directory`;
    try {
      accessSync(path, constants.W_OK);
    } catch {
      return `${dir} is not writable: choose another output directory`;
    }
    return undefined;
  }
  // The nearest existing parent must be a writable directory (the staging directory goes beside DIR).
  let parent = dirname(path);
  while (!existsSync(parent) && dirname(parent) !== parent) parent = dirname(parent);
  if (!statSync(parent).isDirectory()) return `${dir} is inside ${parent}, which is a file: choose another output directory`;
  try {
    accessSync(parent, constants.W_OK);
  } catch {
    return `cannot create ${dir}: ${parent} is not writable; choose another output directory`;
  }
  return undefined;
}

/** Whether the output directory exists and holds files (the review says so; writing then shows what changes). */
export function outputHoldsFiles(ctx: WizardContext, dir: string): boolean {
  const path = resolve(ctx.cwd ?? process.cwd(), dir);
  try {
    return statSync(path).isDirectory() && readdirSync(path).length > 0;
  } catch {
    return false;
  }
}

/**
 * The library entry: answers -> ClusterSpec -> plan -> Butane per machine -> Ignition, with
 * cluster.yaml, SUMMARY.md and the PKI's files, all in memory. Reads only the package's presets and
 * templates (or a `templates` directory); writes nothing.
 *
 * - `generateCluster(answers, { existing, rotate })` (async; it makes the keys) plans the
 *   cluster's PKI, reusing an existing bundle's CA and certificates where they still fit, then renders.
 * - `generate(answers, { secrets })` is the pure step: it renders with a given bundle. Without one, a
 *   cluster that needs TLS is a *preview*: its certificates and keys are PEM-shaped stand-ins
 *   (`PREVIEW ...`), which is deterministic (snapshots, the wizard's comparisons) but cannot work, so
 *   `preview` is set and such a result must never be written (writeGenerated refuses it).
 *
 * Files: `<machine>.bu` and `<machine>.ign` (0600 when they hold a private key, else 0644),
 * `cluster.yaml`, `SUMMARY.md`, and with a PKI `pki/...` (the bundle, CA key included: directories
 * 0700, keys 0600) and, for the laptop's Docker TLS, `docker-client/{ca,cert,key}.pem`.
 * The CA key goes into no file outside `pki/`: every other file is checked (mentionsCaKey), and a hit
 * fails generation.
 */
import { gunzipSync } from 'node:zlib';
import { decodeDataUrl, formatFinding, transpile, TranspileError } from './butane/index.js';
import { machineEntries, needsPki, plan as planCluster, secretsRequest, type Machine, type Plan } from './plan/index.js';
import { loadTemplates, machineRenderer, type TemplateSet } from './render/index.js';
import { formatSummary, type CertificateExpiry } from './render/summary.js';
import { topologySvg } from './render/topology.js';
// The PKI's issuing code (and its X.509 library) loads only when certificates are planned.
import { dockerClientFiles, machineSecrets, mentionsCaKey } from './pki/machine.js';
import { certificateExpiry } from './pki/expiry.js';
import { entryNames } from './pki/names.js';
import { SecretsError, type SecretsBundle } from './pki/types.js';
import { formatAnswersFile } from './answers/answers-file.js';
import { loadPreset } from './answers/presets.js';
import { resolveSpec, type DefaultValue } from './answers/resolve.js';
import { warning, type Warning } from './answers/warnings.js';
import type { Answers, ClusterSpec } from './answers/types.js';
import { customisationsOf, customisationsYaml, customiseButane, customisePlan, type Customisations } from './customise.js';
import { SnippetError, snippetsFor, type ParsedSnippet } from './snippets/index.js';

/** File modes of the output. */
export const PRIVATE_FILE_MODE = 0o600;
export const PUBLIC_FILE_MODE = 0o644;

export interface GenerateOptions {
  /** Templates to render with (default: the built-in ones, with `answers.templates` in their place). */
  templates?: TemplateSet;
  /** The cluster's PKI to render with. Without it, a cluster that needs TLS is a preview (see above). */
  secrets?: SecretsBundle | null;
  /** The output directory as SUMMARY.md names it (DOCKER_CERT_PATH); default `DIR`. */
  outDir?: string;
  /** Snippets to merge into the machines' Butane (default: the answers' `snippets:`, relative to the current directory). */
  snippets?: ParsedSnippet[];
  /**
   * Streaming, for large clusters: each machine's `.bu` and `.ign` go to `sink` as soon as they are
   * rendered (and checked), and are not kept: in the result they have empty contents (`butane`,
   * `ignition` and the files' `contents` are ''). The other files are in `files` as usual.
   */
  sink?: (file: GeneratedFile) => void;
  /** The time expiry warnings are measured from (default now); for tests. */
  now?: Date;
  /** Told as work is done (for a progress line): machines rendered, certificates issued. */
  progress?: (event: ProgressEvent) => void;
}

/** A step of a long write: `done` of `total` machines rendered or certificates issued. */
export interface ProgressEvent {
  stage: 'certificates' | 'machines';
  done: number;
  total: number;
}

export interface GenerateClusterOptions extends Omit<GenerateOptions, 'secrets' | 'now'> {
  /** The bundle of an earlier run (loadBundle(pkiDir(DIR))): its CA and fitting certificates are kept. */
  existing?: SecretsBundle | null;
  /** Make a new CA and new certificates even when the existing ones fit. */
  rotate?: boolean;
  /** The certificates' notBefore (default now); for tests. */
  now?: Date;
}

export interface GeneratedMachine extends Machine {
  /** The Butane document (YAML). */
  butane: string;
  /** The Ignition config (JSON). */
  ignition: string;
  /** The config holds private keys (its files are 0600). */
  holdsKeys: boolean;
}

export interface GeneratedFile {
  /** Path inside the output directory, `/`-separated (e.g. `pki/ca.pem`). */
  name: string;
  contents: string;
  mode: number;
}

/** What happened to the PKI (generateCluster only). */
export interface PkiOutcome {
  caCreated: boolean;
  issued: string[];
  reused: string[];
  dropped: string[];
}

export interface GenerateResult {
  spec: ClusterSpec;
  plan: Plan;
  machines: GeneratedMachine[];
  /** Every output file (see the header). */
  files: GeneratedFile[];
  /** Each with its code, its text and whether it is loud (src/answers/warnings.ts). */
  warnings: Warning[];
  /** Answers at their default value. */
  defaults: DefaultValue[];
  /** Rendered without the PKI it needs: stand-ins instead of certificates; never write it. */
  preview: boolean;
  /** Set by generateCluster when the cluster has a PKI. */
  pki: PkiOutcome | null;
  /** Each certificate of the PKI (the CA first, as `ca`) and its expiry; [] without one. */
  certificates: CertificateExpiry[];
}

/** Kept certificates that expire within this many days make a run warn (issue 15). */
export const EXPIRY_WARNING_DAYS = 90;

/** Every certificate of the bundle and when it expires (the CA first, then by name). */
export function certificateExpiries(bundle: SecretsBundle): CertificateExpiry[] {
  const expiry = certificateExpiry;
  return [
    { name: 'ca', expires: expiry(bundle.ca.certPem) },
    ...Object.keys(bundle.certs)
      .sort()
      .map((name) => ({ name, expires: expiry(bundle.certs[name]!.certPem) })),
  ];
}

/** The warning of a run that kept certificates expiring within EXPIRY_WARNING_DAYS of `now`, or null. */
export function expiryWarning(certs: readonly CertificateExpiry[], kept: readonly string[], now: Date, secrets: string): Warning | null {
  const horizon = now.getTime() + EXPIRY_WARNING_DAYS * 86_400_000;
  const soon = certs.filter((c) => kept.includes(c.name) && Date.parse(c.expires) <= horizon).sort((a, b) => a.expires.localeCompare(b.expires));
  if (!soon.length) return null;
  const what = soon.length === 1 ? `the certificate ${soon[0]!.name} expires` : `${soon.length} certificates expire, the first (${soon[0]!.name})`;
  const todo =
    secrets === 'ssh'
      ? 'renew now: generate again with --rotate-pki (or wait until they are within 30 days, when a run makes them anew), then run `flatcar-architect deliver DIR`'
      : 'renew now: generate again with --rotate-pki (or wait until they are within 30 days, when a run makes them anew) and give every affected machine its new config (re-provision; etcd members one at a time with `flatcar-architect replace`)';
  return warning(
    'certificates-expiring',
    `kept from the existing PKI, ${what} on ${soon[0]!.expires.slice(0, 10)}, within ${EXPIRY_WARNING_DAYS} days: ${todo}; see README "Renewing certificates"`,
  );
}

/** A rendered config that is not valid Butane (a template's fault), or a PKI that does not fit. */
export class GenerateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GenerateError';
  }
}

/**
 * A snippet on its own must be valid Butane (strict): a finding names the snippet's file and line,
 * `snippet_invalid`, instead of a line of a merged config nobody sees.
 */
function checkSnippetButane(s: ParsedSnippet): void {
  if (s.text === undefined) return;
  try {
    transpile(s.text, { strict: true });
  } catch (e) {
    if (!(e instanceof TranspileError)) throw e;
    const f = e.findings.find((x) => x.severity === 'error') ?? e.findings[0];
    const at = f?.pos ? `${s.label}:${f.pos.line}:${f.pos.col}` : s.label;
    throw new SnippetError('snippet_invalid', `snippet ${at} is not valid Butane: ${f ? formatFinding({ ...f, pos: undefined }) : e.message}`);
  }
}

function toIgnition(machine: Machine, butane: string, snippets: readonly ParsedSnippet[] = []): string {
  try {
    return transpile(butane, { strict: true, pretty: true }).ignition + '\n';
  } catch (e) {
    if (!(e instanceof TranspileError)) throw e;
    const findings = e.findings.map(formatFinding).join('; ');
    // Each snippet is valid on its own (checked when read): what fails now comes from merging them in.
    if (snippets.length) {
      throw new SnippetError(
        'snippet_invalid',
        `${machine.name}.bu with the snippets ${snippets.map((s) => s.label).join(', ')} merged in is not valid Butane (check the snippets): ${findings || e.summary}`,
      );
    }
    throw new GenerateError(`${machine.name}.bu is not valid Butane (check the templates): ${findings || e.summary}`);
  }
}

/** The texts an Ignition config writes to disk (file contents, decoded and gunzipped). */
function ignitionTexts(ignition: string): string[] {
  const config = JSON.parse(ignition) as { storage?: { files?: { contents?: { source?: string; compression?: string } }[] } };
  return (config.storage?.files ?? []).flatMap((f) => {
    const source = f.contents?.source;
    if (!source?.startsWith('data:')) return [];
    const bytes = decodeDataUrl(source);
    return [(f.contents?.compression === 'gzip' ? gunzipSync(bytes) : bytes).toString('utf8')];
  });
}

/** The bundle as files under `pki/`, in the layout of src/pki/store.ts (loadBundle reads it). */
function pkiFiles(bundle: SecretsBundle): GeneratedFile[] {
  const files: GeneratedFile[] = [
    { name: 'pki/ca.pem', contents: bundle.ca.certPem, mode: PUBLIC_FILE_MODE },
    { name: 'pki/ca-key.pem', contents: bundle.ca.keyPem, mode: PRIVATE_FILE_MODE },
  ];
  for (const name of Object.keys(bundle.certs).sort()) {
    const pair = bundle.certs[name]!;
    files.push({ name: `pki/${name}.pem`, contents: pair.certPem, mode: PUBLIC_FILE_MODE });
    files.push({ name: `pki/${name}-key.pem`, contents: pair.keyPem, mode: PRIVATE_FILE_MODE });
  }
  return files;
}

/** Fails loudly when the CA key is in any file outside pki/ (a last check; the types keep it out). */
function guardCaKey(bundle: SecretsBundle, files: GeneratedFile[]): void {
  for (const f of files) {
    if (f.name.startsWith('pki/')) continue;
    const texts = f.name.endsWith('.ign') ? [f.contents, ...ignitionTexts(f.contents)] : [f.contents];
    if (texts.some((t) => mentionsCaKey(bundle, t))) {
      throw new GenerateError(`the cluster CA's private key would go into ${f.name}; nothing was written (check the templates)`);
    }
  }
}

/** Answers planned: the resolved spec, the plan with pins and etcdMembership applied, the snippets. */
export interface PlannedAnswers {
  plan: Plan;
  custom: Customisations;
  warnings: Warning[];
  defaults: DefaultValue[];
}

/**
 * The one way from answers to a plan (generate, preview): resolve, plan, apply the customisations.
 * `snippets`: as for GenerateOptions. Throws SpecError (or SnippetError for a snippet's target).
 */
export function planAnswers(answers: Answers, snippets?: ParsedSnippet[]): PlannedAnswers {
  const { spec, warnings, defaults } = resolveSpec(answers);
  const custom = customisationsOf(answers, snippets);
  return { plan: customisePlan(planCluster(spec), custom), custom, warnings, defaults };
}

/** `cluster.yaml`: every answer of a planned cluster, so that `--answers cluster.yaml` plans it again. */
export function clusterYaml(planned: Pick<PlannedAnswers, 'plan' | 'custom'>): string {
  return formatAnswersFile(planned.plan.spec) + customisationsYaml(planned.custom);
}

function render(answers: Answers, options: GenerateOptions, pki: PkiOutcome | null): GenerateResult {
  const { plan, warnings, defaults, custom } = planAnswers(answers, options.snippets);
  return renderPlan(plan, warnings, defaults, options, pki, custom);
}

function renderPlan(plan: Plan, warnings: Warning[], defaults: DefaultValue[], options: GenerateOptions, pki: PkiOutcome | null, custom: Customisations): GenerateResult {
  const { spec } = plan;
  const bundle = options.secrets ?? null;
  const preview = bundle === null && needsPki(plan);
  const templates = options.templates ?? loadTemplates(spec.templates);
  custom.snippets.forEach(checkSnippetButane);
  const secretsOf = (m: Machine) => {
    const names = machineEntries(plan, m);
    if (!bundle || names.length === 0) return null;
    try {
      return machineSecrets(bundle, names);
    } catch (e) {
      if (e instanceof SecretsError) throw new GenerateError(`${m.name}: ${e.message}`);
      throw e;
    }
  };
  const renderOne = machineRenderer(plan, templates, secretsOf);
  const sink = options.sink;
  const machineFiles: GeneratedFile[] = [];
  const machines = plan.machines.map((machine, index): GeneratedMachine => {
    options.progress?.({ stage: 'machines', done: index, total: plan.machines.length });
    const butane = customiseButane(machine, renderOne(machine), custom);
    const holdsKeys = machineEntries(plan, machine).length > 0 && spec.security.secrets !== 'ssh';
    const ignition = toIgnition(machine, butane, snippetsFor(machine, custom.snippets));
    const mode = holdsKeys ? PRIVATE_FILE_MODE : PUBLIC_FILE_MODE;
    const own = [
      { name: `${machine.name}.bu`, contents: butane, mode },
      { name: `${machine.name}.ign`, contents: ignition, mode },
    ];
    if (!sink) {
      machineFiles.push(...own);
      return { ...machine, butane, ignition, holdsKeys };
    }
    // Streaming: checked and handed over now, kept only by name.
    if (bundle) guardCaKey(bundle, own);
    for (const f of own) sink(f);
    machineFiles.push(...own.map((f) => ({ ...f, contents: '' })));
    return { ...machine, butane: '', ignition: '', holdsKeys };
  });
  const dockerClient = bundle?.certs[entryNames.dockerClient] && spec.security.dockerTls;
  const certificates = bundle ? certificateExpiries(bundle) : [];
  if (pki && bundle) {
    const kept = [...pki.reused, ...(pki.caCreated ? [] : ['ca'])];
    const expiring = expiryWarning(certificates, kept, options.now ?? new Date(), spec.security.secrets);
    if (expiring) warnings = [...warnings, expiring];
  }
  const files: GeneratedFile[] = [
    ...machineFiles,
    { name: 'cluster.yaml', contents: clusterYaml({ plan, custom }), mode: PUBLIC_FILE_MODE },
    {
      name: 'SUMMARY.md',
      contents: formatSummary(plan, loadPreset(spec.preset).description, warnings, defaults, { outDir: options.outDir ?? 'DIR', certificates }),
      mode: PUBLIC_FILE_MODE,
    },
    { name: 'topology.svg', contents: topologySvg(plan), mode: PUBLIC_FILE_MODE },
    ...(dockerClient ? dockerClientFiles(bundle).map((f) => ({ name: `docker-client/${f.name}`, contents: f.contents, mode: f.mode })) : []),
    ...(bundle ? pkiFiles(bundle) : []),
  ];
  if (bundle) guardCaKey(bundle, sink ? files.slice(machineFiles.length) : files);
  return { spec, plan, machines, files, warnings, defaults, preview, pki, certificates };
}

/**
 * The pure step: renders with `options.secrets` (a bundle holding every certificate the plan needs);
 * without it, a cluster that needs TLS comes out as a preview.
 */
export function generate(answers: Answers, options: GenerateOptions = {}): GenerateResult {
  return render(answers, options, null);
}

/**
 * Plans the PKI (new, or the `existing` bundle's CA and fitting certificates; `rotate` for new ones),
 * then renders with it. The result is never a preview. Throws SpecError, SecretsError (an existing
 * bundle that cannot be used), TemplateError or GenerateError.
 */
export async function generateCluster(answers: Answers, options: GenerateClusterOptions = {}): Promise<GenerateResult> {
  const { plan, warnings, defaults, custom } = planAnswers(answers, options.snippets);
  const { existing, rotate, now, ...rest } = options;
  const keep = existing && !rotate;
  if (!needsPki(plan) && !keep) return renderPlan(plan, warnings, defaults, { ...rest, secrets: null }, null, custom);
  // With an existing bundle and nothing to secure (--insecure), the CA is kept for a later secure run.
  const { planSecrets } = await import('./pki/plan.js');
  const planned = await planSecrets(
    secretsRequest(plan, { ...(rotate ? { rotate } : {}), ...(now ? { now } : {}) }),
    existing ?? null,
    rest.progress && ((done, total) => rest.progress!({ stage: 'certificates', done, total })),
  );
  const { bundle, ...outcome } = planned;
  return renderPlan(plan, warnings, defaults, { ...rest, secrets: bundle, ...(now ? { now } : {}) }, outcome, custom);
}

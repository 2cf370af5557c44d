/** flatcar-architect as a library: generate a cluster's configs in memory, or transpile Butane. */
/**
 * `generate(answers)`: the cluster's configs in memory, with real certificates (a new CA, or the
 * `existing` bundle's). `previewCluster(answers)`: the same synchronously, with placeholder text
 * where certificates and keys go (for previews and dry runs; never boot those configs).
 */
export { generateCluster as generate, generateCluster, generate as previewCluster, GenerateError, certificateExpiries } from './generate.js';
// Reusing a PKI (`generate(answers, { existing: loadBundle(pkiDir(DIR)) })`): same answers and bundle, same configs.
export { loadBundle, saveBundle, pkiDir } from './pki/store.js';
export { SecretsError } from './pki/types.js';
export type { SecretsBundle, CaPair, LeafPair } from './pki/types.js';
export type { CertificateExpiry } from './render/summary.js';
export type { GenerateOptions, GenerateClusterOptions, GenerateResult, GeneratedFile, GeneratedMachine, PkiOutcome } from './generate.js';
export { resolveSpec, type DefaultValue, type ResolvedSpec } from './answers/resolve.js';
export { WARNING_CODES, type Warning, type WarningCode } from './answers/warnings.js';
export { SpecError, PRESETS, REBOOT_STRATEGIES } from './answers/types.js';
export type { Answers, ClusterSpec, Field, PresetName, Problem, RebootStrategy, StaticNetwork, DhcpNetwork } from './answers/types.js';
export { formatAnswersFile, parseAnswersFile, specToAnswers } from './answers/answers-file.js';
export { plan } from './plan/index.js';
export type { Plan, Machine, Role, EtcdTopology, EtcdMember, BootStep } from './plan/index.js';
export { loadTemplates, TemplateError, type TemplateSet, type TemplateSource } from './render/index.js';
export { writeOutputDir, writeGenerated, OutputExistsError, ForeignDirError, OutputLockedError } from './write/output.js';
export { transpile, TranspileError } from './butane/index.js';
export type { TranspileOptions, TranspileResult } from './butane/index.js';
// Scripted provisioning (issue 7): answers files with positions and their schema, pins, snippets, Matchbox.
export { readAnswersText, AnswersError, formatProblem, type AnswersSource, type AnswersProblem, type Position } from './answers/answers-source.js';
export { answersSchema, answersSchemaText, ANSWERS_DEFINITION } from './answers/definition.js';
export { pinMachines, type MachinePin } from './plan/pins.js';
export { parseSnippet, mergeSnippets, loadSnippets, SnippetError, type ParsedSnippet, type SnippetRef } from './snippets/index.js';
export { matchboxTree, writeMatchboxDir, MatchboxError, type MatchboxFile, type MatchboxMachine, type MatchboxOptions } from './matchbox/index.js';
// Day 2 (issue 15): a failed machine's replacement config and the steps (rehearse can drive these).
export { replaceMachine, replaceSteps, type ReplaceOutcome } from './scale/replace.js';

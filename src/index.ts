/** flatcar-architect as a library: generate a cluster's configs in memory, or transpile Butane. */
export { generate, GenerateError } from './generate.js';
export type { GenerateOptions, GenerateResult, GeneratedFile, GeneratedMachine } from './generate.js';
export { resolveSpec, type DefaultValue, type ResolvedSpec } from './spec/resolve.js';
export { SpecError, PRESETS, REBOOT_STRATEGIES } from './spec/types.js';
export type { Answers, ClusterSpec, Field, PresetName, Problem, RebootStrategy, StaticNetwork, DhcpNetwork } from './spec/types.js';
export { formatAnswersFile, parseAnswersFile, specToAnswers, AnswersFileError } from './spec/answers-file.js';
export { plan } from './plan/index.js';
export type { Plan, Machine, Role, EtcdTopology, EtcdMember, BootStep } from './plan/index.js';
export { loadTemplates, TemplateError, type TemplateSet, type TemplateSource } from './render/index.js';
export { writeOutputDir, OutputExistsError } from './write/output.js';
export { transpile, TranspileError } from './butane/index.js';
export type { TranspileOptions, TranspileResult } from './butane/index.js';

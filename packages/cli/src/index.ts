// @quantlab/cli as a library: what the `quantlab` command runs, for scripts and the benchmark.
// This file only re-exports.

export type { CommandSpec, FlagSpec, ParsedArgs } from "./args.js";
export { editDistance, helpText, parseArgs, suggest, UsageError } from "./args.js";
export type { CompareReport, CompareSettings, OutputAgreement } from "./compare.js";
export { agreement, COMPARE, compareModels, compareSettings } from "./compare.js";
export { CliError } from "./errors.js";
export type { Sample } from "./inputs.js";
export { parseInputs, randomInputs, readInputFolder, readInputs } from "./inputs.js";
export type { InspectReport, TensorReport } from "./inspect.js";
export { INSPECT, inspectModel, inspectText, schemeText } from "./inspect.js";
export type { Io, OutputStream, Progress } from "./io.js";
export { progress } from "./io.js";
export type { GgufTensorCodes, GgufTensorJob, JobKind } from "./jobs.js";
export { JOBS, quantizeGgufTensor } from "./jobs.js";
export { main, mainHelp, version } from "./main.js";
export type { LoadedModel } from "./model-file.js";
export { loadModel } from "./model-file.js";
export type { RunJobsOptions } from "./pool.js";
export { defaultThreads, MAX_THREADS, runJobs } from "./pool.js";
export type {
  KeptTensorRow,
  QuantizedTensorRow,
  QuantizeHooks,
  QuantizeResult,
  QuantizeSettings,
} from "./quantize.js";
export { FORMATS, METHODS, QUANTIZE, quantizeModel, quantizeSettings } from "./quantize.js";
export type { TensorStats } from "./stats.js";
export { OUTLIER_SIGMAS, tensorStats } from "./stats.js";

// "@quantlab/core/validate": the error template every quantlab package uses, so that a message
// from @quantlab/plot reads like one from the core, and the readers that core's public functions
// use for options, semantics and quantization parameters, so that a package built on core checks
// them by core's rules under its own function's name.
export { describe, rangeError, typeError, withArticle } from "./errors.js";
export { checkBoolean, checkInteger, checkKeys, checkOptions } from "./options.js";
export type { ResolvedParams } from "./params.js";
export { checkSemantics, resolveParams } from "./params.js";

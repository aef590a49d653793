// "@quantlab/core/validate": the error template every quantlab package uses, so that a message
// from @quantlab/plot reads like one from the core.
export { describe, rangeError, typeError, withArticle } from "./errors.js";

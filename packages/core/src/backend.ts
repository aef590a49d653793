/**
 * The kernels that a public function's `options.backend` and `options.threads` ask for: checked
 * here (the public functions' layer), picked by `kernels/select.ts`.
 */
import { kernelsFor } from "./kernels/select.js";
import type { Kernels } from "./kernels/types.js";
import { checkBackend, checkThreads } from "./validate/params.js";

/** The kernels that a public function's `options.backend` and `options.threads` ask for, checked. */
export function kernelsForOptions(
  fn: string,
  options: { readonly backend?: unknown; readonly threads?: unknown } | undefined,
): Kernels {
  return kernelsFor(fn, checkBackend(fn, options?.backend), checkThreads(fn, options?.threads));
}

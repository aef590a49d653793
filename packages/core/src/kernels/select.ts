/**
 * Which kernels run: the WebAssembly SIMD fast path where it loads, the plain TypeScript reference
 * elsewhere or when asked. Both give identical bits (the tests run every public function on each).
 */
import type { Backend, Threads } from "../validate/params.js";
import { loadFastKernels } from "./fast/load.js";
import { referenceKernels } from "./reference.js";
import type { Kernels } from "./types.js";

/**
 * The kernels for a checked `backend` (see `checkBackend`) and `threads` setting (`checkThreads`;
 * the reference kernels run on one thread).
 * @throws {Error} for `"fast"` where WebAssembly SIMD does not load.
 */
export function kernelsFor(fn: string, backend: Backend, threads: Threads = "auto"): Kernels {
  if (backend === "reference") return referenceKernels;
  const fast = loadFastKernels();
  if (fast !== undefined) return threads === "auto" ? fast : fast.withThreads(threads);
  if (backend === "fast") {
    throw new Error(
      `${fn}(): backend "fast" needs WebAssembly with SIMD, which this runtime lacks; use "auto" or "reference".`,
    );
  }
  return referenceKernels;
}

/**
 * The backend `"auto"` picks in this runtime: `"fast"` where WebAssembly SIMD loads.
 * @example
 * activeBackend()
 * // => "fast"
 */
export function activeBackend(): "fast" | "reference" {
  return kernelsFor("activeBackend", "auto").name;
}

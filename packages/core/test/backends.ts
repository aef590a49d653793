/**
 * Every public-API suite runs on both backends, as tfjs runs each op suite on every backend:
 * `forEachBackend((api) => { ... })` runs the suite once per backend, with the public functions
 * in `api` bound to it (an explicit `backend` option in a call still wins).
 */
import { describe } from "vitest";
import * as core from "../src/index.js";
import { loadFastKernels } from "../src/kernels/fast/load.js";

export const BACKENDS_UNDER_TEST = ["fast", "reference"] as const;
export type BackendUnderTest = (typeof BACKENDS_UNDER_TEST)[number];

if (loadFastKernels() === undefined) {
  throw new Error(
    "the tests need WebAssembly SIMD (Node >= 16.4 has it): the fast backend is missing",
  );
}

type Options<F extends (...args: never[]) => unknown> =
  Parameters<F> extends [...unknown[], infer O] ? NonNullable<O> : never;

/** The public functions that take `{ backend }`, bound to one backend. */
export function bound(backend: BackendUnderTest) {
  const o = <T extends object | undefined>(options: T) => ({ backend, ...options });
  return {
    backend,
    quantize: (x: core.TensorLike, p: core.QuantParams, options?: core.QuantizeOptions) =>
      core.quantize(x, p, o(options)),
    dequantize: (
      q: core.QuantizedTensor | core.TensorLike,
      p?: core.QuantParams,
      options?: core.DequantizeOptions,
    ) => core.dequantize(q, p, o(options)),
    fakeQuantize: (x: core.TensorLike, p: core.QuantParams, options?: core.CodecOptions) =>
      core.fakeQuantize(x, p, o(options)),
    quantizePacked: (
      x: core.TensorLike,
      p: core.QuantParams,
      options?: core.QuantizePackedOptions,
    ) => core.quantizePacked(x, p, o(options)),
    dequantizePacked: (packed: core.PackedTensor, options?: core.CodecOptions) =>
      core.dequantizePacked(packed, o(options)),
    encodeFloat: <D extends core.FloatDType>(
      dtype: D,
      values: readonly number[] | Float32Array | Float64Array,
      options?: core.EncodeFloatOptions,
    ) => core.encodeFloat(dtype, values, o(options)),
    decodeFloat: (
      dtype: core.FloatDType,
      bits: ArrayLike<number>,
      options?: { backend?: core.Backend; out?: Float32Array },
    ) => core.decodeFloat(dtype, bits, o(options)),
  };
}

/** Runs `suite` once per backend, inside a describe named after it. */
export function forEachBackend(suite: (api: ReturnType<typeof bound>) => void): void {
  for (const backend of BACKENDS_UNDER_TEST)
    describe(`backend ${backend}`, () => suite(bound(backend)));
}

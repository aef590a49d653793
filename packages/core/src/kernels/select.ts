/**
 * Which kernels run: the WebAssembly SIMD fast path where it loads, the plain TypeScript reference
 * elsewhere or when asked. Both give identical bits (the conformance suite runs on each).
 */
import { typeError } from "../validate/errors.js";
import { loadFastKernels } from "./fast/index.js";
import * as reference from "./reference.js";

/** `"auto"` (default): fast where WebAssembly SIMD loads, else reference. `"fast"` insists on it. */
export type Backend = "auto" | "fast" | "reference";

export const BACKENDS: readonly Backend[] = ["auto", "fast", "reference"];

/** The kernels a public function calls, whichever backend provides them. */
export interface Kernels {
  readonly name: "fast" | "reference";
  readonly quantizeOnnxTensor: typeof reference.quantizeOnnxTensor;
  readonly quantizePytorchTensor: typeof reference.quantizePytorchTensor;
  readonly dequantizeOnnxTensor: typeof reference.dequantizeOnnxTensor;
  readonly dequantizePytorchTensor: typeof reference.dequantizePytorchTensor;
  readonly quantizeLayout: typeof reference.quantizeLayout;
  readonly dequantizeLayout: typeof reference.dequantizeLayout;
  fakeQuantizeTensor(
    pytorch: boolean,
    x: Float32Array,
    scale: number,
    zeroPoint: number,
    qmin: number,
    qmax: number,
    out: Float32Array,
  ): number;
  /** int4/uint4 codes packed two per byte (the first in the low nibble), in one pass. */
  readonly quantizeInt4Packed: (
    pytorch: boolean,
    x: Float32Array,
    scale: number,
    zeroPoint: number,
    qmin: number,
    qmax: number,
    out: Uint8Array,
  ) => number;
  /** float16 and bfloat16 only; undefined where the backend has no array codec (reference). */
  readonly encodeHalf?: (dtype: "float16" | "bfloat16", x: Float32Array, out: Uint16Array) => void;
  readonly decodeHalf?: (
    dtype: "float16" | "bfloat16",
    bits: Uint16Array,
    out: Float32Array,
  ) => void;
}

/** The reference backend: every member of {@link Kernels}, no more (test/kernels.test.ts). */
export const REFERENCE: Kernels = {
  name: "reference",
  quantizeOnnxTensor: reference.quantizeOnnxTensor,
  quantizePytorchTensor: reference.quantizePytorchTensor,
  dequantizeOnnxTensor: reference.dequantizeOnnxTensor,
  dequantizePytorchTensor: reference.dequantizePytorchTensor,
  quantizeLayout: reference.quantizeLayout,
  dequantizeLayout: reference.dequantizeLayout,
  fakeQuantizeTensor: (pytorch, x, scale, zeroPoint, qmin, qmax, out) =>
    (pytorch ? reference.fakeQuantizePytorchTensor : reference.fakeQuantizeOnnxTensor)(
      x,
      scale,
      zeroPoint,
      qmin,
      qmax,
      out,
    ),
  quantizeInt4Packed: (pytorch, x, scale, zeroPoint, qmin, qmax, out) =>
    (pytorch ? reference.quantizeInt4PackedPytorch : reference.quantizeInt4PackedOnnx)(
      x,
      scale,
      zeroPoint,
      qmin,
      qmax,
      out,
    ),
};

let fast: Kernels | null | undefined;

/** The fast backend's kernels, or undefined where WebAssembly SIMD does not load. */
export function fastKernels(): Kernels | undefined {
  if (fast === undefined) {
    const k = loadFastKernels();
    fast =
      k === undefined
        ? null
        : {
            name: "fast",
            quantizeOnnxTensor: k.quantizeOnnxTensor,
            quantizePytorchTensor: k.quantizePytorchTensor,
            dequantizeOnnxTensor: k.dequantizeOnnxTensor,
            dequantizePytorchTensor: k.dequantizePytorchTensor,
            quantizeLayout: k.quantizeLayout,
            dequantizeLayout: k.dequantizeLayout,
            fakeQuantizeTensor: (pytorch, x, scale, zeroPoint, qmin, qmax, out) =>
              k.fakeQuantizeTensor(
                x,
                scale,
                zeroPoint,
                qmin,
                qmax,
                out,
                pytorch,
              ) as unknown as number,
            quantizeInt4Packed: (pytorch, x, scale, zeroPoint, qmin, qmax, out) =>
              k.quantizeInt4PackedTensor(x, scale, zeroPoint, qmin, qmax, out, pytorch),
            encodeHalf: (dtype, x, out) =>
              dtype === "float16" ? k.encodeFloat16(x, out) : k.encodeBfloat16(x, out),
            decodeHalf: (dtype, bits, out) =>
              dtype === "float16" ? k.decodeFloat16(bits, out) : k.decodeBfloat16(bits, out),
          };
  }
  return fast ?? undefined;
}

/**
 * The kernels for `backend`.
 * @throws {TypeError} for an unknown backend.
 * @throws {Error} for `"fast"` where WebAssembly SIMD does not load.
 */
export function kernelsFor(fn: string, backend: unknown): Kernels {
  if (backend === undefined || backend === "auto") return fastKernels() ?? REFERENCE;
  if (backend === "reference") return REFERENCE;
  if (backend === "fast") {
    const k = fastKernels();
    if (k === undefined) {
      throw new Error(
        `${fn}(): backend "fast" needs WebAssembly with SIMD, which this runtime lacks; use "auto" or "reference".`,
      );
    }
    return k;
  }
  throw typeError(
    fn,
    "options.backend",
    `one of ${BACKENDS.map((b) => `"${b}"`).join(", ")}`,
    backend,
  );
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

import { kernelsForOptions } from "../backend.js";
import {
  FLOAT_FORMATS,
  type FloatFormat,
  type FloatPrecision,
  type IntegerArray,
  QUANT_DTYPES,
  type QuantDType,
  type Semantics,
} from "../dtypes/table.js";
import { decodeScaled, encodeQuotients, quotients, roundAll, roundTo } from "../kernels/linear.js";
import type { Kernels } from "../kernels/types.js";
import type { Tensor, TensorLike } from "../tensor.js";
import { checkDType } from "../validate/dtype.js";
import { checkNoNaN, rangeError, typeError } from "../validate/errors.js";
import { checkBoolean, checkKeys, checkOptions } from "../validate/options.js";
import { outputArray } from "../validate/output.js";
import {
  type Backend,
  checkPrecision,
  checkSemantics,
  QUANTIZED_TENSOR_KEYS,
  type QuantParams,
  type ResolvedFloatParams,
  type ResolvedParams,
  resolveQuantParams,
  type Threads,
} from "../validate/params.js";
import { type CodeRange, toFloat32, toIntegers } from "../validate/tensor.js";

/** What every quantize-family function takes: the semantics, a flat input's shape, the backend. */
export interface CodecOptions {
  /** `"onnx"` (QuantizeLinear, the default) or `"pytorch"` (quantize_per_tensor / _per_channel). */
  readonly semantics?: Semantics;
  /** The shape of a flat typed-array input; defaults to 1-D. */
  readonly shape?: readonly number[];
  /** `"auto"` (default): the WebAssembly SIMD kernels where they load; identical bits either way. */
  readonly backend?: Backend;
  /**
   * Threads for one call on the fast kernels (per-tensor parameters): `"auto"` (default) splits a
   * tensor of 2^18 values or more whose input or output is in the kernels' memory (`allocate`)
   * across all cores where worker threads exist (`threadSupport()`); a number asks for that many
   * (1: none; ordinary arrays are then staged into that memory for the workers). The bits are the
   * same on any number of threads.
   */
  readonly threads?: Threads;
}

/** Options of {@link quantize}. */
export interface QuantizeOptions extends CodecOptions {
  /**
   * Where to write the codes: the dtype's typed array with one element per input value. Reusing
   * one output across calls spares the allocation (and its page faults) on large tensors.
   */
  readonly out?: IntegerArray;
  /**
   * float8 dtypes only, default true (ONNX's `saturate`): quotients past the largest finite value,
   * infinities included, become ±maxFinite; false: NaN (e4m3fn, the fnuz formats) or ±Infinity
   * (e5m2). float6 and float4 always saturate.
   */
  readonly saturate?: boolean;
  /**
   * The float format of the division `x / s` (ONNX QuantizeLinear's `precision`, by default the
   * scale's type): `"float32"` (default), `"float16"` or `"bfloat16"`, where x, s and the quotient
   * are each rounded to it. `"onnx"` semantics only.
   */
  readonly precision?: FloatPrecision;
}

/** Options of {@link dequantize}. */
export interface DequantizeOptions extends CodecOptions {
  /** Where to write the values: a Float32Array with one element per code. */
  readonly out?: Float32Array;
  /**
   * The output's float format (ONNX DequantizeLinear's `output_dtype`, by default the scale's
   * type): `"float32"` (default), `"float16"` or `"bfloat16"`. The float32 result is rounded to it
   * (nearest, ties to even, ±Infinity past its range), and returned as float32 values, which
   * `encodeFloat(precision, y.data)` turns into its codes exactly. `"onnx"` semantics only.
   */
  readonly precision?: FloatPrecision;
}

/** Codes (of an integer format, or of a float format of QUANT_FLOAT_DTYPES) with everything needed to read them back. */
export interface QuantizedTensor extends Tensor<IntegerArray> {
  readonly dtype: QuantDType;
  /** A number per tensor; a Float32Array per axis or per block (shape `paramShape`). */
  readonly scale: number | Float32Array;
  readonly zeroPoint: number | Int32Array;
  readonly axis?: number;
  readonly blockSize?: number;
  readonly semantics: Semantics;
}

export function paramsOf(
  resolved: ResolvedParams | ResolvedFloatParams,
): Pick<QuantizedTensor, "scale" | "zeroPoint" | "axis" | "blockSize"> {
  if (resolved.layout === undefined) {
    return { scale: resolved.scales[0] as number, zeroPoint: resolved.zeroPoints[0] as number };
  }
  const out = { scale: resolved.scales, zeroPoint: resolved.zeroPoints, axis: resolved.axis };
  return resolved.blockSize === undefined ? out : { ...out, blockSize: resolved.blockSize };
}

/**
 * Quantizes a float tensor to integer codes, or to the codes of a float8, float6 or float4 format.
 *
 * - `"onnx"` (default, QuantizeLinear): `q = saturate(rint(x / s) + zp)`, the quotient in float32.
 * - `"pytorch"` (ATen quantize_val): `q = saturate(zp + nearbyint(x * fround(1 / s)))`, in float32.
 * - a float dtype (`"onnx"` only, QuantizeLinear opset 19+): `q = cast(x / s)`, the quotient in
 *   float32 cast to the format (nearest, ties to even; see `saturate`); float6 and float4 add the
 *   zero point's value first (`cast(x / s + zp)`, as ONNX's reference does, so -0 becomes +0 with
 *   a +0 zero point). The zero point must be the code of a zero. NaN gives the format's NaN code.
 * - `precision: "float16"` or `"bfloat16"`: x and s are rounded to that format, and the quotient
 *   too, before the rest.
 *
 * Rounding is to nearest, ties to even. Inputs are read as float32 (float64 values are rounded to
 * float32 first). ±Infinity saturates to the dtype's bounds; an empty tensor gives an empty result.
 *
 * @throws {TypeError} for a value that is not a tensor, an unknown dtype or semantics.
 * @throws {RangeError} for NaN in `x` where the dtype has no NaN code, a scale that is not a finite
 *   float32 (or float16 / bfloat16 with `precision`) > 0, a zero point outside the dtype (not a
 *   zero for a float dtype), an axis outside the input's rank, parameters that do not match the
 *   input's shape, `saturate` for a dtype other than float8, or a float dtype with "pytorch".
 * @example
 * quantize([-10, -5, 0, 5, 10], { dtype: "int8", scale: 20 / 255 }).data
 * // => Int8Array [ -127, -64, 0, 64, 127 ]
 * @example
 * quantize([0, 1, 2, 100000, 200], { dtype: "float8e4m3fn", scale: 2 }).data
 * // => Uint8Array [ 0, 48, 56, 126, 108 ]
 */
export function quantize(
  x: TensorLike,
  params: QuantParams,
  options?: QuantizeOptions,
): QuantizedTensor {
  const fn = "quantize";
  const o = checkOptions(fn, "options", options, QUANTIZE_KEYS);
  const semantics = checkSemantics(fn, o.semantics);
  const precision = checkPrecision(fn, o.precision, semantics);
  const kernels = kernelsForOptions(fn, o);
  const input = toFloat32(fn, "x", x, o.shape);
  const resolved = resolveQuantParams(fn, params, input.shape, semantics);
  const storage = resolved.format.storage as new (n: number) => IntegerArray;
  const out = outputArray(fn, o.out, storage, input.data.length);
  const p = precision === "float32" ? undefined : FLOAT_FORMATS[precision];
  if (!("min" in resolved.format)) {
    const float = resolved as ResolvedFloatParams;
    checkFloatSemantics(fn, float.format, semantics);
    const saturate = checkSaturate(fn, float.format, o.saturate);
    const v = new Float32Array(input.data.length);
    quotients(p, input.data, scalesIn(fn, p, float.scales), float.layout, v);
    const format = float.format;
    const nan = encodeQuotients(
      format,
      v,
      float.zeroPoints,
      float.layout,
      saturate,
      out as Uint8Array,
    );
    if (nan >= 0) {
      const why = `a number, not NaN (${format.name} has no NaN code)`;
      throw rangeError(fn, `x[${nan}]`, why, Number.NaN);
    }
  } else {
    const integer = resolved as ResolvedParams;
    checkSaturate(fn, integer.format, o.saturate);
    if (p === undefined) {
      quantizeResolved(fn, kernels, semantics, input.data, integer, out);
    } else {
      // rint(q) + zp on the quotients q = x / s in precision p: the float32 kernel with s = 1.
      const v = new Float32Array(input.data.length);
      quotients(p, input.data, scalesIn(fn, p, integer.scales), integer.layout, v);
      const ones = new Float32Array(integer.scales.length).fill(1);
      quantizeResolved(fn, kernels, semantics, v, { ...integer, scales: ones }, out);
    }
  }
  const dtype = resolved.format.name as QuantDType;
  return { dtype, data: out, shape: input.shape, ...paramsOf(resolved), semantics };
}

/** The keys of {@link QuantizeOptions} that quantizePacked shares (and of DequantizeOptions). */
export const QUANTIZE_OPTIONS = ["semantics", "shape", "backend", "threads", "out"] as const;
const QUANTIZE_KEYS = [...QUANTIZE_OPTIONS, "saturate", "precision"] as const;
const DEQUANTIZE_KEYS = [...QUANTIZE_OPTIONS, "precision"] as const;

/** Float dtypes are ONNX's: PyTorch has no quantize to them. */
function checkFloatSemantics(fn: string, format: FloatFormat, semantics: Semantics): void {
  if (semantics !== "onnx") {
    const why = `"onnx" for ${format.name} (quantization to float formats is ONNX's)`;
    throw rangeError(fn, "options.semantics", why, semantics);
  }
}

/** `options.saturate`: a boolean, for the float8 dtypes only (default true). */
function checkSaturate(fn: string, format: { name: string; saturates?: boolean }, value: unknown) {
  const saturate = checkBoolean(fn, "options.saturate", value, true);
  if (value !== undefined && format.saturates !== true) {
    const why = `undefined for ${format.name} (only float8 formats saturate)`;
    throw rangeError(fn, "options.saturate", why, value);
  }
  return saturate;
}

/** The scales rounded to the precision `p` (float32 ones as they are); each must stay > 0 and finite. */
function scalesIn(fn: string, p: FloatFormat | undefined, scales: Float32Array): Float32Array {
  if (p === undefined) return scales;
  const out = new Float32Array(scales.length);
  for (let i = 0; i < scales.length; i++) {
    const s = roundTo(p, scales[i] as number);
    if (!(s > 0) || s === Number.POSITIVE_INFINITY) {
      const arg = scales.length === 1 ? "params.scale" : `params.scale[${i}]`;
      throw rangeError(fn, arg, `a finite number > 0 as ${p.name} (options.precision)`, scales[i]);
    }
    out[i] = s;
  }
  return out;
}

/**
 * quantize's kernel call on checked values, for the functions built on it (their errors name
 * them, not quantize): the codes into `out`.
 * @throws {RangeError} for NaN in `x`, naming its index.
 */
export function quantizeResolved(
  fn: string,
  kernels: Kernels,
  semantics: Semantics,
  x: Float32Array,
  { format, scales, zeroPoints, layout }: ResolvedParams,
  out: IntegerArray,
): void {
  const nan =
    layout === undefined
      ? kernels.quantizeTensor(
          semantics,
          x,
          scales[0] as number,
          zeroPoints[0] as number,
          format.min,
          format.max,
          out,
        )
      : kernels.quantizeLayout(
          semantics,
          x,
          scales,
          zeroPoints,
          layout,
          format.min,
          format.max,
          out,
        );
  checkNoNaN(fn, nan);
}

/** dequantize's kernel call on checked codes and parameters: the values into `out`. */
export function dequantizeResolved(
  kernels: Kernels,
  semantics: Semantics,
  q: IntegerArray,
  { scales, zeroPoints, layout }: ResolvedParams,
  out: Float32Array,
): void {
  if (layout === undefined) {
    kernels.dequantizeTensor(semantics, q, scales[0] as number, zeroPoints[0] as number, out);
  } else {
    kernels.dequantizeLayout(semantics, q, scales, zeroPoints, layout, out);
  }
}

/**
 * Maps codes back to float32.
 *
 * - `"onnx"` (DequantizeLinear): `x = fround(q - zp) * s`, the product rounded to float32.
 * - `"pytorch"`: `x = (fround(q) - fround(zp)) * s`, each step in float32 (not fused).
 * - a float dtype (`"onnx"` only): `x = value(q) * s`, rounded to float32; the zero point (the code
 *   of a zero) is not subtracted, as onnxruntime and ONNX's reference do. NaN codes give NaN.
 * - `precision: "float16"` or `"bfloat16"` (ONNX's `output_dtype`): that float32 result rounded to
 *   the format, as onnxruntime and ONNX's reference compute it.
 *
 * Pass a {@link QuantizedTensor} alone, or codes with their `params`.
 *
 * @throws {TypeError} for a value that is not a tensor, an unknown dtype or semantics.
 * @throws {RangeError} for a code that is not an integer of the dtype, bad parameters (as
 *   {@link quantize}), or a float dtype with "pytorch".
 * @example
 * dequantize([-127, -64, 0, 64, 127], { dtype: "int8", scale: 20 / 255 }).data
 * // => Float32Array [ -9.960784912109375, -5.019608020782471, 0, 5.019608020782471, 9.960784912109375 ]
 * @example
 * dequantize([0x38, 0xed], { dtype: "float8e4m3fn", scale: 0.1 }, { precision: "float16" }).data
 * // => Float32Array [ 0.0999755859375, -10.3984375 ]
 */
export function dequantize(
  q: QuantizedTensor | TensorLike,
  params?: QuantParams,
  options?: DequantizeOptions,
): Tensor<Float32Array> {
  const fn = "dequantize";
  const o = checkOptions(fn, "options", options, DEQUANTIZE_KEYS);
  let p: QuantParams;
  let stored: unknown;
  if (params === undefined) {
    if (typeof q !== "object" || q === null || !("dtype" in q) || !("scale" in q)) {
      throw typeError(
        fn,
        "params",
        "given unless 'q' is a quantized tensor from quantize()",
        params,
      );
    }
    const t = q as QuantizedTensor;
    checkKeys(fn, "q", t, QUANTIZED_TENSOR_KEYS);
    p = {
      dtype: t.dtype,
      scale: t.scale,
      zeroPoint: t.zeroPoint,
      axis: t.axis,
      blockSize: t.blockSize,
    };
    stored = t.semantics;
  } else {
    if (typeof params !== "object" || params === null || Array.isArray(params)) {
      throw typeError(
        fn,
        "params",
        "an object { dtype, scale, zeroPoint?, axis?, blockSize? }",
        params,
      );
    }
    p = params;
  }
  // The semantics given win over the ones the quantized tensor recorded.
  const semantics = checkSemantics(fn, o.semantics ?? stored);
  const precision = checkPrecision(fn, o.precision, semantics);
  const format = checkDType(fn, "params.dtype", p.dtype, QUANT_DTYPES);
  const codes = toIntegers(fn, "q", q, codeRange(format, p.dtype), o.shape);
  const resolved = resolveQuantParams(fn, p, codes.shape);
  const kernels = kernelsForOptions(fn, o);
  const out = outputArray(fn, o.out, Float32Array, codes.data.length);
  if ("min" in resolved.format) {
    dequantizeResolved(kernels, semantics, codes.data, resolved as ResolvedParams, out);
  } else {
    const float = resolved as ResolvedFloatParams;
    checkFloatSemantics(fn, float.format, semantics);
    decodeScaled(float.format, codes.data, float.scales, float.layout, out);
  }
  if (precision !== "float32") roundAll(FLOAT_FORMATS[precision], out);
  return { data: out, shape: codes.shape };
}

/** The codes a dtype's tensor holds: an integer format's range, or a float format's 2^bits codes. */
function codeRange(format: ReturnType<typeof checkDType<QuantDType>>, name: string): CodeRange {
  return "min" in format ? format : { ...format, name, min: 0, max: 2 ** format.bits - 1 };
}

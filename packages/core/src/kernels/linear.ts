/**
 * The loops of ONNX QuantizeLinear / DequantizeLinear that have a reference only: quantization to
 * and from the float formats (float8, float6, float4), and arithmetic rounded to float16 or
 * bfloat16 (`precision`, `output_dtype`). No validation, no allocation: the public functions in
 * src/quantize/ check their arguments first. Parameters: `scales` and `zeroPoints` per tensor (one
 * entry, `layout` undefined) or indexed by `paramIndex(layout, e)`.
 */
import type { FloatFormat } from "../dtypes/table.js";
import type { ParamLayout } from "../tensor.js";
import { decodeCode, encodeBits } from "./floats.js";
import { paramIndex } from "./reference.js";

const F32 = new Float32Array(1);
const U32 = new Uint32Array(F32.buffer);

/** The float32 bit pattern of `v` (rounded to float32 first). */
function bitsOf(v: number): number {
  F32[0] = v;
  return U32[0] as number;
}

const indexOf = (layout: ParamLayout | undefined, e: number) =>
  layout === undefined ? 0 : paramIndex(layout, e);

/**
 * `v` rounded to the float format `p` (float16 or bfloat16: nearest, ties to even, ±Infinity past
 * the largest finite), from its float32 rounding; `p` undefined: `Math.fround(v)`.
 */
export function roundTo(p: FloatFormat | undefined, v: number): number {
  return p === undefined ? Math.fround(v) : decodeCode(p, encodeBits(p, bitsOf(v), false));
}

/** `out[i] = roundTo(p, out[i])`, in place. */
export function roundAll(p: FloatFormat, out: Float32Array): void {
  for (let i = 0; i < out.length; i++) out[i] = roundTo(p, out[i] as number);
}

/**
 * QuantizeLinear's quotients in precision `p`: `out[e] = round_p(round_p(x[e]) / s)`, `s` already
 * a value of `p`. The float64 quotient rounded to float32 then to `p` is the quotient rounded once
 * to `p` (float64 has more than 2·24 + 2 bits, float32 at least 2·11 + 2), so this is `p`'s own
 * division. `p` undefined: `fround(x[e] / s)`. NaN stays NaN.
 */
export function quotients(
  p: FloatFormat | undefined,
  x: Float32Array,
  scales: Float32Array,
  layout: ParamLayout | undefined,
  out: Float32Array,
): void {
  for (let e = 0; e < x.length; e++) {
    const s = scales[indexOf(layout, e)] as number;
    out[e] = roundTo(p, roundTo(p, x[e] as number) / s);
  }
}

/**
 * QuantizeLinear to a float format `f`, from the quotients `v = x / s` (see {@link quotients}):
 * `code = cast_f(v)` for float8 (the zero point is not added: onnxruntime and ONNX's reference
 * ignore it), `code = cast_f(fround(v + zero))` for float6 and float4 (as ONNX's reference: the
 * zero point's value, ±0, turns -0 into +0 when it is +0). `cast_f` rounds to nearest, ties to
 * even; past the largest finite value it saturates with `saturate` (float8) and always for the
 * formats without specials. NaN gives `f`'s NaN code.
 *
 * @returns -1, or the index of the first NaN when `f` has no NaN code (`out` is then only partly
 *   written).
 */
export function encodeQuotients(
  f: FloatFormat,
  v: Float32Array,
  zeroPoints: Int32Array,
  layout: ParamLayout | undefined,
  saturate: boolean,
  out: Uint8Array,
): number {
  const addsZero = f.specials === "finite";
  for (let e = 0; e < v.length; e++) {
    let value = v[e] as number;
    if (Number.isNaN(value) && f.nanCode === null) return e;
    if (addsZero) value += decodeCode(f, zeroPoints[indexOf(layout, e)] as number);
    out[e] = encodeBits(f, bitsOf(value), saturate);
  }
  return -1;
}

/**
 * DequantizeLinear from a float format `f`: `out[e] = value_f(q[e]) * s`, the product rounded to
 * float32. The zero point (a code of ±0) is not subtracted, as onnxruntime and ONNX's reference
 * do; NaN codes give NaN.
 */
export function decodeScaled(
  f: FloatFormat,
  q: ArrayLike<number>,
  scales: Float32Array,
  layout: ParamLayout | undefined,
  out: Float32Array,
): void {
  for (let e = 0; e < q.length; e++) {
    out[e] = decodeCode(f, q[e] as number) * (scales[indexOf(layout, e)] as number);
  }
}

/**
 * The range of `x` widened to include 0, as DynamicQuantizeLinear takes it:
 * `range[0] = min(0, min x)`, `range[1] = max(0, max x)`.
 *
 * @returns -1, or the index of the first NaN or ±Infinity (`range` is then unspecified).
 */
export function rangeWithZero(x: Float32Array, range: Float64Array): number {
  let lo = 0;
  let hi = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i] as number;
    if (!Number.isFinite(v)) return i;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  range[0] = lo;
  range[1] = hi;
  return -1;
}

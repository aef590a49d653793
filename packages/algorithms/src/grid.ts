/**
 * The integer grid the weight algorithms quantize to: `bits`-bit codes per row of a weight
 * `[out, in]`, one scale and zero point per group of `groupSize` consecutive inputs of a row (a
 * whole row when `groupSize` is the row length: per channel). The result is core's
 * `QuantizedTensor`, so `dequantize(q)` of @quantlab/core gives the quantized weights back.
 *
 * The grid is GPTQ's (`quant.py` of the reference implementation): the range of a group is
 * widened to hold 0, then
 * - asymmetric: `scale = (max − min) / (2^bits − 1)`, `zero = rint(−min / scale)`;
 * - symmetric: `scale = 2·max|w| / (2^bits − 1)`, `zero = 2^(bits−1)`;
 * - an all-zero group takes the range [−1, 1];
 * codes `q = clamp(rint(w / scale) + zero, 0, 2^bits − 1)` (ties to even), values `(q − zero) · scale`.
 * Scales are float32 (rounded once); quantization of float32 weights divides in float32 exactly as
 * core's ONNX `quantize`, so for 2, 4 and 8 bits `quantize(w, params)` gives the same codes.
 * Codes are stored as `uint2` (2 bits), `uint4` (3 and 4 bits: 3-bit codes use 8 of its 16
 * levels, core has no 3-bit type) or `uint8` (5 to 8 bits).
 */
import { dequantize, type IntegerDType, type QuantizedTensor, roundHalfEven } from "@quantlab/core";
import { checkBoolean, rangeError } from "@quantlab/core/validate";
import { readInteger } from "./matrix.js";

/** How weights are quantized: code width, group size, symmetric or not. */
export interface GridOptions {
  /** Bits per code, 2 to 8 (default 4). */
  readonly bits?: number;
  /** Inputs per scale along a row (default: the row length, one scale per output channel). */
  readonly groupSize?: number;
  /** Symmetric grid (zero point 2^(bits−1)); default false (asymmetric). */
  readonly symmetric?: boolean;
  /** One scale and zero point for the whole weight (default false); `groupSize` must be absent. */
  readonly perTensor?: boolean;
}

/** A grid resolved for a weight of `rows × cols`. */
export interface Grid {
  readonly bits: number;
  readonly maxq: number;
  readonly groupSize: number;
  readonly groups: number;
  /** Parameters per row: `groups`, or 0 per tensor (every row shares parameter 0). */
  readonly rowStride: number;
  readonly perTensor: boolean;
  readonly symmetric: boolean;
  readonly dtype: IntegerDType;
}

/** A quantized weight: core's codes with their parameters, and the values they stand for. */
export interface QuantizedWeight {
  /**
   * Codes `[out, in]` with scale and zero point per output channel (`axis: 0`) or per group
   * (`axis: 1`, `blockSize: groupSize`): `dequantize(tensor)` of @quantlab/core decodes it.
   */
  readonly tensor: QuantizedTensor;
  readonly bits: number;
  readonly groupSize: number;
  readonly symmetric: boolean;
  /** `dequantize(tensor).data`: the quantized weights, `[out, in]`, float32. */
  readonly dequantized: Float32Array;
}

/** The storage dtype of `bits`-bit unsigned codes. */
export function codeDType(bits: number): IntegerDType {
  return bits <= 2 ? "uint2" : bits <= 4 ? "uint4" : "uint8";
}

export const GRID_KEYS = ["bits", "groupSize", "symmetric", "perTensor"] as const;

/** Reads grid options for a weight with `cols` inputs. */
export function readGrid(fn: string, o: GridOptions, cols: number, prefix = "options"): Grid {
  const bits = readInteger(fn, `${prefix}.bits`, o.bits, 2, 8, 4);
  const groupSize = readInteger(fn, `${prefix}.groupSize`, o.groupSize, 1, 2 ** 31, cols);
  const symmetric = checkBoolean(fn, `${prefix}.symmetric`, o.symmetric, false);
  const perTensor = checkBoolean(fn, `${prefix}.perTensor`, o.perTensor, false);
  if (perTensor && o.groupSize !== undefined)
    throw rangeError(fn, `${prefix}.groupSize`, "undefined with perTensor", o.groupSize);
  const groups = Math.ceil(cols / Math.min(groupSize, cols));
  return {
    bits,
    maxq: 2 ** bits - 1,
    groupSize: Math.min(groupSize, cols),
    groups,
    rowStride: perTensor ? 0 : groups,
    perTensor,
    symmetric,
    dtype: codeDType(bits),
  };
}

/**
 * Scale and zero point of one group from its range, as GPTQ's quantizer computes them (see the
 * module comment). Writes them at `at` in `scale` / `zero`.
 */
export function groupParams(
  fn: string,
  grid: Grid,
  min: number,
  max: number,
  scale: Float32Array,
  zero: Int32Array,
  at: number,
): void {
  let lo = Math.min(min, 0);
  let hi = Math.max(max, 0);
  if (grid.symmetric) {
    hi = Math.max(-lo, hi);
    if (lo < 0) lo = -hi;
  }
  if (lo === 0 && hi === 0) {
    lo = -1;
    hi = 1;
  }
  const s = Math.fround((hi - lo) / grid.maxq);
  if (!(s >= 2 ** -126) || !Number.isFinite(s)) {
    throw rangeError(
      fn,
      "weight",
      "groups whose range gives a normal float32 scale (|w| between about 1e-37 and 1e37)",
      undefined,
      `a group with values in [${min}, ${max}] (scale ${s})`,
    );
  }
  scale[at] = s;
  zero[at] = grid.symmetric ? (grid.maxq + 1) / 2 : Math.min(grid.maxq, Math.max(0, rint(-lo / s)));
}

/** Ties-to-even rounding (core's `roundHalfEven`), with -0 read as 0. */
export function rint(x: number): number {
  return roundHalfEven(x) + 0;
}

/** The code of `w` on a grid step: `clamp(rint(w / s) + z, 0, maxq)`. */
export function codeOf(w: number, s: number, z: number, maxq: number): number {
  const q = rint(w / s) + z;
  return q < 0 ? 0 : Math.min(q, maxq);
}

/** Scales and zero points of every group of a weight `[rows, cols]` from its own values. */
export function gridParams(
  fn: string,
  grid: Grid,
  w: ArrayLike<number>,
  rows: number,
  cols: number,
): { scale: Float32Array; zero: Int32Array } {
  if (grid.perTensor) {
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < rows * cols; i++) {
      const v = w[i] as number;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    const scale = new Float32Array(1);
    const zero = new Int32Array(1);
    groupParams(fn, grid, min, max, scale, zero, 0);
    return { scale, zero };
  }
  const scale = new Float32Array(rows * grid.groups);
  const zero = new Int32Array(rows * grid.groups);
  for (let r = 0; r < rows; r++) {
    for (let g = 0; g < grid.groups; g++) {
      let min = Number.POSITIVE_INFINITY;
      let max = Number.NEGATIVE_INFINITY;
      const end = Math.min(cols, (g + 1) * grid.groupSize);
      for (let c = g * grid.groupSize; c < end; c++) {
        const v = w[r * cols + c] as number;
        if (v < min) min = v;
        if (v > max) max = v;
      }
      groupParams(fn, grid, min, max, scale, zero, r * grid.groups + g);
    }
  }
  return { scale, zero };
}

/** Core's QuantizedTensor for codes on `grid` with these parameters. */
export function quantizedWeight(
  grid: Grid,
  codes: Uint8Array,
  scale: Float32Array,
  zero: Int32Array,
  rows: number,
  cols: number,
): QuantizedWeight {
  const tensor: QuantizedTensor = grid.perTensor
    ? {
        dtype: grid.dtype,
        data: codes,
        shape: [rows, cols],
        scale: scale[0] as number,
        zeroPoint: zero[0] as number,
        semantics: "onnx",
      }
    : grid.groups === 1
      ? {
          dtype: grid.dtype,
          data: codes,
          shape: [rows, cols],
          scale,
          zeroPoint: zero,
          axis: 0,
          semantics: "onnx",
        }
      : {
          dtype: grid.dtype,
          data: codes,
          shape: [rows, cols],
          scale,
          zeroPoint: zero,
          axis: 1,
          blockSize: grid.groupSize,
          semantics: "onnx",
        };
  return {
    tensor,
    bits: grid.bits,
    groupSize: grid.groupSize,
    symmetric: grid.symmetric,
    dequantized: dequantize(tensor).data,
  };
}

/** Codes and parameters on the grid, and the values they decode to (what core's dequantize gives). */
export interface GridCodes {
  readonly codes: Uint8Array;
  readonly scale: Float32Array;
  readonly zero: Int32Array;
  /** `fround((q − zero) · scale)`: core's ONNX dequantize of the codes (`q − zero` is exact). */
  readonly values: Float32Array;
}

/**
 * Round-to-nearest on the grid, without building core's tensor: the codes, parameters and values.
 * Float32 arithmetic: the quotient `fround(w / scale)`, as core's ONNX `quantize`.
 */
export function roundToGridCodes(
  fn: string,
  grid: Grid,
  w: ArrayLike<number>,
  rows: number,
  cols: number,
): GridCodes {
  const { scale, zero } = gridParams(fn, grid, w, rows, cols);
  const codes = new Uint8Array(rows * cols);
  const values = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const at = r * grid.rowStride + Math.floor(c / grid.groupSize);
      const s = scale[at] as number;
      const z = zero[at] as number;
      const q = rint(Math.fround(Math.fround(w[r * cols + c] as number) / s)) + z;
      const code = q < 0 ? 0 : Math.min(q, grid.maxq);
      codes[r * cols + c] = code;
      values[r * cols + c] = (code - z) * s;
    }
  }
  return { codes, scale, zero, values };
}

/**
 * Round-to-nearest on the grid: every weight to its nearest level, the scales from the weights'
 * own ranges (see {@link roundToGridCodes}), as core's QuantizedTensor.
 */
export function roundToGrid(
  fn: string,
  grid: Grid,
  w: ArrayLike<number>,
  rows: number,
  cols: number,
): QuantizedWeight {
  const { codes, scale, zero } = roundToGridCodes(fn, grid, w, rows, cols);
  return quantizedWeight(grid, codes, scale, zero, rows, cols);
}

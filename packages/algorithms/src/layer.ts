/**
 * One entry for a tool that quantizes a model layer by layer (the `quantlab` CLI): the method by
 * name, the weight, the options, and calibration inputs for the data-aware methods; back come the
 * codes, their parameters and a report.
 */
import { type QuantizedTensor, sqnrDb } from "@quantlab/core";
import { rangeError, typeError } from "@quantlab/core/validate";
import { awq } from "./awq.js";
import { layerError } from "./error.js";
import { gptq, gptqHessian, type Hessian } from "./gptq.js";
import { codeDType, type QuantizedWeight, readGrid, roundToGrid } from "./grid.js";
import { hqq } from "./hqq.js";
import { type Matrix, readCalibration, readMatrix, readOptions } from "./matrix.js";

/** The methods {@link quantizeLayer} knows. */
export const LAYER_METHODS = ["rtn", "gptq", "awq", "hqq"] as const;
export type LayerMethod = (typeof LAYER_METHODS)[number];

/** Progress within one layer. */
export interface LayerProgress {
  readonly method: LayerMethod;
  /** GPTQ: columns; AWQ: exponents tried; RTN, HQQ: 1 when done. */
  readonly done: number;
  readonly total: number;
}

/** Options of {@link quantizeLayer}: the grid, and each method's own (refused for the others). */
export interface LayerOptions {
  readonly bits?: number;
  readonly groupSize?: number;
  /** RTN, GPTQ, AWQ only (HQQ is asymmetric). */
  readonly symmetric?: boolean;
  /** GPTQ. */
  readonly percdamp?: number;
  readonly blockSize?: number;
  readonly actOrder?: boolean;
  /** AWQ: exponents tried. */
  readonly grid?: number;
  /** HQQ. */
  readonly lpNorm?: number;
  readonly beta?: number;
  readonly kappa?: number;
  readonly iterations?: number;
  readonly integerZeroPoint?: boolean;
  readonly onProgress?: (progress: LayerProgress) => void;
}

/** Scales and zero points of a layer's codes: `[out, groups]`, groups along the inputs. */
export interface LayerParams {
  readonly dtype: "uint2" | "uint4" | "uint8";
  readonly scale: Float32Array;
  /** Integers (Int32Array), or floats for HQQ without `integerZeroPoint` (MatMulNBits accepts them). */
  readonly zeroPoint: Int32Array | Float32Array;
  readonly shape: readonly [number, number];
  /** 0: one scale per output channel; 1: in blocks of `blockSize` along the inputs. */
  readonly axis: 0 | 1;
  readonly blockSize?: number;
}

/** What {@link quantizeLayer} returns. */
export interface LayerQuantization {
  readonly method: LayerMethod;
  readonly shape: readonly [number, number];
  readonly bits: number;
  readonly groupSize: number;
  /** Codes `[out, in]` in [0, 2^bits − 1] (of `W · diag(inputScale)` for AWQ). */
  readonly codes: Uint8Array;
  readonly params: LayerParams;
  /** Core's QuantizedTensor of the codes, when the zero points are integers. */
  readonly tensor?: QuantizedTensor;
  /** AWQ: the weight's input j was scaled by `inputScale[j]`; divide the layer's input j by it. */
  readonly inputScale?: Float32Array;
  /** The codes decoded, `[out, in]`. */
  readonly dequantized: Float32Array;
  /** The weight the layer computes with: `dequantized`, divided by `inputScale` for AWQ. */
  readonly effective: Float32Array;
  readonly report: {
    readonly method: LayerMethod;
    readonly seconds: number;
    /** SQNR of `effective` against the float weight, dB. */
    readonly weightSqnrDb: number;
    /** `||XWᵀ − XŴᵀ||² / ||XWᵀ||²` on the calibration inputs, when given. */
    readonly outputError?: number;
    readonly warnings: readonly string[];
    /** The method's own report (GPTQ's damping, AWQ's exponent, HQQ's iterations). */
    readonly details: Readonly<Record<string, unknown>>;
  };
}

/** The clock of browsers and Node (outside the ES library TypeScript checks this package against). */
declare const performance: { now(): number };

const COMMON = ["bits", "groupSize", "onProgress"];
const KEYS: Record<LayerMethod, readonly string[]> = {
  rtn: [...COMMON, "symmetric"],
  gptq: [...COMMON, "symmetric", "percdamp", "blockSize", "actOrder"],
  awq: [...COMMON, "symmetric", "grid"],
  hqq: [...COMMON, "lpNorm", "beta", "kappa", "iterations", "integerZeroPoint"],
};

function paramsOf(q: QuantizedWeight, rows: number, cols: number): LayerParams {
  const t = q.tensor;
  const groups = Math.ceil(cols / q.groupSize);
  return {
    dtype: t.dtype as LayerParams["dtype"],
    scale: t.scale as Float32Array,
    zeroPoint: t.zeroPoint as Int32Array,
    shape: [rows, groups],
    axis: groups === 1 ? 0 : 1,
    ...(groups === 1 ? {} : { blockSize: q.groupSize }),
  };
}

/**
 * Quantizes one layer's weight `[out, in]` (a MatMul's `[K, N]` transposed; a convolution's
 * `[M, C·kH·kW]` per group) by `method`:
 *
 * - `"rtn"`: round to nearest on the grid (GPTQ's min-max grid, see {@link GridOptions});
 * - `"gptq"`: {@link gptq} (needs `calibration`, `[samples, in]`, or its {@link Hessian});
 * - `"awq"`: {@link awq} (needs `calibration` `[samples, in]`); divide the layer's input by
 *   `inputScale` (fold it into the previous op);
 * - `"hqq"`: {@link hqq}, data-free, float zero points unless `integerZeroPoint`.
 *
 * `onProgress` is called as the method advances. The report gives the time, the weight's SQNR, the
 * output error on the calibration inputs when they are given, and the method's own figures.
 *
 * @throws {TypeError} for an unknown method, a weight or calibration that is not a matrix, or
 *   bad options.
 * @throws {RangeError} for options the method does not take, a missing calibration for GPTQ or
 *   AWQ, or what the method itself refuses (NaN, shapes, a singular Hessian).
 * @example
 * const w = { data: [0.1, -0.4, 0.25, 0.8], shape: [2, 2] };
 * const r = quantizeLayer("rtn", w, { bits: 4 });
 * [Array.from(r.codes), r.params.axis, r.report.method] // => [[15, 0, 5, 15], 0, "rtn"]
 */
export function quantizeLayer(
  method: LayerMethod,
  weight: Matrix,
  options?: LayerOptions,
  calibration?: Matrix | Hessian,
): LayerQuantization {
  const fn = "quantizeLayer";
  if (!LAYER_METHODS.includes(method as LayerMethod))
    throw typeError(
      fn,
      "method",
      `one of ${LAYER_METHODS.map((m) => `"${m}"`).join(", ")}`,
      method,
    );
  const w = readMatrix(fn, "weight", weight);
  const o = readOptions<LayerOptions>(fn, "options", options, Object.values(KEYS).flat());
  for (const key of Object.keys(o)) {
    if (!KEYS[method].includes(key))
      throw rangeError(
        fn,
        `options.${key}`,
        `undefined for method "${method}" (its options: ${KEYS[method].join(", ")})`,
        (o as Record<string, unknown>)[key],
      );
  }
  const progress = o.onProgress;
  if (progress !== undefined && typeof progress !== "function")
    throw typeError(fn, "options.onProgress", "a function or undefined", progress);
  const isHessian = (c: unknown): c is Hessian =>
    typeof c === "object" &&
    c !== null &&
    (c as Hessian).data instanceof Float64Array &&
    "inputs" in c;
  const needs = method === "gptq" || method === "awq";
  if (needs && calibration === undefined)
    throw typeError(
      fn,
      "calibration",
      `a matrix [samples, ${w.cols}] of the layer's inputs for method "${method}" (it is data-aware)`,
      calibration,
    );
  if (method === "awq" && isHessian(calibration))
    throw typeError(
      fn,
      "calibration",
      'a matrix of inputs for method "awq" (a Hessian is not enough)',
      calibration,
    );
  const x =
    calibration === undefined || isHessian(calibration)
      ? undefined
      : readCalibration(fn, calibration, w);
  const { bits, groupSize, onProgress: _, ...rest } = o;
  const gridOptions = {
    ...(bits !== undefined ? { bits } : {}),
    ...(groupSize !== undefined ? { groupSize } : {}),
  };
  const start = performance.now();
  const { rows, cols } = w;
  const report = (p: LayerProgress) => progress?.(p);
  let result: Omit<LayerQuantization, "report" | "method" | "shape">;
  let details: Record<string, unknown> = {};
  let warnings: readonly string[] = [];
  // AWQ measures it while it searches; the others are measured below when calibration is given.
  let outputError: number | undefined;
  if (method === "rtn") {
    const grid = readGrid(
      fn,
      { ...gridOptions, ...(o.symmetric !== undefined ? { symmetric: o.symmetric } : {}) },
      cols,
    );
    const q = roundToGrid(fn, grid, w.data, rows, cols);
    result = resultOf(q, rows, cols);
    report({ method, done: 1, total: 1 });
  } else if (method === "gptq") {
    const gOptions = {
      ...rest,
      ...gridOptions,
      onProgress: (done: number, total: number) => report({ method, done, total }),
    };
    const q = isHessian(calibration)
      ? gptqHessian(weight, calibration, gOptions)
      : gptq(weight, calibration as Matrix, gOptions);
    result = resultOf(q, rows, cols);
    details = { ...q.report, order: undefined };
    warnings = q.report.warnings;
  } else if (method === "awq") {
    const a = awq(weight, calibration as Matrix, {
      ...rest,
      ...gridOptions,
      onProgress: (done, total) => report({ method, done, total }),
    });
    const q = a.quantized as QuantizedWeight;
    result = { ...resultOf(q, rows, cols), inputScale: a.scales, effective: a.effective };
    details = { alpha: a.alpha, ...a.report };
    outputError = a.report.errors[a.report.alphas.indexOf(a.alpha)];
  } else {
    const h = hqq(weight, { ...rest, ...gridOptions });
    const groups = Math.ceil(cols / h.groupSize);
    result = {
      bits: h.bits,
      groupSize: h.groupSize,
      codes: h.codes,
      params: {
        dtype: codeDType(h.bits) as LayerParams["dtype"],
        scale: h.scale,
        zeroPoint: h.tensor ? (h.tensor.zeroPoint as Int32Array) : h.zero,
        shape: [rows, groups],
        axis: groups === 1 ? 0 : 1,
        ...(groups === 1 ? {} : { blockSize: h.groupSize }),
      },
      ...(h.tensor ? { tensor: h.tensor } : {}),
      dequantized: h.dequantized,
      effective: h.dequantized,
    };
    details = h.report;
    report({ method, done: 1, total: 1 });
  }
  const seconds = (performance.now() - start) / 1000;
  const float = Float32Array.from(w.data);
  return {
    method,
    shape: [rows, cols],
    ...result,
    report: {
      method,
      seconds,
      weightSqnrDb: sqnrDb(float, result.effective),
      ...(x
        ? {
            outputError:
              outputError ??
              layerError(
                weight,
                { data: result.effective, shape: [rows, cols] },
                calibration as Matrix,
              ),
          }
        : {}),
      warnings,
      details,
    },
  };
}

function resultOf(
  q: QuantizedWeight,
  rows: number,
  cols: number,
): Omit<LayerQuantization, "report" | "method" | "shape"> {
  return {
    bits: q.bits,
    groupSize: q.groupSize,
    codes: q.tensor.data as Uint8Array,
    params: paramsOf(q, rows, cols),
    tensor: q.tensor,
    dequantized: q.dequantized,
    effective: q.dequantized,
  };
}

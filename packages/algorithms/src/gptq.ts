/**
 * GPTQ (Frantar, Ashkboos, Hoefler, Alistarh 2022, "GPTQ: Accurate Post-Training Quantization for
 * Generative Pre-trained Transformers", Algorithm 1): quantizes a weight column by column (input by
 * input), and after each column moves its rounding error onto the columns not yet quantized, along
 * the inverse Hessian of the layer-wise error `||X Wᵀ − X Ŵᵀ||²`. Every step is float64.
 */
import { checkBoolean, rangeError } from "@quantlab/core/validate";
import {
  codeOf,
  GRID_KEYS,
  type Grid,
  type GridOptions,
  gridParams,
  groupParams,
  type QuantizedWeight,
  quantizedWeight,
  readGrid,
} from "./grid.js";
import {
  type Checked,
  hessianOf,
  type Matrix,
  readCalibration,
  readInteger,
  readMatrix,
  readNumber,
  readOptions,
  upperInverseFactor,
} from "./matrix.js";

/** A layer's Hessian `2 XᵀX / n` (float64, `inputs × inputs`), and how many samples made it. */
export interface Hessian {
  readonly data: Float64Array;
  readonly inputs: number;
  readonly samples: number;
}

/** Options of {@link gptq}. */
export interface GptqOptions extends GridOptions {
  /** Dampening: `λ = percdamp · mean(diag H)` is added to the diagonal (default 0.01). */
  readonly percdamp?: number;
  /** Columns per lazy batch update (default 128). Results do not depend on it beyond float rounding. */
  readonly blockSize?: number;
  /** Quantize the columns by decreasing `diag(H)` ("act-order"; default false). */
  readonly actOrder?: boolean;
  /**
   * Group scales from the weights before any update (default: false, or true with `actOrder`).
   * Without it a group's scale comes from its columns as updated when the loop reaches the group.
   */
  readonly staticGroups?: boolean;
  /** Called after each batch of columns with the columns done and the total. */
  readonly onProgress?: (done: number, total: number) => void;
}

/** What {@link gptq} did, besides the weights. */
export interface GptqReport {
  readonly samples: number;
  /** The dampening added to the Hessian's diagonal, and the `percdamp` it came from. */
  readonly damp: number;
  readonly percdamp: number;
  /** Inputs whose activations are all zero (`diag(H) = 0`): their weights are set to 0, as GPTQ does. */
  readonly deadInputs: number;
  /** GPTQ's own proxy loss, `Σ (w − ŵ)² / (2 [H⁻¹]ᵢᵢ)` over the columns (the reference's `Losses`). */
  readonly proxyLoss: number;
  /** The processing order (act-order), or undefined for the natural one. */
  readonly order?: Int32Array;
  readonly warnings: readonly string[];
}

/** {@link gptq}'s result: the quantized weight and the report. */
export interface GptqResult extends QuantizedWeight {
  readonly report: GptqReport;
}

const GPTQ_KEYS = [...GRID_KEYS, "percdamp", "blockSize", "actOrder", "staticGroups", "onProgress"];

/**
 * `2 XᵀX / n` of calibration inputs `[samples, in]`, in float64.
 *
 * @example
 * const h = hessian({ data: [1, 2, 3, 4], shape: [2, 2] });
 * Array.from(h.data) // => [10, 14, 14, 20]
 */
export function hessian(calibration: Matrix): Hessian {
  const x = readMatrix("hessian", "calibration", calibration);
  return { data: hessianOf(x), inputs: x.cols, samples: x.rows };
}

/**
 * GPTQ of a weight `[out, in]` on calibration inputs `[samples, in]`:
 *
 * 1. `H = 2 XᵀX / n` (float64); inputs never active (`Hᵢᵢ = 0`) get `Hᵢᵢ = 1` and weight 0;
 * 2. dampening `H += λ I`, `λ = percdamp · mean(diag H)`;
 * 3. `U` = the upper Cholesky factor of `H⁻¹` (`H⁻¹ = Uᵀ U`);
 * 4. for each column i (in order, or by decreasing `Hᵢᵢ` with `actOrder`): quantize it on the
 *    grid, `e = (w − ŵ) / Uᵢᵢ`, and subtract `e · Uᵢⱼ` from every later column j of the same
 *    batch of `blockSize` columns; after each batch, the later columns get the batch's errors at
 *    once (lazy batch updates, `W[:, i₂:] −= E · U[i₁:i₂, i₂:]`).
 *
 * Group scales (`groupSize`) are computed when the loop reaches a group's first column, from its
 * columns as updated by then (all of them: batches are aligned to whole groups), unless
 * `staticGroups` (forced by `actOrder`, so that groups stay contiguous runs of inputs, as core's
 * blocked layout stores them) takes them from the weights before any update. The grid is
 * {@link GridOptions}' (GPTQ's `quant.py`). Arithmetic: float64 throughout; a column's quantized
 * values are the float32 values core's `dequantize` gives for its codes.
 *
 * @throws {TypeError} for a weight or calibration that is not a matrix, or options of the wrong
 *   type.
 * @throws {RangeError} when the calibration does not have the weight's number of inputs, holds
 *   NaN or ±Infinity, or gives a Hessian that dampening does not make positive definite (the
 *   message says how much dampening would).
 * @example
 * // Inputs 0 and 1 always come together, and so do 2 and 3: GPTQ lets one weight make up for
 * // its partner's rounding, round-to-nearest cannot.
 * const w = { data: [0.9, 0.35, -0.2, 0.3], shape: [1, 4] };
 * const x = { data: [1, 1, 0, 0, 0, 0, 1, 1, 2, 2, 1, 1], shape: [3, 4] };
 * const g = gptq(w, x, { bits: 2 });
 * const r = rtn(w, { bits: 2 });
 * [g, r].map((q) => layerError(w, { data: q.dequantized, shape: [1, 4] }, x).toFixed(4))
 * // => ["0.0114", "0.0231"]
 */
export function gptq(weight: Matrix, calibration: Matrix, options?: GptqOptions): GptqResult {
  const fn = "gptq";
  const w = readMatrix(fn, "weight", weight);
  const x = readCalibration(fn, calibration, w);
  return gptqRun(fn, w, { data: hessianOf(x), inputs: x.cols, samples: x.rows }, options);
}

/**
 * GPTQ from a Hessian accumulated elsewhere (over batches, or a convolution's patches): as
 * {@link gptq}, with `hessian.data` = `2 XᵀX / n` (`in × in`, float64) and `hessian.samples` = n.
 *
 * @example
 * const x = { data: [1, 1, 0, 0, 0, 0, 1, 1, 2, 2, 1, 1], shape: [3, 4] };
 * const w = { data: [0.9, 0.35, -0.2, 0.3], shape: [1, 4] };
 * Array.from(gptqHessian(w, hessian(x), { bits: 2 }).tensor.data) // => [3, 2, 1, 2]
 */
export function gptqHessian(weight: Matrix, hessian: Hessian, options?: GptqOptions): GptqResult {
  const fn = "gptqHessian";
  const w = readMatrix(fn, "weight", weight);
  checkHessian(fn, hessian, w.cols);
  return gptqRun(fn, w, hessian, options);
}

function checkHessian(fn: string, h: Hessian, inputs: number): void {
  if (typeof h !== "object" || h === null || !(h.data instanceof Float64Array)) {
    throw rangeError(fn, "hessian", "a { data: Float64Array, inputs, samples } Hessian", h);
  }
  if (h.inputs !== inputs || h.data.length !== inputs * inputs) {
    throw rangeError(
      fn,
      "hessian",
      `a Hessian of ${inputs} × ${inputs} (the weight's inputs)`,
      h,
      `inputs ${h.inputs} and ${h.data.length} values`,
    );
  }
  if (!Number.isInteger(h.samples) || h.samples < 1)
    throw rangeError(fn, "hessian.samples", "an integer >= 1", h.samples);
  for (let i = 0; i < h.data.length; i++)
    if (!Number.isFinite(h.data[i]))
      throw rangeError(fn, `hessian.data[${i}]`, "a finite number", h.data[i]);
}

/** The smallest power of ten of percdamp (1e-12 .. 1e3) whose dampening GPTQ's factorization survives. */
function dampThatWorks(h: Float64Array, k: number, mean: number): number | undefined {
  for (let e = -12; e <= 3; e++) {
    const p = 10 ** e;
    if (upperInverseFactor(h, k, p * mean) !== undefined) return p;
  }
  return undefined;
}

function short(v: number): string {
  return Number(v.toPrecision(3)).toString();
}

/** The GPTQ loop over columns, with a quantizer for each column. */
interface ColumnQuantizer {
  /**
   * Quantize column `i` (processing order) of `w` (`rows × k`, current values): write its
   * quantized values into `out`.
   */
  column(i: number, w: Float64Array, k: number, out: Float64Array): void;
}

/** Columns a lazy batch update spans: `blockSize`, rounded to whole groups when groups are dynamic. */
function batchOf(blockSize: number, groupSize: number | undefined): number {
  if (groupSize === undefined) return blockSize;
  return groupSize <= blockSize ? Math.floor(blockSize / groupSize) * groupSize : groupSize;
}

/** Runs Algorithm 1 on `w` (float64 `rows × k`, modified in place). Returns the proxy loss. */
function gptqLoop(
  w: Float64Array,
  rows: number,
  k: number,
  u: Float64Array,
  batch: number,
  quantizer: ColumnQuantizer,
  onProgress?: (done: number, total: number) => void,
): number {
  const err = new Float64Array(rows * batch);
  const dq = new Float64Array(rows);
  let loss = 0;
  for (let i1 = 0; i1 < k; i1 += batch) {
    const i2 = Math.min(i1 + batch, k);
    const count = i2 - i1;
    for (let i = i1; i < i2; i++) {
      quantizer.column(i, w, k, dq);
      const d = u[i * k + i] as number;
      const ui = i * k;
      for (let r = 0; r < rows; r++) {
        const ro = r * k;
        const q = dq[r] as number;
        const diff = (w[ro + i] as number) - q;
        const e = diff / d;
        loss += (diff * diff) / (d * d) / 2;
        err[r * batch + (i - i1)] = e;
        w[ro + i] = q;
        if (e === 0) continue;
        for (let c = i + 1; c < i2; c++)
          w[ro + c] = (w[ro + c] as number) - e * (u[ui + c] as number);
      }
    }
    if (i2 < k) {
      for (let r = 0; r < rows; r++) {
        const ro = r * k;
        for (let t = 0; t < count; t++) {
          const e = err[r * batch + t] as number;
          if (e === 0) continue;
          const ut = (i1 + t) * k;
          for (let c = i2; c < k; c++)
            w[ro + c] = (w[ro + c] as number) - e * (u[ut + c] as number);
        }
      }
    }
    onProgress?.(i2, k);
  }
  return loss;
}

interface Prepared {
  readonly u: Float64Array;
  readonly damp: number;
  readonly percdamp: number;
  readonly dead: number;
  readonly warnings: string[];
  /** The weight in float64, dead inputs zeroed, columns in processing order. */
  readonly w: Float64Array;
  readonly order?: Int32Array;
}

/** Steps 1-3: dead inputs, act-order, dampening, the factor U (with the errors of a singular H). */
function prepare(
  fn: string,
  wm: Checked,
  h0: Hessian,
  percdamp: number,
  actOrder: boolean,
): Prepared {
  const { rows, cols: k } = wm;
  const h = h0.data.slice();
  const w = Float64Array.from(wm.data);
  let dead = 0;
  for (let j = 0; j < k; j++) {
    if (h[j * k + j] === 0) {
      dead++;
      h[j * k + j] = 1;
      for (let r = 0; r < rows; r++) w[r * k + j] = 0;
    }
  }
  let order: Int32Array | undefined;
  let hp = h;
  let wp = w;
  if (actOrder) {
    order = Int32Array.from({ length: k }, (_, i) => i).sort(
      (a, b) => (h[b * k + b] as number) - (h[a * k + a] as number) || a - b,
    );
    hp = new Float64Array(k * k);
    for (let a = 0; a < k; a++)
      for (let b = 0; b < k; b++)
        hp[a * k + b] = h[(order[a] as number) * k + (order[b] as number)] as number;
    wp = new Float64Array(rows * k);
    for (let r = 0; r < rows; r++)
      for (let c = 0; c < k; c++) wp[r * k + c] = w[r * k + (order[c] as number)] as number;
  }
  let mean = 0;
  for (let j = 0; j < k; j++) mean += hp[j * k + j] as number;
  mean /= k;
  const damp = percdamp * mean;
  const warnings: string[] = [];
  const live = k - dead;
  const singular = h0.samples < live;
  const u = upperInverseFactor(hp, k, damp);
  if (u === undefined) {
    const works = dampThatWorks(hp, k, mean);
    const rank = singular
      ? `H has rank at most ${h0.samples} < ${live} (singular: fewer samples than active inputs)`
      : "H is not positive definite in float64 (its inputs are linearly dependent, or nearly)";
    const help =
      works === undefined
        ? "no dampening up to percdamp 1000 makes its Cholesky factorization succeed"
        : `dampening makes it positive definite: its Cholesky factorization succeeds from percdamp ${works} (λ = ${short(works * mean)}) on, and GPTQ's usual percdamp 0.01 adds λ = ${short(0.01 * mean)}${singular ? `; or give at least ${live} samples` : ""}`;
    throw rangeError(
      fn,
      "calibration",
      "inputs whose Hessian H = 2XᵀX/n plus the dampening λI is positive definite",
      undefined,
      `${h0.samples} samples of ${k} inputs: ${rank}, and percdamp ${percdamp} adds λ = ${short(damp)}; ${help}`,
    );
  }
  if (singular) {
    warnings.push(
      `the Hessian is singular: ${h0.samples} samples for ${live} active inputs give rank at most ${h0.samples}; ` +
        `only the dampening λ = ${short(damp)} (percdamp ${percdamp}) makes it positive definite, and on its null space GPTQ ` +
        "compensates errors along directions the calibration never saw: give at least as many samples as inputs",
    );
  }
  if (dead > 0)
    warnings.push(
      `${dead} of ${k} inputs are never active (all-zero calibration): their weights are set to 0`,
    );
  return { u, damp, percdamp, dead, warnings, w: wp, ...(order ? { order } : {}) };
}

function gptqRun(
  fn: string,
  wm: Checked,
  h: Hessian,
  options: GptqOptions | undefined,
): GptqResult {
  const o = readOptions<GptqOptions>(fn, "options", options, GPTQ_KEYS);
  const grid: Grid = readGrid(fn, o, wm.cols);
  const percdamp = readNumber(fn, "options.percdamp", o.percdamp, 0, 1e6, 0.01);
  const blockSize = readInteger(fn, "options.blockSize", o.blockSize, 1, 2 ** 31, 128);
  const actOrder = checkBoolean(fn, "options.actOrder", o.actOrder, false);
  const staticGroups = checkBoolean(fn, "options.staticGroups", o.staticGroups, actOrder);
  if (actOrder && !staticGroups) {
    throw rangeError(
      fn,
      "options.staticGroups",
      "true (or undefined) with actOrder: dynamic groups in act-order are not contiguous runs of inputs, which core's blocked layout stores",
      false,
    );
  }
  if (o.onProgress !== undefined && typeof o.onProgress !== "function")
    throw rangeError(fn, "options.onProgress", "a function or undefined", o.onProgress);
  const { rows, cols: k } = wm;
  const p = prepare(fn, wm, h, percdamp, actOrder);
  const order = p.order;
  const original = (i: number) => (order ? (order[i] as number) : i);
  const grouped = grid.groups > 1 && !grid.perTensor;
  // Static parameters: from the weights before any update (dead inputs zeroed), in input order.
  let fixed: { scale: Float32Array; zero: Int32Array } | undefined;
  if (staticGroups || !grouped) {
    const natural = new Float64Array(rows * k);
    for (let r = 0; r < rows; r++)
      for (let c = 0; c < k; c++) natural[r * k + original(c)] = p.w[r * k + c] as number;
    fixed = gridParams(fn, grid, natural, rows, k);
  }
  const scale = fixed?.scale ?? new Float32Array(rows * grid.rowStride);
  const zero = fixed?.zero ?? new Int32Array(rows * grid.rowStride);
  const codes = new Uint8Array(rows * k);
  const quantizer: ColumnQuantizer = {
    column(i, w, kk, out) {
      const c = original(i);
      const g = Math.floor(c / grid.groupSize);
      if (fixed === undefined && c % grid.groupSize === 0) {
        // Dynamic group: its columns i .. i + groupSize - 1 are up to date (batches hold whole groups).
        const end = Math.min(kk, i + grid.groupSize);
        for (let r = 0; r < rows; r++) {
          let min = Number.POSITIVE_INFINITY;
          let max = Number.NEGATIVE_INFINITY;
          for (let j = i; j < end; j++) {
            const v = w[r * kk + j] as number;
            if (v < min) min = v;
            if (v > max) max = v;
          }
          groupParams(fn, grid, min, max, scale, zero, r * grid.groups + g);
        }
      }
      for (let r = 0; r < rows; r++) {
        const at = r * grid.rowStride + g;
        const s = scale[at] as number;
        const z = zero[at] as number;
        const q = codeOf(w[r * kk + i] as number, s, z, grid.maxq);
        codes[r * kk + c] = q;
        out[r] = Math.fround((q - z) * s);
      }
    },
  };
  const batch = batchOf(blockSize, fixed === undefined ? grid.groupSize : undefined);
  const proxyLoss = gptqLoop(p.w, rows, k, p.u, batch, quantizer, o.onProgress);
  const q = quantizedWeight(grid, codes, scale, zero, rows, k);
  return {
    ...q,
    report: {
      samples: h.samples,
      damp: p.damp,
      percdamp,
      deadInputs: p.dead,
      proxyLoss,
      ...(order ? { order } : {}),
      warnings: p.warnings,
    },
  };
}

/** Options of {@link gptqWithQuantizer}. */
export interface GptqQuantizerOptions {
  readonly percdamp?: number;
  readonly blockSize?: number;
}

/**
 * GPTQ's error compensation around any quantizer of one column: for grids other than the integer
 * per-group one (a float format, a scale shared down a column, ...). `quantize(values, i)` gets
 * column i's current values (one per output row) and returns its quantized values. Columns run in
 * order; arithmetic as {@link gptq} (float64). Returns the quantized weight `[out, in]` (float64).
 *
 * @example
 * // Sign quantization (±1) of a 1×2 weight whose two inputs always move together.
 * const x = { data: [1, 1, 2, 2], shape: [2, 2] };
 * const q = gptqWithQuantizer({ data: [0.8, 0.1], shape: [1, 2] }, x, (v) => v.map(Math.sign));
 * Array.from(q) // => [1, -1]
 */
export function gptqWithQuantizer(
  weight: Matrix,
  calibration: Matrix,
  quantize: (values: Float64Array, column: number) => ArrayLike<number>,
  options?: GptqQuantizerOptions,
): Float64Array {
  const fn = "gptqWithQuantizer";
  const wm = readMatrix(fn, "weight", weight);
  const x = readCalibration(fn, calibration, wm);
  if (typeof quantize !== "function") throw rangeError(fn, "quantize", "a function", quantize);
  const o = readOptions<GptqQuantizerOptions>(fn, "options", options, ["percdamp", "blockSize"]);
  const percdamp = readNumber(fn, "options.percdamp", o.percdamp, 0, 1e6, 0.01);
  const blockSize = readInteger(fn, "options.blockSize", o.blockSize, 1, 2 ** 31, 128);
  const p = prepare(
    fn,
    wm,
    { data: hessianOf(x), inputs: x.cols, samples: x.rows },
    percdamp,
    false,
  );
  const { rows, cols: k } = wm;
  const column = new Float64Array(rows);
  const quantizer: ColumnQuantizer = {
    column(i, w, kk, out) {
      for (let r = 0; r < rows; r++) column[r] = w[r * kk + i] as number;
      const q = quantize(column.slice(), i);
      if (q === null || typeof q !== "object" || q.length !== rows)
        throw rangeError(fn, "quantize", `a function returning ${rows} values`, q);
      for (let r = 0; r < rows; r++) out[r] = q[r] as number;
    },
  };
  gptqLoop(p.w, rows, k, p.u, blockSize, quantizer);
  return p.w;
}

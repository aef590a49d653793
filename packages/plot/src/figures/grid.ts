/**
 * The quantization numbers a figure draws, all computed by @quantlab/core: the parameters as core
 * reads them, every level x̂ = dequantize(q), the code of each input and whether saturation changed
 * it. Plot adds geometry only.
 */
import {
  dequantize,
  INTEGER_DTYPES,
  INTEGER_FORMATS,
  type IntegerDType,
  type QuantizeTrace,
  type QuantParams,
  quantize,
  type Semantics,
  traceQuantize,
} from "@quantlab/core";
import { checkSemantics, rangeError, resolveParams, typeError } from "@quantlab/core/validate";
import { fmt } from "./theme.js";

/** Per-tensor parameters after core read them: the scale rounded to float32, the zero point checked. */
export interface TensorGrid {
  /** What the figure passes to core's functions. */
  readonly params: {
    readonly dtype: IntegerDType;
    readonly scale: number;
    readonly zeroPoint: number;
  };
  readonly semantics: Semantics;
  /** `INTEGER_FORMATS[dtype].min` and `.max`: the codes core saturates to. */
  readonly qmin: number;
  readonly qmax: number;
  /** qmax - qmin + 1. */
  readonly count: number;
}

/** A grid with every level: `levels[q - qmin]` is core's `dequantize` of code q (float32). */
export interface Grid extends TensorGrid {
  readonly levels: Float32Array;
}

/**
 * Reads per-tensor quantization parameters with core's reader, so the errors are core's under the
 * figure's name (`quantizationGrid(): argument 'params.zeroPoint' must be ...`); `arg` names them
 * (`schemes[0].params`). A figure draws one grid: per-axis and blocked parameters are refused.
 */
export function readParams(
  fn: string,
  params: unknown,
  semantics: Semantics,
  arg = "params",
): TensorGrid {
  if (typeof params === "object" && params !== null && !Array.isArray(params)) {
    const p = params as QuantParams;
    const perTensor = "left out (a figure draws one grid: per-tensor parameters)";
    if (p.axis !== undefined) throw typeError(fn, `${arg}.axis`, perTensor, p.axis);
    if (p.blockSize !== undefined) throw typeError(fn, `${arg}.blockSize`, perTensor, p.blockSize);
    if (typeof p.scale !== "number") {
      throw typeError(fn, `${arg}.scale`, "a number (a figure draws one grid)", p.scale);
    }
  }
  const resolved = resolveParams(fn, params as QuantParams, [], semantics, arg);
  const { format } = resolved;
  return {
    params: {
      dtype: format.name,
      scale: resolved.scales[0] as number,
      zeroPoint: resolved.zeroPoints[0] as number,
    },
    semantics,
    qmin: format.min,
    qmax: format.max,
    count: format.max - format.min + 1,
  };
}

/**
 * The figures' `options.semantics` and `params`, read by core ({@link readParams}), then every
 * level dequantized by core. A figure that draws each level refuses dtypes with more than
 * `maxLevels` of them.
 */
export function readGrid(fn: string, params: unknown, semantics: unknown, maxLevels: number): Grid {
  const grid = readParams(fn, params, checkSemantics(fn, semantics));
  if (grid.count > maxLevels) {
    const fits = INTEGER_DTYPES.filter((d) => {
      const f = INTEGER_FORMATS[d];
      return f.max - f.min + 1 <= maxLevels;
    });
    throw rangeError(
      fn,
      "params.dtype",
      `one of ${fits.map((d) => `"${d}"`).join(", ")} (this figure draws every level, at most ${maxLevels})`,
      grid.params.dtype,
    );
  }
  const codes = Array.from({ length: grid.count }, (_, i) => grid.qmin + i);
  const levels = dequantize(codes, grid.params, { semantics: grid.semantics }).data;
  return { ...grid, levels };
}

/** Core's level of code q: `dequantize(q)`, as float32. */
export function levelOf(grid: Grid, q: number): number {
  return grid.levels[q - grid.qmin] as number;
}

/** Core's trace of `values`: their float32 values, codes and whether saturation changed them. */
export function traceOf(grid: TensorGrid, values: readonly number[]): QuantizeTrace {
  return traceQuantize(values, grid.params, { semantics: grid.semantics });
}

/**
 * Where the code steps from q to q + 1 for each q in [from, to): the smallest float32 x that core
 * quantizes to q + 1 or above. Quantization is monotonic, so a bisection over the float32 values
 * between the two levels finds it; each round quantizes every pending midpoint in one call to core.
 * Ties therefore land where core puts them: with ties to even, the step into an even code sits
 * on the tie, the step into an odd one a float32 above it.
 */
export function stepEdges(grid: Grid, from: number, to: number): number[] {
  const n = Math.max(0, to - from);
  const lo = new Array<number>(n);
  const hi = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    lo[i] = orderedKey(levelOf(grid, from + i));
    hi[i] = orderedKey(levelOf(grid, from + i + 1));
  }
  const pending: number[] = [];
  for (;;) {
    pending.length = 0;
    for (let i = 0; i < n; i++) if ((hi[i] as number) - (lo[i] as number) > 1) pending.push(i);
    if (pending.length === 0) break;
    const x = Float32Array.from(pending, (i) =>
      fromKey(Math.floor(((lo[i] as number) + (hi[i] as number)) / 2)),
    );
    const codes = quantize(x, grid.params, { semantics: grid.semantics }).data;
    pending.forEach((i, k) => {
      const mid = orderedKey(x[k] as number);
      if ((codes[k] as number) > from + i) hi[i] = mid;
      else lo[i] = mid;
    });
  }
  return hi.map(fromKey);
}

/**
 * The levels as vertical segments from y0 to y1, one per code q in [qmin, qmax] for which `keep(q)`
 * holds, each labelled with its code and core's x̂; for a plotly line trace (`null` breaks the line).
 */
export function levelSegments(
  grid: Grid,
  y0: number,
  y1: number,
  keep: (q: number) => boolean = () => true,
): { x: Array<number | null>; y: Array<number | null>; text: string[] } {
  const x: Array<number | null> = [];
  const y: Array<number | null> = [];
  const text: string[] = [];
  for (let q = grid.qmin; q <= grid.qmax; q++) {
    if (!keep(q)) continue;
    const v = levelOf(grid, q);
    const label = `q = ${q}<br>(q − z)·s = ${fmt(v)}`;
    x.push(v, v, null);
    y.push(y0, y1, null);
    text.push(label, label, "");
  }
  return { x, y, text };
}

// Float32 values in order as integers: the bit pattern for x >= 0, its negation for x < 0, so that
// neighbouring float32 values differ by 1 (+0 and -0 share 0).
const bits = new Float32Array(1);
const word = new Uint32Array(bits.buffer);

function orderedKey(x: number): number {
  bits[0] = x;
  const w = word[0] as number;
  return w >= 0x80000000 ? -(w - 0x80000000) : w;
}

function fromKey(key: number): number {
  word[0] = key >= 0 ? key : 0x80000000 - key;
  return bits[0] as number;
}

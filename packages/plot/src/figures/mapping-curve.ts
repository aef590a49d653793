import { extent, type QuantParams, type Semantics } from "@quantlab/core";
import { checkOptions, rangeError, typeError } from "@quantlab/core/validate";
import type { Data } from "plotly.js";
import {
  finiteArray,
  finiteNumber,
  type NumericArray,
  oneOf,
  optionalString,
} from "../validate.js";
import { levelOf, readGrid, stepEdges, traceOf } from "./grid.js";
import { axis, baseLayout, COLORS, fmt, rangeBand } from "./theme.js";
import type { Figure } from "./types.js";

/** The most levels {@link mappingCurve} draws (int16). */
export const MAX_CURVE_LEVELS = 65536;

/** Options of {@link mappingCurve}. */
export interface MappingCurveOptions {
  /** The input interval [lo, hi] drawn; default: the range of the levels widened by 10% of it on each side (and to cover `values`). */
  range?: [number, number];
  /** Inputs to mark on the curve. */
  values?: NumericArray;
  /** The y axis: "dequantized" x̂ = dequantize(q) (default) or "code" q. */
  y?: "dequantized" | "code";
  /** The arithmetic, as in core's `quantize` and `dequantize`: "onnx" (default) or "pytorch". */
  semantics?: Semantics;
  /** Replaces the default title. */
  title?: string;
}

const CURVE_OPTIONS = ["range", "values", "y", "semantics", "title"] as const;

/**
 * The staircase of quantization: x on the x axis, its code q or its level x̂ = dequantize(q) on the
 * y axis, next to the identity x̂ = x (the unrounded x / s + z for "code"). The flat ends are
 * saturation. Every number is core's: a step from code q to q + 1 sits at the smallest float32 x
 * that core's `quantize` (with the named semantics) maps to q + 1, found by bisection over float32
 * values, so ties fall where core puts them (to even: the step into an even code on the tie, into
 * an odd one a float32 above it); the levels are core's `dequantize`; marked inputs are traced by
 * `traceQuantize`.
 *
 * Traces, in order: `range of the levels`, `identity`, `staircase`, `inputs` (only with `values`).
 *
 * @throws {TypeError} when an argument has the wrong type, or `params` are per axis or per block.
 * @throws {RangeError} for `params` core refuses (scale, zero point, dtype), a dtype of more than
 *   65536 levels, unknown option keys, `range` not two finite numbers lo < hi, or `values` empty or
 *   not finite as float32.
 * @example
 * const fig = mappingCurve({ dtype: "int4", scale: 1 }, { range: [-1, 1] });
 * [fig.data[2].x, fig.data[2].y];
 * // => [[-1, -0.5, 0.5000000596046448, 1], [-1, 0, 1, 1]]
 */
export function mappingCurve(params: QuantParams, options?: MappingCurveOptions): Figure {
  const fn = "mappingCurve";
  const opts = checkOptions(fn, "options", options, CURVE_OPTIONS);
  const grid = readGrid(fn, params, opts.semantics, MAX_CURVE_LEVELS);
  const yKind =
    opts.y === undefined
      ? "dequantized"
      : oneOf(fn, "options.y", opts.y, ["dequantized", "code"] as const);
  const values =
    opts.values === undefined ? undefined : finiteArray(fn, "options.values", opts.values);
  const title = optionalString(fn, "options.title", opts.title);

  const lowest = levelOf(grid, grid.qmin);
  const highest = levelOf(grid, grid.qmax);
  let lo: number;
  let hi: number;
  if (opts.range !== undefined) {
    const r = opts.range as unknown;
    if (!Array.isArray(r) || r.length !== 2)
      throw typeError(fn, "options.range", "an array [lo, hi] of two numbers", r);
    lo = finiteNumber(fn, "options.range[0]", r[0]);
    hi = finiteNumber(fn, "options.range[1]", r[1]);
    if (!(lo < hi))
      throw rangeError(fn, "options.range[1]", `a number > options.range[0] (${lo})`, hi);
  } else {
    const widen = (highest - lowest) * 0.1;
    lo = lowest - widen;
    hi = highest + widen;
    if (values !== undefined) {
      const [vmin, vmax] = extent(values);
      const pad = (Math.max(hi, vmax) - Math.min(lo, vmin)) * 0.02;
      if (vmin < lo) lo = vmin - pad;
      if (vmax > hi) hi = vmax + pad;
    }
  }

  // Core's view of the interval's ends: their codes, and x / s + z before rounding.
  const ends = traceOf(grid, [lo, hi]);
  const unrounded = Array.from(ends.scaled, (v) => v + grid.params.zeroPoint);
  const first = ends.code[0] as number;
  const last = ends.code[1] as number;
  const yOf = (q: number) => (yKind === "code" ? q : levelOf(grid, q));
  // The staircase as an "hv" line: each point's y holds until the next point's x.
  const stairX: number[] = [lo];
  const stairY: number[] = [yOf(first)];
  stepEdges(grid, first, last).forEach((edge, i) => {
    if (edge <= lo || edge >= hi) return;
    stairX.push(edge);
    stairY.push(yOf(first + i + 1));
  });
  stairX.push(hi);
  stairY.push(yOf(last));

  const identity = yKind === "code" ? unrounded : [lo, hi];
  const yLo = Math.min(yOf(grid.qmin), identity[0] as number);
  const yHi = Math.max(yOf(grid.qmax), identity[1] as number);
  const yPad = (yHi - yLo) * 0.04;
  const data: Data[] = [
    rangeBand(lowest, highest, yLo - yPad, yHi + yPad),
    {
      type: "scatter",
      mode: "lines",
      name: yKind === "code" ? "x / s + z (unrounded)" : "identity x̂ = x",
      x: [lo, hi],
      y: identity,
      line: { color: COLORS.identity, width: 1.5, dash: "dash" },
      hoverinfo: "skip",
    },
    {
      type: "scatter",
      mode: "lines",
      name: yKind === "code" ? "code q(x)" : "dequantized x̂(x)",
      x: stairX,
      y: stairY,
      line: { color: COLORS.dequantized, width: 2, shape: "hv" },
      hovertemplate: `x = %{x:.9g}<br>${yKind === "code" ? "q" : "x̂"} = %{y:.6g}<extra></extra>`,
    },
  ];
  if (values !== undefined) {
    const trace = traceOf(grid, values);
    const x = Array.from(trace.x);
    const codes = Array.from(trace.code);
    data.push({
      type: "scatter",
      mode: "markers",
      name: "inputs",
      x,
      y: codes.map(yOf),
      text: x.map(
        (v, i) =>
          `x = ${fmt(v)}<br>q = ${codes[i]}<br>x̂ = ${fmt(levelOf(grid, codes[i] as number))}`,
      ),
      marker: { color: COLORS.original, size: 9, line: { color: "#ffffff", width: 1 } },
      hovertemplate: "%{text}<extra></extra>",
    });
  }
  const { scale, zeroPoint, dtype } = grid.params;
  const layout = baseLayout(
    title ??
      `Quantize, then dequantize: x → ${yKind === "code" ? "q" : "x̂"} (${dtype}, ${grid.count} levels, s = ${fmt(scale)}, z = ${zeroPoint})`,
    axis("input x", { range: [lo, hi] }),
    axis(yKind === "code" ? "code q" : "dequantized x̂ = (q − z)·s", {
      range: [yLo - yPad, yHi + yPad],
    }),
  );
  return { data, layout };
}

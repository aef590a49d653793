import type { Data } from "plotly.js";
import {
  finiteArray,
  finiteNumber,
  type NumericArray,
  oneOf,
  optionalString,
  optionsObject,
  rangeError,
  typeError,
} from "../validate.js";
import { checkGrid, codeOf, codesFor, extent, level } from "./grid.js";
import { axis, baseLayout, COLORS, fmt } from "./theme.js";
import type { Figure, GridOptions } from "./types.js";

/** The most levels {@link mappingCurve} draws (int16). */
export const MAX_CURVE_LEVELS = 65536;

/** Options of {@link mappingCurve}. */
export interface MappingCurveOptions extends GridOptions {
  /** The input interval [lo, hi] drawn; default: the clip range widened by 10% of it on each side (and to cover `values`). */
  range?: [number, number];
  /** Inputs to mark on the curve. */
  values?: NumericArray;
  /** The codes of `values` as computed elsewhere (e.g. by @quantlab/core); default computed here in float64. */
  codes?: NumericArray;
  /** The y axis: "dequantized" x̂ = (q - zeroPoint) * scale (default) or "code" q. */
  y?: "dequantized" | "code";
  /** Replaces the default title. */
  title?: string;
}

/**
 * The staircase of quantization: x on the x axis, its code q = clamp(roundHalfEven(x / scale) + zeroPoint,
 * qmin, qmax) or its dequantized value x̂ = (q - zeroPoint) * scale on the y axis, next to the
 * identity x̂ = x (the unrounded x / scale + zeroPoint for "code"). Flat ends are the clipping; the step
 * between code q and q + 1 sits at x = (q + 0.5 - zeroPoint) * scale (ties go to the even code, which
 * a line cannot show). Float64.
 *
 * Traces, in order: `clip range`, `identity`, `staircase`, `inputs` (only with `values`).
 *
 * @throws {TypeError} when an argument has the wrong type.
 * @throws {RangeError} when scale is not finite > 0, qmax <= qmin, more than 65536 levels, zeroPoint outside
 *   [qmin, qmax], `range` not two finite numbers lo < hi, `values` empty or not finite, codes out of range.
 * @example
 * const fig = mappingCurve({ scale: 1, zeroPoint: 0, qmin: -2, qmax: 1, range: [-3, 2] });
 * [fig.data[2].x, fig.data[2].y];
 * // => [[-3, -1.5, -0.5, 0.5, 2], [-2, -1, 0, 1, 1]]
 */
export function mappingCurve(options: MappingCurveOptions): Figure {
  const fn = "mappingCurve";
  const opts = optionsObject(fn, "options", options);
  const grid = checkGrid(fn, opts, MAX_CURVE_LEVELS);
  const yKind =
    opts.y === undefined ? "dequantized" : oneOf(fn, "y", opts.y, ["dequantized", "code"] as const);
  const values = opts.values === undefined ? undefined : finiteArray(fn, "values", opts.values);
  const codes = values === undefined ? undefined : codesFor(fn, values, opts.codes, grid);
  if (values === undefined && opts.codes !== undefined)
    throw typeError(fn, "codes", "left out when 'values' is not given", opts.codes);
  const title = optionalString(fn, "title", opts.title);

  const clipLo = level(grid.qmin, grid);
  const clipHi = level(grid.qmax, grid);
  let lo: number;
  let hi: number;
  if (opts.range !== undefined) {
    const r = opts.range;
    if (!Array.isArray(r) || r.length !== 2)
      throw typeError(fn, "range", "an array [lo, hi] of two numbers", r);
    lo = finiteNumber(fn, "range[0]", r[0]);
    hi = finiteNumber(fn, "range[1]", r[1]);
    if (!(lo < hi)) throw rangeError(fn, "range[1]", `a number > range[0] (${lo})`, hi);
  } else {
    const widen = (clipHi - clipLo) * 0.1;
    lo = clipLo - widen;
    hi = clipHi + widen;
    if (values !== undefined) {
      const [vmin, vmax] = extent(values);
      const pad = (Math.max(hi, vmax) - Math.min(lo, vmin)) * 0.02;
      if (vmin < lo) lo = vmin - pad;
      if (vmax > hi) hi = vmax + pad;
    }
  }

  const yOf = (q: number) => (yKind === "code" ? q : level(q, grid));
  // The staircase as an "hv" line: each point's y holds until the next point's x.
  const first = codeOf(lo, grid);
  const last = codeOf(hi, grid);
  const stairX: number[] = [lo];
  const stairY: number[] = [yOf(first)];
  for (let q = first; q < last; q++) {
    const edge = (q + 0.5 - grid.zeroPoint) * grid.scale;
    if (edge <= lo || edge >= hi) continue;
    stairX.push(edge);
    stairY.push(yOf(q + 1));
  }
  stairX.push(hi);
  stairY.push(yOf(last));

  const yLo = Math.min(yOf(grid.qmin), yKind === "code" ? lo / grid.scale + grid.zeroPoint : lo);
  const yHi = Math.max(yOf(grid.qmax), yKind === "code" ? hi / grid.scale + grid.zeroPoint : hi);
  const yPad = (yHi - yLo) * 0.04;
  const data: Data[] = [
    {
      type: "scatter",
      mode: "lines",
      name: `clip range [${fmt(clipLo)}, ${fmt(clipHi)}]`,
      x: [clipLo, clipHi, clipHi, clipLo, clipLo],
      y: [yLo - yPad, yLo - yPad, yHi + yPad, yHi + yPad, yLo - yPad],
      fill: "toself",
      fillcolor: COLORS.clipFill,
      line: { color: COLORS.clipEdge, width: 1, dash: "dot" },
      hoverinfo: "skip",
    },
    {
      type: "scatter",
      mode: "lines",
      name: yKind === "code" ? "x / s + z (unrounded)" : "identity x̂ = x",
      x: [lo, hi],
      y:
        yKind === "code"
          ? [lo / grid.scale + grid.zeroPoint, hi / grid.scale + grid.zeroPoint]
          : [lo, hi],
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
      hovertemplate: `x = %{x:.6g}<br>${yKind === "code" ? "q" : "x̂"} = %{y:.6g}<extra></extra>`,
    },
  ];
  if (values !== undefined && codes !== undefined) {
    data.push({
      type: "scatter",
      mode: "markers",
      name: "inputs",
      x: values,
      y: codes.map(yOf),
      text: values.map(
        (x, i) => `x = ${fmt(x)}<br>q = ${codes[i]}<br>x̂ = ${fmt(level(codes[i] as number, grid))}`,
      ),
      marker: { color: COLORS.original, size: 9, line: { color: "#ffffff", width: 1 } },
      hovertemplate: "%{text}<extra></extra>",
    });
  }
  const layout = baseLayout(
    title ??
      `Quantize, then dequantize: x → ${yKind === "code" ? "q" : "x̂"} (${grid.levels} levels, s = ${fmt(grid.scale)}, z = ${grid.zeroPoint})`,
    axis("input x", { range: [lo, hi] }),
    axis(yKind === "code" ? "code q" : "dequantized x̂ = (q − z)·s", {
      range: [yLo - yPad, yHi + yPad],
    }),
  );
  return { data, layout };
}

import {
  dequantize,
  FLOAT_FORMATS,
  type FloatDType,
  isFloatDType,
  type QuantParams,
  representableValues,
} from "@quantlab/core";
import { checkOptions, rangeError, typeError } from "@quantlab/core/validate";
import type { Data } from "plotly.js";
import { nonEmptyArray, optionalString } from "../validate.js";
import { readParams } from "./grid.js";
import { axis, baseLayout, COLORS, fmt, SERIES_COLORS } from "./theme.js";
import type { Figure } from "./types.js";

/** Options of {@link valueSpacing}. */
export interface ValueSpacingOptions {
  /** The magnitudes shown, `[lo, hi]` with 0 < lo < hi (default: everything); lines are cut to it. */
  xRange?: [number, number];
  /** Replaces the default title. */
  title?: string;
}

/** A run of neighbouring values with the same gap: from `start` to `end`, each `gap` apart. */
interface Run {
  readonly start: number;
  readonly end: number;
  readonly gap: number;
}

/** The runs of equal gaps between the sorted positive values `v` (exact: neighbours of a float format subtract exactly in float64). */
function runsOf(v: ArrayLike<number>): Run[] {
  const runs: Run[] = [];
  for (let i = 0; i + 1 < v.length; i++) {
    const a = v[i] as number;
    const b = v[i + 1] as number;
    const gap = b - a;
    const last = runs[runs.length - 1];
    if (last !== undefined && last.gap === gap) runs[runs.length - 1] = { ...last, end: b };
    else runs.push({ start: a, end: b, gap });
  }
  return runs;
}

/** The runs cut to [lo, hi]. */
function within(runs: readonly Run[], lo: number, hi: number): Run[] {
  return runs
    .filter((r) => r.end > lo && r.start < hi)
    .map((r) => ({ ...r, start: Math.max(r.start, lo), end: Math.min(r.end, hi) }));
}

/** A staircase through the runs: each gap drawn from its first value to its last (line shape "hv"). */
function staircase(runs: readonly Run[]): { x: number[]; y: number[] } {
  const x = runs.map((r) => r.start);
  const y = runs.map((r) => r.gap);
  const last = runs[runs.length - 1];
  if (last !== undefined) {
    x.push(last.end);
    y.push(last.gap);
  }
  return { x, y };
}

/**
 * How far apart neighbouring values are, against their magnitude, on log-log axes: for each float
 * format the gap between consecutive positive values (core's `representableValues`), a staircase
 * that doubles at every power of two and stays flat over the subnormals (dotted); for integer
 * parameters the constant step s between core's levels x̂ = (q − z)·s, from the first level above
 * zero to the last. It shows range against precision: the floats' gaps grow with the value, the
 * integer grid's do not.
 *
 * Traces: per float format `NAME (±max)` (normal values) and `NAME subnormals` (not in the legend);
 * per integer grid `DTYPE, s = S ([x̂(qmin), x̂(qmax)])`; last, when some subnormals are in range,
 * the legend's one entry for them, `subnormals (dotted, in each format's colour)` (no data).
 *
 * @throws {TypeError} when `formats` is not an array, or an entry neither a float dtype name nor
 *   quantization parameters.
 * @throws {RangeError} for an empty list, more than 8 entries, parameters core refuses, or an
 *   unknown option key.
 * @example
 * const fig = valueSpacing(["float4e2m1", { dtype: "int4", scale: 0.5 }]);
 * fig.data.map((trace) => trace.name);
 * // => ["float4e2m1 (±6)", "float4e2m1 subnormals", "int4, s = 0.5 ([-4, 3.5])",
 * //     "subnormals (dotted, in each format's colour)"]
 */
export function valueSpacing(
  formats: readonly (FloatDType | QuantParams)[],
  options?: ValueSpacingOptions,
): Figure {
  const fn = "valueSpacing";
  nonEmptyArray(fn, "formats", formats, "an array of float dtypes or quantization parameters", {
    count: SERIES_COLORS.length,
    noun: "entries",
  });
  const opts = checkOptions(fn, "options", options, ["xRange", "title"]);
  const title = optionalString(fn, "options.title", opts.title);
  let lo = 0;
  let hi = Number.POSITIVE_INFINITY;
  if (opts.xRange !== undefined) {
    if (!Array.isArray(opts.xRange))
      throw typeError(fn, "options.xRange", "an array [lo, hi]", opts.xRange);
    const [a, b] = opts.xRange;
    if (
      opts.xRange.length !== 2 ||
      !(
        typeof a === "number" &&
        typeof b === "number" &&
        a > 0 &&
        b > a &&
        b < Number.POSITIVE_INFINITY
      )
    ) {
      throw rangeError(fn, "options.xRange", "[lo, hi] with 0 < lo < hi, finite", opts.xRange);
    }
    lo = a;
    hi = b;
  }
  const data: Data[] = [];
  let dotted = false;
  formats.forEach((entry, i) => {
    const color = SERIES_COLORS[i] as string;
    if (typeof entry === "string") {
      if (!isFloatDType(entry)) {
        throw rangeError(
          fn,
          `formats[${i}]`,
          "a low-precision float dtype or quantization parameters",
          entry,
        );
      }
      const f = FLOAT_FORMATS[entry];
      const positive = Array.from(representableValues(entry)).filter((v) => v > 0);
      // Subnormals: the values below minNormal, minSubnormal apart (the last gap reaches minNormal).
      const sub = within(runsOf(positive.filter((v) => v <= f.minNormal)), lo, hi);
      const normal = within(runsOf(positive.filter((v) => v >= f.minNormal)), lo, hi);
      const subLine = staircase(sub);
      dotted ||= sub.length > 0;
      const normalLine = staircase(normal);
      data.push({
        type: "scatter",
        mode: "lines",
        name: `${entry} (±${fmt(f.maxFinite)})`,
        legendgroup: entry,
        x: normalLine.x,
        y: normalLine.y,
        line: { color, width: 2, shape: "hv" },
        hovertemplate: `${entry}: from %{x:.4g} on, neighbours %{y:.4g} apart<extra></extra>`,
      });
      data.push({
        type: "scatter",
        mode: "lines",
        name: `${entry} subnormals`,
        legendgroup: entry,
        showlegend: false,
        x: subLine.x,
        y: subLine.y,
        line: { color, width: 2, dash: "dot", shape: "hv" },
        hovertemplate: `${entry} subnormal: %{x:.4g}, neighbours %{y:.4g} apart<extra></extra>`,
      });
      return;
    }
    if (typeof entry !== "object" || entry === null) {
      throw typeError(fn, `formats[${i}]`, "a float dtype name or quantization parameters", entry);
    }
    const grid = readParams(fn, entry, "onnx", `formats[${i}]`);
    const { scale, zeroPoint, dtype } = grid.params;
    if (grid.qmax <= zeroPoint) {
      throw rangeError(
        fn,
        `formats[${i}].zeroPoint`,
        "below qmax (the grid needs a level above 0)",
        zeroPoint,
      );
    }
    const ends = dequantize([zeroPoint + 1, grid.qmax], grid.params).data;
    const [x0, x1] = [Math.max(ends[0] as number, lo), Math.min(ends[1] as number, hi)];
    const bottom = dequantize([grid.qmin], grid.params).data[0] as number;
    data.push({
      type: "scatter",
      mode: "lines",
      name: `${dtype}, s = ${fmt(scale)} ([${fmt(bottom)}, ${fmt(ends[1] as number)}])`,
      x: x0 < x1 ? [x0, x1] : [],
      y: x0 < x1 ? [scale, scale] : [],
      line: { color, width: 2, dash: "dash" },
      hovertemplate: `${dtype}: every level %{y:.4g} apart<extra></extra>`,
    });
  });
  if (dotted) {
    // One legend entry for every format's subnormals: each is drawn dotted in its format's colour.
    data.push({
      type: "scatter",
      mode: "lines",
      name: "subnormals (dotted, in each format's colour)",
      x: [null],
      y: [null],
      line: { color: COLORS.level, width: 2, dash: "dot" },
      hoverinfo: "skip",
    });
  }
  const layout = baseLayout(
    title ?? "Gap to the next representable value, against the value (log-log; dotted: subnormals)",
    axis("value x (positive)", {
      type: "log",
      exponentformat: "power",
      ...(opts.xRange === undefined ? {} : { range: [Math.log10(lo), Math.log10(hi)] }),
    }),
    axis("gap to the next value", { type: "log", exponentformat: "power" }),
  );
  return { data, layout };
}

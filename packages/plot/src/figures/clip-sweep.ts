import { Histogram } from "@quantlab/core";
import { checkOptions, rangeError, typeError } from "@quantlab/core/validate";
import type { Data, Layout, Shape } from "plotly.js";
import { finiteArray, finiteNumber, optionalString, sameLength } from "../validate.js";
import { axis, baseLayout, COLORS, fmt, SERIES_COLORS } from "./theme.js";
import type { Figure } from "./types.js";

/** The most bars the histogram panel draws. */
const MAX_BARS = 256;

/** One calibration method's clipping threshold and the error it gives. */
export interface ClipChoice {
  name: string;
  amax: number;
  mse: number;
}

/** Options of {@link clipSweep}. */
export interface ClipSweepOptions {
  /** The clipping thresholds tried, ascending. */
  amax: readonly number[];
  /** The mean squared error x̂ − x of quantizing with each threshold (core's `meanSquaredError`). */
  mse: readonly number[];
  /** Up to 8 methods' thresholds (core's `calibrate`), marked on the curve. */
  choices: ClipChoice[];
  /** Core's histogram of |x| the methods read, drawn above the curve on the same x axis. */
  histogram?: Histogram;
  /** Replaces the default title. */
  title?: string;
}

/**
 * The sweep of a clipping threshold: the error of quantizing a tensor with each amax (values
 * beyond it saturate, values inside are rounded to a grid of step amax / qmax) and where each
 * calibration method puts amax. Small thresholds clip too much, large ones round too coarsely:
 * the curve has a minimum between. With `histogram` (core's `Histogram` of |x|), the distribution
 * is drawn above, on the same x axis, log counts, so the tail that a threshold cuts off is seen
 * (at most 256 bars: neighbouring bins summed in groups of a power of two).
 * Every number is drawn as given: the MSEs are core's.
 *
 * Traces: `|x| histogram` (with `histogram`), `MSE against amax`, then one marker per choice,
 * named after it; a dashed vertical line per choice across both panels.
 *
 * @throws {TypeError} when an argument is of the wrong kind.
 * @throws {RangeError} for empty or unequal `amax` and `mse`, values that are not finite (or an MSE
 *   not > 0, the axis being logarithmic), more than 8 choices, or an unknown option key.
 * @example
 * const fig = clipSweep({ amax: [1, 2, 3], mse: [0.5, 0.1, 0.2], choices: [{ name: "mse", amax: 2, mse: 0.1 }] });
 * fig.data.map((trace) => trace.name);
 * // => ["MSE against amax", "mse: amax = 2"]
 */
export function clipSweep(options: ClipSweepOptions): Figure {
  const fn = "clipSweep";
  if (options === undefined)
    throw typeError(fn, "options", "an object with amax, mse and choices", options);
  const opts = checkOptions(fn, "options", options, [
    "amax",
    "mse",
    "choices",
    "histogram",
    "title",
  ]);
  const amax = finiteArray(fn, "options.amax", opts.amax);
  const mse = finiteArray(fn, "options.mse", opts.mse);
  sameLength(fn, "options.mse", mse, "options.amax", amax.length);
  mse.forEach((v, i) => {
    if (!(v > 0))
      throw rangeError(fn, `options.mse[${i}]`, "a number > 0 (the axis is logarithmic)", v);
  });
  const choices = opts.choices;
  if (!Array.isArray(choices))
    throw typeError(fn, "options.choices", "an array of { name, amax, mse }", choices);
  if (choices.length > SERIES_COLORS.length) {
    throw rangeError(fn, "options.choices", `at most ${SERIES_COLORS.length} choices`, choices);
  }
  const read = choices.map((c, i) => {
    const at = `options.choices[${i}]`;
    if (typeof c !== "object" || c === null)
      throw typeError(fn, at, "an object { name, amax, mse }", c);
    checkOptions(fn, at, c, ["name", "amax", "mse"]);
    if (typeof c.name !== "string") throw typeError(fn, `${at}.name`, "a string", c.name);
    const m = finiteNumber(fn, `${at}.mse`, c.mse);
    if (!(m > 0)) throw rangeError(fn, `${at}.mse`, "a number > 0 (the axis is logarithmic)", m);
    return { name: c.name, amax: finiteNumber(fn, `${at}.amax`, c.amax), mse: m };
  });
  const hist = opts.histogram;
  if (hist !== undefined && !(hist instanceof Histogram)) {
    throw typeError(fn, "options.histogram", "a Histogram (core's)", hist);
  }
  const title = optionalString(fn, "options.title", opts.title);
  const two = hist !== undefined && hist.width > 0;

  const data: Data[] = [];
  let right = Math.max(...amax, ...read.map((c) => c.amax));
  if (two) {
    const counts = hist.counts;
    let last = 0;
    for (let k = 0; k < counts.length; k++) if ((counts[k] as number) > 0) last = k;
    // At most MAX_BARS bars: sums of 2^j neighbouring bins (exact: whole bins, power-of-two width).
    let group = 1;
    while ((last + 1) / group > MAX_BARS) group *= 2;
    const width = hist.width * group;
    const bars = Math.ceil((last + 1) / group);
    const summed = new Array<number>(bars).fill(0);
    for (let k = 0; k <= last; k++) {
      const b = Math.floor(k / group);
      summed[b] = (summed[b] as number) + (counts[k] as number);
    }
    const centers = summed.map((_, b) => (b + 0.5) * width);
    right = Math.max(right, bars * width);
    data.push({
      type: "bar",
      name: `|x| histogram (${hist.total} values)`,
      x: centers,
      y: summed,
      width: centers.map(() => width),
      marker: { color: COLORS.original, line: { width: 0 } },
      xaxis: "x",
      yaxis: "y2",
      hovertemplate: `|x| in [%{x:.4g} ± ${fmt(width / 2)}): %{y} values<extra></extra>`,
    } as Data);
  }
  data.push({
    type: "scatter",
    mode: "lines",
    name: "MSE against amax",
    x: amax,
    y: mse,
    line: { color: COLORS.bound, width: 2 },
    xaxis: "x",
    yaxis: "y",
    hovertemplate: "amax %{x:.4g}: MSE %{y:.4g}<extra></extra>",
  } as Data);
  const shapes: Partial<Shape>[] = [];
  read.forEach((c, i) => {
    const color = SERIES_COLORS[(i + 1) % SERIES_COLORS.length] as string;
    data.push({
      type: "scatter",
      mode: "markers",
      name: `${c.name}: amax = ${fmt(c.amax)}`,
      x: [c.amax],
      y: [c.mse],
      marker: { color, size: 11, symbol: "diamond", line: { color: "#ffffff", width: 1 } },
      xaxis: "x",
      yaxis: "y",
      hovertemplate: `${c.name}: amax %{x:.4g}, MSE %{y:.4g}<extra></extra>`,
    } as Data);
    shapes.push({
      type: "line",
      xref: "x",
      yref: "paper",
      x0: c.amax,
      x1: c.amax,
      y0: 0,
      y1: 1,
      line: { color, width: 1.5, dash: "dash" },
    });
  });
  const layout: Partial<Layout> = baseLayout(
    title ?? "Quantization error against the clipping threshold amax, and each method's choice",
    axis("clipping threshold amax (|x| above it saturates)", { range: [0, right * 1.02] }),
    axis("MSE of x̂ − x (log)", {
      type: "log",
      exponentformat: "power",
      ...(two ? { domain: [0, 0.52] } : {}),
    }),
  );
  if (two) {
    (layout as Record<string, unknown>).yaxis2 = axis("count (log)", {
      type: "log",
      domain: [0.6, 1],
      anchor: "x",
      exponentformat: "power",
    });
    layout.height = 560;
  }
  layout.shapes = shapes;
  return { data, layout };
}

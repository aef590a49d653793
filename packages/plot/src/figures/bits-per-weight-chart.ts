import { checkOptions, rangeError, typeError } from "@quantlab/core/validate";
import type { Data } from "plotly.js";
import { finiteNumber, nonEmptyArray, oneOf, optionalString } from "../validate.js";
import { axis, baseLayout, SERIES_COLORS } from "./theme.js";
import type { Figure } from "./types.js";

/** One measured scheme: its cost in bits per weight and what it scored. */
export interface BitsPerWeightPoint {
  /** Storage per weight, parameters included (core's `bitsPerWeight`). */
  bits: number;
  /** What the scheme scored: an SQNR in dB, an accuracy, an error. */
  value: number;
  /** Written beside the point (a group size, a format name). */
  label?: string;
}

/** A series of points joined by a line: one family of schemes (int4 at every group size, say). */
export interface BitsPerWeightSeries {
  name: string;
  points: BitsPerWeightPoint[];
}

/** Options of {@link bitsPerWeightChart}. */
export interface BitsPerWeightChartOptions {
  /** Up to 8 series. */
  series: BitsPerWeightSeries[];
  /** The y axis title: what `value` is ("SQNR (dB)", "test accuracy (%)"). */
  yTitle: string;
  /** `"linear"` (default) or `"log"` for the y axis. */
  yType?: "linear" | "log";
  /**
   * `"linear"` (default) or `"log"` for the x axis: a log axis spreads schemes whose costs differ by
   * small amounts, e.g. the scales' cost alone (bits per weight minus the code's bits).
   */
  xType?: "linear" | "log";
  /** The x axis title, when x is not the total bits per weight. */
  xTitle?: string;
  /** Replaces the default title. */
  title?: string;
}

/**
 * What each scheme costs against what it scores: bits per weight on the x axis (the codes plus the
 * scales and zero points stored beside them, core's `bitsPerWeight`), a score on the y axis, one
 * line of labelled points per family of schemes. The numbers are drawn as given.
 *
 * Traces: one `lines+markers+text` scatter per series, named after it.
 *
 * @throws {TypeError} when an argument is of the wrong kind.
 * @throws {RangeError} for no series or more than 8, a series without points, a point that is not
 *   finite (or not > 0 on a log axis), or an unknown option key.
 * @example
 * const fig = bitsPerWeightChart({
 *   series: [{ name: "int4", points: [{ bits: 4.5, value: 20, label: "g64" }, { bits: 5, value: 21 }] }],
 *   yTitle: "SQNR (dB)",
 * });
 * [fig.data[0].x, fig.data[0].text];
 * // => [[4.5, 5], ["g64", ""]]
 */
export function bitsPerWeightChart(options: BitsPerWeightChartOptions): Figure {
  const fn = "bitsPerWeightChart";
  if (options === undefined)
    throw typeError(fn, "options", "an object with series and yTitle", options);
  const opts = checkOptions(fn, "options", options, [
    "series",
    "yTitle",
    "yType",
    "xType",
    "xTitle",
    "title",
  ]);
  const series = nonEmptyArray(fn, "options.series", opts.series, "an array of { name, points }", {
    count: SERIES_COLORS.length,
    noun: "series",
  });
  if (typeof opts.yTitle !== "string")
    throw typeError(fn, "options.yTitle", "a string", opts.yTitle);
  const yType =
    opts.yType === undefined ? "linear" : oneOf(fn, "options.yType", opts.yType, ["linear", "log"]);
  const xType =
    opts.xType === undefined ? "linear" : oneOf(fn, "options.xType", opts.xType, ["linear", "log"]);
  const xTitle =
    optionalString(fn, "options.xTitle", opts.xTitle) ??
    "bits per weight (codes + scales + zero points)";
  const title = optionalString(fn, "options.title", opts.title);
  const data: Data[] = series.map((s, i) => {
    const at = `options.series[${i}]`;
    if (typeof s !== "object" || s === null)
      throw typeError(fn, at, "an object { name, points }", s);
    checkOptions(fn, at, s, ["name", "points"]);
    if (typeof s.name !== "string") throw typeError(fn, `${at}.name`, "a string", s.name);
    nonEmptyArray(fn, `${at}.points`, s.points, "an array of points");
    const x: number[] = [];
    const y: number[] = [];
    const text: string[] = [];
    s.points.forEach((p, j) => {
      const pat = `${at}.points[${j}]`;
      if (typeof p !== "object" || p === null)
        throw typeError(fn, pat, "an object { bits, value, label? }", p);
      checkOptions(fn, pat, p, ["bits", "value", "label"]);
      const bits = finiteNumber(fn, `${pat}.bits`, p.bits);
      if (xType === "log" && !(bits > 0)) {
        throw rangeError(fn, `${pat}.bits`, "a number > 0 (the x axis is logarithmic)", bits);
      }
      const value = finiteNumber(fn, `${pat}.value`, p.value);
      if (yType === "log" && !(value > 0)) {
        throw rangeError(fn, `${pat}.value`, "a number > 0 (the y axis is logarithmic)", value);
      }
      const label = optionalString(fn, `${pat}.label`, p.label) ?? "";
      x.push(bits);
      y.push(value);
      text.push(label);
    });
    const color = SERIES_COLORS[i] as string;
    return {
      type: "scatter",
      mode: "text+lines+markers",
      name: s.name,
      x,
      y,
      text,
      // Alternate above and below (neighbouring schemes often cost almost the same bits); a lone
      // point's label goes to its right.
      textposition: (x.length === 1
        ? "middle right"
        : x.map((_, j) => (j % 2 === 0 ? "top center" : "bottom center"))) as never,
      textfont: { size: 11, color },
      line: { color, width: 2 },
      marker: { color, size: 8 },
      hovertemplate: `${s.name} %{text}<br>%{x:.4g} bits per weight<br>%{y:.4g}<extra></extra>`,
    } as Data;
  });
  const layout = baseLayout(
    title ?? `${opts.yTitle} against bits per weight (codes, scales and zero points)`,
    axis(xTitle, { type: xType, exponentformat: "power" }),
    axis(opts.yTitle, { type: yType, exponentformat: "power" }),
  );
  return { data, layout };
}

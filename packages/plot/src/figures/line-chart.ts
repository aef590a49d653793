import { rangeError, typeError } from "@quantlab/core/validate";
import type { Data } from "plotly.js";
import { finiteArray, optionalString, optionsObject } from "../validate.js";
import { axis, baseLayout, SERIES_COLORS } from "./theme.js";
import type { Figure } from "./types.js";

/** One line of {@link lineChart}: its name in the legend and its points. */
export interface LineSeries {
  readonly name: string;
  readonly x: readonly number[];
  readonly y: readonly number[];
  /** Draw dashes (a baseline, a reference). */
  readonly dashed?: boolean;
}

/** Options of {@link lineChart}. */
export interface LineChartOptions {
  readonly title?: string;
  readonly xTitle?: string;
  readonly yTitle?: string;
  /** A logarithmic y axis (every y must then be > 0). */
  readonly logY?: boolean;
  /** Only these x values get a tick (bit widths, group sizes). */
  readonly xTicks?: readonly number[];
}

/**
 * Lines (with markers up to 50 points), one a series, in the series colours: a measure against a setting (output
 * error against bits per weight, one line a method; accuracy against training steps). The
 * values are drawn as given; the hover shows them at 6 significant digits.
 *
 * @throws {TypeError} when `series` is not a non-empty array of `{ name, x, y }`, or an option
 *   has the wrong type.
 * @throws {RangeError} when a series' `x` and `y` differ in length, a value is not finite, or
 *   `logY` meets a value ≤ 0.
 * @example
 * const fig = lineChart([{ name: "RTN", x: [4, 3, 2], y: [1.7e-3, 7.3e-3, 4.5e-2] }], { logY: true });
 * [fig.data.length, fig.layout.yaxis?.type]; // => [1, "log"]
 */
export function lineChart(series: readonly LineSeries[], options: LineChartOptions = {}): Figure {
  const fn = "lineChart";
  if (!Array.isArray(series) || series.length === 0)
    throw typeError(fn, "series", "a non-empty array of { name, x, y }", series);
  const o = optionsObject(fn, "options", options, ["title", "xTitle", "yTitle", "logY", "xTicks"]);
  const title = optionalString(fn, "options.title", o.title) ?? "";
  const xTitle = optionalString(fn, "options.xTitle", o.xTitle) ?? "";
  const yTitle = optionalString(fn, "options.yTitle", o.yTitle) ?? "";
  const logY = o.logY === true;
  const data: Data[] = series.map((s, i) => {
    if (typeof s !== "object" || s === null || typeof s.name !== "string")
      throw typeError(fn, `series[${i}]`, "an object { name: string, x, y }", s);
    const x = finiteArray(fn, `series[${i}].x`, s.x);
    const y = finiteArray(fn, `series[${i}].y`, s.y);
    if (x.length !== y.length)
      throw rangeError(fn, `series[${i}].y`, `${x.length} values (as many as x)`, y.length);
    if (logY && y.some((v) => v <= 0))
      throw rangeError(
        fn,
        `series[${i}].y`,
        "values > 0 on a logarithmic axis",
        y.find((v) => v <= 0),
      );
    const color = SERIES_COLORS[i % SERIES_COLORS.length] as string;
    return {
      type: "scatter",
      // Markers only where they can be told apart.
      mode: x.length > 50 ? "lines" : "lines+markers",
      name: s.name,
      x,
      y,
      line: { color, width: 2, ...(s.dashed ? { dash: "dash" } : {}) },
      marker: { color, size: 7 },
      hovertemplate: `${s.name}: %{x:.6~g}, %{y:.6~g}<extra></extra>`,
    };
  });
  const ticks = o.xTicks === undefined ? undefined : finiteArray(fn, "options.xTicks", o.xTicks);
  return {
    data,
    layout: baseLayout(
      title,
      axis(xTitle, ticks === undefined ? {} : { tickvals: ticks }),
      axis(yTitle, logY ? { type: "log" } : {}),
    ),
  };
}

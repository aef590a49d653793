import { signedError } from "@quantlab/core";
import type { Data } from "plotly.js";
import {
  finiteArray,
  labelsArray,
  type NumericArray,
  optionalString,
  optionsObject,
  sameLength,
} from "../validate.js";
import { axis, baseLayout, COLORS } from "./theme.js";
import type { Figure } from "./types.js";

/** Options of {@link originalVsDequantized}. */
export interface OriginalVsDequantizedOptions {
  /** The values before quantization, x. */
  original: NumericArray;
  /** The values after quantize-then-dequantize, x̂; as many as `original`. */
  dequantized: NumericArray;
  /** A name per element for the x axis (default: the index 0, 1, ...). */
  labels?: string[];
  /** Replaces the default title. */
  title?: string;
}

/**
 * Original values x and dequantized values x̂ side by side at each element, joined by a thin line whose
 * length is the error x̂ - x.
 *
 * Traces: `error x̂ − x` (segments), `original x` (open circles), `dequantized x̂` (diamonds inside them).
 * The error in the hover text is core's `signedError` (x and x̂ read as float32, as core reads them).
 *
 * @throws {TypeError} when an argument is not an array of numbers (or `labels` not an array of strings).
 * @throws {RangeError} when an array is empty, holds NaN or ±Infinity (as float32), the lengths
 *   differ, or an option key is unknown.
 * @example
 * const fig = originalVsDequantized({ original: [-10, 0, 10], dequantized: [-9.96, 0, 9.96] });
 * fig.data.map((trace) => trace.name);
 * // => ["error x̂ − x", "original x", "dequantized x̂"]
 */
export function originalVsDequantized(options: OriginalVsDequantizedOptions): Figure {
  const fn = "originalVsDequantized";
  const opts = optionsObject(fn, "options", options, [
    "original",
    "dequantized",
    "labels",
    "title",
  ]);
  const original = finiteArray(fn, "original", opts.original);
  const dequantized = finiteArray(fn, "dequantized", opts.dequantized);
  sameLength(fn, "dequantized", dequantized, "original", original.length);
  const labels = labelsArray(fn, "labels", opts.labels, original.length, "original");
  const title = optionalString(fn, "title", opts.title);

  const n = original.length;
  const xs: Array<number | string> = labels ?? original.map((_, i) => i);
  const errors = Array.from(signedError(original, dequantized));
  const segX: Array<number | string | null> = [];
  const segY: Array<number | null> = [];
  for (let i = 0; i < n; i++) {
    segX.push(xs[i] as number | string, xs[i] as number | string, null);
    segY.push(original[i] as number, dequantized[i] as number, null);
  }
  const size = n <= 64 ? 9 : 5;
  const data: Data[] = [
    {
      type: "scatter",
      mode: "lines",
      name: "error x̂ − x",
      x: segX,
      y: segY,
      line: { color: COLORS.identity, width: 1.5 },
      hoverinfo: "skip",
    },
    {
      type: "scatter",
      mode: "markers",
      name: "original x",
      x: xs,
      y: original,
      marker: { color: COLORS.original, size: size + 3, symbol: "circle-open", line: { width: 2 } },
      hovertemplate: "element %{x}<br>x = %{y:.6g}<extra></extra>",
    },
    {
      type: "scatter",
      mode: "markers",
      name: "dequantized x̂",
      x: xs,
      y: dequantized,
      customdata: errors,
      marker: { color: COLORS.dequantized, size: size - 2, symbol: "diamond" },
      hovertemplate: "element %{x}<br>x̂ = %{y:.6g}<br>x̂ − x = %{customdata:.3g}<extra></extra>",
    },
  ];
  const xaxis = labels
    ? axis("element", { type: "category", showgrid: false })
    : axis("element index", {
        showgrid: false,
        rangemode: "normal",
        ...(n <= 32 ? { dtick: 1 } : {}),
      });
  const layout = baseLayout(
    title ?? "Original x and dequantized x̂ per element",
    xaxis,
    axis("value"),
  );
  return { data, layout };
}

import { checkOptions, rangeError, typeError } from "@quantlab/core/validate";
import type { Data } from "plotly.js";
import { finiteNumber, nonEmptyArray, optionalString } from "../validate.js";
import { axis, baseLayout, DEFAULT_HEIGHT, SERIES_COLORS } from "./theme.js";
import type { Figure } from "./types.js";

/** Where the labels of points at nearly the same x go, in turn. */
const PLACES = ["top center", "bottom center", "middle right", "middle left"];

/** One model variant: its storage cost and how well it does. */
export interface QualityPoint {
  /** The label next to the point, e.g. "int4 block 32". */
  name: string;
  /** Bits per weight: (codes + scales + zero points) · 8 / weights. */
  bitsPerWeight: number;
  /** Accuracy, agreement or any score, in the unit of `valueLabel`. */
  value: number;
}

/** One model: its variants, drawn as points of one colour (no line: variants are not a sequence). */
export interface QualitySeries {
  /** The legend entry. */
  name: string;
  points: QualityPoint[];
}

/** Options of {@link qualityVsBits}. */
export interface QualityVsBitsOptions {
  /** The y axis title (default "accuracy (%)"). */
  valueLabel?: string;
  /** Replaces the default title. */
  title?: string;
}

/**
 * Quality against size: each variant of a model as a point at its bits per weight (x, log scale,
 * 32 for float32) and its score (y), labelled; labels of points at nearly the same size (within 3 %)
 * go above, below, right and left in turn so they do not overlap. The figure is a third taller than
 * the others: variants cluster (int8 schemes near 8 bits) and their labels need vertical room.
 *
 * Traces: one per series (up to 8), in order.
 *
 * @throws {TypeError} when `series` is not an array of `{ name, points }`, a point is not
 *   `{ name, bitsPerWeight, value }`, or an option has the wrong type.
 * @throws {RangeError} when a series or its points are empty, a number is not finite (or bits per
 *   weight not > 0), names repeat, or an option key is unknown.
 * @example
 * const fig = qualityVsBits([{ name: "mlp", points: [
 *   { name: "float", bitsPerWeight: 32, value: 94.75 }, { name: "int8", bitsPerWeight: 8.3, value: 94.7 }] }]);
 * [fig.data[0].x, fig.data[0].text];
 * // => [[8.3, 32], ["int8", "float"]]
 */
export function qualityVsBits(series: QualitySeries[], options?: QualityVsBitsOptions): Figure {
  const fn = "qualityVsBits";
  nonEmptyArray(fn, "series", series, "an array of { name, points }", {
    count: SERIES_COLORS.length,
    noun: "series",
  });
  const opts = checkOptions(fn, "options", options, ["valueLabel", "title"]);
  const valueLabel = optionalString(fn, "options.valueLabel", opts.valueLabel) ?? "accuracy (%)";
  const names = new Set<string>();
  let lo = Number.POSITIVE_INFINITY;
  let hi = 0;
  const data: Data[] = series.map((s, k) => {
    const arg = `series[${k}]`;
    if (typeof s !== "object" || s === null)
      throw typeError(fn, arg, "an object { name, points }", s);
    if (typeof s.name !== "string" || s.name === "" || names.has(s.name)) {
      throw rangeError(fn, `${arg}.name`, "a non-empty name no other series has", s.name);
    }
    names.add(s.name);
    if (!Array.isArray(s.points) || s.points.length === 0) {
      throw typeError(
        fn,
        `${arg}.points`,
        "a non-empty array of { name, bitsPerWeight, value }",
        s.points,
      );
    }
    const points = s.points.map((p, i) => {
      const at = `${arg}.points[${i}]`;
      if (typeof p !== "object" || p === null || typeof p.name !== "string") {
        throw typeError(fn, at, "an object { name, bitsPerWeight, value }", p);
      }
      const bits = finiteNumber(fn, `${at}.bitsPerWeight`, p.bitsPerWeight);
      if (!(bits > 0)) throw rangeError(fn, `${at}.bitsPerWeight`, "a number > 0", bits);
      return { name: p.name, bits, value: finiteNumber(fn, `${at}.value`, p.value) };
    });
    points.sort((a, b) => a.bits - b.bits);
    const positions: string[] = [];
    let turn = 0;
    points.forEach((p, i) => {
      const previous = points[i - 1];
      turn = previous !== undefined && p.bits <= previous.bits * 1.03 ? turn + 1 : 0;
      positions.push(PLACES[turn % PLACES.length] as string);
      lo = Math.min(lo, p.bits);
      hi = Math.max(hi, p.bits);
    });
    return {
      type: "scatter",
      mode: "text+markers",
      name: s.name,
      x: points.map((p) => p.bits),
      y: points.map((p) => p.value),
      text: points.map((p) => p.name),
      textposition: positions as never,
      textfont: { size: 11, color: SERIES_COLORS[k] },
      marker: { color: SERIES_COLORS[k], size: 9 },
      hovertemplate: `${s.name}, %{text}<br>%{x:.4g} bits per weight<br>${valueLabel}: %{y:.6g}<extra></extra>`,
    } satisfies Data;
  });
  const layout = baseLayout(
    optionalString(fn, "options.title", opts.title) ?? `${valueLabel} against bits per weight`,
    axis("bits per weight (codes, scales and zero points)", {
      type: "log",
      dtick: Math.log10(2),
      range: [Math.log10(lo / 1.35), Math.log10(hi * 1.35)],
    }),
    axis(valueLabel),
  );
  layout.height = Math.round(DEFAULT_HEIGHT * 1.3);
  return { data, layout };
}

import { rangeError, typeError } from "@quantlab/core/validate";
import type { Data } from "plotly.js";
import { finiteNumber, optionalString, optionsObject, positiveNumber } from "../validate.js";
import { axis, baseLayout, fmt, SERIES_COLORS } from "./theme.js";
import type { Figure } from "./types.js";

/** One format measured on a tensor: what it costs and how far its reconstruction is. */
export interface FormatPoint {
  /** The format's name, written beside its point. */
  readonly name: string;
  /** Stored bits per weight (core's `blockStorage(t).bitsPerWeight`). */
  readonly bitsPerWeight: number;
  /** The error measure (core's `sqnrDb`, `rootMeanSquaredError`, ...). */
  readonly error: number;
  /** The family it belongs to (`"GGUF"`, `"MX"`, ...): one colour and legend entry each. */
  readonly family: string;
}

/** Options of {@link bitsAgainstError}. */
export interface BitsAgainstErrorOptions {
  /** The y axis' title, what `error` is: `"SQNR (dB)"` by default. */
  readonly errorTitle?: string;
  /** Replaces the default title. */
  readonly title?: string;
}

/**
 * Formats as points of bits per weight (x) against an error measure (y), each labelled with its
 * name, one colour and legend entry per family, in the order the families first appear.
 *
 * @throws {TypeError} when `points` is not an array of points, or a name or family not a string.
 * @throws {RangeError} when `points` is empty, a bits per weight is not > 0, an error not finite,
 *   or an option key is unknown.
 * @example
 * const fig = bitsAgainstError([
 *   { name: "q8_0", bitsPerWeight: 8.5, error: 41.2, family: "GGUF" },
 *   { name: "mxfp4", bitsPerWeight: 4.25, error: 17.9, family: "MX" },
 * ]);
 * fig.data.map((trace) => trace.name);
 * // => ["GGUF (1)", "MX (1)"]
 */
export function bitsAgainstError(
  points: readonly FormatPoint[],
  options: BitsAgainstErrorOptions = {},
): Figure {
  const fn = "bitsAgainstError";
  const opts = optionsObject(fn, "options", options, ["errorTitle", "title"]);
  const errorTitle = optionalString(fn, "options.errorTitle", opts.errorTitle) ?? "SQNR (dB)";
  const title = optionalString(fn, "options.title", opts.title);
  if (!Array.isArray(points)) throw typeError(fn, "points", "an array of points", points);
  if (points.length === 0) throw rangeError(fn, "points", "a non-empty array", points);
  const families = new Map<string, FormatPoint[]>();
  points.forEach((p, i) => {
    const at = `points[${i}]`;
    if (typeof p !== "object" || p === null) throw typeError(fn, at, "a point object", p);
    optionsObject(fn, at, p, ["name", "bitsPerWeight", "error", "family"]);
    if (typeof p.name !== "string") throw typeError(fn, `${at}.name`, "a string", p.name);
    if (typeof p.family !== "string") throw typeError(fn, `${at}.family`, "a string", p.family);
    positiveNumber(fn, `${at}.bitsPerWeight`, p.bitsPerWeight);
    finiteNumber(fn, `${at}.error`, p.error);
    const list = families.get(p.family) ?? [];
    list.push(p);
    families.set(p.family, list);
  });
  const data: Data[] = [...families.entries()].map(([family, list], k) => ({
    type: "scatter",
    mode: "text+markers",
    name: `${family} (${list.length})`,
    x: list.map((p) => p.bitsPerWeight),
    y: list.map((p) => p.error),
    text: list.map((p) => p.name),
    textposition: "middle right",
    cliponaxis: false,
    marker: { color: SERIES_COLORS[k % SERIES_COLORS.length], size: 10 },
    textfont: { color: SERIES_COLORS[k % SERIES_COLORS.length] },
    hovertemplate: `%{text}<br>%{x:.6g} bits per weight<br>${errorTitle} %{y:.6g}<extra>${family}</extra>`,
  }));
  const bits = points.map((p) => p.bitsPerWeight);
  const lo = Math.min(...bits);
  const hi = Math.max(...bits);
  const layout = baseLayout(
    title ??
      `${points.length} formats: bits per weight against ${errorTitle}, ${fmt(lo)} to ${fmt(hi)} bits`,
    axis("bits per weight (stored)", { range: [Math.floor(lo) - 0.25, Math.ceil(hi) + 1.25] }),
    axis(errorTitle),
  );
  return { data, layout };
}

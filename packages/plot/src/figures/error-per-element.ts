import type { Data, Layout, Shape } from "plotly.js";
import {
  finiteArray,
  labelsArray,
  type NumericArray,
  oneOf,
  optionalString,
  optionsObject,
  positiveNumber,
  rangeError,
  sameLength,
  typeError,
} from "../validate.js";
import { axis, baseLayout, COLORS, fmt, SERIES_COLORS } from "./theme.js";
import type { Figure } from "./types.js";

/** How the error of an element is measured. */
export type ErrorKind = "absolute" | "signed" | "percentage";

const KINDS: readonly ErrorKind[] = ["absolute", "signed", "percentage"];

/**
 * A bar above the bound counts as over it only beyond this relative margin, so that float32 rounding of x̂
 * does not colour an in-range element as clipped.
 */
const BOUND_MARGIN = 1e-6;

/**
 * The error of each element: |x̂ - x| ("absolute"), x̂ - x ("signed"), or 100 * |x̂ - x| / |x|
 * ("percentage"; null, i.e. no bar, where x = 0). Float64.
 */
function errorsOf(
  kind: ErrorKind,
  original: number[],
  dequantized: number[],
): Array<number | null> {
  return original.map((x, i) => {
    const d = (dequantized[i] as number) - x;
    if (kind === "signed") return d;
    if (kind === "absolute") return Math.abs(d);
    return x === 0 ? null : (100 * Math.abs(d)) / Math.abs(x);
  });
}

/** The bound on the error of an in-range element: scale / 2, or 100 * (scale / 2) / |x| as a percentage. */
function boundOf(kind: ErrorKind, x: number, scale: number): number | null {
  if (kind !== "percentage") return scale / 2;
  return x === 0 ? null : (100 * (scale / 2)) / Math.abs(x);
}

function yTitle(kind: ErrorKind): string {
  if (kind === "absolute") return "absolute error |x̂ − x|";
  if (kind === "signed") return "signed error x̂ − x";
  return "relative error |x̂ − x| / |x| (%)";
}

function boundShapes(
  kind: ErrorKind,
  scale: number,
  color: string,
  name: string,
): Array<Partial<Shape>> {
  const line = { color, width: 1.5, dash: "dash" as const };
  const at = (y: number, showlegend: boolean): Partial<Shape> => ({
    type: "line",
    xref: "paper",
    x0: 0,
    x1: 1,
    yref: "y",
    y0: y,
    y1: y,
    line,
    layer: "above",
    name,
    showlegend,
  });
  if (kind === "absolute") return [at(scale / 2, true)];
  if (kind === "signed") return [at(scale / 2, true), at(-scale / 2, false)];
  return [];
}

function xAxisFor(labels: string[] | undefined, n: number) {
  return labels
    ? axis("element", { type: "category", showgrid: false })
    : axis("element index", { showgrid: false, ...(n <= 32 ? { dtick: 1 } : {}) });
}

/** Options of {@link errorPerElement}. */
export interface ErrorPerElementOptions {
  /** The values before quantization, x. */
  original: NumericArray;
  /** The values after quantize-then-dequantize, x̂; as many as `original`. */
  dequantized: NumericArray;
  /** "absolute" |x̂ - x| (default), "signed" x̂ - x, or "percentage" 100 * |x̂ - x| / |x|. */
  kind?: ErrorKind;
  /** The scale used; when given, the rounding bound scale / 2 is drawn dashed and bars beyond it are orange. */
  scale?: number;
  /** A name per element for the x axis (default: the index 0, 1, ...). */
  labels?: string[];
  /** Replaces the default title. */
  title?: string;
}

/**
 * The error of each element as a bar: |x̂ - x| ("absolute", default), x̂ - x ("signed") or
 * 100 * |x̂ - x| / |x| ("percentage"; no bar where x = 0, marked with an ×). With `scale`, the bound
 * scale / 2 that rounding never exceeds inside the clip range is a dashed line (±scale / 2 for "signed";
 * the bound 100 * (scale / 2) / |x| per element as a dash marker for "percentage") and bars beyond it,
 * i.e. clipped elements, are orange. Arithmetic in float64; "beyond" means more than the bound by a
 * relative 1e-6, so float32 rounding of x̂ does not count.
 *
 * Traces, in order: `error` without a scale; with one `within s/2` (`within the bound` for
 * "percentage"), `beyond s/2 (clipped: n)` (only if n > 0) and for "percentage" the bound markers; last
 * the `x = 0` markers (only for "percentage" with zeros).
 *
 * @throws {TypeError} when an argument has the wrong type.
 * @throws {RangeError} when an array is empty, holds NaN or ±Infinity, the lengths differ, `kind` is
 *   unknown or `scale` is not finite > 0.
 * @example
 * const fig = errorPerElement({ original: [-10, -5, 0, 5, 10], dequantized: [-9.96, -5.02, 0, 5.02, 9.96] });
 * fig.data[0].y;
 * // => [0.03999999999999915, 0.019999999999999574, 0, 0.019999999999999574, 0.03999999999999915]
 */
export function errorPerElement(options: ErrorPerElementOptions): Figure {
  const fn = "errorPerElement";
  const opts = optionsObject(fn, "options", options);
  const original = finiteArray(fn, "original", opts.original);
  const dequantized = finiteArray(fn, "dequantized", opts.dequantized);
  sameLength(fn, "dequantized", dequantized, "original", original.length);
  const kind = opts.kind === undefined ? "absolute" : oneOf(fn, "kind", opts.kind, KINDS);
  const scale = opts.scale === undefined ? undefined : positiveNumber(fn, "scale", opts.scale);
  const labels = labelsArray(fn, "labels", opts.labels, original.length, "original");
  const title = optionalString(fn, "title", opts.title);

  const xs: Array<number | string> = labels ?? original.map((_, i) => i);
  const errors = errorsOf(kind, original, dequantized);
  const unit = kind === "percentage" ? " %" : "";
  const hover = `element %{x}<br>${kind === "percentage" ? "|x̂ − x| / |x|" : kind === "signed" ? "x̂ − x" : "|x̂ − x|"} = %{y:.4g}${unit}<extra></extra>`;
  const data: Data[] = [];
  const shapes: Array<Partial<Shape>> = [];
  let worst = 0;
  for (const e of errors) if (e !== null) worst = Math.max(worst, Math.abs(e));

  if (scale === undefined) {
    data.push({
      type: "bar",
      name: "error",
      x: xs,
      y: errors,
      marker: { color: COLORS.error },
      hovertemplate: hover,
    });
  } else {
    const beyond = errors.map((e, i) => {
      const b = boundOf(kind, original[i] as number, scale);
      return e !== null && b !== null && Math.abs(e) > b * (1 + BOUND_MARGIN);
    });
    const label = kind === "percentage" ? "the bound" : "s/2";
    const beyondCount = beyond.filter(Boolean).length;
    data.push({
      type: "bar",
      name: `within ${label}`,
      x: xs,
      y: errors.map((e, i) => (beyond[i] ? null : e)),
      marker: { color: COLORS.error },
      hovertemplate: hover,
    });
    if (beyondCount > 0) {
      data.push({
        type: "bar",
        name: `beyond ${label} (clipped: ${beyondCount})`,
        x: xs,
        y: errors.map((e, i) => (beyond[i] ? e : null)),
        marker: { color: COLORS.overBound },
        hovertemplate: hover,
      });
    }
    if (kind === "percentage") {
      data.push({
        type: "scatter",
        mode: "markers",
        name: "bound 100·(s/2)/|x|",
        x: xs,
        y: original.map((x) => boundOf(kind, x, scale)),
        marker: { color: COLORS.bound, symbol: "line-ew-open", size: 16, line: { width: 2 } },
        hovertemplate: "element %{x}<br>bound = %{y:.4g} %<extra></extra>",
      });
    } else {
      shapes.push(...boundShapes(kind, scale, COLORS.bound, `bound s/2 = ${fmt(scale / 2)}`));
    }
  }
  const zeros = original.flatMap((x, i) => (kind === "percentage" && x === 0 ? [i] : []));
  if (zeros.length > 0) {
    data.push({
      type: "scatter",
      mode: "markers",
      name: "x = 0 (no relative error)",
      x: zeros.map((i) => xs[i] as number | string),
      y: zeros.map(() => 0),
      marker: { color: COLORS.identity, symbol: "x-thin-open", size: 10, line: { width: 2 } },
      hovertemplate: "element %{x}: x = 0, relative error undefined<extra></extra>",
    });
  }
  const what =
    kind === "percentage"
      ? "Relative error"
      : kind === "signed"
        ? "Signed error"
        : "Absolute error";
  const stats = `max ${fmt(worst)}${unit}${scale === undefined ? "" : `, s/2 = ${fmt(scale / 2)}`}`;
  const layout: Partial<Layout> = baseLayout(
    title ?? `${what} per element (${stats})`,
    xAxisFor(labels, original.length),
    axis(yTitle(kind)),
  );
  layout.barmode = "overlay";
  if (shapes.length > 0) layout.shapes = shapes;
  return { data, layout };
}

/** One quantization scheme in {@link compareErrors}. */
export interface ErrorScheme {
  /** The legend entry, e.g. "int8 symmetric". */
  name: string;
  /** The scheme's dequantized values; as many as `original`. */
  dequantized: NumericArray;
  /** The scheme's scale; when given (and kind is not "percentage"), its bound scale / 2 is drawn dashed. */
  scale?: number;
}

/** Options of {@link compareErrors}. */
export interface CompareErrorsOptions {
  /** The values before quantization, x. */
  original: NumericArray;
  /** 1 to 8 schemes, drawn side by side in this order. */
  schemes: ErrorScheme[];
  /** "absolute" |x̂ - x| (default), "signed" x̂ - x, or "percentage" 100 * |x̂ - x| / |x|. */
  kind?: ErrorKind;
  /** A name per element for the x axis (default: the index 0, 1, ...). */
  labels?: string[];
  /** Replaces the default title. */
  title?: string;
}

/**
 * The error of each element under several quantization schemes as grouped bars, one colour per scheme,
 * with each scheme's bound scale / 2 as a dashed line of its colour when its scale is given ("absolute"
 * and "signed"). Errors as in {@link errorPerElement}, float64; "percentage" has no bar where x = 0.
 *
 * Traces: one bar trace per scheme, named after it, in order.
 *
 * @throws {TypeError} when an argument has the wrong type.
 * @throws {RangeError} when `schemes` is empty or has more than 8 entries, names repeat or are empty,
 *   an array is empty, not finite or of another length, `kind` is unknown, or a scale is not finite > 0.
 * @example
 * const fig = compareErrors({
 *   original: [0.1, 0.5],
 *   schemes: [{ name: "coarse", dequantized: [0, 0.5] }, { name: "fine", dequantized: [0.1, 0.5] }],
 * });
 * fig.data.map((trace) => [trace.name, trace.y]);
 * // => [["coarse", [0.1, 0]], ["fine", [0, 0]]]
 */
export function compareErrors(options: CompareErrorsOptions): Figure {
  const fn = "compareErrors";
  const opts = optionsObject(fn, "options", options);
  const original = finiteArray(fn, "original", opts.original);
  if (!Array.isArray(opts.schemes))
    throw typeError(fn, "schemes", "an array of { name, dequantized, scale? }", opts.schemes);
  const list = opts.schemes as unknown[];
  if (list.length === 0 || list.length > SERIES_COLORS.length) {
    throw rangeError(fn, "schemes", `an array of 1 to ${SERIES_COLORS.length} schemes`, list);
  }
  const kind = opts.kind === undefined ? "absolute" : oneOf(fn, "kind", opts.kind, KINDS);
  const labels = labelsArray(fn, "labels", opts.labels, original.length, "original");
  const title = optionalString(fn, "title", opts.title);
  const names = new Set<string>();
  const schemes = list.map((raw, k) => {
    const arg = `schemes[${k}]`;
    const s = optionsObject(fn, arg, raw);
    if (typeof s.name !== "string") throw typeError(fn, `${arg}.name`, "a string", s.name);
    if (s.name === "" || names.has(s.name))
      throw rangeError(fn, `${arg}.name`, "a non-empty name no other scheme has", s.name);
    names.add(s.name);
    const dequantized = finiteArray(fn, `${arg}.dequantized`, s.dequantized);
    sameLength(fn, `${arg}.dequantized`, dequantized, "original", original.length);
    const scale = s.scale === undefined ? undefined : positiveNumber(fn, `${arg}.scale`, s.scale);
    return { name: s.name, dequantized, scale };
  });

  const xs: Array<number | string> = labels ?? original.map((_, i) => i);
  const shapes: Array<Partial<Shape>> = [];
  const data: Data[] = schemes.map((scheme, k) => {
    const color = SERIES_COLORS[k] as string;
    if (scheme.scale !== undefined) {
      shapes.push(
        ...boundShapes(kind, scheme.scale, color, `${scheme.name}: s/2 = ${fmt(scheme.scale / 2)}`),
      );
    }
    return {
      type: "bar",
      name: scheme.name,
      x: xs,
      y: errorsOf(kind, original, scheme.dequantized),
      marker: { color },
      hovertemplate: `${scheme.name}<br>element %{x}: %{y:.4g}${kind === "percentage" ? " %" : ""}<extra></extra>`,
    } satisfies Data;
  });
  const what =
    kind === "percentage"
      ? "Relative error"
      : kind === "signed"
        ? "Signed error"
        : "Absolute error";
  const layout: Partial<Layout> = baseLayout(
    title ?? `${what} per element, ${schemes.length} schemes`,
    xAxisFor(labels, original.length),
    axis(yTitle(kind)),
  );
  layout.barmode = "group";
  if (shapes.length > 0) layout.shapes = shapes;
  return { data, layout };
}

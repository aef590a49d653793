import {
  absoluteError,
  absolutePercentageError,
  type QuantParams,
  SEMANTICS,
  type Semantics,
  signedError,
} from "@quantlab/core";
import { rangeError, typeError } from "@quantlab/core/validate";
import type { Data, Layout, Shape } from "plotly.js";
import {
  finiteArray,
  labelsArray,
  type NumericArray,
  nonEmptyArray,
  oneOf,
  optionalString,
  optionsObject,
  sameLength,
} from "../validate.js";
import { readParams, traceOf } from "./grid.js";
import { axis, baseLayout, COLORS, fmt, SERIES_COLORS } from "./theme.js";
import type { Figure } from "./types.js";

/** How the error of an element is measured. */
export type ErrorKind = "absolute" | "signed" | "percentage";

const KINDS: readonly ErrorKind[] = ["absolute", "signed", "percentage"];

/**
 * Where x = 0 as core reads it (float32): core's `absolutePercentageError` returns 0 there, and the
 * figures draw no bar but a marker.
 */
function zerosOf(original: readonly number[]): number[] {
  return original.flatMap((x, i) => (Math.fround(x) === 0 ? [i] : []));
}

/**
 * The error of each element, by core's metrics: `absoluteError` |x̂ - x|, `signedError` x̂ - x, or
 * `absolutePercentageError` 100 · |x̂ - x| / |x|, with null (no bar) where x = 0.
 */
function errorsOf(
  kind: ErrorKind,
  original: number[],
  dequantized: number[],
): Array<number | null> {
  if (kind === "signed") return Array.from(signedError(original, dequantized));
  if (kind === "absolute") return Array.from(absoluteError(original, dequantized));
  const errors: Array<number | null> = Array.from(absolutePercentageError(original, dequantized));
  for (const i of zerosOf(original)) errors[i] = null;
  return errors;
}

/** The bound on the error of an element that is not saturated: s / 2, or 100 · (s / 2) / |x| as a percentage. */
function boundOf(kind: ErrorKind, x: number, scale: number): number | null {
  if (kind !== "percentage") return scale / 2;
  const x32 = Math.fround(x);
  return x32 === 0 ? null : (100 * (scale / 2)) / Math.abs(x32);
}

/** The `x = 0` markers of a "percentage" figure (none for other kinds, or without zeros). */
function zeroMarkers(kind: ErrorKind, original: number[], xs: Array<number | string>): Data[] {
  const zeros = kind === "percentage" ? zerosOf(original) : [];
  if (zeros.length === 0) return [];
  return [
    {
      type: "scatter",
      mode: "markers",
      name: "x = 0 (no relative error)",
      x: zeros.map((i) => xs[i] as number | string),
      y: zeros.map(() => 0),
      marker: { color: COLORS.identity, symbol: "x-thin-open", size: 10, line: { width: 2 } },
      hovertemplate: "element %{x}: x = 0, relative error undefined<extra></extra>",
    },
  ];
}

/** How each kind of error is named: in a title, on the axis, in the hover text, and its unit. */
const KIND_TEXT: Readonly<
  Record<ErrorKind, { title: string; axis: string; formula: string; unit: string }>
> = {
  absolute: {
    title: "Absolute error",
    axis: "absolute error |x̂ − x|",
    formula: "|x̂ − x|",
    unit: "",
  },
  signed: { title: "Signed error", axis: "signed error x̂ − x", formula: "x̂ − x", unit: "" },
  percentage: {
    title: "Relative error",
    axis: "relative error |x̂ − x| / |x| (%)",
    formula: "|x̂ − x| / |x|",
    unit: " %",
  },
};

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

/** What both error figures take: the original values, the kind of error, labels and a title. */
export interface ErrorFigureOptions {
  /** The values before quantization, x. */
  original: NumericArray;
  /** "absolute" |x̂ - x| (default), "signed" x̂ - x, or "percentage" 100 · |x̂ - x| / |x|. */
  kind?: ErrorKind;
  /** A name per element for the x axis (default: the index 0, 1, ...). */
  labels?: string[];
  /** Replaces the default title. */
  title?: string;
}

/** Options of {@link errorPerElement}. */
export interface ErrorPerElementOptions extends ErrorFigureOptions {
  /** The values after quantize-then-dequantize, x̂; as many as `original`. */
  dequantized: NumericArray;
  /**
   * The per-tensor parameters x̂ was made with. When given, the bound s / 2 is drawn dashed and the
   * elements core saturates (`traceQuantize`'s `clipped`) are orange.
   */
  params?: QuantParams;
  /** The semantics x was quantized with, to tell which elements saturate: "onnx" (default) or "pytorch". Only with `params`. */
  semantics?: Semantics;
}

const ERROR_OPTIONS = [
  "original",
  "dequantized",
  "kind",
  "params",
  "semantics",
  "labels",
  "title",
] as const;

/**
 * The error of each element as a bar, by core's metrics: `absoluteError` |x̂ - x| ("absolute",
 * default), `signedError` x̂ - x ("signed") or `absolutePercentageError` 100 · |x̂ - x| / |x|
 * ("percentage"; core returns 0 where x = 0, where the figure draws no bar and an × instead).
 * With `params`, the bound s / 2 that rounding does not exceed is a dashed line (±s / 2 for
 * "signed"; the bound 100 · (s / 2) / |x| per element as a dash marker for "percentage"), and the
 * bars of the elements that core saturates (saturation changed their code, with the named
 * semantics) are orange.
 *
 * Traces, in order: `error` without params; with them `not saturated`, `saturated (n)` (only if
 * n > 0) and for "percentage" the bound markers; last the `x = 0` markers (only for "percentage"
 * with zeros).
 *
 * @throws {TypeError} when an argument has the wrong type, `params` are per axis or per block, or
 *   `semantics` comes without `params`.
 * @throws {RangeError} when an array is empty, holds NaN or ±Infinity (as float32), the lengths
 *   differ, `kind` or an option key is unknown, or core refuses `params`.
 * @example
 * const fig = errorPerElement({ original: [1, 2], dequantized: [1.5, 2] });
 * fig.data[0].y;
 * // => [0.5, 0]
 */
export function errorPerElement(options: ErrorPerElementOptions): Figure {
  const fn = "errorPerElement";
  const opts = optionsObject(fn, "options", options, ERROR_OPTIONS);
  const original = finiteArray(fn, "original", opts.original);
  const dequantized = finiteArray(fn, "dequantized", opts.dequantized);
  sameLength(fn, "dequantized", dequantized, "original", original.length);
  const kind = opts.kind === undefined ? "absolute" : oneOf(fn, "kind", opts.kind, KINDS);
  if (opts.params === undefined && opts.semantics !== undefined)
    throw typeError(fn, "semantics", "left out when 'params' is not given", opts.semantics);
  const semantics =
    opts.semantics === undefined ? "onnx" : oneOf(fn, "semantics", opts.semantics, SEMANTICS);
  const grid = opts.params === undefined ? undefined : readParams(fn, opts.params, semantics);
  const labels = labelsArray(fn, "labels", opts.labels, original.length, "original");
  const title = optionalString(fn, "title", opts.title);

  const xs: Array<number | string> = labels ?? original.map((_, i) => i);
  const errors = errorsOf(kind, original, dequantized);
  const { unit, formula } = KIND_TEXT[kind];
  const hover = `element %{x}<br>${formula} = %{y:.4g}${unit}<extra></extra>`;
  const data: Data[] = [];
  const shapes: Array<Partial<Shape>> = [];
  let worst = 0;
  for (const e of errors) if (e !== null) worst = Math.max(worst, Math.abs(e));

  if (grid === undefined) {
    data.push({
      type: "bar",
      name: "error",
      x: xs,
      y: errors,
      marker: { color: COLORS.error },
      hovertemplate: hover,
    });
  } else {
    const scale = grid.params.scale;
    const saturated = traceOf(grid, original).clipped;
    const count = saturated.filter(Boolean).length;
    data.push({
      type: "bar",
      name: "not saturated",
      x: xs,
      y: errors.map((e, i) => (saturated[i] ? null : e)),
      marker: { color: COLORS.error },
      hovertemplate: hover,
    });
    if (count > 0) {
      data.push({
        type: "bar",
        name: `saturated (${count})`,
        x: xs,
        y: errors.map((e, i) => (saturated[i] ? e : null)),
        marker: { color: COLORS.saturated },
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
  data.push(...zeroMarkers(kind, original, xs));
  const stats = `max ${fmt(worst)}${unit}${grid === undefined ? "" : `, s/2 = ${fmt(grid.params.scale / 2)}`}`;
  const layout = errorLayout(
    kind,
    title ?? `${KIND_TEXT[kind].title} per element (${stats})`,
    labels,
    xs,
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
  /** The scheme's per-tensor parameters; when given (and kind is not "percentage"), its bound s / 2 is drawn dashed. */
  params?: QuantParams;
}

/** Options of {@link compareErrors}. */
export interface CompareErrorsOptions extends ErrorFigureOptions {
  /** 1 to 8 schemes, drawn side by side in this order. */
  schemes: ErrorScheme[];
}

const COMPARE_OPTIONS = ["original", "schemes", "kind", "labels", "title"] as const;
const SCHEME_KEYS = ["name", "dequantized", "params"] as const;

/**
 * The error of each element under several quantization schemes as grouped bars, one colour per scheme,
 * with each scheme's bound s / 2 as a dashed line of its colour when its params are given ("absolute"
 * and "signed"). Errors by core's metrics as in {@link errorPerElement}; "percentage" has no bar
 * where x = 0, and an × marks it.
 *
 * Traces: one bar trace per scheme, named after it, in order; then the `x = 0` markers (only for
 * "percentage" with zeros).
 *
 * @throws {TypeError} when an argument has the wrong type or a scheme's `params` are per axis.
 * @throws {RangeError} when `schemes` is empty or has more than 8 entries, names repeat or are empty,
 *   an array is empty, not finite or of another length, `kind` or a key is unknown, or core refuses
 *   a scheme's `params`.
 * @example
 * const fig = compareErrors({
 *   original: [0.5, 1],
 *   schemes: [{ name: "coarse", dequantized: [0, 1] }, { name: "fine", dequantized: [0.5, 1] }],
 * });
 * fig.data.map((trace) => [trace.name, trace.y]);
 * // => [["coarse", [0.5, 0]], ["fine", [0, 0]]]
 */
export function compareErrors(options: CompareErrorsOptions): Figure {
  const fn = "compareErrors";
  const opts = optionsObject(fn, "options", options, COMPARE_OPTIONS);
  const original = finiteArray(fn, "original", opts.original);
  const list = nonEmptyArray(
    fn,
    "schemes",
    opts.schemes as readonly unknown[] | undefined,
    "an array of { name, dequantized, params? }",
    { count: SERIES_COLORS.length, noun: "schemes" },
  );
  const kind = opts.kind === undefined ? "absolute" : oneOf(fn, "kind", opts.kind, KINDS);
  const labels = labelsArray(fn, "labels", opts.labels, original.length, "original");
  const title = optionalString(fn, "title", opts.title);
  const names = new Set<string>();
  const schemes = list.map((raw, k) => {
    const arg = `schemes[${k}]`;
    const s = optionsObject(fn, arg, raw, SCHEME_KEYS);
    if (typeof s.name !== "string") throw typeError(fn, `${arg}.name`, "a string", s.name);
    if (s.name === "" || names.has(s.name))
      throw rangeError(fn, `${arg}.name`, "a non-empty name no other scheme has", s.name);
    names.add(s.name);
    const dequantized = finiteArray(fn, `${arg}.dequantized`, s.dequantized);
    sameLength(fn, `${arg}.dequantized`, dequantized, "original", original.length);
    const scale =
      s.params === undefined
        ? undefined
        : readParams(fn, s.params, "onnx", `${arg}.params`).params.scale;
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
      hovertemplate: `${scheme.name}<br>element %{x}: %{y:.4g}${KIND_TEXT[kind].unit}<extra></extra>`,
    } satisfies Data;
  });
  data.push(...zeroMarkers(kind, original, xs));
  const layout = errorLayout(
    kind,
    title ?? `${KIND_TEXT[kind].title} per element, ${schemes.length} schemes`,
    labels,
    xs,
  );
  layout.barmode = "group";
  if (shapes.length > 0) layout.shapes = shapes;
  return { data, layout };
}

/** The layout of an error figure: the title, the element axis (categories with labels) and the error axis. */
function errorLayout(
  kind: ErrorKind,
  title: string,
  labels: string[] | undefined,
  xs: ArrayLike<unknown>,
): Partial<Layout> {
  const xaxis = labels
    ? axis("element", { type: "category", showgrid: false })
    : axis("element index", { showgrid: false, ...(xs.length <= 32 ? { dtick: 1 } : {}) });
  return baseLayout(title, xaxis, axis(KIND_TEXT[kind].axis));
}

import type { ZeroPointTerms } from "@quantlab/core";
import { checkInteger, checkOptions, rangeError, typeError } from "@quantlab/core/validate";
import type { Data } from "plotly.js";
import { optionalString } from "../validate.js";
import { axis, baseLayout, COLORS, SERIES_COLORS } from "./theme.js";
import type { Figure } from "./types.js";

/** Options of {@link zeroPointTermBars}. */
export interface ZeroPointTermBarsOptions {
  /** The row i of the result whose elements are drawn (default 0). */
  row?: number;
  /** How many elements y[i, 0], y[i, 1], ... are drawn (default up to 8). */
  columns?: number;
  /** Replaces the default title. */
  title?: string;
}

const KEYS = [
  "shape",
  "depth",
  "aZeroPoint",
  "bZeroPoint",
  "products",
  "rowTerms",
  "columnTerms",
  "constant",
  "total",
];

function readTerms(fn: string, value: unknown): ZeroPointTerms {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw typeError(fn, "terms", "what core's zeroPointTerms returns", value);
  }
  const t = value as Partial<ZeroPointTerms>;
  for (const key of KEYS) {
    if (!(key in t))
      throw typeError(fn, `terms.${key}`, "present (zeroPointTerms' result)", undefined);
  }
  const [m, n] = t.shape as [number, number];
  const sizes: Array<[string, unknown, number]> = [
    ["products", t.products, m * n],
    ["rowTerms", t.rowTerms, m],
    ["columnTerms", t.columnTerms, n],
    ["total", t.total, m * n],
  ];
  for (const [key, array, length] of sizes) {
    if (!(array instanceof Float64Array) || array.length !== length) {
      throw typeError(fn, `terms.${key}`, `a Float64Array of length ${length}`, array);
    }
  }
  if (m === 0 || n === 0) throw rangeError(fn, "terms.shape", "a non-empty result", t.shape);
  return t as ZeroPointTerms;
}

/**
 * The four terms of `y[i, j] = Σ_k (a[i,k] − z_a)(b[k,j] − z_b)` as grouped bars, one group per
 * element: `Σ a·b` (the raw codes multiplied), `−z_b Σ_k a` (the row term), `−z_a Σ_k b` (the
 * column term), `K z_a z_b` (the constant) and their sum, the total. Every number is core's
 * `zeroPointTerms`. The terms are typically hundreds of times the total: they cancel.
 *
 * Traces, in order: the four terms, then `total`.
 *
 * @throws {TypeError} when `terms` is not core's `zeroPointTerms` result or an option has the
 *   wrong type.
 * @throws {RangeError} when `row` or `columns` is out of range or an option key is unknown.
 * @example
 * const t = zeroPointTerms({ data: new Uint8Array([130, 140]), shape: [1, 2] },
 *   { data: new Uint8Array([120, 110]), shape: [2, 1] }, { aZeroPoint: 128, bZeroPoint: 128 });
 * zeroPointTermBars(t).data.map((trace) => trace.y[0]);
 * // => [31000, -34560, -29440, 32768, -232]
 */
export function zeroPointTermBars(
  terms: ZeroPointTerms,
  options?: ZeroPointTermBarsOptions,
): Figure {
  const fn = "zeroPointTermBars";
  const t = readTerms(fn, terms);
  const opts = checkOptions(fn, "options", options, ["row", "columns", "title"]);
  const [m, n] = t.shape;
  const row = checkInteger(fn, "options.row", opts.row, 0, 0, m - 1);
  const columns = checkInteger(fn, "options.columns", opts.columns, Math.min(8, n), 1, n);
  const title = optionalString(fn, "options.title", opts.title);
  const labels = Array.from({ length: columns }, (_, j) => `y[${row}, ${j}]`);
  const at = (a: Float64Array) =>
    Array.from({ length: columns }, (_, j) => a[row * n + j] as number);
  const series: Array<[string, number[], string]> = [
    ["Σₖ a·b", at(t.products), SERIES_COLORS[0]],
    [
      `−z_b·Σₖ a  (z_b = ${t.bZeroPoint})`,
      labels.map(() => t.rowTerms[row] as number),
      SERIES_COLORS[2],
    ],
    [
      `−z_a·Σₖ b  (z_a = ${t.aZeroPoint})`,
      Array.from({ length: columns }, (_, j) => t.columnTerms[j] as number),
      SERIES_COLORS[3],
    ],
    [`K·z_a·z_b  (K = ${t.depth})`, labels.map(() => t.constant), SERIES_COLORS[4]],
    ["total Σₖ (a − z_a)(b − z_b)", at(t.total), COLORS.bound],
  ];
  const data: Data[] = series.map(([name, y, color], k) => ({
    type: "bar",
    name,
    x: labels,
    y,
    marker: { color },
    hovertemplate: `${name}<br>%{x}: %{y:,}<extra></extra>`,
    // The total is small next to the terms: its value is written on it.
    ...(k === series.length - 1
      ? {
          text: y.map((v) => v.toLocaleString("en-US")),
          textposition: "outside" as const,
          textangle: -90,
          constraintext: "none" as const,
          cliponaxis: false,
          textfont: { size: 11, color: COLORS.bound },
        }
      : {}),
  }));
  const layout = baseLayout(
    title ?? `The zero-point terms of ${columns} elements of row ${row}, and their total`,
    axis("element of the int32 result", { type: "category", showgrid: false }),
    axis("term (integer)", { zeroline: true, zerolinecolor: "#888888" }),
  );
  layout.barmode = "group";
  return { data, layout };
}

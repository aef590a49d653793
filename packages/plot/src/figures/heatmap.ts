import { checkOptions, rangeError, typeError } from "@quantlab/core/validate";
import type { Data, Layout } from "plotly.js";
import {
  finiteArray,
  finiteNumber,
  type NumericArray,
  nonEmptyArray,
  oneOf,
  optionalString,
} from "../validate.js";
import { axis, baseLayout, fmt } from "./theme.js";
import type { Figure } from "./types.js";

/** One matrix of a {@link heatmap}. */
export interface HeatmapPanel {
  /** The panel's title. */
  name: string;
  /** `rows × cols` values, row-major. */
  values: NumericArray;
}

/** Options of {@link heatmap}. */
export interface HeatmapOptions {
  /** Up to 4 matrices of the same shape, drawn side by side on one colour scale. */
  panels: HeatmapPanel[];
  /** `[rows, cols]` of every panel. */
  shape: [number, number];
  /**
   * `"diverging"` (default): blue below 0, red above, white at 0, symmetric about 0 (weights,
   * signed errors); `"sequential"`: from 0 up (magnitudes, absolute errors).
   */
  scale?: "diverging" | "sequential";
  /** The largest magnitude the colours tell apart (default: the largest |value| of all panels); larger ones take the end colour. */
  zmax?: number;
  /** Axis titles: default "column" and "row"; the colour bar's default "value". */
  xTitle?: string;
  yTitle?: string;
  zTitle?: string;
  /** Replaces the default title. */
  title?: string;
}

const DIVERGING: [number, string][] = [
  [0, "#2166ac"],
  [0.25, "#92c5de"],
  [0.5, "#f7f7f7"],
  [0.75, "#f4a582"],
  [1, "#b2182b"],
];
const SEQUENTIAL: [number, string][] = [
  [0, "#ffffff"],
  [0.35, "#fdd49e"],
  [0.7, "#ef6548"],
  [1, "#7f0000"],
];

/**
 * Matrices as heatmaps, side by side on one shared colour scale, row 0 at the top: a layer's
 * weights (rows: output channels), or the quantization error x̂ − x of each weight, where a row of
 * larger values (an outlier channel) stands out. The values are drawn as given: pass core's
 * numbers (weights, `signedError`, `absoluteError`).
 *
 * Traces: one `heatmap` per panel, named after it, on the shared colour axis.
 *
 * @throws {TypeError} when an argument is of the wrong kind.
 * @throws {RangeError} for no panel or more than 4, a shape that is not two integers ≥ 1, values not
 *   finite or not `rows × cols` of them, `zmax` not > 0, or an unknown option key.
 * @example
 * const fig = heatmap({ panels: [{ name: "w", values: [1, -2, 0.5, 4] }], shape: [2, 2] });
 * fig.data[0].z;
 * // => [[1, -2], [0.5, 4]]
 */
export function heatmap(options: HeatmapOptions): Figure {
  const fn = "heatmap";
  if (options === undefined)
    throw typeError(fn, "options", "an object with panels and shape", options);
  const opts = checkOptions(fn, "options", options, [
    "panels",
    "shape",
    "scale",
    "zmax",
    "xTitle",
    "yTitle",
    "zTitle",
    "title",
  ]);
  const shape = opts.shape;
  if (!Array.isArray(shape)) throw typeError(fn, "options.shape", "an array [rows, cols]", shape);
  if (shape.length !== 2 || !shape.every((d) => Number.isInteger(d) && d >= 1)) {
    throw rangeError(fn, "options.shape", "two integers ≥ 1, [rows, cols]", shape);
  }
  const [rows, cols] = shape;
  const panels = nonEmptyArray(fn, "options.panels", opts.panels, "an array of { name, values }", {
    count: 4,
    noun: "panels",
  });
  const scale =
    opts.scale === undefined
      ? "diverging"
      : oneOf(fn, "options.scale", opts.scale, ["diverging", "sequential"]);
  const read = panels.map((p, i) => {
    if (typeof p !== "object" || p === null) {
      throw typeError(fn, `options.panels[${i}]`, "an object { name, values }", p);
    }
    checkOptions(fn, `options.panels[${i}]`, p, ["name", "values"]);
    if (typeof p.name !== "string")
      throw typeError(fn, `options.panels[${i}].name`, "a string", p.name);
    const values = finiteArray(fn, `options.panels[${i}].values`, p.values);
    if (values.length !== rows * cols) {
      throw rangeError(
        fn,
        `options.panels[${i}].values`,
        `${rows * cols} values (rows × cols of options.shape)`,
        p.values,
      );
    }
    return { name: p.name, values };
  });
  let largest = 0;
  for (const p of read) for (const v of p.values) largest = Math.max(largest, Math.abs(v));
  const zmax = opts.zmax === undefined ? largest || 1 : finiteNumber(fn, "options.zmax", opts.zmax);
  if (!(zmax > 0)) throw rangeError(fn, "options.zmax", "a number > 0", zmax);
  const xTitle = optionalString(fn, "options.xTitle", opts.xTitle) ?? "column";
  const yTitle = optionalString(fn, "options.yTitle", opts.yTitle) ?? "row";
  const zTitle = optionalString(fn, "options.zTitle", opts.zTitle) ?? "value";
  const title = optionalString(fn, "options.title", opts.title);

  const gap = 0.04;
  const width = (1 - gap * (read.length - 1)) / read.length;
  const data: Data[] = read.map((p, i) => {
    const z: number[][] = [];
    for (let r = 0; r < rows; r++) z.push(p.values.slice(r * cols, (r + 1) * cols));
    const suffix = i === 0 ? "" : String(i + 1);
    return {
      type: "heatmap",
      name: p.name,
      z,
      xaxis: `x${suffix}`,
      yaxis: `y${suffix}`,
      coloraxis: "coloraxis",
      hovertemplate: `${p.name}<br>row %{y}, column %{x}<br>%{z:.4g}<extra></extra>`,
    } as Data;
  });
  const layout: Partial<Layout> = baseLayout(
    title ??
      (read.length === 1
        ? (read[0] as { name: string }).name
        : read.map((p) => p.name).join(" | ")),
    axis(xTitle, { showgrid: false, domain: [0, width] }),
    axis(yTitle, { showgrid: false, autorange: "reversed" }),
  );
  read.forEach((p, i) => {
    const lo = i * (width + gap);
    const key = i === 0 ? "" : String(i + 1);
    const x = axis(read.length > 1 ? `${xTitle} — ${p.name}` : xTitle, {
      showgrid: false,
      domain: [lo, lo + width],
      anchor: `y${key}` as never,
    });
    const y = axis(i === 0 ? yTitle : "", {
      showgrid: false,
      autorange: "reversed",
      anchor: `x${key}` as never,
      ...(i === 0 ? {} : { showticklabels: false }),
    });
    (layout as Record<string, unknown>)[`xaxis${key}`] = x;
    (layout as Record<string, unknown>)[`yaxis${key}`] = y;
  });
  (layout as Record<string, unknown>).coloraxis = {
    colorscale: scale === "diverging" ? DIVERGING : SEQUENTIAL,
    cmin: scale === "diverging" ? -zmax : 0,
    cmax: zmax,
    colorbar: { title: { text: zTitle }, thickness: 14, tickformat: ".3g" },
  };
  layout.showlegend = false;
  layout.height = Math.min(720, Math.max(320, 140 + rows * (read.length > 1 ? 2.5 : 3)));
  layout.margin = { l: 64, r: 24, t: 56, b: 56 };
  if (read.length > 1) {
    layout.annotations = [
      {
        text: `colour scale: ${scale === "diverging" ? `±${fmt(zmax)}` : `0 to ${fmt(zmax)}`}, shared`,
        x: 1,
        xref: "paper",
        xanchor: "right",
        y: 1,
        yref: "paper",
        yanchor: "bottom",
        showarrow: false,
        font: { size: 11, color: "#555555" },
      },
    ];
  }
  return { data, layout };
}

import { FLOAT_FORMATS, type FloatDType, representableValues } from "@quantlab/core";
import { checkOptions, rangeError, typeError } from "@quantlab/core/validate";
import type { Data } from "plotly.js";
import { finiteNumber, nonEmptyArray, optionalString } from "../validate.js";
import { axis, baseLayout, COLORS, fmt } from "./theme.js";
import type { Figure } from "./types.js";

/** Options of {@link floatNumberLine}. */
export interface FloatNumberLineOptions {
  /** The right end of each line, in units of the format's smallest normal value; default 4. */
  upTo?: number;
  /** Replaces the default title. */
  title?: string;
}

/** The colour of the subnormal values and of the band (0, minNormal) they fill. */
const SUBNORMAL = COLORS.saturated;

/**
 * Where the smallest values of low-precision float formats sit on the real line, one row per
 * format: every value in [0, upTo · minNormal] (core's `representableValues`) as a tick, the
 * subnormals (0 < x < minNormal = 2^(1 − bias)) in orange over a shaded band, the normal values
 * in blue. The x axis is in units of each format's smallest normal value, so formats of very
 * different ranges share it: the subnormals are then k / 2^mantissaBits, k = 1 … 2^mantissaBits − 1,
 * evenly spaced, continuing the spacing of the first binade down to zero; without them the gap
 * from 0 to minNormal would be empty.
 *
 * Traces: `subnormal range (0, minNormal)`, `zero`, `subnormal values`, `normal values`.
 *
 * @throws {TypeError} when `dtypes` is not an array of float dtype names, or `upTo` not a number.
 * @throws {RangeError} for an empty list, an unknown, repeated or subnormal-free dtype (e8m0),
 *   `upTo` not in (0, 64], or an unknown option key.
 * @example
 * const fig = floatNumberLine(["float4e2m1"], { upTo: 2 });
 * fig.data[2].x; // the subnormal of e2m1, 0.5 = minNormal / 2
 * // => [0.5]
 */
export function floatNumberLine(
  dtypes: readonly FloatDType[],
  options?: FloatNumberLineOptions,
): Figure {
  const fn = "floatNumberLine";
  nonEmptyArray(fn, "dtypes", dtypes, "an array of float dtype names");
  const opts = checkOptions(fn, "options", options, ["upTo", "title"]);
  const upTo = opts.upTo === undefined ? 4 : finiteNumber(fn, "options.upTo", opts.upTo);
  if (!(upTo > 0 && upTo <= 64)) throw rangeError(fn, "options.upTo", "a number in (0, 64]", upTo);
  const title = optionalString(fn, "options.title", opts.title);

  const band: { x: (number | null)[]; y: (string | null)[] } = { x: [], y: [] };
  const traces = {
    zero: { x: [] as number[], y: [] as string[], text: [] as string[] },
    subnormal: { x: [] as number[], y: [] as string[], text: [] as string[] },
    normal: { x: [] as number[], y: [] as string[], text: [] as string[] },
  };
  const seen = new Set<string>();
  dtypes.forEach((d, i) => {
    if (typeof d !== "string") throw typeError(fn, `dtypes[${i}]`, "a float dtype name", d);
    const f = (FLOAT_FORMATS as Record<string, (typeof FLOAT_FORMATS)[FloatDType]>)[d];
    if (f === undefined) throw rangeError(fn, `dtypes[${i}]`, "a low-precision float dtype", d);
    if (f.specials === "exponent") {
      throw rangeError(fn, `dtypes[${i}]`, "a format with subnormals (not float8e8m0)", d);
    }
    if (seen.has(d)) throw rangeError(fn, `dtypes[${i}]`, "a dtype not listed before", d);
    seen.add(d);
    const row = `${d} (M = ${f.mantissaBits})`;
    band.x.push(0, 1, null);
    band.y.push(row, row, null);
    for (const v of representableValues(d as FloatDType)) {
      const u = v / f.minNormal;
      if (u > upTo) break;
      const kind = v === 0 ? "zero" : v < f.minNormal ? "subnormal" : "normal";
      const t = traces[kind];
      t.x.push(u);
      t.y.push(row);
      t.text.push(`${d}: ${fmt(v)} = ${fmt(u)} · minNormal (2^${Math.log2(f.minNormal)})`);
    }
  });
  const tick = (name: string, color: string, t: (typeof traces)["zero"], size: number): Data => ({
    type: "scatter",
    mode: "markers",
    name,
    x: t.x,
    y: t.y,
    text: t.text,
    marker: { symbol: "line-ns-open", size, color, line: { width: 2, color } },
    hovertemplate: "%{text}<extra></extra>",
  });
  const data: Data[] = [
    {
      type: "scatter",
      mode: "lines",
      name: "subnormal range (0, minNormal)",
      x: band.x,
      y: band.y,
      line: { color: SUBNORMAL, width: 14 },
      opacity: 0.18,
      hoverinfo: "skip",
    },
    tick("zero", COLORS.bound, traces.zero, 22),
    tick("subnormal values", SUBNORMAL, traces.subnormal, 18),
    tick("normal values", COLORS.original, traces.normal, 18),
  ];
  const layout = baseLayout(
    title ?? "Subnormals (orange) fill the gap between zero and the first normal values (blue)",
    axis("value / minNormal (each format's smallest normal value)", {
      range: [-0.05 * upTo, upTo * 1.02],
      zeroline: false,
    }),
    axis("", { type: "category", autorange: "reversed", showgrid: false, ticks: "" }),
  );
  layout.height = Math.max(220, 110 + 60 * dtypes.length);
  return { data, layout };
}

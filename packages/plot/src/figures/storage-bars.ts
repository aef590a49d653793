import { typeError } from "@quantlab/core/validate";
import type { Data } from "plotly.js";
import { nonEmptyArray, optionalString, optionsObject, positiveNumber } from "../validate.js";
import { axis, baseLayout, fmt } from "./theme.js";
import type { Figure } from "./types.js";

/** A stored field: core's `StoredField` or one of `ggmlBlockFields`. */
export interface StorageField {
  readonly field: string;
  readonly kind: "codes" | "scales";
  /** Its size in the bar's unit (bits per weight, or bits of one block). */
  readonly bits: number;
}

/** One bar: a format and its fields in the order they are stored. */
export interface StorageRow {
  readonly name: string;
  readonly fields: readonly StorageField[];
}

/** Options of {@link storageBars}. */
export interface StorageBarsOptions {
  /** The x axis' title, the unit of `bits`: `"bits per weight"` by default. */
  readonly unit?: string;
  /** Replaces the default title. */
  readonly title?: string;
}

/** Blues for the codes, oranges for the scales, alternating so neighbouring fields part. */
const SHADES = {
  codes: ["#0072B2", "#56B4E9"],
  scales: ["#D55E00", "#E69F00"],
} as const;

/**
 * Each row a horizontal bar of its stored fields laid end to end in their order, each segment as
 * long as its bits and named inside where the name fits (every segment in its hover); codes in blues, scales (everything stored to decode them) in
 * oranges. Rows top to bottom in the order given; the total at the end of each bar.
 *
 * @throws {TypeError} when `rows` is not an array of rows, or a field's kind not "codes"/"scales".
 * @throws {RangeError} when `rows` or a row's fields are empty, a field's bits not > 0, or an
 *   option key is unknown.
 * @example
 * const fig = storageBars([{ name: "q4_0", fields: [
 *   { field: "d", kind: "scales", bits: 0.5 }, { field: "qs", kind: "codes", bits: 4 },
 * ] }]);
 * fig.data.map((trace) => trace.name);
 * // => ["codes", "scales", "total"]
 */
export function storageBars(rows: readonly StorageRow[], options: StorageBarsOptions = {}): Figure {
  const fn = "storageBars";
  const opts = optionsObject(fn, "options", options, ["unit", "title"]);
  const unit = optionalString(fn, "options.unit", opts.unit) ?? "bits per weight";
  const title = optionalString(fn, "options.title", opts.title);
  nonEmptyArray(fn, "rows", rows, "an array of rows");
  const segments = { codes: [] as Seg[], scales: [] as Seg[] };
  type Seg = { row: string; start: number; bits: number; label: string; color: string };
  const totals: number[] = [];
  rows.forEach((row, r) => {
    const at = `rows[${r}]`;
    if (typeof row !== "object" || row === null) throw typeError(fn, at, "a row object", row);
    optionsObject(fn, at, row, ["name", "fields"]);
    if (typeof row.name !== "string") throw typeError(fn, `${at}.name`, "a string", row.name);
    nonEmptyArray(fn, `${at}.fields`, row.fields, "an array");
    let start = 0;
    const count = { codes: 0, scales: 0 };
    (row.fields as readonly StorageField[]).forEach((f, i) => {
      const fat = `${at}.fields[${i}]`;
      if (typeof f !== "object" || f === null) throw typeError(fn, fat, "a field object", f);
      if (f.kind !== "codes" && f.kind !== "scales") {
        throw typeError(fn, `${fat}.kind`, '"codes" or "scales"', f.kind);
      }
      const bits = positiveNumber(fn, `${fat}.bits`, f.bits);
      const color = SHADES[f.kind][count[f.kind]++ % 2] as string;
      segments[f.kind].push({ row: row.name, start, bits, label: String(f.field), color });
      start += bits;
    });
    totals.push(start);
  });
  const names = rows.map((r) => r.name);
  const longest = Math.max(...totals);
  // plotly.js' types lack a bar's `base` (where each segment starts).
  const bar = (kind: "codes" | "scales"): Data =>
    ({
      type: "bar",
      orientation: "h",
      name: kind,
      y: segments[kind].map((s) => s.row),
      x: segments[kind].map((s) => s.bits),
      base: segments[kind].map((s) => s.start),
      // A name only where it fits (at least 4 % of the longest bar); the hover names every segment.
      text: segments[kind].map((s) => (s.bits >= 0.04 * longest ? s.label : "")),
      customdata: segments[kind].map((s) => s.label),
      textposition: "inside",
      textangle: 0,
      insidetextanchor: "middle",
      constraintext: "none",
      marker: { color: segments[kind].map((s) => s.color), line: { color: "#ffffff", width: 1 } },
      hovertemplate: `%{customdata}: %{x:.6g} ${unit}<extra>${kind}</extra>`,
    }) as Data;
  const data: Data[] = [
    bar("codes"),
    bar("scales"),
    {
      type: "scatter",
      mode: "text",
      name: "total",
      y: names,
      x: totals,
      text: totals.map((t) => ` ${fmt(t)}`),
      textposition: "middle right",
      cliponaxis: false,
      showlegend: false,
      hoverinfo: "skip",
    },
  ];
  const layout = baseLayout(
    title ??
      `What each of ${rows.length} formats stores, in ${unit}: codes (blue) and scales (orange)`,
    axis(unit, { range: [0, longest * 1.12] }),
    axis("", { type: "category", autorange: "reversed", showgrid: false }),
  );
  layout.barmode = "overlay";
  layout.height = Math.max(260, 110 + 34 * rows.length);
  return { data, layout };
}

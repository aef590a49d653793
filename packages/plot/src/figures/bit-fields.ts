import { bitLayout, bitPattern, type FormatName } from "@quantlab/core";
import { checkOptions, rangeError, typeError } from "@quantlab/core/validate";
import type { Annotations, Data } from "plotly.js";
import { nonEmptyArray, optionalString } from "../validate.js";
import { axis, baseLayout, fmt } from "./theme.js";
import type { Figure } from "./types.js";

/** Options of {@link bitFields}. */
export interface BitFieldsOptions {
  /** Writes each format's code of this value in its boxes, and the value the code stands for. */
  value?: number;
  /** Replaces the default title. */
  title?: string;
}

/** One colour per field, the same in every row. */
export const FIELD_COLORS = {
  sign: "#CC79A7",
  exponent: "#56B4E9",
  mantissa: "#E69F00",
  value: "#009E73",
} as const;

const FIELD_NAMES = {
  sign: "sign",
  exponent: "exponent",
  mantissa: "mantissa (fraction)",
  value: "integer value bits",
} as const;

/**
 * The bit fields of number formats, one row per format and one box per bit, top bit on the left:
 * sign, exponent and mantissa for floats, sign and value bits for integers (core's `bitLayout`).
 * With `value`, each box holds that bit of the format's code for the value (core's `bitPattern`)
 * and the row ends with the value the code stands for.
 *
 * Traces: one horizontal bar trace per kind of field (`sign`, `exponent`, `mantissa (fraction)`,
 * `integer value bits`), each box a bar of length 1.
 *
 * @throws {TypeError} when `formats` is not an array of format names, or `value` not a number.
 * @throws {RangeError} for an empty list, an unknown or repeated format, NaN where a format has no
 *   NaN code, or an unknown option key.
 * @example
 * const fig = bitFields(["float16", "int8"], { value: Math.PI });
 * fig.data.map((trace) => trace.name);
 * // => ["sign", "exponent", "mantissa (fraction)", "integer value bits"]
 */
export function bitFields(formats: readonly FormatName[], options?: BitFieldsOptions): Figure {
  const fn = "bitFields";
  nonEmptyArray(fn, "formats", formats, "an array of format names");
  const opts = checkOptions(fn, "options", options, ["value", "title"]);
  const title = optionalString(fn, "options.title", opts.title);
  if (opts.value !== undefined && typeof opts.value !== "number") {
    throw typeError(fn, "options.value", "a number", opts.value);
  }
  const seen = new Set<string>();
  const rows = formats.map((name, i) => {
    let layout: ReturnType<typeof bitLayout>;
    try {
      layout = bitLayout(name);
    } catch (error) {
      throw rethrown(error, fn, `formats[${i}]`);
    }
    if (seen.has(name)) throw rangeError(fn, `formats[${i}]`, "a format not listed before", name);
    seen.add(name);
    let pattern: ReturnType<typeof bitPattern> | undefined;
    if (opts.value !== undefined) {
      try {
        pattern = bitPattern(name, opts.value);
      } catch (error) {
        throw rethrown(error, fn, "options.value");
      }
    }
    const shape = layout.fields.map((f) => f.bits).join("·");
    // Two lines: a label as wide as the name leaves room for the bits on a phone.
    const label =
      layout.kind === "float"
        ? `${name}<br>${shape}, bias ${layout.bias}`
        : `${name}<br>${layout.fields.length === 2 ? "two's complement" : "unsigned"}`;
    return { name, layout, pattern, label };
  });

  const kinds = ["sign", "exponent", "mantissa", "value"] as const;
  const data: Data[] = kinds.map((kind) => {
    const y: string[] = [];
    const base: number[] = [];
    const text: string[] = [];
    const hover: string[] = [];
    for (const row of rows) {
      let at = 0;
      for (const field of row.layout.fields) {
        for (let b = 0; b < field.bits; b++) {
          if (field.name === kind) {
            const bit = row.layout.bits - 1 - (at + b);
            y.push(row.label);
            base.push(at + b);
            text.push(row.pattern ? (row.pattern.bits[at + b] as string) : "");
            hover.push(`${row.name}: bit ${bit} (${FIELD_NAMES[kind]} bit ${field.bits - 1 - b})`);
          }
        }
        at += field.bits;
      }
    }
    return {
      type: "bar",
      orientation: "h",
      name: FIELD_NAMES[kind],
      y,
      x: y.map(() => 1),
      base,
      text,
      textposition: "inside",
      insidetextanchor: "middle",
      textfont: { color: "#111111", size: 11 },
      hovertext: hover,
      hovertemplate: "%{hovertext}<extra></extra>",
      marker: { color: FIELD_COLORS[kind], line: { color: "#ffffff", width: 1 } },
      width: 0.7,
      showlegend: y.length > 0,
    } as Data;
  });

  const widest = Math.max(...rows.map((r) => r.layout.bits));
  const annotations: Partial<Annotations>[] = rows.flatMap((row) =>
    row.pattern === undefined
      ? []
      : [
          {
            x: row.layout.bits + 0.5,
            y: row.label,
            xref: "x",
            yref: "y",
            // Up to 9 significant digits: the digits a format keeps are the point here.
            text: `= ${String(Number(row.pattern.stored.toPrecision(9)))}`,
            showarrow: false,
            xanchor: "left",
            font: { size: 12 },
          },
        ],
  );
  const layout = baseLayout(
    title ??
      (opts.value === undefined
        ? "Bit fields of each format, top bit first: sign, exponent, mantissa (or integer value bits)"
        : `The bits of ${fmt(opts.value)} in each format, coloured by field, and the value they stand for`),
    axis("bit, most significant first", {
      range: [-0.5, widest + (opts.value === undefined ? 0.5 : Math.max(6, widest * 0.22))],
      showgrid: false,
      dtick: widest > 16 ? 8 : widest > 8 ? 4 : 1, // few enough ticks for a phone
    }),
    axis("", { autorange: "reversed", type: "category", showgrid: false, ticks: "" }),
  );
  layout.barmode = "overlay";
  layout.annotations = annotations;
  layout.height = Math.max(220, 90 + 46 * rows.length);
  return { data, layout };
}

/** Core's error for one entry, under the figure's name and argument. */
function rethrown(error: unknown, fn: string, arg: string): Error {
  if (!(error instanceof Error)) return new Error(String(error));
  const message = error.message.replace(/^\w+\(\): argument '[^']+'/, `${fn}(): argument '${arg}'`);
  return error instanceof TypeError ? new TypeError(message) : new RangeError(message);
}

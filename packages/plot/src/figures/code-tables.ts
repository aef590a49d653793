import { checkOptions, rangeError, typeError } from "@quantlab/core/validate";
import type { Data } from "plotly.js";
import { finiteArray, nonEmptyArray, optionalString } from "../validate.js";
import { axis, baseLayout, SERIES_COLORS } from "./theme.js";
import type { Figure } from "./types.js";

/** One table of {@link codeTables}: the output code for each input code, in order. */
export interface CodeTable {
  /** The legend entry, e.g. "channel 3". */
  name: string;
  /** The output code of input code `inputMin + c` at index c. */
  codes: ArrayLike<number>;
}

/** Options of {@link codeTables}. */
export interface CodeTablesOptions {
  /** The code of the first entry (default 0; -128 for int8 inputs). */
  inputMin?: number;
  /** The x axis title (default "input code"). */
  inputLabel?: string;
  /** The y axis title (default "output code"). */
  outputLabel?: string;
  /** Replaces the default title. */
  title?: string;
}

/**
 * Lookup tables from codes to codes as staircases, one line per table: an 8-bit function computed
 * once for all 256 inputs (an activation, or a bias-add-and-requantize epilogue) that an integer
 * kernel then applies by indexing. The flat stretches are codes that map to the same output; a
 * ReLU shows as the flat start at the output zero point.
 *
 * Traces: one per table, in order (up to 8).
 *
 * @throws {TypeError} when `tables` is not an array of `{ name, codes }` or an option has the wrong type.
 * @throws {RangeError} when there are no tables or more than 8, names repeat, tables differ in
 *   length, a code is not finite, or an option key is unknown.
 * @example
 * const fig = codeTables([{ name: "relu", codes: [0, 0, 0, 1, 2] }], { inputMin: -2 });
 * [fig.data[0].x, fig.data[0].y];
 * // => [[-2, -1, 0, 1, 2], [0, 0, 0, 1, 2]]
 */
export function codeTables(tables: CodeTable[], options?: CodeTablesOptions): Figure {
  const fn = "codeTables";
  nonEmptyArray(fn, "tables", tables, "an array of { name, codes }", {
    count: SERIES_COLORS.length,
    noun: "tables",
  });
  const opts = checkOptions(fn, "options", options, [
    "inputMin",
    "inputLabel",
    "outputLabel",
    "title",
  ]);
  const inputMin = opts.inputMin === undefined ? 0 : opts.inputMin;
  if (typeof inputMin !== "number" || !Number.isInteger(inputMin)) {
    throw typeError(fn, "options.inputMin", "an integer", inputMin);
  }
  const names = new Set<string>();
  let length = -1;
  const data: Data[] = tables.map((table, k) => {
    if (typeof table !== "object" || table === null)
      throw typeError(fn, `tables[${k}]`, "an object { name, codes }", table);
    const { name } = table;
    if (typeof name !== "string" || name === "" || names.has(name)) {
      throw rangeError(fn, `tables[${k}].name`, "a non-empty name no other table has", name);
    }
    names.add(name);
    const codes = finiteArray(fn, `tables[${k}].codes`, table.codes);
    if (length >= 0 && codes.length !== length) {
      throw rangeError(
        fn,
        `tables[${k}].codes`,
        `of the same length as tables[0].codes (${length})`,
        table.codes,
      );
    }
    length = codes.length;
    return {
      type: "scatter",
      mode: "lines",
      name,
      x: codes.map((_, c) => inputMin + c),
      y: codes,
      line: { shape: "hv", color: SERIES_COLORS[k], width: 2 },
      hovertemplate: `${name}<br>code %{x} → %{y}<extra></extra>`,
    } satisfies Data;
  });
  const layout = baseLayout(
    optionalString(fn, "options.title", opts.title) ??
      `Lookup tables: the output code of every input code (${tables.length} table${tables.length === 1 ? "" : "s"})`,
    axis(optionalString(fn, "options.inputLabel", opts.inputLabel) ?? "input code"),
    axis(optionalString(fn, "options.outputLabel", opts.outputLabel) ?? "output code"),
  );
  return { data, layout };
}

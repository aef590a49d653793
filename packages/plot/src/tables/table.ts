import { rangeError, typeError } from "@quantlab/core/validate";

/** A table as columns: header → values, all columns of one length. */
export type Columns = Record<string, ArrayLike<number | string | boolean>>;

export interface TableOptions {
  /** Significant digits of non-integers, default 6 (the course's tables). */
  readonly significant?: number;
  /** Digits after the point for non-integers, instead of significant digits. */
  readonly digits?: number;
  /** Print numbers exactly (JavaScript's shortest round-trip text): for tables where the digits are the point. */
  readonly exact?: boolean;
  readonly caption?: string;
}

function escapeHtml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");
}

/** How a table prints a number that is not an integer. */
type NumberRule = { readonly kind: "exact" | "fixed" | "significant"; readonly n: number };

function cell(value: number | string | boolean, rule: NumberRule): string {
  if (typeof value !== "number") return escapeHtml(String(value));
  if (Object.is(value, -0)) return "-0";
  if (rule.kind === "exact" || Number.isSafeInteger(value) || !Number.isFinite(value))
    return String(value);
  if (rule.kind === "fixed") return value.toFixed(rule.n);
  return String(Number(value.toPrecision(rule.n)));
}

/**
 * An HTML table of columns, numbers right-aligned. Safe integers print exactly; other numbers with 6
 * significant digits (`significant`), with `digits` after the point, or exactly (`exact: true`,
 * JavaScript's shortest round-trip text) where the digits are the point.
 *
 * @throws {TypeError} when `columns` is not an object of arrays, or `exact` not a boolean.
 * @throws {RangeError} when the columns differ in length, `digits` is not an integer in [0, 20],
 *   `significant` not an integer in [1, 21], or more than one of them is given.
 * @example
 * tableHtml({ x: [1.5, 20 / 255], q: [2, 0] }).includes("<td>0.0784314</td><td>0</td>");
 * // => true
 */
export function tableHtml(columns: Columns, options: TableOptions = {}): string {
  const fn = "tableHtml";
  if (typeof columns !== "object" || columns === null)
    throw typeError(fn, "columns", "an object of arrays", columns);
  const names = Object.keys(columns);
  const length =
    names.length === 0 ? 0 : (columns[names[0] as string] as ArrayLike<unknown>).length;
  for (const name of names) {
    const column = columns[name];
    if (column === null || typeof column !== "object" || typeof column.length !== "number") {
      throw typeError(fn, `columns["${name}"]`, "an array or typed array", column);
    }
    if (column.length !== length) {
      throw rangeError(
        fn,
        `columns["${name}"]`,
        `${length} values, as the first column`,
        column,
        `${column.length}`,
      );
    }
  }
  const { digits, significant, exact, caption } = options;
  if (digits !== undefined && (!Number.isInteger(digits) || digits < 0 || digits > 20)) {
    throw rangeError(fn, "options.digits", "an integer in [0, 20]", digits);
  }
  if (
    significant !== undefined &&
    (!Number.isInteger(significant) || significant < 1 || significant > 21)
  ) {
    throw rangeError(fn, "options.significant", "an integer in [1, 21]", significant);
  }
  if (exact !== undefined && typeof exact !== "boolean") {
    throw typeError(fn, "options.exact", "a boolean", exact);
  }
  const given = [digits !== undefined, significant !== undefined, exact === true].filter(Boolean);
  if (given.length > 1) {
    throw rangeError(
      fn,
      "options",
      "at most one of digits, significant and exact: true",
      options,
      "more than one",
    );
  }
  const rule: NumberRule = exact
    ? { kind: "exact", n: 0 }
    : digits !== undefined
      ? { kind: "fixed", n: digits }
      : { kind: "significant", n: significant ?? 6 };
  const head = names.map((n) => `<th>${escapeHtml(n)}</th>`).join("");
  const rows: string[] = [];
  for (let i = 0; i < length; i++) {
    rows.push(
      `<tr>${names.map((n) => `<td>${cell((columns[n] as ArrayLike<number | string | boolean>)[i] as number | string | boolean, rule)}</td>`).join("")}</tr>`,
    );
  }
  const style =
    "<style>.ql-table td{text-align:right;font-variant-numeric:tabular-nums;font-family:monospace}</style>";
  const title = caption === undefined ? "" : `<caption>${escapeHtml(caption)}</caption>`;
  return `${style}<table class="ql-table">${title}<thead><tr>${head}</tr></thead><tbody>${rows.join("")}</tbody></table>`;
}

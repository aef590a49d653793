import { rangeError, typeError } from "@quantlab/core/validate";

/** A table as columns: header → values, all columns of one length. */
export type Columns = Record<string, ArrayLike<number | string | boolean>>;

export interface TableOptions {
  /** Digits after the point for non-integers; default: the shortest text that reads back exactly. */
  readonly digits?: number;
  readonly caption?: string;
}

function escapeHtml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");
}

function cell(value: number | string | boolean, digits: number | undefined): string {
  if (typeof value !== "number") return escapeHtml(String(value));
  if (Object.is(value, -0)) return "-0";
  if (digits === undefined || Number.isInteger(value) || !Number.isFinite(value))
    return String(value);
  return value.toFixed(digits);
}

/**
 * An HTML table of columns, numbers right-aligned. Numbers print exactly (JavaScript's shortest
 * round-trip text), or with `digits` after the point.
 *
 * @throws {TypeError} when `columns` is not an object of arrays.
 * @throws {RangeError} when the columns differ in length, or `digits` is not an integer in [0, 20].
 * @example
 * tableHtml({ x: [1.5, -0], q: [2, 0] }).includes("<td>1.5</td><td>2</td>");
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
  const { digits, caption } = options;
  if (digits !== undefined && (!Number.isInteger(digits) || digits < 0 || digits > 20)) {
    throw rangeError(fn, "options.digits", "an integer in [0, 20]", digits);
  }
  const head = names.map((n) => `<th>${escapeHtml(n)}</th>`).join("");
  const rows: string[] = [];
  for (let i = 0; i < length; i++) {
    rows.push(
      `<tr>${names.map((n) => `<td>${cell((columns[n] as ArrayLike<number | string | boolean>)[i] as number | string | boolean, digits)}</td>`).join("")}</tr>`,
    );
  }
  const style =
    "<style>.ql-table td{text-align:right;font-variant-numeric:tabular-nums;font-family:monospace}</style>";
  const title = caption === undefined ? "" : `<caption>${escapeHtml(caption)}</caption>`;
  return `${style}<table class="ql-table">${title}<thead><tr>${head}</tr></thead><tbody>${rows.join("")}</tbody></table>`;
}

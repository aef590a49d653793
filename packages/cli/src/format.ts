/** Numbers and tables as the CLI prints them. */

/**
 * A number in 4 significant digits: fixed notation from 1e-3 to 1e5, exponent notation else.
 *
 * @example
 * [num(0.000123456), num(3.14159), num(-0), num(123456)]; // => ["1.235e-4", "3.142", "0", "1.235e+5"]
 */
export function num(v: number, digits = 4): string {
  if (Number.isNaN(v)) return "NaN";
  if (!Number.isFinite(v)) return v > 0 ? "Infinity" : "-Infinity";
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 1e-3 && a < 1e5) return String(Number(v.toPrecision(digits)));
  return v.toExponential(digits - 1).replace(/\.?0+e/, "e");
}

/** An integer with thousands separators: 1234567 → "1,234,567". */
export function int(v: number): string {
  return Math.round(v)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** A share as a percentage: 0.00012 → "0.012%". */
export function percent(share: number, digits = 3): string {
  return `${num(share * 100, digits)}%`;
}

/** A shape: [784, 128]; a scalar: []. */
export function shapeText(shape: readonly (number | string | null)[] | null): string {
  if (shape === null) return "?";
  return `[${shape.map((d) => (d === null ? "?" : String(d))).join(", ")}]`;
}

/** Bytes in B, KiB, MiB or GiB. */
export function bytesText(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ["KiB", "MiB", "GiB"];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(v < 10 ? 2 : 1)} ${units[u]}`;
}

/**
 * Rows as a table: columns padded to their widest cell, numbers (columns listed in `right`)
 * aligned right, two spaces between columns, no trailing spaces.
 */
export function table(rows: readonly (readonly string[])[], right: readonly number[] = []): string {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((c, i) => {
      widths[i] = Math.max(widths[i] ?? 0, c.length);
    });
  }
  return rows
    .map((row) =>
      row
        .map((c, i) =>
          right.includes(i) ? c.padStart(widths[i] as number) : c.padEnd(widths[i] as number),
        )
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

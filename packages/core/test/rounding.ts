/** Rounding written for the tests, independent of the library's. */

/** Ties to even, by comparing the fractional part with 1/2 (plain float64). */
export function rne(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d < 0.5) return f;
  if (d > 0.5) return f + 1;
  return f % 2 === 0 ? f : f + 1;
}

/**
 * Rounds to the nearest integer, ties to even (IEEE 754 roundTiesToEven, C's `nearbyint` and
 * numpy's `rint`). `Math.round` rounds ties up, which is wrong for -0.5, 0.5, 2.5, ...
 *
 * @example
 * [-2.5, -1.5, -0.5, 0.5, 1.5, 2.5].map(roundHalfEven)
 * // => [-2, -2, -0, 0, 2, 2]
 */
export function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

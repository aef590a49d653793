/** Seeded benchmark data: the same values for every implementation in a run. */

import { seededRandom } from "@quantlab/core";

/** n standard normal values (Box-Muller) from a seeded PRNG, as float32. */
export function normalValues(n: number, seed: number): Float32Array {
  const random = seededRandom(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    const u = 1 - random();
    const v = random();
    const r = Math.sqrt(-2 * Math.log(u));
    out[i] = r * Math.cos(2 * Math.PI * v);
    if (i + 1 < n) out[i + 1] = r * Math.sin(2 * Math.PI * v);
  }
  return out;
}

/** Symmetric scale for values: fround(max|x| / qmax), int8's 127 by default. */
export function symmetricScale(x: Float32Array, from = 0, to = x.length, qmax = 127): number {
  let m = 0;
  for (let i = from; i < to; i++) {
    const a = Math.abs(x[i] as number);
    if (a > m) m = a;
  }
  return Math.fround(m / qmax);
}

/** Per-row symmetric scales of x seen as [rows, x.length / rows]. */
export function rowScales(x: Float32Array, rows: number): Float32Array {
  const cols = x.length / rows;
  const out = new Float32Array(rows);
  for (let r = 0; r < rows; r++) out[r] = symmetricScale(x, r * cols, (r + 1) * cols);
  return out;
}

/**
 * A cache of what is made once per run's data and key: the function returned gives the value
 * made before for `data` and `key`, or makes it with `make`. Entries go with their data.
 */
export function perDataCache<K, V>(): (data: object, key: K, make: () => V) => V {
  const byData = new WeakMap<object, Map<K, V>>();
  return (data, key, make) => {
    let byKey = byData.get(data);
    if (byKey === undefined) {
      byKey = new Map();
      byData.set(data, byKey);
    }
    const hit = byKey.get(key);
    if (hit !== undefined) return hit;
    const value = make();
    byKey.set(key, value);
    return value;
  };
}

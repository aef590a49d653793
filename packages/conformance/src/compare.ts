/** Comparisons that report the first difference, or undefined when equal. */

function show(v: number): string {
  return Object.is(v, -0) ? "-0" : String(v);
}

/** Bit-exact float32 comparison: NaN equals any NaN, -0 is not 0. */
export function compareFloats(
  expected: ArrayLike<number>,
  actual: ArrayLike<number>,
): string | undefined {
  if (expected.length !== actual.length) {
    return `length: expected ${expected.length}, got ${actual.length}`;
  }
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i] as number;
    const a = actual[i] as number;
    const same = Number.isNaN(e) ? Number.isNaN(a) : Object.is(e, a);
    if (!same) return `[${i}]: expected ${show(e)}, got ${show(a)}`;
  }
  return undefined;
}

/** Exact comparison of integers. */
export function compareIntegers(
  expected: ArrayLike<number>,
  actual: ArrayLike<number>,
): string | undefined {
  if (expected.length !== actual.length) {
    return `length: expected ${expected.length}, got ${actual.length}`;
  }
  for (let i = 0; i < expected.length; i++) {
    if (expected[i] !== actual[i]) return `[${i}]: expected ${expected[i]}, got ${actual[i]}`;
  }
  return undefined;
}

export function compareShapes(
  expected: readonly number[],
  actual: readonly number[],
): string | undefined {
  const same = expected.length === actual.length && expected.every((d, i) => d === actual[i]);
  return same ? undefined : `shape: expected [${expected.join(", ")}], got [${actual.join(", ")}]`;
}

/** |a - e| <= rel · |e|, element by element. */
export function compareRelative(
  expected: ArrayLike<number>,
  actual: ArrayLike<number>,
  rel: number,
): string | undefined {
  if (expected.length !== actual.length) {
    return `length: expected ${expected.length}, got ${actual.length}`;
  }
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i] as number;
    const a = actual[i] as number;
    const ok = e === a || Math.abs(a - e) <= rel * Math.abs(e);
    if (!ok) return `[${i}]: expected ${show(e)} (within ${rel} relative), got ${show(a)}`;
  }
  return undefined;
}

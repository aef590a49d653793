/** Comparisons that report the first difference, or undefined when equal. */

function show(v: number): string {
  return Object.is(v, -0) ? "-0" : String(v);
}

/**
 * Checks the lengths, then each element pair in order: `mismatch` describes a
 * difference (or returns undefined), and the first one is reported with its index.
 */
function compareEach(
  expected: ArrayLike<number>,
  actual: ArrayLike<number>,
  mismatch: (e: number, a: number) => string | undefined,
): string | undefined {
  if (expected.length !== actual.length) {
    return `length: expected ${expected.length}, got ${actual.length}`;
  }
  for (let i = 0; i < expected.length; i++) {
    const diff = mismatch(expected[i] as number, actual[i] as number);
    if (diff !== undefined) return `[${i}]: ${diff}`;
  }
  return undefined;
}

/** Bit-exact float32 comparison: NaN equals any NaN, -0 is not 0. */
export function compareFloats(
  expected: ArrayLike<number>,
  actual: ArrayLike<number>,
): string | undefined {
  return compareEach(expected, actual, (e, a) => {
    const same = Number.isNaN(e) ? Number.isNaN(a) : Object.is(e, a);
    return same ? undefined : `expected ${show(e)}, got ${show(a)}`;
  });
}

/** Exact comparison of integers. */
export function compareIntegers(
  expected: ArrayLike<number>,
  actual: ArrayLike<number>,
): string | undefined {
  return compareEach(expected, actual, (e, a) => (e !== a ? `expected ${e}, got ${a}` : undefined));
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
  return compareEach(expected, actual, (e, a) => {
    const ok = e === a || Math.abs(a - e) <= rel * Math.abs(e);
    return ok ? undefined : `expected ${show(e)} (within ${rel} relative), got ${show(a)}`;
  });
}

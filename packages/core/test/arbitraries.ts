/** fast-check arbitraries shared by the property tests. */
import fc from "fast-check";

/** A 3-D shape [a, b, c], each dimension from 1 to its maximum. */
export function shape3(
  maxA: number,
  maxB: number,
  maxC: number,
): fc.Arbitrary<[number, number, number]> {
  return fc.tuple(
    fc.integer({ min: 1, max: maxA }),
    fc.integer({ min: 1, max: maxB }),
    fc.integer({ min: 1, max: maxC }),
  );
}

/** Exactly `length` values drawn from `arb`. */
export function arrayOf<T>(arb: fc.Arbitrary<T>, length: number): fc.Arbitrary<T[]> {
  return fc.array(arb, { minLength: length, maxLength: length });
}

/**
 * A seeded generator of uniform numbers in [0, 1) (mulberry32): the same seed gives the same
 * numbers on every machine, so examples, tests and benchmarks can share their data.
 *
 * @example
 * const random = seededRandom(7);
 * random(); // 0.0117047...; each call gives the next number
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Standard normal numbers from a uniform generator (Box-Muller, the cosine branch: two uniforms
 * per number).
 *
 * @example
 * const normal = seededNormal(seededRandom(0));
 * Float32Array.from({ length: 4 }, normal);
 */
export function seededNormal(random: () => number): () => number {
  return () => {
    const u = 1 - random();
    const v = random();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
}

import { describe, expect, it } from "vitest";
import { seededNormal, seededRandom } from "../src/index.js";

describe("seededRandom and seededNormal", () => {
  it("repeat a sequence for one seed and change it with the seed", () => {
    const a = Array.from({ length: 5 }, seededRandom(3));
    expect(Array.from({ length: 5 }, seededRandom(3))).toEqual(a);
    expect(Array.from({ length: 5 }, seededRandom(4))).not.toEqual(a);
  });

  it("give uniform numbers in [0, 1) and standard normal ones", () => {
    const n = 100_000;
    const u = Float64Array.from({ length: n }, seededRandom(11));
    expect(Math.min(...u)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...u)).toBeLessThan(1);
    const mean = u.reduce((s, v) => s + v, 0) / n;
    // The mean of n uniforms has a standard deviation of 1 / sqrt(12 n) = 0.0009: 5 of them.
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.0046);
    const z = Float64Array.from({ length: n }, seededNormal(seededRandom(12)));
    const m = z.reduce((s, v) => s + v, 0) / n;
    const variance = z.reduce((s, v) => s + (v - m) ** 2, 0) / n;
    // Standard deviations: 0.0032 for the mean, 0.0045 for the variance; 5 of each.
    expect(Math.abs(m)).toBeLessThan(0.016);
    expect(Math.abs(variance - 1)).toBeLessThan(0.023);
  });
});

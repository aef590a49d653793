/** The kernel table: the fast backend provides every kernel the reference backend has. */
import { describe, expect, it } from "vitest";
import { quantizePacked } from "../src/index.js";
import { fastKernels, type Kernels, REFERENCE } from "../src/kernels/select.js";

const fast = fastKernels();

describe("the kernel table", () => {
  it("loads the fast kernels here (WebAssembly SIMD)", () => {
    expect(fast?.name).toBe("fast");
  });

  const members = Object.keys(REFERENCE).filter((key) => key !== "name") as (keyof Kernels)[];
  it.each(members)("the fast backend has %s", (key) => {
    expect(typeof fast?.[key]).toBe("function");
  });
});

describe("quantizePacked takes the one-pass kernel", () => {
  const x = Float32Array.from([0.5, -1.25, 3, 7.5, -9]);
  for (const backend of ["fast", "reference"] as const) {
    it(`on the ${backend} backend, with the bits of quantize then pack`, () => {
      const kernels = backend === "fast" ? (fast as Kernels) : REFERENCE;
      const calls: unknown[] = [];
      const spy = new Proxy(kernels.quantizeInt4Packed, {
        apply(target, self, args) {
          calls.push(args[0]);
          return Reflect.apply(target, self, args);
        },
      });
      const original = kernels.quantizeInt4Packed;
      (kernels as { quantizeInt4Packed: Kernels["quantizeInt4Packed"] }).quantizeInt4Packed = spy;
      try {
        const packed = quantizePacked(x, { dtype: "int4", scale: 0.5 }, { backend });
        // codes 1, -2 (tie), 6, 7 (saturated), -8 (saturated): bytes 0xE1, 0x76, 0x08
        expect(Array.from(packed.data)).toEqual([0xe1, 0x76, 0x08]);
      } finally {
        (kernels as { quantizeInt4Packed: Kernels["quantizeInt4Packed"] }).quantizeInt4Packed =
          original;
      }
      expect(calls).toEqual([false]);
    });
  }
});

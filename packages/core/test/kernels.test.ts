/** The kernel table: the fast backend provides every kernel the reference backend has. */
import { describe, expect, it } from "vitest";
import { quantizePacked } from "../src/index.js";
import { loadFastKernels } from "../src/kernels/fast/load.js";
import { referenceKernels } from "../src/kernels/reference.js";
import type { Kernels } from "../src/kernels/types.js";

const fast = loadFastKernels();

describe("the kernel table", () => {
  it("loads the fast kernels here (WebAssembly SIMD)", () => {
    expect(fast?.name).toBe("fast");
  });

  const members = Object.keys(referenceKernels).filter(
    (key) => key !== "name",
  ) as (keyof Kernels)[];
  it.each(members)("the fast backend has %s", (key) => {
    expect(typeof fast?.[key]).toBe("function");
  });
});

describe("quantizePacked takes the one-pass kernel", () => {
  const x = Float32Array.from([0.5, -1.25, 3, 7.5, -9]);
  // codes 1, -2 (a tie), 6, 7 (saturated), -8 (saturated): bytes 0xE1, 0x76, 0x08
  const expected = [0xe1, 0x76, 0x08];

  it("per tensor, it calls the backend's quantizeInt4Packed (watched on the reference)", () => {
    const calls: unknown[] = [];
    const original = referenceKernels.quantizeInt4Packed;
    const watched = referenceKernels as { quantizeInt4Packed: Kernels["quantizeInt4Packed"] };
    watched.quantizeInt4Packed = (...args) => {
      calls.push(args[0]);
      return original(...args);
    };
    try {
      const packed = quantizePacked(x, { dtype: "int4", scale: 0.5 }, { backend: "reference" });
      expect(Array.from(packed.data)).toEqual(expected);
    } finally {
      watched.quantizeInt4Packed = original;
    }
    expect(calls).toEqual(["onnx"]);
  });

  it.each(["fast", "reference"] as const)("gives the same bytes on the %s backend", (backend) => {
    const packed = quantizePacked(x, { dtype: "int4", scale: 0.5 }, { backend });
    expect(Array.from(packed.data)).toEqual(expected);
  });
});

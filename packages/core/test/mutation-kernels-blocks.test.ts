// What the mutation run (npm run mutation) found untested in src/kernels/ggml, bnb.ts, mx.ts, nvfp4.ts
// and blocks.ts: each case kills surviving mutants. Expected values by hand, or the SHA-256 (first 16
// hex digits) of the bytes that ggml's ggml-quants.c (commit d99724f2, the golden data's) gives.
import { createHash } from "node:crypto";
import { describe, expect, test } from "vitest";
import {
  dequantizeGgml,
  dequantizeMx,
  GGML_TYPES,
  type GgmlType,
  quantizeGgml,
  quantizeMx,
  quantizeNvfp4,
} from "../src/index.js";

/** The first 16 hex digits of the SHA-256 of a typed array's bytes. */
function digest(a: Uint8Array | Float32Array): string {
  return createHash("sha256")
    .update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength))
    .digest("hex")
    .slice(0, 16);
}

const TYPES = Object.keys(GGML_TYPES) as GgmlType[];

/** Deterministic pseudo-random floats in (-1, 1) (as test/ggml.test.ts's `values`). */
function values(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 2 ** 32) * 2 - 1;
  });
}

/** 256 values, built one sub-block of 16 at a time by `part(values of the sub-block, its index)`. */
function bySubBlock(seed: number, part: (v: number[], j: number) => number[]): Float32Array {
  const r = values(256, seed);
  const x = new Float32Array(256);
  for (let j = 0; j < 16; j++) {
    const v = r.subarray(16 * j, 16 * j + 16);
    x.set(part(Array.from(v), j), 16 * j);
  }
  return x;
}

const INPUTS: Record<string, Float32Array> = {
  random: values(512, 1),
  // sub-block j scaled by 2^(j - 8): small and large scales side by side
  spread: bySubBlock(2, (v, j) => v.map((a) => a * 2 ** (j - 8))),
  // all positive (ggml's min then 0), all negative
  positive: bySubBlock(3, (v) => v.map((a) => Math.abs(a) + 0.25)),
  negative: bySubBlock(4, (v) => v.map((a) => -Math.abs(a) - 0.5)),
  // zero sub-blocks, constant ones, a lone outlier, ramps, levels on a grid of 1/8
  shapes: bySubBlock(5, (v, j) => {
    switch (j % 8) {
      case 0:
        return v.map(() => 0);
      case 1:
        return v.map(() => (j < 8 ? 0.75 : -0.375));
      case 2:
        return v.map((_, i) => (i === 5 ? (j < 8 ? 3 : -3) : 0));
      case 3:
        return v.map((_, i) => i / 16);
      case 4:
        return v.map((_, i) => -i / 8);
      case 5:
        return v.map((a) => Math.round(a * 16) / 8);
      case 6:
        return v.map((a, i) => (i === 0 ? 40 : a));
      default:
        return v.map((a) => a * 1e-3);
    }
  }),
  // tiny and huge magnitudes (fp16 subnormal scales; scales near fp16's largest)
  tiny: values(256, 6).map((a) => a * 1e-5),
  huge: values(256, 7).map((a) => a * 30000),
  // runs of 32 equal values (a negative run: ggml's max == min)
  constants: Float32Array.from(
    { length: 256 },
    (_, i) => [0, 0.5, -0.5, -2, 1e-3, -1e-3, 7, -7][i >> 5],
  ),
  // a largest magnitude held by +a and -a in one block: the first one sets the sign
  ties: bySubBlock(8, (v, j) =>
    v.map((a, i) => (i === (j & 7) ? (j & 1 ? -2 : 2) : i === 15 - (j & 7) ? (j & 1 ? 2 : -2) : a)),
  ),
  // max -127 with values on iq4_nl's midpoints, and on q4_0's rounding steps x * id + 8.5 = k
  grid: Float32Array.from({ length: 256 }, (_, i) =>
    i < 128
      ? [
          -127, -115.5, -93.5, -74, -57, -42, -28.5, -16, -4.5, 7, 19, 31.5, 45.5, 61, 79, 101, 113,
          120, 126.5, 0,
        ][i % 20] *
        2 ** ((i >> 5) - 1)
      : i % 32 === 0
        ? -8
        : (i % 17) - 8 + (i & 1 ? 0.5 : 0),
  ),
  // sub-blocks below ggml's GROUP_MAX_EPS (1e-15) beside normal ones, and a whole block of them
  eps: Float32Array.from({ length: 512 }, (_, i) =>
    i < 256 && (i >> 4) % 3 !== 0 ? Math.sin(i) : Math.cos(i) * 1e-17,
  ),
  // largest magnitudes of exactly float32(1e-15), GROUP_MAX_EPS itself: not zero groups
  epsEdge: Float32Array.from({ length: 256 }, (_, i) =>
    i === 3 ? 1e-15 : i === 20 ? -1e-15 : i < 32 ? 0 : Math.sin(i),
  ),
};

// The digests of ggml's own bytes for these inputs: quantize_row_<type>_ref of ggml-org/ggml
// d99724f2 (the commit of the golden cases), built with gcc 12 -O1 -ffp-contract=off on x86-64;
// the same build reproduces all 57 gguf_quantize golden cases of packages/conformance. ggml leaves
// the nibbles of an iq4_nl block with max |x| < 1e-15 unset; there the bytes are core's documented
// 0x88s (as in the README).
const GGML_DIGESTS: Record<string, Record<GgmlType, string>> = {
  random: {
    q8_0: "23af4e8891a4df66",
    q4_0: "30cbaec3b016a726",
    q4_1: "b608515a3031f6b5",
    q5_0: "55d9a65a8dd6f61d",
    q5_1: "8848b0461d708675",
    iq4_nl: "645244d2233c2b47",
    q2_K: "01083766daa69189",
    q3_K: "cd1dccc8c5501039",
    q4_K: "025b5f1c121881de",
    q5_K: "39dabe8ffe206f06",
    q6_K: "294d7f0ad68539d4",
    q8_K: "6cee7c13bc923004",
  },
  spread: {
    q8_0: "0bac5c86fc133480",
    q4_0: "ec06b8931a9b622c",
    q4_1: "72ec0e2fd107cdca",
    q5_0: "54b948caa7bce7dd",
    q5_1: "836f9e87ebea0e16",
    iq4_nl: "02e7eea6bf430e71",
    q2_K: "7edf2b499f792b76",
    q3_K: "751400eb858dbd2f",
    q4_K: "4361259b3149dae1",
    q5_K: "de8567a747e3cfdb",
    q6_K: "7277d6549245b8e2",
    q8_K: "380904f924deb759",
  },
  positive: {
    q8_0: "b64ce30718f8d96d",
    q4_0: "01ec68486bd342c2",
    q4_1: "297dc6535bdf1b2f",
    q5_0: "1badc93f1cc6ae3f",
    q5_1: "93e662c52c7dab4f",
    iq4_nl: "a0fd2a2e7f3c2fbc",
    q2_K: "9826a0ee0ee74c6e",
    q3_K: "bbfd0fc80f2c3e2c",
    q4_K: "58fdad6824624ac1",
    q5_K: "9b793763799e5ce2",
    q6_K: "960dfa029d29e674",
    q8_K: "59a2da9dc84df7e5",
  },
  negative: {
    q8_0: "f890978c0f8a98b3",
    q4_0: "6f7cd27468bd861c",
    q4_1: "30d65c0d8d4fca3b",
    q5_0: "817d5e74fffe5fcc",
    q5_1: "95d34dda0147eb82",
    iq4_nl: "34dcefcb0a97b065",
    q2_K: "20632b2eeb1bca68",
    q3_K: "6d83725525bce83b",
    q4_K: "e219f614ac9012bc",
    q5_K: "3c55c246837fb3d0",
    q6_K: "6344eefcacee4263",
    q8_K: "59a9afb93de83bb1",
  },
  shapes: {
    q8_0: "1b80fc9fd66a98a9",
    q4_0: "623eae6f0f505b0c",
    q4_1: "78a55cc9f2d6adc6",
    q5_0: "7669e7bce48ac8db",
    q5_1: "1faa5264cf20bcb8",
    iq4_nl: "de42385a3340c357",
    q2_K: "05918e3ad70a4b7f",
    q3_K: "2d25f66659c75f37",
    q4_K: "fd4ff3592897ff0b",
    q5_K: "938ebb48e418fd1d",
    q6_K: "adb78c329e75f06f",
    q8_K: "7d7fec386c3cdf1e",
  },
  tiny: {
    q8_0: "b8ada0c149c5dd32",
    q4_0: "6362cb1e821b3a5b",
    q4_1: "698c70bb5b73a7e7",
    q5_0: "43b1b5fc27e2803c",
    q5_1: "86f138ca96a2e206",
    iq4_nl: "eff71764bcf73350",
    q2_K: "a63b0dc878fac097",
    q3_K: "9d8b4a5dee020f0c",
    q4_K: "827d7458816475d9",
    q5_K: "45f960e40d337cb6",
    q6_K: "d1910b8297ee0f40",
    q8_K: "7649ace5dbf65798",
  },
  huge: {
    q8_0: "8676a1b005abfca1",
    q4_0: "cd46531ec46c96fd",
    q4_1: "d9bbfcc5cfbb3c16",
    q5_0: "ec0adab696f43e99",
    q5_1: "bbd0323f4411e2c2",
    iq4_nl: "8838251d142182e6",
    q2_K: "ffe498ea0810b5ea",
    q3_K: "7a0edeea5886222a",
    q4_K: "11a82887ed43bff6",
    q5_K: "f0c49f7aaae953c3",
    q6_K: "d927e1020d958ef6",
    q8_K: "037de3715ba7f0e0",
  },
  constants: {
    q8_0: "aadff0eb622bd8b9",
    q4_0: "ba107b54fdcfb8b0",
    q4_1: "97d31e618e9015cc",
    q5_0: "7ff882ff4160016a",
    q5_1: "3acacea155b36e4d",
    iq4_nl: "e7ce468799369712",
    q2_K: "f6fbd8dbfe9f77aa",
    q3_K: "2fdd902f17fe3986",
    q4_K: "8e3e1e63d310a361",
    q5_K: "642b7a9059f0fbba",
    q6_K: "cd86b5475f7e738f",
    q8_K: "406e83a89cea8a3b",
  },
  ties: {
    q8_0: "f421f7d78360b914",
    q4_0: "14a6708474d73d32",
    q4_1: "04389d8ae9df6d0f",
    q5_0: "537fa5cf1f75d6df",
    q5_1: "3dc8ed3cb15678c7",
    iq4_nl: "18b2b7b47488ae04",
    q2_K: "862d63efc97bd79a",
    q3_K: "090f5763a0800d7f",
    q4_K: "ed981936aa258089",
    q5_K: "dac34e20cdb20247",
    q6_K: "da4ae3834e95c013",
    q8_K: "2b0618844f6d9413",
  },
  grid: {
    q8_0: "fd89b3e1113800e8",
    q4_0: "5308a75134cff9d1",
    q4_1: "d969814456e0cd53",
    q5_0: "ece05b73e239e737",
    q5_1: "b28518097af78f84",
    iq4_nl: "64afc56d3d81854e",
    q2_K: "57ce663f41dfca0e",
    q3_K: "0d84c0e051ca42b6",
    q4_K: "dc5bc259767277d7",
    q5_K: "3497c5d1d6623040",
    q6_K: "6df4408bd0a5a754",
    q8_K: "387099e5655fe2ac",
  },
  eps: {
    q8_0: "914f3f28cda1d37d",
    q4_0: "7b176f8d85b904a9",
    q4_1: "88dc2c7b2ed50a16",
    q5_0: "afc4367f9409334f",
    q5_1: "e6f3040d6469c930",
    iq4_nl: "29961e4834798fad",
    q2_K: "a58e80077de70b1d",
    q3_K: "f6ae0f539a97eaf8",
    q4_K: "de1691dbbca359e0",
    q5_K: "e268dfe206c5e14d",
    q6_K: "89fe503e6c6a6775",
    q8_K: "10e09022188bcd24",
  },
  epsEdge: {
    q8_0: "257f04890d7a4627",
    q4_0: "329923fcd524a188",
    q4_1: "72a63c6d1a65dc51",
    q5_0: "dc5472145c76baa5",
    q5_1: "a98be5f1feaf0db1",
    iq4_nl: "78639c638c1070e4",
    q2_K: "0629bc1e4efb5446",
    q3_K: "072b3261e01e186d",
    q4_K: "08a5b0a0cde8b354",
    q5_K: "59990bf12a4d768e",
    q6_K: "ed54b507b156791d",
    q8_K: "e9132a6a26312503",
  },
};

describe("ggml kernels: ggml's bytes for inputs that reach each branch", () => {
  const cases = Object.keys(INPUTS).flatMap((name) => TYPES.map((type) => [name, type] as const));
  test.each(cases)("%s, %s", (name, type) => {
    const q = quantizeGgml(INPUTS[name] as Float32Array, type, { backend: "reference" });
    expect(digest(q.data)).toBe(GGML_DIGESTS[name]?.[type]);
  });
});

/** The high byte of each fp16 field of a block (q8_K: of its float32 d); bit 6 cleared keeps it finite. */
const FIELD_HIGH_BYTES: Record<GgmlType, number[]> = {
  q8_0: [1],
  q4_0: [1],
  q4_1: [1, 3],
  q5_0: [1],
  q5_1: [1, 3],
  iq4_nl: [1],
  q2_K: [81, 83],
  q3_K: [109],
  q4_K: [1, 3],
  q5_K: [1, 3],
  q6_K: [209],
  q8_K: [3],
};

/** Pseudo-random blocks of `type` for 512 values, every scale field finite. */
function noise(type: GgmlType, seed: number): Uint8Array {
  const { blockSize, bytesPerBlock } = GGML_TYPES[type];
  let s = seed >>> 0;
  const q = Uint8Array.from({ length: (512 / blockSize) * bytesPerBlock }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s >>> 24;
  });
  for (let b = 0; b < 512 / blockSize; b++) {
    for (const o of FIELD_HIGH_BYTES[type]) q[b * bytesPerBlock + o] &= ~0x40;
  }
  return q;
}

// ggml's dequantize_row_<type> of noise(type, 9), built as above.
const NOISE_DIGESTS: Record<GgmlType, string> = {
  q8_0: "5b474da969a618af",
  q4_0: "531c89da100328ea",
  q4_1: "25290391398a5e62",
  q5_0: "5b9aedd6c3628716",
  q5_1: "bd4b3b058f9573e7",
  iq4_nl: "7cbd68ee112eebfd",
  q2_K: "9b131f24998d5b17",
  q3_K: "c27d42250649376d",
  q4_K: "9a98213bca450b6f",
  q5_K: "3356c96ff56671ed",
  q6_K: "b7aaa0b073569c02",
  q8_K: "6346d737de7a3ca7",
};

describe("ggml kernels: ggml's values for random blocks", () => {
  test.each(TYPES)("%s", (type) => {
    const t = { type, shape: [512], data: noise(type, 9) };
    expect(digest(dequantizeGgml(t, { backend: "reference" }).data)).toBe(NOISE_DIGESTS[type]);
  });
});

describe("nvfp4: only the tensor's own blocks are scaled", () => {
  test("amax 1e-34 with no zero block: S = 448 keeps r finite (a zero block's S = 2^-6 would not)", () => {
    // g = 1e-34 / 2688; S = (1e-34 / 6) / g = 448 (code 0x7E); x · r = ±6: codes 7 and 15.
    const x = Array.from({ length: 16 }, (_, i) => (i % 2 ? -1e-34 : 1e-34));
    const q = quantizeNvfp4([x]);
    expect(q.globalScale).toBe(Math.fround(Math.fround(1e-34) / 2688));
    expect(Array.from(q.scales)).toEqual([0x7e]);
    expect(Array.from(q.codes)).toEqual(Array.from({ length: 16 }, (_, i) => (i % 2 ? 15 : 7)));
  });
});

describe("mx: blocks along a middle axis, two outer rows of two blocks", () => {
  // shape [2, 64, 2] along axis 1: x[o][j] = [(o + 1) · (1 or 4) · (j % 4 + 1), -(o + 1) · (2 or 8)],
  // the second factor 1 / 2 for j < 32, 4 / 8 from 32: every value is exact in e4m3 at its scale.
  const x = Array.from({ length: 2 }, (_, o) =>
    Array.from({ length: 64 }, (_, j) => [
      (o + 1) * (j < 32 ? 1 : 4) * ((j % 4) + 1),
      -(o + 1) * (j < 32 ? 2 : 8),
    ]),
  );
  test("scales floor(log2 amax) - 8 + 127 per [outer, block, inner]; values come back exactly", () => {
    const q = quantizeMx(x, "mxfp8e4m3", { axis: 1 });
    // amax: o = 0: [4, 2], [16, 8]; o = 1: [8, 4], [32, 16]
    expect(Array.from(q.scales)).toEqual([121, 120, 123, 122, 122, 121, 124, 123]);
    expect(Array.from(dequantizeMx(q).data)).toEqual(x.flat(2));
  });
});

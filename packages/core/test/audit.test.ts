/**
 * The adversarial audit as a suite: every public function and constructor is probed the way the
 * audit probed it. From a valid call, each argument in turn is replaced by values of every wrong
 * kind, option and parameter objects get unknown and misspelled keys, getters and Proxies, shapes
 * lie about their data, and NaN, ±Infinity and -0 go everywhere. Every answer must be a result or
 * an error in the core's template (`fn(): argument 'a' must be ...; received ....`, a TypeError or
 * a RangeError), never a raw JavaScript error; and both backends must give the same answer.
 * The scalar codecs (float32ToFloat16Bits, ...), roundHalfEven and the is*DType guards are
 * documented as not validating and are left out of the wrong-kind probes.
 */
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import * as core from "../src/index.js";

type Call = (...args: unknown[]) => unknown;

interface Subject {
  readonly name: string;
  readonly call: Call;
  /** A valid call's arguments. */
  readonly args: readonly unknown[];
  /** Whether the last argument takes `backend` (then both backends are compared). */
  readonly backendAt?: number;
}

const x = [-10, -5, 0, 5, 10];
const p = { dtype: "int8", scale: Math.fround(20 / 255) } as const;
const q = core.quantize(x, p);
const packed = core.quantizePacked([1, -1, 7], { dtype: "int4", scale: 1 });
const hist = new core.Histogram({ bins: 16 }).observe([0.5, 1, 2, 3]);
const a8 = { data: new Int8Array([1, 2, 3, 4]), shape: [2, 2] };
const x32 = Float32Array.from({ length: 32 }, (_, i) => i - 12.5);
const mx = core.quantizeMx(x32, "mxfp4", { pack: true, shape: [1, 32] });
const nvfp4 = core.quantizeNvfp4(x32, { shape: [2, 16] });
const bnb = core.quantizeBnb(x32, "nf4", { blockSize: 32, doubleQuant: true });

const ctor =
  (C: new (...args: never[]) => unknown): Call =>
  (...args) =>
    new C(...(args as never[]));

const SUBJECTS: readonly Subject[] = [
  {
    name: "quantize",
    call: core.quantize as Call,
    args: [x, p, { semantics: "onnx" }],
    backendAt: 2,
  },
  { name: "dequantize", call: core.dequantize as Call, args: [q.data, p, {}], backendAt: 2 },
  { name: "dequantize(q)", call: core.dequantize as Call, args: [q, undefined, {}], backendAt: 2 },
  { name: "fakeQuantize", call: core.fakeQuantize as Call, args: [x, p, {}], backendAt: 2 },
  {
    name: "quantizePacked",
    call: core.quantizePacked as Call,
    args: [[1, -1, 7], { dtype: "int4", scale: 1 }, {}],
    backendAt: 2,
  },
  {
    name: "dequantizePacked",
    call: core.dequantizePacked as Call,
    args: [packed, {}],
    backendAt: 1,
  },
  { name: "traceQuantize", call: core.traceQuantize as Call, args: [x, p, {}] },
  {
    name: "fakeQuantizeNudged",
    call: core.fakeQuantizeNudged as Call,
    args: [x, { min: -10, max: 10 }],
  },
  { name: "nudgedRange", call: core.nudgedRange as Call, args: [{ min: -1, max: 1 }] },
  { name: "minMaxScaling", call: core.minMaxScaling as Call, args: [x, { dtype: "int8" }] },
  { name: "symmetricParams", call: core.symmetricParams as Call, args: [x, { restricted: true }] },
  { name: "affineParams", call: core.affineParams as Call, args: [x, { dtype: "uint8" }] },
  {
    name: "qparamsFromRange",
    call: core.qparamsFromRange as Call,
    args: [-1, 3, { dtype: "uint8" }],
  },
  { name: "MinMaxObserver", call: ctor(core.MinMaxObserver), args: [{ dtype: "int8" }] },
  {
    name: "MovingAverageMinMaxObserver",
    call: ctor(core.MovingAverageMinMaxObserver),
    args: [{ averagingConstant: 0.5 }],
  },
  {
    name: "MinMaxObserver.observe",
    call: (...args) => new core.MinMaxObserver().observe(...(args as [never, never])),
    args: [x],
  },
  { name: "Histogram", call: ctor(core.Histogram), args: [{ bins: 8 }] },
  {
    name: "Histogram.observe",
    call: (...args) => new core.Histogram().observe(...(args as [never])),
    args: [[1, 2]],
  },
  { name: "calibrate", call: core.calibrate as Call, args: [[0.5, -2, 3.5], { method: "minmax" }] },
  { name: "percentileRange", call: core.percentileRange as Call, args: [hist, 99] },
  { name: "mseRange", call: core.mseRange as Call, args: [hist, {}] },
  { name: "entropyRange", call: core.entropyRange as Call, args: [hist, { start: 8 }] },
  {
    name: "encodeFloat",
    call: core.encodeFloat as Call,
    args: ["float16", [1, 2], {}],
    backendAt: 2,
  },
  {
    name: "decodeFloat",
    call: core.decodeFloat as Call,
    args: ["float16", [15360], {}],
    backendAt: 2,
  },
  { name: "roundToFloat", call: core.roundToFloat as Call, args: ["bfloat16", [1.1], {}] },
  { name: "roundToFormat", call: core.roundToFormat as Call, args: ["float16", [0.1]] },
  { name: "formatSummary", call: core.formatSummary as Call, args: ["int8"] },
  { name: "bitLayout", call: core.bitLayout as Call, args: ["float8e4m3fn"] },
  { name: "bitPattern", call: core.bitPattern as Call, args: ["float16", 0.1] },
  { name: "representableValues", call: core.representableValues as Call, args: ["float4e2m1"] },
  {
    name: "granularParams",
    call: core.granularParams as Call,
    args: [x32, { granularity: "block", blockSize: 8, dtype: "int4", shape: [2, 16] }],
  },
  { name: "bitsPerWeight", call: core.bitsPerWeight as Call, args: [q, { scaleBits: 16 }] },
  { name: "packInt4", call: core.packInt4 as Call, args: [[7, -5, -1], "int4"] },
  {
    name: "unpackInt4",
    call: core.unpackInt4 as Call,
    args: [new Uint8Array([183, 15]), "int4", 3],
  },
  { name: "matmulInteger", call: core.matmulInteger as Call, args: [a8, a8, { aZeroPoint: 1 }] },
  { name: "quantizeMultiplier", call: core.quantizeMultiplier as Call, args: [0.75] },
  {
    name: "multiplyByQuantizedMultiplier",
    call: core.multiplyByQuantizedMultiplier as Call,
    args: [1000, 1610612736, -3],
  },
  {
    name: "requantize",
    call: core.requantize as Call,
    args: [Int32Array.of(-1000, 0, 1000), { realMultiplier: 0.0375, outputZeroPoint: -3 }],
  },
  {
    name: "requantizeFloat",
    call: core.requantizeFloat as Call,
    args: [Int32Array.of(5, -3), 0.5, 0],
  },
  {
    name: "saturatingRoundingDoublingHighMul",
    call: core.saturatingRoundingDoublingHighMul as Call,
    args: [-5, 2 ** 30],
  },
  { name: "roundingDivideByPOT", call: core.roundingDivideByPOT as Call, args: [-5, 1] },
  {
    name: "quantizeMx",
    call: core.quantizeMx as Call,
    args: [x32, "mxfp8e4m3", { axis: 0, rounding: "away", blockSize: 16 }],
  },
  { name: "dequantizeMx", call: core.dequantizeMx as Call, args: [mx, {}] },
  { name: "quantizeNvfp4", call: core.quantizeNvfp4 as Call, args: [x32, { shape: [2, 16] }] },
  { name: "dequantizeNvfp4", call: core.dequantizeNvfp4 as Call, args: [nvfp4, {}] },
  {
    name: "quantizeBnb",
    call: core.quantizeBnb as Call,
    args: [x32, "fp4", { blockSize: 32, doubleQuant: true }],
  },
  { name: "dequantizeBnb", call: core.dequantizeBnb as Call, args: [bnb, {}] },
  ...(
    [
      "signedError",
      "absoluteError",
      "absolutePercentageError",
      "meanSquaredError",
      "rootMeanSquaredError",
      "maxAbsoluteError",
      "meanAbsoluteError",
      "sqnrDb",
      "cosineSimilarity",
      "errorSummary",
    ] as const
  ).map((name) => ({
    name,
    call: core[name] as Call,
    args: [
      [1, 2],
      [1.5, 2],
    ],
  })),
];

/** Values of every kind a caller might pass by mistake. */
const WRONG_KINDS: readonly unknown[] = [
  undefined,
  null,
  true,
  0,
  -0,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  -1,
  1.5,
  2 ** 53,
  "",
  "int8",
  "3",
  10n,
  Symbol("s"),
  () => 1,
  [],
  [Number.NaN],
  [null],
  [[1], [2, 3]],
  {},
  { data: [1, 2], shape: [3] },
  { data: [1, 2], shape: "ab" },
  new Float64Array([Number.NaN, -0, Number.POSITIVE_INFINITY]),
  new BigInt64Array(2),
  new DataView(new ArrayBuffer(4)),
  new Map(),
];

const TEMPLATE = /^[\w.]+\(\): argument '[^']+' must be .+; received .+\.$/s;

let tried = 0;
const strays: string[] = [];

/** Runs a call; a thrown error must be the template's TypeError or RangeError. */
function outcome(subject: Subject, args: readonly unknown[]): string {
  tried++;
  try {
    const value = subject.call(...args);
    return `ok ${summary(value)}`;
  } catch (error) {
    const e = error as Error;
    const fine = (e instanceof TypeError || e instanceof RangeError) && TEMPLATE.test(e.message);
    if (!fine)
      strays.push(`${subject.name}(${args.map(show).join(", ")}): ${e?.name}: ${e?.message}`);
    return `${e?.name}: ${e?.message}`;
  }
}

function show(v: unknown): string {
  if (typeof v === "bigint") return `${v}n`;
  if (typeof v === "symbol" || typeof v === "function") return String(v);
  if (ArrayBuffer.isView(v)) return v.constructor.name;
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

/** A comparable digest of a result: typed arrays by their bits. */
function summary(value: unknown): string {
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    return `${value.constructor.name}[${Array.from(new Uint8Array(value.buffer, value.byteOffset, value.byteLength)).join(",")}]`;
  }
  if (typeof value === "object" && value !== null) {
    return `{${Object.entries(value)
      .map(([k, v]) => `${k}:${summary(v)}`)
      .join(";")}}`;
  }
  return Object.is(value, -0) ? "-0" : String(value);
}

function withBackend(args: readonly unknown[], at: number, backend: string): unknown[] {
  const copy = [...args];
  const options = copy[at];
  copy[at] =
    typeof options === "object" && options !== null && !Array.isArray(options)
      ? { ...options, backend }
      : options === undefined
        ? { backend }
        : options;
  return copy;
}

/** Runs a probe on both backends where the subject takes one, and checks they answer alike. */
function probe(subject: Subject, args: readonly unknown[]): string {
  if (subject.backendAt === undefined) return outcome(subject, args);
  const fast = outcome(subject, withBackend(args, subject.backendAt, "fast"));
  const reference = outcome(subject, withBackend(args, subject.backendAt, "reference"));
  expect(fast, `${subject.name}: the backends disagree`).toBe(reference);
  return fast;
}

describe.each(SUBJECTS)("$name", (subject) => {
  it("answers the valid call", () => {
    expect(probe(subject, subject.args)).toMatch(/^ok /);
  });

  it("answers every wrong kind of every argument with a result or the template's error", () => {
    for (let i = 0; i < subject.args.length + 1; i++) {
      for (const wrong of WRONG_KINDS) {
        const args = [...subject.args];
        args[i] = wrong;
        probe(subject, args);
      }
    }
  });

  it("refuses unknown and misspelled keys in every object argument, naming them", () => {
    subject.args.forEach((arg, i) => {
      if (typeof arg !== "object" || arg === null || Array.isArray(arg) || ArrayBuffer.isView(arg))
        return;
      if (arg instanceof core.Histogram) return;
      for (const key of ["bogus", "zero_point", "Semantics", "__proto__x"]) {
        const args = [...subject.args];
        args[i] = { ...arg, [key]: 1 };
        expect(probe(subject, args)).toMatch(new RegExp(`received an object with key "${key}"`));
      }
    });
  });

  it("reads option objects through getters and Proxies the same as plain objects", () => {
    subject.args.forEach((arg, i) => {
      if (typeof arg !== "object" || arg === null || Array.isArray(arg) || ArrayBuffer.isView(arg))
        return;
      if (arg instanceof core.Histogram || "data" in arg) return;
      const viaGetters = Object.defineProperties(
        {},
        Object.fromEntries(
          Object.entries(arg).map(([k, v]) => [k, { get: () => v, enumerable: true }]),
        ),
      );
      const viaProxy = new Proxy({ ...arg }, {});
      const plain = probe(subject, subject.args);
      for (const replacement of [viaGetters, viaProxy]) {
        const args = [...subject.args];
        args[i] = replacement;
        expect(probe(subject, args)).toBe(plain);
      }
    });
  });
});

describe("tensors that lie and special values, on both backends", () => {
  const quantizers = SUBJECTS.filter(
    (s) => s.backendAt !== undefined && s.name !== "dequantizePacked",
  );
  const inputs: readonly unknown[] = [
    [Number.NaN, 1],
    [1, Number.NaN],
    [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, 0],
    { data: new Float32Array(4), shape: [2, 3] },
    { data: new Float32Array(4), shape: [2, -2] },
    { data: new Float32Array(4), shape: [2, 2.5] },
    { data: new Float32Array(0), shape: [0] },
    new Float32Array([-0, 3.4e38, -3.4e38, 1e-45]),
  ];
  it.each(quantizers.map((s) => [s.name, s] as const))("%s", (_, subject) => {
    for (const input of inputs) probe(subject, [input, ...subject.args.slice(1)]);
  });
});

afterAll(() => {
  // The audit's bookkeeping: how many inputs it tried, and any answer outside the template.
  console.log(`audit: ${tried} calls over ${SUBJECTS.length} public functions and constructors`);
  expect(strays).toEqual([]);
});

describe("both backends, every path (fallbacks included), edge values forced in", () => {
  const EDGES = [
    0,
    -0,
    1e-45,
    -1e-45,
    3.4e38,
    -3.4e38,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
  ];
  const dtypes = core.INTEGER_DTYPES;
  it("quantize, dequantize and fakeQuantize agree per tensor, per axis and per block", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...dtypes),
        fc.constantFrom<core.Semantics>("onnx", "pytorch"),
        fc.float({ min: Math.fround(1e-3), max: 1e3, noNaN: true }),
        fc.array(fc.oneof(fc.float({ noNaN: true }), fc.constantFrom(...EDGES)), {
          minLength: 6,
          maxLength: 6,
        }),
        fc.constantFrom("tensor", "axis", "block"),
        (dtype, semantics, scale, values, granularity) => {
          const { min, max } = core.INTEGER_FORMATS[dtype];
          const zeroPoint = Math.max(min, Math.min(max, dtype.startsWith("u") ? 3 : -1));
          const params =
            granularity === "tensor"
              ? { dtype, scale, zeroPoint }
              : granularity === "axis"
                ? { dtype, scale: [scale, scale * 2], zeroPoint: [zeroPoint, zeroPoint], axis: 0 }
                : {
                    dtype,
                    scale: { data: [scale, scale * 3], shape: [2, 1] },
                    zeroPoint: { data: [zeroPoint, zeroPoint], shape: [2, 1] },
                    axis: 1,
                    blockSize: 3,
                  };
          const answers = (["fast", "reference"] as const).map((backend) => {
            const o = { semantics, backend, shape: [2, 3] };
            const codes = core.quantize(values, params, o);
            return [
              Array.from(codes.data),
              Array.from(
                new Uint32Array(core.dequantize(codes, undefined, { backend }).data.buffer),
              ),
              Array.from(new Uint32Array(core.fakeQuantize(values, params, o).data.buffer)),
            ];
          });
          expect(answers[0]).toEqual(answers[1]);
          tried += 6;
        },
      ),
      { numRuns: 300 },
    );
  });
});

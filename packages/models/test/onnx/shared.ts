/**
 * Test helpers that packages/cli's tests use as well (they import this file by its path): a
 * small convolutional network's spec, and the cosine of two vectors. Nothing but types is
 * imported, so the file loads the same from either package.
 */
import type { OnnxModelSpec } from "../../src/index.js";

export interface ConvNetOptions {
  /** The images' height and width (3 channels, a "batch" dimension first). */
  readonly size: number;
  /** The Conv's output channels. */
  readonly channels: number;
  /** The Gemm's outputs. */
  readonly hidden: number;
  /** The name of the graph's output (10 scores a row). */
  readonly output: string;
  /**
   * The values of the k-th initializer (k = 1 to 5: conv.weight, conv.bias, fc.weight, fc.bias,
   * head.weight), `n` of them, with `scales[k - 1]`.
   */
  readonly fill: (n: number, k: number, scale: number) => Float32Array;
  readonly scales: readonly [number, number, number, number, number];
}

/** Conv (3×3, padded by 1, with bias) → Relu → Flatten → Gemm (transB) → Relu → MatMul. */
export function convNet(o: ConvNetOptions): OnnxModelSpec {
  const shapes: [string, number[]][] = [
    ["conv.weight", [o.channels, 3, 3, 3]],
    ["conv.bias", [o.channels]],
    ["fc.weight", [o.hidden, o.channels * o.size * o.size]],
    ["fc.bias", [o.hidden]],
    ["head.weight", [o.hidden, 10]],
  ];
  return {
    inputs: [{ name: "image", dtype: "FLOAT", shape: ["batch", 3, o.size, o.size] }],
    outputs: [{ name: o.output, dtype: "FLOAT", shape: ["batch", 10] }],
    initializers: shapes.map(([name, shape], i) => ({
      name,
      dtype: "FLOAT",
      shape,
      data: o.fill(
        shape.reduce((n, d) => n * d, 1),
        i + 1,
        o.scales[i] as number,
      ),
    })),
    nodes: [
      {
        op: "Conv",
        inputs: ["image", "conv.weight", "conv.bias"],
        outputs: ["conv"],
        attributes: { pads: [1, 1, 1, 1] },
      },
      { op: "Relu", inputs: ["conv"], outputs: ["conv.relu"] },
      { op: "Flatten", inputs: ["conv.relu"], outputs: ["flat"] },
      {
        op: "Gemm",
        inputs: ["flat", "fc.weight", "fc.bias"],
        outputs: ["fc"],
        attributes: { transB: 1 },
      },
      { op: "Relu", inputs: ["fc"], outputs: ["fc.relu"] },
      { op: "MatMul", inputs: ["fc.relu", "head.weight"], outputs: [o.output] },
    ],
  };
}

/** The cosine of two vectors of one length, Σab / √(Σa² Σb²), in float64 (written here, not core's). */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += (a[i] as number) * (b[i] as number);
    aa += (a[i] as number) ** 2;
    bb += (b[i] as number) ** 2;
  }
  return ab / Math.sqrt(aa * bb);
}

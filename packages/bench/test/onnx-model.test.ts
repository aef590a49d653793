/** The hand-written ONNX models load in onnxruntime and agree with quantlab's reference kernels. */

import { referenceKernels as reference } from "@quantlab/core/kernels";
import * as ort from "onnxruntime-node";
import { describe, expect, it } from "vitest";
import { normalValues, rowScales, symmetricScale } from "../src/data.js";
import {
  castModel,
  DataType,
  dequantizeLinearModel,
  quantizeLinearModel,
} from "../src/onnx-model.js";

const options = { intraOpNumThreads: 1, interOpNumThreads: 1 };

describe("onnx models for the benchmark", () => {
  it("QuantizeLinear and DequantizeLinear give the reference's bits, per tensor and per axis", async () => {
    const n = 64 * 64;
    const x = normalValues(n, 1);
    x[0] = Math.fround(2.5 * symmetricScale(x)); // a tie
    const scale = symmetricScale(x);
    const q = await ort.InferenceSession.create(
      quantizeLinearModel([n], Float32Array.of(scale), new Int8Array(1)),
      options,
    );
    const codes = (await q.run({ x: new ort.Tensor("float32", x, [n]) })).y?.data as Int8Array;
    const expected = new Int8Array(n);
    reference.quantizeTensor("onnx", x, scale, 0, -128, 127, expected);
    expect(Array.from(codes)).toEqual(Array.from(expected));

    const d = await ort.InferenceSession.create(
      dequantizeLinearModel([n], Float32Array.of(scale), new Int8Array(1)),
      options,
    );
    const back = (await d.run({ x: new ort.Tensor("int8", expected, [n]) })).y
      ?.data as Float32Array;
    const expectedBack = new Float32Array(n);
    reference.dequantizeTensor("onnx", expected, scale, 0, expectedBack);
    expect(Array.from(back)).toEqual(Array.from(expectedBack));

    const scales = rowScales(x, 64);
    const axis = await ort.InferenceSession.create(
      quantizeLinearModel([64, 64], scales, new Int8Array(64), 0),
      options,
    );
    const rows = (await axis.run({ x: new ort.Tensor("float32", x, [64, 64]) })).y
      ?.data as Int8Array;
    const expectedRows = new Int8Array(n);
    const layout = {
      outer: 1,
      dim: 64,
      inner: 64,
      blockSize: 1,
      outerStride: 0,
      axisStride: 1,
      innerStride: 0,
    };
    reference.quantizeLayout(
      "onnx",
      x,
      scales,
      new Int32Array(64),
      layout,
      -128,
      127,
      expectedRows,
    );
    expect(Array.from(rows)).toEqual(Array.from(expectedRows));
  });

  it("Cast float32 -> float16 -> float32 runs", async () => {
    const x = Float32Array.from([1, 65504, 1e5, 0.1]);
    const enc = await ort.InferenceSession.create(
      castModel([4], DataType.FLOAT, DataType.FLOAT16),
      options,
    );
    const h = (await enc.run({ x: new ort.Tensor("float32", x, [4]) })).y?.data as Uint16Array;
    expect(Array.from(h)).toEqual([0x3c00, 0x7bff, 0x7c00, 0x2e66]);
    const dec = await ort.InferenceSession.create(
      castModel([4], DataType.FLOAT16, DataType.FLOAT),
      options,
    );
    const back = (await dec.run({ x: new ort.Tensor("float16", h, [4]) })).y?.data as Float32Array;
    expect(Array.from(back)).toEqual([
      1,
      65504,
      Number.POSITIVE_INFINITY,
      Math.fround(0.0999755859375),
    ]);
  });
});

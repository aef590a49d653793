/**
 * Looking inside onnxruntime: the graph it actually runs after its optimizations, and its
 * QLinearMatMul kernel run on chosen int32 accumulators (to read its requantization off).
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createOnnxModel, readOnnx } from "@quantlab/models";
import * as ort from "onnxruntime-node";

/** onnxruntime's graph optimization levels. */
export type OptimizationLevel = "disabled" | "basic" | "extended" | "all";

/**
 * The ops onnxruntime runs for `model` at `level` (default "all", its default), counted: the
 * optimized graph it writes with `optimizedModelFilePath`, read back.
 *
 * @example
 * await optimizedOps(w8a8.bytes); // => { QuantizeLinear: 3, QLinearMatMul: 3, DequantizeLinear: 3, Add: 3 }
 */
export async function optimizedOps(
  model: Uint8Array,
  level: OptimizationLevel = "all",
): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), "quantlab-ort-"));
  try {
    const path = join(dir, "optimized.onnx");
    await ort.InferenceSession.create(model, {
      graphOptimizationLevel: level,
      intraOpNumThreads: 1,
      interOpNumThreads: 1,
      optimizedModelFilePath: path,
      logSeverityLevel: 3, // the warning about hardware-specific optimized files is not ours
    });
    const file = readOnnx(new Uint8Array(readFileSync(path)), { file: "optimized.onnx" });
    return { ...(file.metadata.ops as Record<string, number>) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The scales of a QLinearMatMul. */
export interface QLinearScales {
  readonly a: number;
  readonly b: number;
  readonly y: number;
}

/**
 * onnxruntime's QLinearMatMul requantizing the given int32 accumulators (|acc| <= 2,000,000) to
 * uint8 with the given scales and output zero point: each accumulator is made exactly as
 * Σ_k (a[k] − 128) · b[k] with uint8 `a` (zero point 128) and int8 `b` = [64, ..., 64, 1]
 * (zero point 0), one row per accumulator. `b` stays at 64 or less so that no two products
 * a[k] · b[k] + a[k+1] · b[k+1] pass 32,767: without VNNI, MLAS adds such pairs in int16
 * (pmaddubsw), which saturates, and the accumulator would not be the one asked for.
 *
 * @example
 * await runQLinearMatMul([5, 2505], { a: 0.5, b: 1, y: 1 }, 0); // => [2, 255]
 */
export async function runQLinearMatMul(
  accumulators: readonly number[],
  scales: QLinearScales,
  yZeroPoint: number,
): Promise<Uint8Array> {
  const largest = Math.max(1, ...accumulators.map((v) => Math.abs(v)));
  if (largest > 2_000_000 || !accumulators.every(Number.isInteger)) {
    throw new RangeError(
      "runQLinearMatMul(): argument 'accumulators' must be integers of magnitude <= 2000000; received one beyond.",
    );
  }
  const parts = Math.ceil(largest / (64 * 127)) + 1; // terms of 64 · d, d in [-127, 127]
  const k = parts + 1;
  const rows = accumulators.length;
  const a = new Uint8Array(rows * k);
  accumulators.forEach((acc, r) => {
    let s = Math.round(acc / 64);
    const remainder = acc - 64 * s; // in [-32, 32]
    for (let p = 0; p < parts; p++) {
      const d = Math.max(-127, Math.min(127, s));
      a[r * k + p] = d + 128;
      s -= d;
    }
    a[r * k + parts] = remainder + 128;
  });
  const b = new Uint8Array(k).fill(64);
  b[parts] = 1;
  return qlinearMatMul(a, [rows, k], { scale: scales.a, zeroPoint: 128 }, b, scales.b, {
    scale: scales.y,
    zeroPoint: yZeroPoint,
  });
}

/**
 * onnxruntime's QLinearMatMul of uint8 `a` [rows, k] by int8 `b` [k, 1] (zero point 0, its bytes
 * given as uint8), one thread: the uint8 codes of the [rows, 1] output.
 */
async function qlinearMatMul(
  a: Uint8Array,
  shape: readonly [number, number],
  aParams: { scale: number; zeroPoint: number },
  b: Uint8Array,
  bScale: number,
  yParams: { scale: number; zeroPoint: number },
): Promise<Uint8Array> {
  const [rows, k] = shape;
  const bytes = createOnnxModel({
    inputs: [{ name: "a", dtype: "UINT8", shape: [rows, k] }],
    outputs: [{ name: "y", dtype: "UINT8", shape: [rows, 1] }],
    nodes: [
      {
        op: "QLinearMatMul",
        inputs: ["a", "a_scale", "a_zero", "b", "b_scale", "b_zero", "y_scale", "y_zero"],
        outputs: ["y"],
      },
    ],
    initializers: [
      { name: "a_scale", dtype: "FLOAT", shape: [], data: Float32Array.of(aParams.scale) },
      { name: "a_zero", dtype: "UINT8", shape: [], data: Uint8Array.of(aParams.zeroPoint) },
      { name: "b", dtype: "INT8", shape: [k, 1], data: b },
      { name: "b_scale", dtype: "FLOAT", shape: [], data: Float32Array.of(bScale) },
      { name: "b_zero", dtype: "INT8", shape: [], data: Uint8Array.of(0) },
      { name: "y_scale", dtype: "FLOAT", shape: [], data: Float32Array.of(yParams.scale) },
      { name: "y_zero", dtype: "UINT8", shape: [], data: Uint8Array.of(yParams.zeroPoint) },
    ],
  });
  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1 });
  const out = await session.run({ a: new ort.Tensor("uint8", a, [rows, k]) });
  return Uint8Array.from((out.y as ort.Tensor).data as Uint8Array);
}

/** What {@link int16PairProbe} found. */
export interface PairProbe {
  /** onnxruntime's code for 255 · 127 + 255 · 127 = 64,770 at y_scale 256: 253 if exact. */
  readonly code: number;
  /** The code if the pair is summed in int16 and saturates at 32,767: 128. */
  readonly saturatedCode: 128;
  /** The code of the exact sum: 253. */
  readonly exactCode: 253;
  readonly saturates: boolean;
}

/**
 * Whether onnxruntime's uint8 × int8 QLinearMatMul on this CPU adds pairs of products in int16
 * (x86 without VNNI: pmaddubsw), which saturates: one row a = [255, 255] times b = [127, 127], all
 * zero points 0, scales 1, 1 and 256.
 *
 * @example
 * await int16PairProbe();
 * // => { code: 253, saturatedCode: 128, exactCode: 253, saturates: false } with VNNI, or
 * // => { code: 128, saturatedCode: 128, exactCode: 253, saturates: true } on x86 without it
 */
export async function int16PairProbe(): Promise<PairProbe> {
  const a = Uint8Array.of(255, 255);
  const b = Uint8Array.of(127, 127);
  const y = await qlinearMatMul(a, [1, 2], { scale: 1, zeroPoint: 0 }, b, 1, {
    scale: 256,
    zeroPoint: 0,
  });
  const code = y[0] as number;
  if (code !== 253 && code !== 128) {
    throw new Error(
      `int16PairProbe(): onnxruntime returned code ${code}, neither 253 (exact) nor 128 (saturated)`,
    );
  }
  return { code, saturatedCode: 128, exactCode: 253, saturates: code === 128 };
}

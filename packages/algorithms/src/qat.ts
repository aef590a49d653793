/**
 * Quantization-aware training: fake-quantize steps for a training loop's forward pass, with their
 * backward rules. They fit @quantlab/zoo's `trainMlp` hooks (`fakeQuant.weights`), or any loop
 * that calls `forward(x, layer)` before and `backward(gradient, x, layer)` after each step.
 *
 * - {@link fakeQuantSte}: round-to-nearest on the weight grid each step, the gradient passed
 *   straight through (Bengio et al. 2013; the STE of QAT as frameworks implement it);
 * - {@link lsq}: LSQ (Esser et al. 2020, "Learned Step Size Quantization"): a learned step per
 *   output channel, trained with the LSQ gradient.
 */
import type { IntegerDType, QuantizedTensor } from "@quantlab/core";
import { rangeError } from "@quantlab/core/validate";
import { GRID_KEYS, type GridOptions, readGrid, rint, roundToGridCodes } from "./grid.js";
import { readInteger, readNumber, readOptions } from "./matrix.js";

/** A fake-quantize step: `forward` replaces a tensor in the forward pass, `backward` maps its gradient. */
export interface FakeQuantizeStep {
  forward(x: Float32Array, layer: number): Float32Array;
  backward?(gradient: Float32Array, x: Float32Array, layer: number): Float32Array;
}

function checkShapes(fn: string, shapes: unknown): readonly (readonly [number, number])[] {
  if (
    !Array.isArray(shapes) ||
    shapes.length === 0 ||
    !shapes.every(
      (s) =>
        Array.isArray(s) &&
        s.length === 2 &&
        s.every((d: unknown) => Number.isInteger(d) && (d as number) > 0),
    )
  ) {
    throw rangeError(
      fn,
      "shapes",
      "a non-empty array of [out, in] weight shapes, one per layer",
      shapes,
    );
  }
  return shapes as [number, number][];
}

function shapeOf(
  fn: string,
  shapes: readonly (readonly [number, number])[],
  layer: number,
  n: number,
): [number, number] {
  const s = shapes[layer];
  if (s === undefined || s[0] * s[1] !== n)
    throw rangeError(
      fn,
      "layer",
      `a layer of the shapes given (${shapes.length}), with as many weights as its shape`,
      layer,
      `layer ${layer} with ${n} weights`,
    );
  return [s[0], s[1]];
}

/**
 * Round-to-nearest fake quantization of each layer's weight on the grid of `grid` (scales from
 * the weight's current range, every step), with the straight-through estimator: no `backward`,
 * so the gradient of the fake-quantized weight is applied to the float weight unchanged.
 *
 * @throws {RangeError} for shapes that are not `[out, in]` pairs, or bad grid options.
 * @example
 * const step = fakeQuantSte([[1, 4]], { bits: 2 });
 * Array.from(step.forward(Float32Array.of(-1, -0.2, 0.4, 1), 0)) // => [-0.6666666865348816, 0, 0.6666666865348816, 1.3333333730697632]
 */
export function fakeQuantSte(
  shapes: readonly (readonly [number, number])[],
  grid: GridOptions = {},
): FakeQuantizeStep {
  const fn = "fakeQuantSte";
  const s = checkShapes(fn, shapes);
  readOptions<GridOptions>(fn, "grid", grid, GRID_KEYS);
  const grids = s.map(([, cols]) => readGrid(fn, grid, cols, "grid"));
  return {
    forward(x, layer) {
      const [rows, cols] = shapeOf(fn, s, layer, x.length);
      return roundToGridCodes(fn, grids[layer] as ReturnType<typeof readGrid>, x, rows, cols)
        .values;
    },
  };
}

/** Options of {@link lsq}. */
export interface LsqOptions {
  /** Bits per code (signed, symmetric: levels −2^(b−1) .. 2^(b−1) − 1), 2 to 8; default 4. */
  readonly bits?: number;
  /** Learning rate of the steps (plain SGD with momentum; default 0.01). */
  readonly learningRate?: number;
  readonly momentum?: number;
}

/** An LSQ step with its learned scales. */
export interface LsqStep extends FakeQuantizeStep {
  backward(gradient: Float32Array, x: Float32Array, layer: number): Float32Array;
  /** The current step per output channel of `layer` (initialized on the first forward). */
  scales(layer: number): Float32Array;
  /** The codes of `weight` on layer `layer`'s learned grid: core's QuantizedTensor, per channel. */
  quantize(weight: Float32Array, layer: number): QuantizedTensor;
}

/**
 * LSQ fake quantization of each layer's weight, one learned step `s` per output channel:
 * `ŵ = clamp(rint(w / s), −Qn, Qp) · s` with `Qn = 2^(b−1)`, `Qp = 2^(b−1) − 1`; initial
 * `s = 2·mean|w| / sqrt(Qp)` per channel. Backward: `∂L/∂w = ∂L/∂ŵ` where `−Qn ≤ w/s ≤ Qp`, 0
 * outside; `∂L/∂s = g · Σ ∂L/∂ŵ · (rint(w/s) − w/s)` inside, `−Qn` or `Qp` times the gradient
 * outside, with LSQ's gradient scale `g = 1 / sqrt(in · Qp)`; `s` takes an SGD step with momentum
 * in each `backward` (and stays above 1e-8). Float32 values, float64 sums.
 *
 * @throws {RangeError} for shapes that are not `[out, in]` pairs, or bad options.
 * @example
 * const step = lsq([[1, 4]], { bits: 2 });
 * Array.from(step.forward(Float32Array.of(-1, -0.25, 0.25, 1), 0)) // => [-1.25, 0, 0, 1.25]
 */
export function lsq(shapes: readonly (readonly [number, number])[], options?: LsqOptions): LsqStep {
  const fn = "lsq";
  const s = checkShapes(fn, shapes);
  const o = readOptions<LsqOptions>(fn, "options", options, ["bits", "learningRate", "momentum"]);
  const bits = readInteger(fn, "options.bits", o.bits, 2, 8, 4);
  const lr = readNumber(fn, "options.learningRate", o.learningRate, 0, 1e6, 0.01);
  const mu = readNumber(fn, "options.momentum", o.momentum, 0, 1, 0.9);
  const qn = 2 ** (bits - 1);
  const qp = qn - 1;
  const steps: (Float32Array | undefined)[] = s.map(() => undefined);
  const velocity: (Float64Array | undefined)[] = s.map(() => undefined);
  const init = (x: Float32Array, layer: number) => {
    const [rows, cols] = shapeOf(fn, s, layer, x.length);
    let st = steps[layer];
    if (st === undefined) {
      st = new Float32Array(rows);
      for (let r = 0; r < rows; r++) {
        let sum = 0;
        for (let c = 0; c < cols; c++) sum += Math.abs(x[r * cols + c] as number);
        st[r] = Math.max((2 * (sum / cols)) / Math.sqrt(qp), 1e-8);
      }
      steps[layer] = st;
      velocity[layer] = new Float64Array(rows);
    }
    return { rows, cols, st };
  };
  const dtype: IntegerDType = bits <= 2 ? "int2" : bits <= 4 ? "int4" : "int8";
  return {
    forward(x, layer) {
      const { rows, cols, st } = init(x, layer);
      const out = new Float32Array(x.length);
      for (let r = 0; r < rows; r++) {
        const step = st[r] as number;
        for (let c = 0; c < cols; c++) {
          const v = Math.fround((x[r * cols + c] as number) / step);
          const q = Math.min(qp, Math.max(-qn, rint(v)));
          out[r * cols + c] = q * step;
        }
      }
      return out;
    },
    backward(gradient, x, layer) {
      const { rows, cols, st } = init(x, layer);
      const v = velocity[layer] as Float64Array;
      const g = 1 / Math.sqrt(cols * qp);
      const out = new Float32Array(x.length);
      for (let r = 0; r < rows; r++) {
        const step = st[r] as number;
        let ds = 0;
        for (let c = 0; c < cols; c++) {
          const at = r * cols + c;
          const u = Math.fround((x[at] as number) / step);
          const gr = gradient[at] as number;
          if (u < -qn) ds += -qn * gr;
          else if (u > qp) ds += qp * gr;
          else {
            ds += (rint(u) - u) * gr;
            out[at] = gr;
          }
        }
        v[r] = mu * (v[r] as number) - lr * g * ds;
        st[r] = Math.max(step + (v[r] as number), 1e-8);
      }
      return out;
    },
    scales(layer) {
      const st = steps[layer];
      if (st === undefined)
        throw rangeError(`${fn}.scales`, "layer", "a layer that forward() has seen", layer);
      return st.slice();
    },
    quantize(weight, layer) {
      const { rows, cols, st } = init(weight, layer);
      const codes = new Int8Array(weight.length); // int2, int4 and int8 are all stored in Int8Array
      for (let r = 0; r < rows; r++) {
        const step = st[r] as number;
        for (let c = 0; c < cols; c++)
          codes[r * cols + c] = Math.min(
            qp,
            Math.max(-qn, rint(Math.fround((weight[r * cols + c] as number) / step))),
          );
      }
      const t: QuantizedTensor = {
        dtype,
        data: codes,
        shape: [rows, cols],
        scale: st.slice(),
        zeroPoint: new Int32Array(rows),
        axis: 0,
        semantics: "onnx",
      };
      return t;
    },
  };
}

/** Round-to-nearest on the weight grid: the baseline every other method is measured against. */
import {
  GRID_KEYS,
  type GridOptions,
  type QuantizedWeight,
  readGrid,
  roundToGrid,
} from "./grid.js";
import { type Matrix, readMatrix, readOptions } from "./matrix.js";

/**
 * Rounds every weight of `[out, in]` to its nearest level on the grid of {@link GridOptions}
 * (GPTQ's min-max grid per output channel or per group), the quotient `w / scale` in float32 as
 * core's ONNX `quantize`: for 2, 4 and 8 bits, `quantize(w, params)` of @quantlab/core gives the
 * same codes.
 *
 * @throws {TypeError} for a weight that is not a matrix, or options of the wrong type.
 * @throws {RangeError} for NaN or ±Infinity in the weight, or options out of range.
 * @example
 * const q = rtn({ data: [0.1, -0.4, 0.25, 0.8], shape: [2, 2] }, { bits: 4 });
 * [Array.from(q.tensor.data), q.tensor.dtype] // => [[15, 0, 5, 15], "uint4"]
 */
export function rtn(weight: Matrix, options?: GridOptions): QuantizedWeight {
  const fn = "rtn";
  const w = readMatrix(fn, "weight", weight);
  const o = readOptions<GridOptions>(fn, "options", options, GRID_KEYS);
  return roundToGrid(fn, readGrid(fn, o, w.cols), w.data, w.rows, w.cols);
}

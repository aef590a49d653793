import type { IntegerDType, IntegerFormat } from "../dtypes/table.js";
import type { TensorLike } from "../tensor.js";
import { checkDType } from "../validate/dtype.js";
import { rangeError, typeError } from "../validate/errors.js";
import { checkOptions } from "../validate/options.js";
import { toFloat32 } from "../validate/tensor.js";
import { checkScheme, codeRange, finiteExtent, rangeToParams, type Scheme } from "./range.js";

export interface ObserverOptions {
  readonly dtype?: IntegerDType;
  /** Default `"affine"`, as PyTorch's observers. */
  readonly scheme?: Scheme;
  readonly reduceRange?: boolean;
  readonly restricted?: boolean;
  /** Observe each index along this axis apart (PyTorch's PerChannelMinMaxObserver `ch_axis`). */
  readonly axis?: number;
}

export interface MovingAverageOptions extends ObserverOptions {
  /** c in `min += c * (batchMin - min)`; PyTorch's default 0.01. */
  readonly averagingConstant?: number;
}

/** Scale and zero point from an observer: numbers per tensor, one entry per channel with `axis`. */
export interface ObservedParams {
  readonly dtype: IntegerDType;
  readonly scale: number | Float32Array;
  readonly zeroPoint: number | Int32Array;
  readonly axis?: number;
}

const OBSERVER_KEYS = ["dtype", "scheme", "reduceRange", "restricted", "axis"];

/**
 * Tracks the running minimum and maximum of the tensors it observes, and turns them into
 * quantization parameters as PyTorch's `MinMaxObserver` (per tensor) and `PerChannelMinMaxObserver`
 * (with `axis`) do, bit for bit. See {@link qparamsFromRange} for the formulas.
 *
 * @example
 * const observer = new MinMaxObserver({ dtype: "uint8" });
 * observer.observe([0.5, 2]).observe([-1, 1]);
 * observer.qparams()
 * // => { dtype: "uint8", scale: 0.0117647061124444, zeroPoint: 85 }
 */
export class MinMaxObserver {
  protected readonly format: IntegerFormat;
  protected readonly scheme: Scheme;
  protected readonly qmin: number;
  protected readonly qmax: number;
  protected readonly axis: number | undefined;
  /** Running minimum per channel (one entry per tensor), float32; empty before any observation. */
  min: Float32Array = new Float32Array(0);
  max: Float32Array = new Float32Array(0);

  constructor(options?: ObserverOptions) {
    const fn = new.target.name;
    const keys =
      new.target === MinMaxObserver ? OBSERVER_KEYS : [...OBSERVER_KEYS, "averagingConstant"];
    const o = checkOptions(fn, "options", options as MovingAverageOptions | undefined, keys);
    this.format = checkDType(fn, "options.dtype", o.dtype ?? "uint8");
    this.scheme = checkScheme(fn, o.scheme ?? "affine");
    [this.qmin, this.qmax] = codeRange(fn, this.format, o);
    if (o.axis !== undefined) {
      // As quantize's params.axis: the wrong kind is a TypeError, a non-integer a RangeError.
      if (typeof o.axis !== "number") throw typeError(fn, "options.axis", "an integer", o.axis);
      if (!Number.isInteger(o.axis)) throw rangeError(fn, "options.axis", "an integer", o.axis);
    }
    this.axis = o.axis;
  }

  /**
   * Adds a tensor to the running range.
   * @throws {RangeError} for an empty tensor, NaN or ±Infinity, an axis outside its rank, or a
   *   channel count that differs from earlier tensors.
   */
  observe(x: TensorLike, shape?: readonly number[]): this {
    const fn = `${this.constructor.name}.observe`;
    const tensor = toFloat32(fn, "x", x, shape);
    const [min, max] = this.extent(fn, tensor.data, tensor.shape);
    if (this.min.length === 0) {
      this.min = min;
      this.max = max;
    } else {
      if (min.length !== this.min.length) {
        throw rangeError(
          fn,
          "x",
          `${this.min.length} along axis ${this.axis} (the channel count observed before)`,
          x,
          `${min.length}`,
        );
      }
      this.update(min, max);
    }
    return this;
  }

  protected update(min: Float32Array, max: Float32Array): void {
    for (let c = 0; c < min.length; c++) {
      this.min[c] = Math.min(this.min[c] as number, min[c] as number);
      this.max[c] = Math.max(this.max[c] as number, max[c] as number);
    }
  }

  /**
   * The parameters for the range seen so far.
   * @throws {RangeError} before any tensor was observed.
   */
  qparams(): ObservedParams {
    if (this.min.length === 0) {
      throw rangeError(
        `${this.constructor.name}.qparams`,
        "this",
        "an observer that has seen a tensor: call observe(x) first",
        this,
        "none seen yet",
      );
    }
    const n = this.min.length;
    const scale = new Float32Array(n);
    const zeroPoint = new Int32Array(n);
    for (let c = 0; c < n; c++) {
      const p = rangeToParams(
        this.format,
        this.scheme,
        this.qmin,
        this.qmax,
        this.min[c] as number,
        this.max[c] as number,
      );
      scale[c] = p.scale;
      zeroPoint[c] = p.zeroPoint;
    }
    const dtype = this.format.name;
    if (this.axis === undefined)
      return { dtype, scale: scale[0] as number, zeroPoint: zeroPoint[0] as number };
    return { dtype, scale, zeroPoint, axis: this.axis };
  }

  private extent(
    fn: string,
    data: Float32Array,
    shape: readonly number[],
  ): [Float32Array, Float32Array] {
    if (this.axis === undefined) {
      const [min, max] = finiteExtent(fn, "x", data);
      return [Float32Array.of(min), Float32Array.of(max)];
    }
    const rank = shape.length;
    if (this.axis < -rank || this.axis >= rank) {
      throw rangeError(
        fn,
        "options.axis",
        `an integer in [${-rank}, ${rank - 1}] for an input of rank ${rank}`,
        this.axis,
      );
    }
    const axis = this.axis < 0 ? this.axis + rank : this.axis;
    const dim = shape[axis] as number;
    const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
    if (data.length === 0) throw rangeError(fn, "x", "a non-empty tensor", data, "an empty tensor");
    const min = new Float32Array(dim).fill(Number.POSITIVE_INFINITY);
    const max = new Float32Array(dim).fill(Number.NEGATIVE_INFINITY);
    for (let e = 0; e < data.length; e++) {
      const v = data[e] as number;
      if (!Number.isFinite(v)) throw rangeError(fn, `x[${e}]`, "a finite number", v);
      const c = Math.floor(e / inner) % dim;
      if (v < (min[c] as number)) min[c] = v;
      if (v > (max[c] as number)) max[c] = v;
    }
    return [min, max];
  }
}

/**
 * Like {@link MinMaxObserver}, but the range follows an exponential moving average of each
 * tensor's min and max, as PyTorch's `MovingAverageMinMaxObserver`:
 * `min = min + c * (batchMin - min)` in float32 (the first tensor sets the range).
 *
 * @throws {RangeError} when `averagingConstant` is not in (0, 1].
 * @example
 * const observer = new MovingAverageMinMaxObserver({ averagingConstant: 0.5 });
 * observer.observe([0, 1]).observe([0, 3]).max
 * // => Float32Array [ 2 ]
 */
export class MovingAverageMinMaxObserver extends MinMaxObserver {
  private readonly averagingConstant: number;

  constructor(options?: MovingAverageOptions) {
    super(options);
    const c = options?.averagingConstant ?? 0.01;
    if (typeof c !== "number" || !(c > 0 && c <= 1)) {
      throw rangeError(
        "MovingAverageMinMaxObserver",
        "options.averagingConstant",
        "a number in (0, 1]",
        c,
      );
    }
    // torch multiplies its float32 tensors by the constant as a float32: fround(0.01), not 0.01.
    this.averagingConstant = Math.fround(c);
  }

  protected override update(min: Float32Array, max: Float32Array): void {
    const fround = Math.fround;
    const c = this.averagingConstant;
    for (let i = 0; i < min.length; i++) {
      const m = this.min[i] as number;
      const M = this.max[i] as number;
      this.min[i] = m + fround(c * fround((min[i] as number) - m));
      this.max[i] = M + fround(c * fround((max[i] as number) - M));
    }
  }
}

import { rangeError, typeError } from "./validate/errors.js";

/** A flat row-major buffer with its shape. */
export interface Tensor<T extends ArrayLike<number> = Float32Array> {
  readonly data: T;
  readonly shape: readonly number[];
}

/** A nested array of numbers, any depth. */
export type NestedArray = number | readonly NestedArray[];

/** The structural part of a mathjs Matrix that the core reads. */
export interface MatrixLike {
  size(): number[];
  toArray(): unknown;
}

export type NumericArray =
  | Float32Array
  | Float64Array
  | Int8Array
  | Uint8Array
  | Uint8ClampedArray
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array;

/**
 * What the core accepts as a tensor: a number, a nested array, a typed array (1-D unless a shape is
 * given), a mathjs matrix, or a `{ data, shape }` record.
 */
export type TensorLike = NestedArray | NumericArray | MatrixLike | Tensor<ArrayLike<number>>;

function isMatrixLike(value: object): value is MatrixLike {
  const m = value as Partial<MatrixLike>;
  return typeof m.size === "function" && typeof m.toArray === "function";
}

function isTensor(value: object): value is Tensor<ArrayLike<number>> {
  const t = value as Partial<Tensor<ArrayLike<number>>>;
  return t.data !== undefined && Array.isArray(t.shape);
}

/** The number of elements of a shape; throws if a dimension is not a non-negative integer. */
export function sizeOf(fn: string, arg: string, shape: readonly number[]): number {
  let size = 1;
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) {
      throw rangeError(fn, arg, "a shape of non-negative integers", shape, `[${shape.join(", ")}]`);
    }
    size *= d;
  }
  return size;
}

function shapeOfNested(fn: string, arg: string, value: NestedArray): number[] {
  const shape: number[] = [];
  let level: NestedArray = value;
  while (Array.isArray(level)) {
    shape.push(level.length);
    if (level.length === 0) break;
    level = level[0] as NestedArray;
  }
  if (!Array.isArray(level) && typeof level !== "number") {
    throw typeError(fn, arg, "numbers or nested arrays of numbers", level);
  }
  return shape;
}

function flattenNested(
  fn: string,
  arg: string,
  value: NestedArray,
  shape: readonly number[],
  out: Float32Array | Float64Array,
): void {
  let offset = 0;
  const visit = (node: NestedArray, depth: number, path: string): void => {
    if (depth === shape.length) {
      if (typeof node !== "number") {
        throw typeError(fn, `${arg}${path}`, "a number", node);
      }
      out[offset++] = node;
      return;
    }
    if (!Array.isArray(node) || node.length !== shape[depth]) {
      throw rangeError(
        fn,
        `${arg}${path}`,
        `an array of length ${shape[depth]} (the array is ragged)`,
        node,
      );
    }
    for (let i = 0; i < node.length; i++) visit(node[i] as NestedArray, depth + 1, `${path}[${i}]`);
  };
  visit(value, 0, "");
}

type FloatArrayConstructor = Float32ArrayConstructor | Float64ArrayConstructor;

/**
 * Reads a tensor-like value as float32. Float64 values (numbers, arrays, Float64Array) are rounded
 * to the nearest float32 first, as the float32 reference frameworks receive them. A Float32Array is
 * used as is, without a copy.
 *
 * @throws {TypeError} when the value is not a tensor-like of numbers.
 * @throws {RangeError} when a nested array is ragged or `shape` does not match the data.
 */
export function toFloat32(
  fn: string,
  arg: string,
  value: unknown,
  shape?: readonly number[],
): Tensor<Float32Array> {
  return withShape(fn, arg, readTensor(fn, arg, value, Float32Array), shape);
}

/** Reads a tensor-like value exactly, as float64: for integers and for metrics. */
export function toFloat64(
  fn: string,
  arg: string,
  value: unknown,
  shape?: readonly number[],
): Tensor<Float64Array> {
  return withShape(fn, arg, readTensor(fn, arg, value, Float64Array), shape);
}

/** The tensor with `shape` instead of its own, after checking that the element counts agree. */
export function withShape<T extends ArrayLike<number>>(
  fn: string,
  arg: string,
  tensor: Tensor<T>,
  shape: readonly number[] | undefined,
): Tensor<T> {
  if (shape === undefined) return tensor;
  if (sizeOf(fn, "shape", shape) !== tensor.data.length) {
    throw rangeError(
      fn,
      "shape",
      `a shape of ${tensor.data.length} elements to match '${arg}'`,
      shape,
      `[${shape.join(", ")}]`,
    );
  }
  return { data: tensor.data, shape: [...shape] };
}

function readTensor<C extends FloatArrayConstructor>(
  fn: string,
  arg: string,
  value: unknown,
  ctor: C,
): Tensor<InstanceType<C>> {
  type T = InstanceType<C>;
  if (typeof value === "number") return { data: ctor.of(value) as T, shape: [] };
  if (value instanceof ctor) return { data: value as T, shape: [value.length] };
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    if (value instanceof BigInt64Array || value instanceof BigUint64Array) {
      throw typeError(fn, arg, "a tensor of numbers (not BigInt)", value);
    }
    const typed = value as unknown as ArrayLike<number>;
    return { data: ctor.from(typed) as T, shape: [typed.length] };
  }
  if (Array.isArray(value)) {
    const shape = shapeOfNested(fn, arg, value as NestedArray);
    const data = new ctor(sizeOf(fn, arg, shape)) as T;
    flattenNested(fn, arg, value as NestedArray, shape, data);
    return { data, shape };
  }
  if (typeof value === "object" && value !== null) {
    if (isTensor(value)) {
      const flat = readTensor(fn, `${arg}.data`, value.data, ctor);
      return withShape(fn, arg, flat, value.shape) as Tensor<T>;
    }
    if (isMatrixLike(value)) {
      const shape = value.size();
      const data = new ctor(sizeOf(fn, arg, shape)) as T;
      flattenNested(fn, arg, value.toArray() as NestedArray, shape, data);
      return { data, shape };
    }
  }
  throw typeError(
    fn,
    arg,
    "a number, an array, a typed array, a mathjs matrix or a { data, shape } tensor",
    value,
  );
}

/** Index of the first NaN, or -1. */
export function indexOfNaN(data: ArrayLike<number>): number {
  for (let i = 0; i < data.length; i++) if (Number.isNaN(data[i])) return i;
  return -1;
}

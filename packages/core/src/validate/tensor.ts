/**
 * Reading tensors: any TensorLike becomes a checked `{ data, shape }` of float32, float64 or the
 * integer codes of a format. The one place where a tensor argument is validated.
 */
import type { IntegerArray, IntegerFormat } from "../dtypes/table.js";
import type { MatrixLike, NestedArray, Tensor } from "../tensor.js";
import { rangeError, typeError } from "./errors.js";

function isMatrixLike(value: object): value is MatrixLike {
  const m = value as Partial<MatrixLike>;
  return typeof m.size === "function" && typeof m.toArray === "function";
}

function isTensor(value: object): value is Tensor<ArrayLike<number>> {
  const t = value as Partial<Tensor<ArrayLike<number>>>;
  return t.data !== undefined && t.shape !== undefined;
}

const shown = (shape: readonly unknown[]) => `[${shape.map(String).join(", ")}]`;

/**
 * A shape: an array of non-negative integers (a copy of it).
 * @throws {TypeError} when it is not an array.
 * @throws {RangeError} when a dimension is not a non-negative safe integer.
 */
export function checkShape(fn: string, arg: string, value: unknown): number[] {
  if (!Array.isArray(value)) throw typeError(fn, arg, "an array of non-negative integers", value);
  for (const d of value) {
    // Stryker disable next-line ConditionalExpression: Number.isSafeInteger is false for a non-number too: the same RangeError
    if (typeof d !== "number" || !Number.isSafeInteger(d) || d < 0) {
      throw rangeError(fn, arg, "a shape of non-negative integers", value, shown(value));
    }
  }
  return [...value];
}

/** The number of elements of a shape; throws unless it is a shape (see {@link checkShape}). */
export function sizeOf(fn: string, arg: string, shape: unknown): number {
  return checkShape(fn, arg, shape).reduce((a, b) => a * b, 1);
}

function shapeOfNested(fn: string, arg: string, value: NestedArray): number[] {
  const shape: number[] = [];
  let level: NestedArray = value;
  while (Array.isArray(level)) {
    shape.push(level.length);
    if (level.length === 0) break;
    level = level[0] as NestedArray;
  }
  // Stryker disable next-line ConditionalExpression,BlockStatement: without it flattenNested throws the same TypeError at the same first leaf
  if (!Array.isArray(level) && typeof level !== "number") {
    throw typeError(fn, `${arg}${"[0]".repeat(shape.length)}`, "a number", level);
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
  shape: unknown,
  shapeArg = "options.shape",
): Tensor<T> {
  if (shape === undefined) return tensor;
  const checked = checkShape(fn, shapeArg, shape);
  if (checked.reduce((a, b) => a * b, 1) !== tensor.data.length) {
    throw rangeError(
      fn,
      shapeArg,
      `a shape of ${tensor.data.length} elements to match '${arg}'`,
      shape,
      shown(checked),
    );
  }
  return { data: tensor.data, shape: checked };
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
      return withShape(fn, `${arg}.data`, flat, value.shape, `${arg}.shape`) as Tensor<T>;
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
  // Stryker disable next-line EqualityOperator: data[data.length] is undefined, not NaN: -1 either way
  for (let i = 0; i < data.length; i++) if (Number.isNaN(data[i])) return i;
  return -1;
}

/** What {@link toIntegers} reads a format by: its name, width, range of codes and storage. */
export type CodeRange = Pick<IntegerFormat, "bits" | "min" | "max" | "storage"> & {
  readonly name: string;
};

/**
 * Reads integer codes of `format` (an integer format, or the codes [0, 2^bits - 1] of a float
 * format), exactly. The format's own typed array is used as is (the sub-byte formats are
 * range-checked, as their storage is wider); anything else is checked value by value.
 */
export function toIntegers(
  fn: string,
  arg: string,
  value: unknown,
  format: CodeRange,
  shape?: readonly number[],
): Tensor<IntegerArray> {
  const tensor = typeof value === "object" && value !== null && "dtype" in value && "data" in value;
  const source = tensor ? { data: value.data, shape: (value as { shape?: unknown }).shape } : value;
  const given = tensor ? value.data : value;
  if (given instanceof format.storage && format.bits >= 8) {
    // A quantized tensor's own shape is checked against its codes too: it may lie.
    const ownShape = tensor ? (value as { shape?: unknown }).shape : undefined;
    const flat = { data: given, shape: [given.length] };
    const own = withShape(fn, `${arg}.data`, flat, ownShape, `${arg}.shape`);
    return withShape(fn, arg, own, shape);
  }
  const read = toFloat64(fn, arg, source, shape);
  const data = new format.storage(read.data.length);
  for (let i = 0; i < data.length; i++) {
    const v = read.data[i] as number;
    if (!Number.isInteger(v) || v < format.min || v > format.max) {
      throw rangeError(
        fn,
        `${arg}[${i}]`,
        `an integer in [${format.min}, ${format.max}] for ${format.name}`,
        v,
      );
    }
    data[i] = v;
  }
  return { data, shape: read.shape };
}

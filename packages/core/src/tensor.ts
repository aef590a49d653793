/** The tensor types the core reads and returns (the readers are in validate/tensor.ts). */
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

/**
 * Where an element's scale and zero point sit: element (o, c, i) of an input seen as
 * [outer, dim, inner] uses parameter `o * outerStride + floor(c / blockSize) * axisStride + i * innerStride`.
 * Per-tensor: dim 1, all strides 0. Per-axis: axisStride 1, blockSize 1. Blocked: the parameter
 * tensor has the input's shape with `dim` replaced by `ceil(dim / blockSize)`.
 */
export interface ParamLayout {
  readonly outer: number;
  readonly dim: number;
  readonly inner: number;
  readonly blockSize: number;
  readonly outerStride: number;
  readonly axisStride: number;
  readonly innerStride: number;
}

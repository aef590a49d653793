/**
 * Tensors in the kernels' WebAssembly memory: arrays the fast kernels read and write in place,
 * without the copy into and out of WebAssembly memory that an ordinary typed array costs.
 *
 * Where the memory is shared (Node; a cross-origin isolated page in a browser) `allocate` returns a
 * view of it that stays valid while you hold it: the memory grows for later allocations, and a
 * shared memory never detaches or moves its views when it grows. Give it back with `dispose`, or
 * drop every reference: a FinalizationRegistry frees it after garbage collection. A `subarray` of
 * it does not keep it alive, so hold the array `allocate` returned for as long as you use a view.
 * Elsewhere (no shared memory, or no WebAssembly SIMD) `allocate` returns an ordinary typed array,
 * which every function takes exactly as before, through the streaming path.
 */
import { loadFastKernels } from "../kernels/fast/load.js";
import type { ThreadSupport } from "../kernels/fast/threads.js";
import { rangeError, typeError } from "../validate/errors.js";

/** The element types `allocate` makes, and their arrays. */
const ARRAYS = {
  float32: Float32Array,
  int32: Int32Array,
  int16: Int16Array,
  uint16: Uint16Array,
  int8: Int8Array,
  uint8: Uint8Array,
} as const;

export type AllocateDType = keyof typeof ARRAYS;
type AllocatedArray<D extends AllocateDType> = InstanceType<(typeof ARRAYS)[D]>;

const DTYPES = Object.keys(ARRAYS) as AllocateDType[];

/**
 * A zeroed typed array of `n` elements in the kernels' WebAssembly memory (64-byte aligned), which
 * `quantize`, `dequantize`, `fakeQuantize`, `quantizePacked`, `decodeFloat` and the block formats
 * read and write in place when it is their input or their `out`: same bits as an ordinary array.
 * Valid until `dispose(array)` or until it is garbage collected; never invalidated by other
 * allocations. An ordinary typed array where the memory is not shared (see `threadSupport()`).
 *
 * @throws {TypeError} for an unknown dtype or a length that is not a number.
 * @throws {RangeError} for a length that is not an integer >= 0, or when the memory cannot grow
 *   (4 GiB at most).
 * @example
 * const x = allocate("float32", 4);
 * x.set([-1, 0.25, 0.5, 1]);
 * quantize(x, { dtype: "int8", scale: 0.25 }).data
 * // => Int8Array [ -4, 1, 2, 4 ]
 */
export function allocate<D extends AllocateDType>(dtype: D, n: number): AllocatedArray<D> {
  const fn = "allocate";
  // Stryker disable next-line ConditionalExpression: DTYPES.includes is false for a non-string too: the same TypeError
  if (typeof dtype !== "string" || !DTYPES.includes(dtype)) {
    throw typeError(fn, "dtype", `one of ${DTYPES.map((d) => `"${d}"`).join(", ")}`, dtype);
  }
  if (typeof n !== "number") throw typeError(fn, "n", "an integer >= 0", n);
  if (!Number.isInteger(n) || n < 0 || n > 2 ** 30) {
    throw rangeError(fn, "n", "an integer from 0 to 2^30", n);
  }
  const ctor = ARRAYS[dtype];
  const heap = loadFastKernels()?.heap;
  return (heap === undefined ? new ctor(n) : heap.allocate(ctor, n)) as AllocatedArray<D>;
}

/**
 * Frees an array `allocate` returned, at once rather than at garbage collection; it (and every
 * view of it) must not be used afterwards. An ordinary typed array is left alone.
 *
 * @throws {TypeError} for a value that is not a typed array.
 * @throws {RangeError} for a view of the kernels' memory that is not a live allocation (disposed
 *   already, or a view that does not start where the allocation does).
 * @example
 * const x = allocate("int8", 1024);
 * dispose(x);
 * isAllocated(x)
 * // => false
 */
export function dispose(array: ArrayBufferView): void {
  const fn = "dispose";
  if (!ArrayBuffer.isView(array)) throw typeError(fn, "array", "a typed array", array);
  const heap = loadFastKernels()?.heap;
  if (heap === undefined || heap.pointerOf(array) < 0) return;
  if (!heap.free(array)) {
    throw rangeError(fn, "array", "an array from allocate() that is not disposed yet", array);
  }
}

/**
 * True when `array` is a view of the kernels' WebAssembly memory (made by `allocate`, or a
 * `subarray` of one, not yet disposed), which the fast kernels read and write in place.
 * @example
 * [isAllocated(allocate("float32", 8)), isAllocated(new Float32Array(8))]
 * // => [true, false]
 */
export function isAllocated(array: ArrayBufferView): boolean {
  const heap = loadFastKernels()?.heap;
  return heap !== undefined && ArrayBuffer.isView(array) && heap.isLive(array);
}

/**
 * How many threads one call may use here and why: all cores where worker threads run over a
 * shared WebAssembly memory (Node >= 20.16; a cross-origin isolated browser page), else one, with
 * the reason (`inPlace` says whether `allocate` gives in-place arrays).
 * @example
 * threadSupport().inPlace
 * // => true
 */
export function threadSupport(): ThreadSupport & { readonly inPlace: boolean } {
  const fast = loadFastKernels();
  if (fast === undefined) {
    return { threads: 1, reason: "one thread: no WebAssembly SIMD", inPlace: false };
  }
  return { ...fast.threadSupport, inPlace: fast.heap !== undefined };
}

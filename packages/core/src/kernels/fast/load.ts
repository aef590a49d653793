/**
 * The fast path: WebAssembly SIMD kernels (compiled from assembly/kernels.ts by AssemblyScript and
 * embedded in this package as base64), with the reference kernels' signatures and bits.
 *
 * `loadFastKernels()` instantiates the module synchronously from the embedded bytes (no file, no
 * network), once, and returns `undefined` where WebAssembly or its SIMD extension is missing, so a
 * caller falls back to the reference kernels.
 *
 * Where SharedArrayBuffer exists (Node; browsers on a cross-origin isolated page) the module is the
 * build that imports a shared memory: the tensors of `allocate` live in it (a shared memory never
 * detaches its views when it grows) and worker threads run on it. The build with its own memory
 * streams the rest (ordinary arrays on one thread: copies into a shared memory are slower), and is
 * the only one elsewhere.
 */
import { KERNELS_WASM_BASE64, KERNELS_WASM_SHARED_BASE64 } from "../../generated/kernels-wasm.js";
import type { KernelExports } from "./exports.js";
import { createFastKernels, type FastKernels } from "./kernels.js";

export type { FastKernels } from "./kernels.js";

/** The part of the `WebAssembly` global the loader uses (injectable, for tests). */
export interface WebAssemblyLike {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => unknown;
  Instance: new (module: never, imports?: object) => { readonly exports: unknown };
  Memory?: new (descriptor: { initial: number; maximum: number; shared: boolean }) => unknown;
}

export interface LoadFastKernelsOptions {
  /** The WebAssembly implementation to use; defaults to `globalThis.WebAssembly`. */
  readonly webAssembly?: WebAssemblyLike | undefined;
  /** Elements per chunk streamed through WebAssembly memory (a multiple of 64); default 65536. */
  readonly chunkSize?: number;
  /** false: the module with its own, non-shared memory (no `allocate`, no threads); default true where possible. */
  readonly shared?: boolean;
}

/** Elements per chunk by default: 256 KiB of float32 input, so a chunk stays in the L2 cache. */
export const DEFAULT_CHUNK_SIZE = 65536;

/**
 * A minimal module using a SIMD instruction (i8x16.splat, i8x16.popcnt): it validates exactly
 * where WebAssembly SIMD is supported (the probe of the wasm-feature-detect package).
 */
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15,
  253, 98, 11,
]);

function globalWebAssembly(): WebAssemblyLike | undefined {
  return (globalThis as { WebAssembly?: WebAssemblyLike }).WebAssembly;
}

/**
 * True where WebAssembly with the SIMD extension is available (it validates a one-instruction
 * SIMD module; `webAssembly` defaults to the global): Node >= 16.4, Chrome >= 91, Firefox >= 89,
 * Safari >= 16.4.
 *
 * @example
 * hasWasmSimd()
 * // => true
 */
export function hasWasmSimd(
  webAssembly: WebAssemblyLike | undefined = globalWebAssembly(),
): boolean {
  try {
    // Stryker disable next-line OptionalChaining: undefined.validate throws, and the catch gives false too
    return webAssembly?.validate(SIMD_PROBE) === true;
  } catch {
    return false;
  }
}

const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** Decodes standard base64 (no dependency on atob or Buffer, so it runs anywhere). */
function decodeBase64(text: string): Uint8Array {
  const lookup = new Uint8Array(128);
  // Stryker disable next-line EqualityOperator: one step more writes lookup[NaN], no element
  for (let i = 0; i < BASE64.length; i++) lookup[BASE64.charCodeAt(i)] = i;
  let end = text.length;
  // Stryker disable next-line ConditionalExpression,EqualityOperator: at end = 0, text[-1] is undefined, not "="
  while (end > 0 && text[end - 1] === "=") end--;
  const out = new Uint8Array(Math.floor((end * 3) / 4));
  let bits = 0;
  let count = 0;
  let j = 0;
  // Stryker disable next-line EqualityOperator: one step more writes past out's end, a no-op on a typed array
  for (let i = 0; i < end; i++) {
    bits = (bits << 6) | (lookup[text.charCodeAt(i)] as number);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out[j++] = (bits >> count) & 0xff;
    }
  }
  return out;
}

/**
 * A shared WebAssembly memory, or undefined where there is none. Its maximum is reserved up front
 * (address space, not memory): 4 GiB, else 1 GiB, else 256 MiB where the runtime refuses more.
 */
function sharedMemory(webAssembly: WebAssemblyLike): unknown {
  if (typeof SharedArrayBuffer !== "function" || webAssembly.Memory === undefined) return undefined;
  for (const maximum of [65536, 16384, 4096]) {
    try {
      return new webAssembly.Memory({ initial: 1, maximum, shared: true });
    } catch {
      // (try a smaller maximum)
    }
  }
  return undefined;
}

/** The shared instance: the box says "tried", its content what was found (undefined: no SIMD). */
let shared: { readonly kernels: FastKernels | undefined } | undefined;

function instantiate(options: LoadFastKernelsOptions): FastKernels | undefined {
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
  if (!Number.isInteger(chunkSize) || chunkSize < 64 || chunkSize % 64 !== 0) {
    throw new RangeError(
      `loadFastKernels(): option 'chunkSize' must be a positive multiple of 64; received ${chunkSize}.`,
    );
  }
  const webAssembly = options.webAssembly ?? globalWebAssembly();
  if (webAssembly === undefined || !hasWasmSimd(webAssembly)) return undefined;
  const streaming = ownMemory(webAssembly, chunkSize);
  const memory = options.shared === false ? undefined : sharedMemory(webAssembly);
  if (memory !== undefined) {
    try {
      const module = new webAssembly.Module(decodeBase64(KERNELS_WASM_SHARED_BASE64));
      const instance = new webAssembly.Instance(module as never, { env: { memory } });
      return createFastKernels(instance.exports as KernelExports, chunkSize, {
        module,
        memory,
        streaming,
      });
    } catch {
      // (fall back to the module with its own memory)
    }
  }
  return streaming;
}

/** The kernels on the module with its own memory, or undefined where it does not instantiate. */
function ownMemory(webAssembly: WebAssemblyLike, chunkSize: number): FastKernels | undefined {
  try {
    const module = new webAssembly.Module(decodeBase64(KERNELS_WASM_BASE64));
    const instance = new webAssembly.Instance(module as never, {});
    return createFastKernels(instance.exports as KernelExports, chunkSize);
    // Stryker disable next-line BlockStatement: an empty catch returns undefined as well
  } catch {
    return undefined;
  }
}

/**
 * Instantiates the fast kernels, or returns `undefined` where WebAssembly SIMD is missing.
 *
 * Synchronous (`new WebAssembly.Module` / `new WebAssembly.Instance` on the embedded bytes, about
 * 10 KB). Without options the instance is created once and shared; options make a new one.
 *
 * @example
 * const fast = loadFastKernels();
 * const out = new Int8Array(3);
 * fast?.quantizeTensor("onnx", new Float32Array([-1, 0.25, 1]), 0.5, 0, -128, 127, out);
 * out
 * // => Int8Array [ -2, 0, 2 ]
 */
export function loadFastKernels(options: LoadFastKernelsOptions = {}): FastKernels | undefined {
  if (
    options.webAssembly !== undefined ||
    options.chunkSize !== undefined ||
    options.shared !== undefined
  )
    return instantiate(options);
  shared ??= { kernels: instantiate({}) };
  return shared.kernels;
}

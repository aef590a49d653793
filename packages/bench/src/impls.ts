/**
 * The implementations under comparison. Each prepares a runner for an operation on the run's data
 * (or says why it cannot), and the runner does what a user's call does: it takes the user's array
 * and returns a typed array.
 *
 * quantlab and quantlab-reference are @quantlab/core's public functions, called exactly as a user
 * calls them (`quantize(x, params)`, `dequantize(q)`, `encodeFloat("float16", x)`, ...), with their
 * validation and their output allocation; quantlab-reference passes `{ backend: "reference" }`.
 * The block formats' peer is the gguf Python package (./gguf.ts), timed in a process of its own.
 */
import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import { dirname, join } from "node:path";
import {
  allocate,
  type Backend,
  decodeFloat,
  dequantize,
  dequantizeBnb,
  dequantizeGgml,
  dequantizeMx,
  encodeFloat,
  GGML_TYPES,
  type GgmlTensor,
  type MxTensor,
  quantize,
  quantizeBnb,
  quantizeGgml,
  quantizeMx,
  quantizePacked,
  threadSupport,
} from "@quantlab/core";
import { loadFastKernels } from "@quantlab/core/kernels";
import type { Tensor as OrtTensor } from "onnxruntime-node";
import {
  BLOCK_OPS,
  type BlockOp,
  blockOp,
  isBlockOp,
  quantizedInput,
  storedBytes,
} from "./blocks.js";
import { cImpl } from "./c.js";
import type { External } from "./gguf.js";
import { castModel, DataType, dequantizeLinearModel, quantizeLinearModel } from "./onnx-model.js";

export const OPS = [
  "quantize-int8",
  "dequantize-int8",
  "quantize-int8-axis",
  "quantize-int4-packed",
  "float16-encode",
  "float16-decode",
  ...BLOCK_OPS,
] as const;
export type Op = (typeof OPS)[number];

export const IMPLS = [
  "copy",
  "c-simd",
  "c-simd-threads",
  "c-simd-128",
  "quantlab",
  "quantlab-threads",
  "quantlab-inplace",
  "quantlab-inplace-threads",
  "quantlab-reference",
  "plain-js",
  "onnxruntime",
  "tfjs-cpu",
  "tfjs-wasm",
  "gguf-py",
] as const;
export type ImplName = (typeof IMPLS)[number];

/** Bytes read per value: the op's input (the parameters of the per-axis case are negligible). */
export const INPUT_BYTES_PER_VALUE: Record<Op, number> = {
  "quantize-int8": 4,
  "dequantize-int8": 1,
  "quantize-int8-axis": 4,
  "quantize-int4-packed": 4,
  "float16-encode": 4,
  "float16-decode": 2,
  ...(Object.fromEntries(
    BLOCK_OPS.map((op) => {
      const { quantize, format } = blockOp(op);
      return [op, quantize ? 4 : storedBytes(format)];
    }),
  ) as Record<BlockOp, number>),
};

/** Bytes read and written per value. quantize-nf4 writes its codes one a byte too (BnbTensor.codes). */
export const BYTES_PER_VALUE: Record<Op, number> = {
  "quantize-int8": 4 + 1,
  "dequantize-int8": 1 + 4,
  "quantize-int8-axis": 4 + 1,
  "quantize-int4-packed": 4 + 0.5,
  "float16-encode": 4 + 2,
  "float16-decode": 2 + 4,
  ...(Object.fromEntries(
    BLOCK_OPS.map((op) => {
      const { quantize, format } = blockOp(op);
      const stored = storedBytes(format) + (quantize && format === "nf4" ? 1 : 0);
      return [op, quantize ? 4 + stored : stored + 4];
    }),
  ) as Record<BlockOp, number>),
};

/** The data of one size, shared by every implementation. */
export interface OpData {
  readonly n: number;
  /** Seeded normal values. */
  readonly x: Float32Array;
  /** Symmetric per-tensor int8 scale, zero point 0. */
  readonly scale: number;
  /** x quantized to int8 (reference kernel), the input of dequantize. */
  readonly q: Int8Array;
  /** x seen as [rows, rows] for the per-axis case (axis 0). */
  readonly rows: number;
  readonly rowScales: Float32Array;
  /** Symmetric per-tensor int4 scale, fround(max|x| / 7). */
  readonly scale4: number;
  /** x encoded as float16, the input of float16-decode. */
  readonly half: Uint16Array;
}

export type Runner = () => ArrayLike<number> | Promise<ArrayLike<number>>;

/** What an implementation timed elsewhere (a Python process) reports instead of a runner. */
export interface ExternalRun {
  measure(): Promise<External>;
}

/**
 * How outputs are obtained: `false` (the default run) writes into an output array allocated once,
 * where the implementation's API allows it (copy, plain-js, onnxruntime); `true` allocates a new
 * output array on every call (then fresh pages are zeroed and faulted in on every call). quantlab
 * and quantlab-reference take the output through their `out` option; tfjs allocates on every call
 * either way: its API returns a new tensor.
 */
export type Alloc = boolean;

/** An output array: a new one per call, or the same one every time. */
function output<T>(alloc: Alloc, make: () => T): () => T {
  if (alloc) return make;
  const once = make();
  return () => once;
}

export interface Impl {
  readonly name: ImplName;
  /** A runner (or an external measurement), or the reason this implementation cannot run `op`. */
  prepare(op: Op, data: OpData, alloc: Alloc): Promise<Runner | ExternalRun | string>;
  dispose?(): Promise<void>;
}

/** The bytes a block op reads (a dequantize op: its codes and scales), for the copy. */
function blockInputBytes(op: BlockOp, data: OpData): Uint8Array {
  const { quantize, format } = blockOp(op);
  if (quantize) return new Uint8Array(data.x.buffer, data.x.byteOffset, data.x.byteLength);
  const q = quantizedInput(data, format);
  if (format === "mxfp4") {
    const m = q as MxTensor;
    const bytes = new Uint8Array(m.scales.length + m.codes.length);
    bytes.set(m.scales);
    bytes.set(m.codes, m.scales.length);
    return bytes;
  }
  if (format === "nf4") {
    const b = q as ReturnType<typeof quantizeBnb>;
    const bytes = new Uint8Array(b.packed.length + b.absmax.byteLength);
    bytes.set(b.packed);
    bytes.set(
      new Uint8Array(b.absmax.buffer, b.absmax.byteOffset, b.absmax.byteLength),
      b.packed.length,
    );
    return bytes;
  }
  return (q as GgmlTensor).data;
}

function copyImpl(): Impl {
  return {
    name: "copy",
    async prepare(op, data) {
      const src = isBlockOp(op)
        ? blockInputBytes(op, data)
        : op === "dequantize-int8"
          ? data.q
          : op === "float16-decode"
            ? data.half
            : data.x;
      const dst = src.slice();
      return () => {
        dst.set(src as never);
        return dst;
      };
    },
  };
}

/** How a quantlab row calls: the streaming path or in-place tensors, on one thread or all cores. */
interface Variant {
  readonly inPlace: boolean;
  readonly threads: number;
}

const CORES = availableParallelism();

const VARIANTS: Partial<Record<ImplName, Variant>> = {
  quantlab: { inPlace: false, threads: 1 },
  "quantlab-threads": { inPlace: false, threads: CORES },
  "quantlab-inplace": { inPlace: true, threads: 1 },
  "quantlab-inplace-threads": { inPlace: true, threads: CORES },
};

/** A copy of `a` in the kernels' memory (allocate), or `a` itself on the streaming path. */
function placed<T extends Float32Array | Int8Array | Uint16Array>(a: T, inPlace: boolean): T {
  if (!inPlace) return a;
  const dtype = a instanceof Float32Array ? "float32" : a instanceof Int8Array ? "int8" : "uint16";
  const b = allocate(dtype, a.length) as T;
  b.set(a as never);
  return b;
}

function quantlabImpl(name: ImplName): Impl {
  const fast = name !== "quantlab-reference";
  const variant = VARIANTS[name] ?? { inPlace: false, threads: 1 };
  // quantlab calls with the default backend, as users do ("auto" picks the fast kernels; prepare()
  // checks that they load, so the figures cannot quietly be the reference's). Outputs go through
  // the public `out` option: one array reused, or a new one per call with --alloc. The in-place
  // rows hold their input and output in the kernels' memory (`allocate`), the threads rows ask for
  // every core (`threads`), and the others for one thread.
  const backend: Backend | undefined = fast ? undefined : "reference";
  const threads = variant.threads;
  const fresh = <T>(make: (n: number) => T, n: number, kind: Parameters<typeof allocate>[0]) =>
    variant.inPlace ? () => allocate(kind, n) as T : () => make(n);
  return {
    name,
    async prepare(op, data0, alloc) {
      if (fast && loadFastKernels() === undefined) return "WebAssembly SIMD is not available";
      if (variant.inPlace && !threadSupport().inPlace) return "no shared WebAssembly memory here";
      const data: OpData = {
        ...data0,
        x: placed(data0.x, variant.inPlace),
        half: placed(data0.half, variant.inPlace),
        q: placed(data0.q, variant.inPlace),
      };
      const { n, x, scale, half } = data;
      switch (op) {
        case "quantize-int8": {
          const params = { dtype: "int8", scale } as const;
          const next = output(
            alloc,
            fresh((k) => new Int8Array(k), n, "int8"),
          );
          return () => quantize(x, params, { backend, threads, out: next() }).data;
        }
        case "dequantize-int8": {
          // The QuantizedTensor a user holds: quantize()'s result (its codes are data.q).
          const q0 = quantize(x, { dtype: "int8", scale }, { backend: "reference" });
          const q = { ...q0, data: placed(q0.data as Int8Array, variant.inPlace) };
          const next = output(
            alloc,
            fresh((k) => new Float32Array(k), n, "float32"),
          );
          return () => dequantize(q, undefined, { backend, threads, out: next() }).data;
        }
        case "quantize-int8-axis": {
          const params = { dtype: "int8", scale: data.rowScales, axis: 0 } as const;
          const shape = [data.rows, n / data.rows];
          const next = output(
            alloc,
            fresh((k) => new Int8Array(k), n, "int8"),
          );
          return () => quantize(x, params, { shape, backend, threads, out: next() }).data;
        }
        case "quantize-int4-packed": {
          const params = { dtype: "int4", scale: data.scale4 } as const;
          const next = output(
            alloc,
            fresh((k) => new Uint8Array(k), Math.ceil(n / 2), "uint8"),
          );
          return () => quantizePacked(x, params, { backend, threads, out: next() }).data;
        }
        case "float16-encode": {
          const next = output(
            alloc,
            fresh((k) => new Uint16Array(k), n, "uint16"),
          );
          return () => encodeFloat("float16", x, { backend, threads, out: next() });
        }
        case "float16-decode": {
          const next = output(
            alloc,
            fresh((k) => new Float32Array(k), n, "float32"),
          );
          return () => decodeFloat("float16", half, { backend, threads, out: next() });
        }
        default:
          return blockRunner(op, data, alloc, backend, threads, variant.inPlace);
      }
    },
  };
}

/**
 * quantlab's call for a block op: quantizeGgml / dequantizeGgml with `{ shape, out }`,
 * quantizeMx(x, "mxfp4", { shape, pack: true, out }), quantizeBnb(x, "nf4", { out: { packed,
 * codes } }) (their scales and absmax are new arrays), dequantizeMx / dequantizeBnb with `{ out }`. Returns the codes: the bytes of
 * ggml, mxfp4's packed codes (the scales are not part of the count), nf4's packed bytes.
 */
function blockRunner(
  op: BlockOp,
  data: OpData,
  alloc: Alloc,
  backend: Backend | undefined,
  threads = 1,
  inPlace = false,
): Runner {
  const { n, x, rows } = data;
  const shape = [rows, n / rows];
  const { quantize: quantizing, format } = blockOp(op);
  const bytesIn = (a: Uint8Array) => {
    if (!inPlace) return a;
    const b = allocate("uint8", a.length);
    b.set(a);
    return b;
  };
  if (!quantizing) {
    const q0 = quantizedInput(data, format);
    const q =
      "data" in q0
        ? { ...q0, data: bytesIn(q0.data) }
        : "packed" in q0 && q0.packed instanceof Uint8Array
          ? { ...q0, packed: bytesIn(q0.packed) }
          : {
              ...q0,
              codes: bytesIn((q0 as MxTensor).codes),
              scales: bytesIn((q0 as MxTensor).scales),
            };
    const next = output(alloc, () => (inPlace ? allocate("float32", n) : new Float32Array(n)));
    const o = () => ({ out: next(), backend, threads });
    if (format === "mxfp4") return () => dequantizeMx(q as MxTensor, o()).data;
    if (format === "nf4") return () => dequantizeBnb(q as ReturnType<typeof quantizeBnb>, o()).data;
    return () => dequantizeGgml(q as GgmlTensor, o()).data;
  }
  const codes = (bytes: number) =>
    output(alloc, () => (inPlace ? allocate("uint8", bytes) : new Uint8Array(bytes)));
  if (format === "mxfp4") {
    const next = codes(n / 2);
    return () => quantizeMx(x, "mxfp4", { shape, pack: true, out: next(), backend, threads }).codes;
  }
  if (format === "nf4") {
    const [packed, each] = [codes(n / 2), codes(n)];
    const o = () => ({ shape, out: { packed: packed(), codes: each() }, backend, threads });
    return () => quantizeBnb(x, "nf4", o()).packed;
  }
  const next = codes((n / GGML_TYPES[format].blockSize) * GGML_TYPES[format].bytesPerBlock);
  return () => quantizeGgml(x, format, { shape, out: next(), backend, threads }).data;
}

/** Why the JavaScript peers cannot run a block op. */
const NO_BLOCK_FORMATS = "no GGUF, MX or bitsandbytes block formats";

function plainImpl(): Impl {
  return {
    name: "plain-js",
    async prepare(op, data, alloc) {
      if (isBlockOp(op)) return NO_BLOCK_FORMATS;
      const { n, x, scale, q } = data;
      switch (op) {
        case "quantize-int8": {
          const next = output(alloc, () => new Int8Array(n));
          return () => {
            const out = next();
            for (let i = 0; i < n; i++) {
              const v = Math.round((x[i] as number) / scale);
              // biome-ignore lint/complexity/useMathMinMax: the plain loop a user would write, at its fastest.
              out[i] = v < -128 ? -128 : v > 127 ? 127 : v;
            }
            return out;
          };
        }
        case "dequantize-int8": {
          const next = output(alloc, () => new Float32Array(n));
          return () => {
            const out = next();
            for (let i = 0; i < n; i++) out[i] = ((q[i] as number) - 0) * scale;
            return out;
          };
        }
        case "quantize-int8-axis": {
          const cols = n / data.rows;
          const next = output(alloc, () => new Int8Array(n));
          return () => {
            const out = next();
            for (let r = 0; r < data.rows; r++) {
              const s = data.rowScales[r] as number;
              for (let i = r * cols; i < (r + 1) * cols; i++) {
                const v = Math.round((x[i] as number) / s);
                // biome-ignore lint/complexity/useMathMinMax: the plain loop a user would write, at its fastest.
                out[i] = v < -128 ? -128 : v > 127 ? 127 : v;
              }
            }
            return out;
          };
        }
        case "quantize-int4-packed": {
          const s4 = data.scale4;
          const next = output(alloc, () => new Uint8Array(Math.ceil(n / 2)));
          return () => {
            const out = next();
            for (let i = 0; i < n; i += 2) {
              const a = Math.round((x[i] as number) / s4);
              const b = i + 1 < n ? Math.round((x[i + 1] as number) / s4) : 0;
              // biome-ignore lint/complexity/useMathMinMax: the plain loop a user would write, at its fastest.
              const qa = a < -8 ? -8 : a > 7 ? 7 : a;
              // biome-ignore lint/complexity/useMathMinMax: the plain loop a user would write, at its fastest.
              const qb = b < -8 ? -8 : b > 7 ? 7 : b;
              out[i >> 1] = (qa & 15) | ((qb & 15) << 4);
            }
            return out;
          };
        }
        default:
          return "plain JavaScript has no float16 type (Node 20 has no Float16Array)";
      }
    },
  };
}

async function onnxruntimeImpl(): Promise<Impl> {
  const ort = await import("onnxruntime-node");
  const sessions: { release(): Promise<void> }[] = [];
  const options = {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    executionMode: "sequential" as const,
    graphOptimizationLevel: "all" as const,
  };
  async function session(model: Uint8Array) {
    const s = await ort.InferenceSession.create(model, options);
    sessions.push(s);
    return s;
  }
  return {
    name: "onnxruntime",
    async prepare(op, data, alloc) {
      if (isBlockOp(op)) return NO_BLOCK_FORMATS;
      const { n, x, scale, q, half } = data;
      const one = Float32Array.of(scale);
      const zero = new Int8Array(1);
      // Without `alloc`, the output is a pre-allocated tensor passed as the run's fetch.
      type OrtType = "int8" | "float32" | "float16";
      const runner = (
        s: Awaited<ReturnType<typeof session>>,
        input: OrtTensor,
        type: OrtType,
        make: () => Int8Array | Float32Array | Uint16Array,
        dims: readonly number[],
      ): Runner => {
        if (alloc) return async () => (await s.run({ x: input })).y?.data as ArrayLike<number>;
        const out = make();
        const fetches = { y: new ort.Tensor(type, out as never, dims) };
        return async () => {
          await s.run({ x: input }, fetches);
          return out;
        };
      };
      switch (op) {
        case "quantize-int8": {
          const s = await session(quantizeLinearModel([n], one, zero));
          return runner(s, new ort.Tensor("float32", x, [n]), "int8", () => new Int8Array(n), [n]);
        }
        case "dequantize-int8": {
          const s = await session(dequantizeLinearModel([n], one, zero));
          return runner(s, new ort.Tensor("int8", q, [n]), "float32", () => new Float32Array(n), [
            n,
          ]);
        }
        case "quantize-int8-axis": {
          const shape = [data.rows, n / data.rows];
          const s = await session(
            quantizeLinearModel(shape, data.rowScales, new Int8Array(data.rows), 0),
          );
          return runner(
            s,
            new ort.Tensor("float32", x, shape),
            "int8",
            () => new Int8Array(n),
            shape,
          );
        }
        case "quantize-int4-packed":
          // Its QuantizeLinear to int4 runs, but the binding cannot hand the tensor back: the
          // output crashes the process (allocation failure), a fetch is refused ("Tensor.type is
          // not supported: int4").
          return "onnxruntime-node's JavaScript binding has no int4 tensors";
        case "float16-encode": {
          const s = await session(castModel([n], DataType.FLOAT, DataType.FLOAT16));
          return runner(s, new ort.Tensor("float32", x, [n]), "float16", () => new Uint16Array(n), [
            n,
          ]);
        }
        case "float16-decode": {
          const s = await session(castModel([n], DataType.FLOAT16, DataType.FLOAT));
          return runner(
            s,
            new ort.Tensor("float16", half, [n]),
            "float32",
            () => new Float32Array(n),
            [n],
          );
        }
        default:
          return NO_BLOCK_FORMATS;
      }
    },
    async dispose() {
      for (const s of sessions) await s.release();
    },
  };
}

async function tfjsImpl(backend: "cpu" | "wasm"): Promise<Impl | string> {
  const tf = await import("@tensorflow/tfjs-core");
  if (backend === "cpu") {
    await import("@tensorflow/tfjs-backend-cpu");
  } else {
    const wasm = await import("@tensorflow/tfjs-backend-wasm");
    // The backend's .wasm files ship in its package: point it at them on disk (no network).
    const require = createRequire(import.meta.url);
    const dir = join(
      dirname(require.resolve("@tensorflow/tfjs-backend-wasm/package.json")),
      "dist",
    );
    wasm.setWasmPaths(`${dir}/`);
  }
  try {
    const ok = await tf.setBackend(backend);
    if (!ok) return `tf.setBackend("${backend}") failed`;
    await tf.ready();
  } catch (error) {
    return `the ${backend} backend did not load: ${(error as Error).message}`;
  }
  const name = backend === "cpu" ? "tfjs-cpu" : "tfjs-wasm";
  return {
    name,
    async prepare(op, data) {
      if (isBlockOp(op)) return NO_BLOCK_FORMATS;
      const { n, x, scale, q } = data;
      switch (op) {
        case "quantize-int8":
          // tfjs has no int8 dtype: the closest sequence ends in int32.
          return () =>
            tf.tidy(() => {
              const t = tf.tensor1d(x, "float32");
              return tf
                .cast(tf.clipByValue(tf.add(tf.round(tf.div(t, scale)), 0), -128, 127), "int32")
                .dataSync();
            });
        case "dequantize-int8":
          return () =>
            tf.tidy(() => {
              // No int8 dtype either: widen the codes to int32 first.
              const t = tf.tensor1d(Int32Array.from(q), "int32");
              return tf.mul(tf.sub(tf.cast(t, "float32"), 0), scale).dataSync();
            });
        case "quantize-int8-axis": {
          const cols = n / data.rows;
          const s = tf.tensor2d(data.rowScales, [data.rows, 1]);
          return () =>
            tf.tidy(() => {
              const t = tf.tensor2d(x, [data.rows, cols], "float32");
              return tf
                .cast(tf.clipByValue(tf.add(tf.round(tf.div(t, s)), 0), -128, 127), "int32")
                .dataSync();
            });
        }
        case "quantize-int4-packed":
          return "tfjs has no int4 dtype";
        default:
          return "tfjs has no float16 dtype";
      }
    },
  };
}

/** Creates an implementation, or says why it cannot run here (`python`: see ./gguf.ts). */
export async function createImpl(
  name: ImplName,
  python: { readonly path?: string; readonly note?: string } = {},
): Promise<Impl | string> {
  switch (name) {
    case "copy":
      return copyImpl();
    case "quantlab":
    case "quantlab-threads":
    case "quantlab-inplace":
    case "quantlab-inplace-threads":
    case "quantlab-reference":
      return quantlabImpl(name);
    case "c-simd":
      return cImpl();
    case "c-simd-threads":
      return cImpl(Math.min(CORES, 64)); // (int8.c's limit)
    case "c-simd-128":
      return cImpl(1, 128);
    case "plain-js":
      return plainImpl();
    case "onnxruntime":
      try {
        return await onnxruntimeImpl();
      } catch (error) {
        return `onnxruntime-node did not load: ${(error as Error).message}`;
      }
    case "tfjs-cpu":
      return tfjsImpl("cpu");
    case "tfjs-wasm":
      return tfjsImpl("wasm");
    case "gguf-py": {
      if (python.path === undefined) return python.note ?? "no Python";
      const { ggufImpl } = await import("./gguf.js");
      return ggufImpl(python.path);
    }
  }
}

/**
 * The block formats' part of `npm run bench -- --breakdown`: for each block op, the fast path's
 * stages timed alone over the whole tensor, as src/kernels/fast/blocks.ts runs them (chunks of
 * whole blocks through the module's buffers: input at IN, output at OUT, scales and bitsandbytes'
 * tables at PS and PZ), then the Kernels member and the public call, so that what bounds an op
 * can be read off: the copies, the SIMD loop, or what the public function adds.
 */
import {
  BNB_TABLES,
  type BnbTensor,
  GGML_TYPES,
  type MxTensor,
  quantizeBnb,
  quantizeGgml,
  quantizeMx,
} from "@quantlab/core";
import type { FastKernels, KernelExports } from "@quantlab/core/kernels";
import {
  type BlockOp,
  blockCodes,
  blockOp,
  dequantizeBlock,
  type Quantized,
  quantizeBlock,
  storedBytes,
} from "./blocks.js";

/** One timed stage: what `time` returns, and the bytes the stage moves. */
export type Timer = (run: () => unknown) => { medianMs: number; minMs: number };
export type AddStage = (
  op: string,
  stage: string,
  bytes: number,
  t: { medianMs: number; minMs: number },
) => void;

/** A stage of the fast path: its name, the bytes it moves, and its work on chunk c. */
type Stage = readonly [name: string, bytes: number, perChunk: (c: number) => void];

/** The module's SIMD loops of the ggml formats, quantize and dequantize: (src, dst, blocks). */
const GGML_LOOPS = {
  q8_0: ["quantizeQ8_0", "dequantizeQ8_0"],
  q4_0: ["quantizeQ4_0", "dequantizeQ4_0"],
  q4_K: ["quantizeQ4_K", "dequantizeQ4_K"],
  q6_K: ["quantizeQ6_K", "dequantizeQ6_K"],
} as const satisfies Record<string, readonly [keyof KernelExports, keyof KernelExports]>;

/** Appends the stages of `ops` at n values (a square, a multiple of the chunk). */
export function blockStages(
  ops: readonly BlockOp[],
  n: number,
  x: Float32Array,
  fast: FastKernels,
  raw: KernelExports,
  time: Timer,
  add: AddStage,
): void {
  // The buffers' layout of src/kernels/fast/stream.ts: four of max(chunk, 4096) float32 + 256.
  const E = Math.max(fast.chunkSize, 4096);
  const IN = raw.bufferBase();
  const OUT = IN + E * 4 + 256;
  const PS = OUT + E * 4 + 256;
  const buf = raw.memory.buffer;
  const inF32 = new Float32Array(buf, IN, E);
  const inBytes = new Uint8Array(buf, IN, 4 * E);
  const outBytes = new Uint8Array(buf, OUT, 4 * E);
  const outF32 = new Float32Array(buf, OUT, E);
  const psBytes = new Uint8Array(buf, PS, 4 * E);
  const rows = Math.round(Math.sqrt(n));
  const shape = [rows, n / rows];
  const chunks = n / E;
  const y = new Float32Array(n);

  for (const op of ops) {
    const { quantize, format } = blockOp(op);
    const ggml = format !== "mxfp4" && format !== "nf4";
    // Bytes of codes and scales per value, and per chunk.
    const perValue = storedBytes(format);
    const chunkBytes = Math.round(E * perValue);
    const blocks = ggml ? E / GGML_TYPES[format].blockSize : E / 32;
    // The SIMD loop on one chunk in cache.
    const kernel: () => void = (() => {
      switch (format) {
        case "mxfp4":
          return quantize
            ? () => raw.quantizeMxfp4(0, IN, PS, OUT, blocks, 1)
            : () => raw.dequantizeMxfp4(PS, IN, OUT, blocks, 1);
        case "nf4":
          // Blocks of 64; the codebook and tables are whatever PS holds (timing only).
          return quantize
            ? () => raw.quantize4bit(IN, E / 64, 64, PS, OUT, PS + 128, PS + 4096)
            : () => raw.dequantize4bit(IN, PS + 4096, E / 64, 64, PS, OUT);
        default: {
          const loop = GGML_LOOPS[format][quantize ? 0 : 1];
          return () => raw[loop](IN, OUT, blocks);
        }
      }
    })();
    // Inputs: x, or its quantized bytes (made on the default backend).
    let q: Quantized | undefined;
    if (!quantize) {
      q = quantizeBlock(x, shape, format, "auto");
      // A valid chunk in the input buffer for the kernel stage.
      const bytes = blockCodes(q, format);
      inBytes.set(bytes.subarray(0, Math.min(bytes.length, chunkBytes)));
      // Real scales too (garbage ones may make subnormal products, slow on x86).
      if (format === "mxfp4") psBytes.set((q as MxTensor).scales.subarray(0, blocks));
      if (format === "nf4") {
        const planes = new Uint8Array(new Float32Array(BNB_TABLES.nf4).buffer);
        for (let c = 0; c < 16; c++)
          for (let k = 0; k < 4; k++) psBytes[16 * k + c] = planes[4 * c + k] as number;
        new Float32Array(buf, PS + 4096, E / 64).set(
          (q as BnbTensor).absmax.subarray(0, E / 64) as Float32Array,
        );
      }
    } else {
      inF32.set(x.subarray(0, E));
    }
    const codes = new Uint8Array(Math.round(n * perValue));
    // Stages 1-3 in order: the name, the bytes moved, and the work on chunk c, timed n / chunk times.
    const kernelStage: Stage = [
      "stage 2, kernel: the SIMD loop on a chunk in cache, n / chunk times",
      (4 + perValue) * n,
      kernel,
    ];
    const stages: readonly Stage[] = quantize
      ? [
          [
            "stage 1, copy-in: each chunk of x into WebAssembly memory",
            8 * n,
            (c) => inF32.set(x.subarray(c * E, (c + 1) * E)),
          ],
          kernelStage,
          [
            "stage 3, copy-out: each chunk's bytes into a preallocated Uint8Array",
            2 * perValue * n,
            (c) => codes.set(outBytes.subarray(0, chunkBytes), c * chunkBytes),
          ],
        ]
      : [
          [
            "stage 1, copy-in: each chunk's bytes into WebAssembly memory",
            2 * perValue * n,
            (c) => inBytes.set(codes.subarray(c * chunkBytes, (c + 1) * chunkBytes)),
          ],
          kernelStage,
          [
            "stage 3, copy-out: each chunk's float32 into a preallocated Float32Array",
            8 * n,
            (c) => y.set(outF32, c * E),
          ],
        ];
    let sum = 0;
    for (const [name, bytes, perChunk] of stages) {
      const t = time(() => {
        for (let c = 0; c < chunks; c++) perChunk(c);
      });
      sum += t.medianMs;
      add(op, name, bytes, t);
    }
    add(op, "sum of stages 1-3", (4 + perValue) * n, { medianMs: sum, minMs: Number.NaN });
    // The public call: what it is called as, and the call (a dequantize through blocks.ts's
    // dispatch on the format, one branch a call).
    const [call, run] = ((): [string, () => unknown] => {
      if (!quantize) {
        const name = format === "mxfp4" ? "Mx" : format === "nf4" ? "Bnb" : "Ggml";
        return [
          `dequantize${name}(q, { out })`,
          () => dequantizeBlock(q as Quantized, format, { out: y }),
        ];
      }
      switch (format) {
        case "mxfp4":
          return [
            'quantizeMx(x, "mxfp4", { shape, pack: true }) (allocates)',
            () => quantizeMx(x, "mxfp4", { shape, pack: true }),
          ];
        case "nf4":
          return [
            'quantizeBnb(x, "nf4", { shape }) (allocates codes, packed, absmax)',
            () => quantizeBnb(x, "nf4", { shape }),
          ];
        default: {
          const out = new Uint8Array(
            (n / GGML_TYPES[format].blockSize) * GGML_TYPES[format].bytesPerBlock,
          );
          return [
            `quantizeGgml(x, "${format}", { shape, out })`,
            () => quantizeGgml(x, format, { shape, out }),
          ];
        }
      }
    })();
    add(op, `public: ${call}`, (4 + perValue) * n, time(run));
  }
}

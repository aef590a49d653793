/**
 * The fast backend's block-format members: each streams whole blocks through the module's four
 * buffers (./stream.ts) into the SIMD kernels of assembly/blocks.ts, a chunk at a time (as many
 * blocks as a buffer holds), and gives the reference's bits (../blocks.ts).
 *
 * Buffers: a quantizer's float32 input in IN and its bytes in OUT; a dequantizer's bytes in IN and
 * its float32 in OUT; the MX scales and the bitsandbytes codebook, packed bytes and absmax values
 * in PS and PZ. bitsandbytes' short last block goes to the reference kernel (one block: nothing
 * to gain), and so does everything outside the contract's shapes.
 */
import { BNB_TABLES, type BnbFormat } from "../../dtypes/bnb.js";
import { GGML_TYPES, type GgmlType } from "../../dtypes/ggml.js";
import { type BlockKernels, BNB_BOOKS, firstNonFinite } from "../blocks.js";
import { dequantize4bit as dequantizeBook, nearestCode, quantizeBlockwise } from "../bnb.js";
import { packHighFirst } from "../nibbles.js";
import { BNB_BOOK_ORDER, BNB_TABLE_PLANE } from "./abi.js";
import type { KernelExports } from "./exports.js";
import type { Buffers } from "./stream.js";
import type { ThreadExport } from "./threads.js";

/** One array of a block kernel's call: bytes per block, its staging buffer, read or written. */
export interface BlockSide {
  readonly array: ArrayBufferView;
  readonly perBlock: number;
  readonly staging: number;
  readonly input: boolean;
}

/**
 * Runs the block export `name` over `blocks` blocks (of `blockSize` values): the sides held in the
 * module's memory in place, the others through their staging buffers `perChunk` blocks at a time,
 * across threads when the setting asks. `args` makes a call's arguments from the sides' pointers;
 * returns the first call (its first block, its blocks, its result) whose result `stop`s.
 */
export type BlockRunner = (
  name: ThreadExport,
  blocks: number,
  perChunk: number,
  blockSize: number,
  sides: readonly BlockSide[],
  args: (pointers: number[], blocks: number) => number[],
  stop: (result: number) => boolean,
) => { readonly b0: number; readonly k: number; readonly result: number } | undefined;

const never = () => false;

/** Where quantize4bit's packed bytes go in PS, after the codebook. */
const PACKED_AT = 128;

/** Builds the block members on an instantiated module and its buffers. */
export function createBlockKernels(ex: KernelExports, b: Buffers, run: BlockRunner): BlockKernels {
  const { IN, OUT, PS, PZ, capacity: E } = b;
  const buf = ex.memory.buffer;
  const bytes = 4 * E;
  const psBytes = new Uint8Array(buf, PS, bytes);
  const psF32 = new Float32Array(buf, PS, E);

  /** A ggml quantizer of `type` (its block size and bytes from GGML_TYPES), through `name`. */
  function ggmlQuantizer(
    type: GgmlType,
    name: ThreadExport,
  ): (x: Float32Array, out: Uint8Array) => number {
    const { blockSize, bytesPerBlock: blockBytes } = GGML_TYPES[type];
    const perChunk = Math.floor(E / blockSize);
    return (x, out) => {
      const hit = run(
        name,
        x.length / blockSize,
        perChunk,
        blockSize,
        [
          { array: x, perBlock: 4 * blockSize, staging: IN, input: true },
          { array: out, perBlock: blockBytes, staging: OUT, input: false },
        ],
        ([src, dst], k) => [src as number, dst as number, k],
        (r) => r >= 0,
      );
      return hit === undefined ? -1 : hit.b0 + hit.result;
    };
  }

  /** A ggml dequantizer of `type`, through `name`. */
  function ggmlDequantizer(
    type: GgmlType,
    name: ThreadExport,
  ): (q: Uint8Array, out: Float32Array) => void {
    const { blockSize, bytesPerBlock: blockBytes } = GGML_TYPES[type];
    const perChunk = Math.floor(E / blockSize);
    return (q, out) => {
      run(
        name,
        out.length / blockSize,
        perChunk,
        blockSize,
        [
          { array: q, perBlock: blockBytes, staging: IN, input: true },
          { array: out, perBlock: 4 * blockSize, staging: OUT, input: false },
        ],
        ([src, dst], k) => [src as number, dst as number, k],
        never,
      );
    };
  }

  const mxPerChunk = Math.floor(E / 32);

  const quantizeMxfp4: BlockKernels["quantizeMxfp4"] = (rounding, x, scales, codes, packed) => {
    const away = rounding === "away" ? 1 : 0;
    run(
      "quantizeMxfp4",
      x.length / 32,
      mxPerChunk,
      32,
      [
        { array: x, perBlock: 128, staging: IN, input: true },
        { array: scales, perBlock: 1, staging: PS, input: false },
        { array: codes, perBlock: packed ? 16 : 32, staging: OUT, input: false },
      ],
      ([src, sc, c], k) => [away, src as number, sc as number, c as number, k, packed ? 1 : 0],
      never,
    );
  };

  const dequantizeMxfp4: BlockKernels["dequantizeMxfp4"] = (scales, codes, packed, out) => {
    run(
      "dequantizeMxfp4",
      out.length / 32,
      mxPerChunk,
      32,
      [
        { array: scales, perBlock: 1, staging: PS, input: true },
        { array: codes, perBlock: packed ? 16 : 32, staging: IN, input: true },
        { array: out, perBlock: 128, staging: OUT, input: false },
      ],
      ([sc, c, dst], k) => [sc as number, c as number, dst as number, k, packed ? 1 : 0],
      never,
    );
  };

  /** Writes the codebook of `format` at PS: 15 midpoints, then the codes of the sorted values. */
  function writeBook(format: BnbFormat): void {
    const book = BNB_BOOKS[format];
    psF32.set(book.bounds);
    psBytes.set(book.order, BNB_BOOK_ORDER);
  }

  /** Writes the values of `format` at PS as four byte planes (byte k of each float32). */
  function writeTable(format: BnbFormat): void {
    const values = new Uint8Array(Float32Array.from(BNB_TABLES[format]).buffer);
    for (let c = 0; c < 16; c++) {
      for (let k = 0; k < 4; k++) psBytes[k * BNB_TABLE_PLANE + c] = values[4 * c + k] as number;
    }
  }

  const quantize4bit: BlockKernels["quantize4bit"] = (
    format,
    x,
    blockSize,
    codes,
    packed,
    absmax,
  ) => {
    const n = x.length;
    const full = Math.floor(n / blockSize);
    const perChunk = Math.floor(E / blockSize);
    writeBook(format);
    const hit = run(
      "quantize4bit",
      full,
      perChunk,
      blockSize,
      [
        { array: x, perBlock: 4 * blockSize, staging: IN, input: true },
        { array: codes, perBlock: blockSize, staging: OUT, input: false },
        { array: packed, perBlock: blockSize >> 1, staging: PS + PACKED_AT, input: false },
        { array: absmax, perBlock: 4, staging: PZ, input: false },
      ],
      ([src, c, p, a], k) => [
        src as number,
        k,
        blockSize,
        PS,
        c as number,
        p as number,
        a as number,
      ],
      (r) => r !== 0,
    );
    if (hit !== undefined) {
      return firstNonFinite(x, hit.b0 * blockSize, (hit.b0 + hit.k) * blockSize);
    }
    const t = full * blockSize;
    if (t < n) {
      // The short last block: the reference's division by max(absmax, 1e-38).
      const bad = firstNonFinite(x, t, n);
      if (bad >= 0) return bad;
      const book = BNB_BOOKS[format];
      quantizeBlockwise(x.subarray(t), blockSize, book, codes.subarray(t), absmax.subarray(full));
      packHighFirst(codes.subarray(t), nearestCode(book, 0), packed.subarray(t >> 1));
    }
    return -1;
  };

  const dequantize4bit: BlockKernels["dequantize4bit"] = (
    format,
    packed,
    absmax,
    blockSize,
    out,
  ) => {
    const n = out.length;
    const full = Math.floor(n / blockSize);
    const perChunk = Math.floor(E / blockSize);
    writeTable(format);
    run(
      "dequantize4bit",
      full,
      perChunk,
      blockSize,
      [
        { array: packed, perBlock: blockSize >> 1, staging: IN, input: true },
        { array: absmax, perBlock: 4, staging: PZ, input: true },
        { array: out, perBlock: 4 * blockSize, staging: OUT, input: false },
      ],
      ([p, a, dst], k) => [p as number, a as number, k, blockSize, PS, dst as number],
      never,
    );
    const t = full * blockSize;
    if (t < n) {
      dequantizeBook(
        BNB_BOOKS[format],
        packed.subarray(t >> 1),
        absmax.subarray(full),
        blockSize,
        out.subarray(t),
      );
    }
  };

  return {
    quantizeQ8_0: ggmlQuantizer("q8_0", "quantizeQ8_0"),
    dequantizeQ8_0: ggmlDequantizer("q8_0", "dequantizeQ8_0"),
    quantizeQ4_0: ggmlQuantizer("q4_0", "quantizeQ4_0"),
    dequantizeQ4_0: ggmlDequantizer("q4_0", "dequantizeQ4_0"),
    quantizeQ4_K: ggmlQuantizer("q4_K", "quantizeQ4_K"),
    dequantizeQ4_K: ggmlDequantizer("q4_K", "dequantizeQ4_K"),
    quantizeQ6_K: ggmlQuantizer("q6_K", "quantizeQ6_K"),
    dequantizeQ6_K: ggmlDequantizer("q6_K", "dequantizeQ6_K"),
    quantizeMxfp4,
    dequantizeMxfp4,
    quantize4bit,
    dequantize4bit,
  };
}

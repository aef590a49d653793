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

/** Where quantize4bit's packed bytes go in PS, after the codebook. */
const PACKED_AT = 128;

/** Builds the block members on an instantiated module and its buffers. */
export function createBlockKernels(ex: KernelExports, b: Buffers): BlockKernels {
  const { IN, OUT, PS, PZ, capacity: E } = b;
  const buf = ex.memory.buffer;
  const bytes = 4 * E;
  const inF32 = new Float32Array(buf, IN, E);
  const inBytes = new Uint8Array(buf, IN, bytes);
  const outF32 = new Float32Array(buf, OUT, E);
  const outBytes = new Uint8Array(buf, OUT, bytes);
  const psBytes = new Uint8Array(buf, PS, bytes);
  const psF32 = new Float32Array(buf, PS, E);
  const pzF32 = new Float32Array(buf, PZ, E);

  /** A ggml quantizer of `type` (its block size and bytes from GGML_TYPES), through `kernel`. */
  function ggmlQuantizer(
    type: GgmlType,
    kernel: (src: number, dst: number, blocks: number) => number,
  ): (x: Float32Array, out: Uint8Array) => number {
    const { blockSize, bytesPerBlock: blockBytes } = GGML_TYPES[type];
    const perChunk = Math.floor(E / blockSize);
    return (x, out) => {
      const blocks = x.length / blockSize;
      for (let b0 = 0; b0 < blocks; b0 += perChunk) {
        const k = Math.min(perChunk, blocks - b0);
        inF32.set(x.subarray(b0 * blockSize, (b0 + k) * blockSize));
        const bad = kernel(IN, OUT, k);
        if (bad >= 0) return b0 + bad;
        out.set(outBytes.subarray(0, k * blockBytes), b0 * blockBytes);
      }
      return -1;
    };
  }

  /** A ggml dequantizer of `type`, through `kernel`. */
  function ggmlDequantizer(
    type: GgmlType,
    kernel: (src: number, dst: number, blocks: number) => void,
  ): (q: Uint8Array, out: Float32Array) => void {
    const { blockSize, bytesPerBlock: blockBytes } = GGML_TYPES[type];
    const perChunk = Math.floor(E / blockSize);
    return (q, out) => {
      const blocks = out.length / blockSize;
      for (let b0 = 0; b0 < blocks; b0 += perChunk) {
        const k = Math.min(perChunk, blocks - b0);
        inBytes.set(q.subarray(b0 * blockBytes, (b0 + k) * blockBytes));
        kernel(IN, OUT, k);
        out.set(k * blockSize === E ? outF32 : outF32.subarray(0, k * blockSize), b0 * blockSize);
      }
    };
  }

  const mxPerChunk = Math.floor(E / 32);

  const quantizeMxfp4: BlockKernels["quantizeMxfp4"] = (rounding, x, scales, codes, packed) => {
    const blocks = x.length / 32;
    const away = rounding === "away" ? 1 : 0;
    const width = packed ? 16 : 32;
    for (let b0 = 0; b0 < blocks; b0 += mxPerChunk) {
      const k = Math.min(mxPerChunk, blocks - b0);
      inF32.set(x.subarray(b0 * 32, (b0 + k) * 32));
      ex.quantizeMxfp4(away, IN, PS, OUT, k, packed ? 1 : 0);
      scales.set(psBytes.subarray(0, k), b0);
      codes.set(outBytes.subarray(0, k * width), b0 * width);
    }
  };

  const dequantizeMxfp4: BlockKernels["dequantizeMxfp4"] = (scales, codes, packed, out) => {
    const blocks = out.length / 32;
    const width = packed ? 16 : 32;
    for (let b0 = 0; b0 < blocks; b0 += mxPerChunk) {
      const k = Math.min(mxPerChunk, blocks - b0);
      psBytes.set(scales.subarray(b0, b0 + k));
      inBytes.set(codes.subarray(b0 * width, (b0 + k) * width));
      ex.dequantizeMxfp4(PS, IN, OUT, k, packed ? 1 : 0);
      out.set(k * 32 === E ? outF32 : outF32.subarray(0, k * 32), b0 * 32);
    }
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
    const packedBytes = psBytes.subarray(PACKED_AT);
    for (let b0 = 0; b0 < full; b0 += perChunk) {
      const k = Math.min(perChunk, full - b0);
      const e0 = b0 * blockSize;
      const m = k * blockSize;
      inF32.set(x.subarray(e0, e0 + m));
      if (ex.quantize4bit(IN, k, blockSize, PS, OUT, PS + PACKED_AT, PZ) !== 0) {
        return firstNonFinite(x, e0, e0 + m);
      }
      codes.set(outBytes.subarray(0, m), e0);
      packed.set(packedBytes.subarray(0, m >> 1), e0 >> 1);
      absmax.set(pzF32.subarray(0, k), b0);
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
    for (let b0 = 0; b0 < full; b0 += perChunk) {
      const k = Math.min(perChunk, full - b0);
      const e0 = b0 * blockSize;
      const m = k * blockSize;
      inBytes.set(packed.subarray(e0 >> 1, (e0 + m) >> 1));
      pzF32.set(absmax.subarray(b0, b0 + k));
      ex.dequantize4bit(IN, PZ, k, blockSize, PS, OUT);
      out.set(m === E ? outF32 : outF32.subarray(0, m), e0);
    }
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
    quantizeQ8_0: ggmlQuantizer("q8_0", ex.quantizeQ8_0),
    dequantizeQ8_0: ggmlDequantizer("q8_0", ex.dequantizeQ8_0),
    quantizeQ4_0: ggmlQuantizer("q4_0", ex.quantizeQ4_0),
    dequantizeQ4_0: ggmlDequantizer("q4_0", ex.dequantizeQ4_0),
    quantizeQ4_K: ggmlQuantizer("q4_K", ex.quantizeQ4_K),
    dequantizeQ4_K: ggmlDequantizer("q4_K", ex.dequantizeQ4_K),
    quantizeQ6_K: ggmlQuantizer("q6_K", ex.quantizeQ6_K),
    dequantizeQ6_K: ggmlDequantizer("q6_K", ex.dequantizeQ6_K),
    quantizeMxfp4,
    dequantizeMxfp4,
    quantize4bit,
    dequantize4bit,
  };
}

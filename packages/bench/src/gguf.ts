/**
 * The block formats' peer: the gguf Python package's numpy quantizers (gguf.quants, the pinned
 * version of python/requirements.txt), the package a user would otherwise pick to write or read
 * GGUF tensors. Each op runs in a Python process of its own (python/gguf_bench.py), which times
 * its calls itself (the process start is not counted) and writes its first output to a file that
 * is checked here against quantlab-reference's.
 *
 * The venv (build/venv/bench) is made by the CLI through scripts/lib/venv.mjs; without Python the
 * implementation is skipped with a note.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { GgmlTensor } from "@quantlab/core";
import { type BlockOp, blockOp, isBlockOp, quantizedInput } from "./blocks.js";
import { perDataCache } from "./data.js";
import type { ExternalRun, Impl, Op, OpData } from "./impls.js";
import { countMismatches } from "./measure.js";
import { referenceOutput } from "./setup.js";

/** An external measurement: the timed calls (ms), the process's peak RSS, the first output. */
export interface External {
  readonly times: readonly number[];
  readonly peakRssMiB: number;
  /** Output values that differ from quantlab-reference's, or -1 where not comparable. */
  readonly mismatches: number;
}

const SCRIPT = fileURLToPath(new URL("../python/gguf_bench.py", import.meta.url));

/** Why gguf cannot run an op, or undefined when it can. */
function unsupported(op: Op): string | undefined {
  if (!isBlockOp(op)) return "not a GGUF op (gguf.quants has block formats only)";
  const { quantize, format } = blockOp(op);
  if (format === "nf4") return "no NF4 in gguf (a bitsandbytes format)";
  if (quantize && (format === "q4_K" || format === "q6_K")) {
    return `gguf.quants has no ${format} quantizer (dequantize only)`;
  }
  return undefined;
}

/** The raw bytes of a typed array's view. */
const bytesOf = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

export function ggufImpl(python: string): Impl {
  const dir = mkdtempSync(join(tmpdir(), "quantlab-bench-gguf-"));
  const written = perDataCache<string, string>();
  let files = 0;

  /** Writes `bytes` once per data and key; returns the file. */
  function file(data: OpData, key: string, bytes: () => Uint8Array): string {
    return written(data, key, () => {
      const path = join(dir, `${files++}-${key}.bin`);
      writeFileSync(path, bytes());
      return path;
    });
  }

  function run(request: object): Promise<{ times: number[]; peakRssMiB: number }> {
    const path = join(dir, "request.json");
    writeFileSync(path, JSON.stringify(request));
    return new Promise((resolve, reject) => {
      execFile(python, [SCRIPT, path], { maxBuffer: 1 << 20 }, (error, stdout, stderr) => {
        if (error) reject(new Error(`gguf_bench.py failed: ${stderr || error.message}`));
        else resolve(JSON.parse(stdout.trim().split("\n").pop() as string));
      });
    });
  }

  return {
    name: "gguf-py",
    async prepare(op, data): Promise<ExternalRun | string> {
      const why = unsupported(op);
      if (why !== undefined) return why;
      const { quantize, format } = blockOp(op as BlockOp);
      const floats = () => file(data, "x", () => bytesOf(data.x));
      // gguf's MXFP4 is GGML's block_mxfp4 (an E8M0 byte then 16 bytes a block, its own nibble
      // order and rounding): its dequantize reads gguf's own bytes, made first by the script.
      const input =
        quantize || format === "mxfp4"
          ? floats()
          : file(data, format, () => bytesOf((quantizedInput(data, format) as GgmlTensor).data));
      const output = join(dir, "out.bin");
      return {
        async measure(): Promise<External> {
          const { times, peakRssMiB } = await run({
            op,
            input,
            source: quantize || format !== "mxfp4" ? "input" : "quantize-first",
            shape: [data.rows, data.n / data.rows],
            output,
            slowMs: 400,
          });
          let mismatches = -1;
          if (format !== "mxfp4") {
            const raw = readFileSync(output);
            const got = quantize
              ? new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength)
              : new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
            mismatches = countMismatches(got, referenceOutput(op, data));
          }
          return { times, peakRssMiB, mismatches };
        },
      };
    },
    async dispose() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The C yardstick: per-tensor int8 quantize and dequantize written in C with SIMD intrinsics
 * (../c/int8.c: ONNX's arithmetic, a real division, ties to even, the NaN mask quantlab's kernels
 * also keep), compiled with the system's C compiler (`cc`, else `gcc`) once per run into a
 * temporary folder: `-O3 -mavx2` where the CPU has AVX2, else `-O3 -msse4.1` (128-bit registers;
 * the run says which). Timed in a process of its own with the bench worker's repeat rule, on one
 * thread (`c-simd`) or each call split across all cores (`c-simd-threads`: the machine's bound
 * for what threads can give); its outputs are checked against quantlab-reference's. Skipped with a note where no
 * compiler is found, the compile fails, or the CPU has neither (an x86 one before 2008, or not x86).
 */
import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { External } from "./gguf.js";
import type { ExternalRun, Impl } from "./impls.js";
import { countMismatches } from "./measure.js";
import { referenceOutput } from "./setup.js";

const SOURCE = fileURLToPath(new URL("../c/int8.c", import.meta.url));

/** Compiles the yardstick into `dir`; returns the binary, or why it cannot run here. */
function compile(dir: string, isa: Isa): { binary: string } | { note: string } {
  const binary = join(dir, "int8");
  const errors: string[] = [];
  for (const compiler of ["cc", "gcc"]) {
    try {
      execFileSync(compiler, ["-O3", `-m${isa}`, "-pthread", "-o", binary, SOURCE], {
        stdio: "pipe",
      });
      return { binary };
    } catch (error) {
      const e = error as { code?: string; stderr?: Buffer };
      errors.push(
        e.code === "ENOENT" ? `${compiler} not found` : `${compiler}: ${String(e.stderr).trim()}`,
      );
    }
  }
  return { note: `no C compiler built ../c/int8.c (${errors.join("; ")})` };
}

type Isa = "avx2" | "sse4.1";

/** The widest instruction set the yardstick has a version for, from the CPU's flags. */
export function yardstickIsa(): Isa | undefined {
  if (process.arch !== "x64") return undefined;
  try {
    const flags = readFileSync("/proc/cpuinfo", "utf8").replace(/\n/g, " ");
    if (/ avx2 /.test(flags)) return "avx2";
    if (/ sse4_1 /.test(flags)) return "sse4.1";
    return undefined;
  } catch {
    return "avx2"; // (no /proc: let the binary try)
  }
}

/**
 * The yardstick on `threads` threads: 1 for `c-simd`, all cores for `c-simd-threads`; `c-simd-128`
 * is one thread in SSE4.1 even where the CPU has AVX2: 128-bit registers, WebAssembly SIMD's width.
 */
export function cImpl(threads = 1, width?: 128): Impl {
  const dir = mkdtempSync(join(tmpdir(), "quantlab-bench-c-"));
  let built: { binary: string } | { note: string } | undefined;
  return {
    name: width === 128 ? "c-simd-128" : threads === 1 ? "c-simd" : "c-simd-threads",
    async prepare(op, data): Promise<ExternalRun | string> {
      if (op !== "quantize-int8" && op !== "dequantize-int8") {
        return "the C yardstick has int8 quantize and dequantize only";
      }
      const isa = width === 128 && yardstickIsa() !== undefined ? "sse4.1" : yardstickIsa();
      if (isa === undefined) return "this CPU has neither AVX2 nor SSE4.1 (or is not x86)";
      built ??= compile(dir, isa);
      if ("note" in built) return built.note;
      const { binary } = built;
      const quantizing = op === "quantize-int8";
      const source = quantizing ? data.x : data.q;
      const input = join(dir, `${op}-${data.n}.bin`);
      writeFileSync(input, new Uint8Array(source.buffer, source.byteOffset, source.byteLength));
      const output = join(dir, "out.bin");
      const args = [op.split("-")[0] as string, String(data.n), input, output, String(data.scale)];
      return {
        async measure(): Promise<External> {
          const stdout = await new Promise<string>((resolve, reject) => {
            execFile(binary, [...args, "0", "400", String(threads)], (error, out, err) => {
              if (error) reject(new Error(`the C yardstick failed: ${err || error.message}`));
              else resolve(out);
            });
          });
          const { times, peakRssMiB } = JSON.parse(stdout.trim());
          const raw = readFileSync(output);
          const got = quantizing
            ? new Int8Array(raw.buffer, raw.byteOffset, raw.byteLength)
            : new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
          return { times, peakRssMiB, mismatches: countMismatches(got, referenceOutput(op, data)) };
        },
      };
    },
    async dispose() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The C yardstick: per-tensor int8 quantize and dequantize written in C with AVX2 intrinsics
 * (../c/int8.c: ONNX's arithmetic, a real division, ties to even, the NaN mask quantlab's kernels
 * also keep), compiled with the system's C compiler (`cc`, else `gcc`; `-O3 -mavx2`) once per run
 * into a temporary folder and timed in a process of its own, one thread, with the bench worker's
 * repeat rule. Its outputs are checked against quantlab-reference's. Skipped with a note where no
 * compiler is found, the compile fails, or the CPU lacks AVX2.
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
function compile(dir: string): { binary: string } | { note: string } {
  const binary = join(dir, "int8");
  const errors: string[] = [];
  for (const compiler of ["cc", "gcc"]) {
    try {
      execFileSync(compiler, ["-O3", "-mavx2", "-o", binary, SOURCE], { stdio: "pipe" });
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

function hasAvx2(): boolean {
  try {
    return / avx2 /.test(readFileSync("/proc/cpuinfo", "utf8").replace(/\n/g, " "));
  } catch {
    return process.arch === "x64"; // (no /proc: let the binary try)
  }
}

export function cImpl(): Impl {
  const dir = mkdtempSync(join(tmpdir(), "quantlab-bench-c-"));
  let built: { binary: string } | { note: string } | undefined;
  return {
    name: "c-avx2",
    async prepare(op, data): Promise<ExternalRun | string> {
      if (op !== "quantize-int8" && op !== "dequantize-int8") {
        return "the C yardstick has int8 quantize and dequantize only";
      }
      if (!hasAvx2()) return "this CPU has no AVX2";
      built ??= compile(dir);
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
            execFile(binary, [...args, "0", "400"], (error, out, err) => {
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

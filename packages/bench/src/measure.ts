/** Timing and the shape of one result. */
import type { ImplName, Op } from "./impls.js";

export interface Result {
  readonly impl: ImplName;
  readonly op: Op;
  readonly size: number;
  /** Values per second at the median time. */
  readonly valuesPerSecond: number;
  /** Bytes read and written per second (input bytes + output bytes) at the median time, in GB/s (1e9). */
  readonly gbPerSecond: number;
  readonly medianMs: number;
  readonly minMs: number;
  readonly maxMs: number;
  readonly q1Ms: number;
  readonly q3Ms: number;
  readonly repeats: number;
  /** The worker process's peak resident set size so far (one worker per implementation), MiB. */
  readonly peakRssMiB: number;
  /** Output values that differ from quantlab-reference's (bit for bit; -1 when not compared). */
  readonly mismatches: number;
  /** Median-time throughput over onnxruntime's for the same op and size (undefined when absent). */
  vsOnnxruntime?: number;
  /** GB/s over the copy's GB/s for the same op and size. */
  vsCopy?: number;
  /** Median-time throughput over the gguf Python package's (block ops; undefined when absent). */
  vsGguf?: number;
}

export interface Skipped {
  readonly impl: ImplName;
  readonly op: Op;
  readonly size: number;
  readonly skipped: string;
}

export function quantile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const pos = (sorted.length - 1) * p;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return (sorted[lo] as number) + ((sorted[hi] as number) - (sorted[lo] as number)) * (pos - lo);
}

/** Output values that differ bit for bit (float outputs compared as their bit patterns). */
export function countMismatches(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Math.max(a.length, b.length);
  const bits = (v: ArrayLike<number>) =>
    v instanceof Float32Array ? new Uint32Array(v.buffer, v.byteOffset, v.length) : v;
  const x = bits(a);
  const y = bits(b);
  let count = 0;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) count++;
  return count;
}

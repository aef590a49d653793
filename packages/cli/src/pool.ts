/**
 * All the cores: a model's tensor jobs spread over worker threads (node:worker_threads, no pool
 * library: one queue, one job per idle worker, results put back in job order).
 *
 * Why not piscina: it is a well-kept pool, but what this needs fits in a page (a fixed set of
 * workers for one batch of jobs, largest first, no timeouts, no reuse across batches), and a
 * dependency fewer keeps `npx quantlab` from a tarball light. The bytes cannot depend on the
 * thread count: every job is a pure function of its data (jobs.ts), each result lands at its
 * job's index, and the model is written from the results in order, in this thread.
 */
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { JOBS, type JobKind, type JobOf, type ResultOf } from "./jobs.js";
import { buffersOf, ownBuffer } from "./transfer.js";
import type { JobMessage, ResultMessage } from "./worker.js";

/** The most worker threads `--threads` takes, and the default's cap. */
export const MAX_THREADS = 64;
const DEFAULT_CAP = 16;

/** The default thread count: the cores this process may use, at most 16. */
export function defaultThreads(): number {
  return Math.max(1, Math.min(availableParallelism(), DEFAULT_CAP));
}

/** Options of {@link runJobs}. */
export interface RunJobsOptions {
  /** Worker threads (default {@link defaultThreads}); never more than there are jobs. */
  readonly threads?: number;
  /**
   * Run in this thread instead of workers (default: when `threads` is 1). `false` with one
   * thread is one worker (the benchmark's "1 worker").
   */
  readonly inline?: boolean;
  /** Called after each job, with its index. */
  readonly onDone?: (index: number) => void;
}

const WORKER = new URL("./worker.js", import.meta.url);

/**
 * Runs `jobs` of `kind` and returns their results in job order. With more than one thread each
 * job's typed arrays move to a worker (a view of a larger buffer is copied first) and are
 * detached here afterwards: do not use a job's `values` after running it.
 *
 * @example
 * const codes = await runJobs("rtn-onnx", plan.jobs, { threads: 4 });
 * const { bytes } = plan.finish(codes);
 */
export async function runJobs<K extends JobKind>(
  kind: K,
  jobs: readonly JobOf<K>[],
  options: RunJobsOptions = {},
): Promise<ResultOf<K>[]> {
  const threads = Math.min(options.threads ?? defaultThreads(), Math.max(1, jobs.length));
  const inline = options.inline ?? threads === 1;
  const results: ResultOf<K>[] = new Array(jobs.length);
  if (inline) {
    const run = JOBS[kind] as (job: JobOf<K>) => ResultOf<K>;
    jobs.forEach((job, i) => {
      results[i] = run(job);
      options.onDone?.(i);
    });
    return results;
  }
  if (!existsSync(fileURLToPath(WORKER))) {
    throw new Error(
      `quantlab: the worker script ${fileURLToPath(WORKER)} is missing (run the built package: npm run build)`,
    );
  }
  // Largest first, so the last job to start is a small one.
  const order = jobs.map((_, i) => i);
  order.sort((a, b) => sizeOf(jobs[b]) - sizeOf(jobs[a]) || a - b);
  const workers = Array.from({ length: threads }, () => new Worker(WORKER));
  try {
    await new Promise<void>((resolve, reject) => {
      let next = 0;
      let finished = 0;
      let failed = false;
      const fail = (error: Error) => {
        if (!failed) reject(error);
        failed = true;
      };
      const send = (worker: Worker) => {
        if (failed || next >= order.length) return;
        const id = order[next++] as number;
        const job = withOwnBuffers(jobs[id]);
        const message: JobMessage = { id, kind, job };
        worker.postMessage(message, buffersOf(job));
      };
      if (jobs.length === 0) resolve();
      for (const worker of workers) {
        worker.on("message", (m: ResultMessage) => {
          if ("error" in m) {
            // The same class on this side of the thread boundary (report() tells them apart).
            const Class =
              m.error.name === "RangeError"
                ? RangeError
                : m.error.name === "TypeError"
                  ? TypeError
                  : Error;
            fail(new Class(m.error.message));
            return;
          }
          results[m.id] = m.result as ResultOf<K>;
          options.onDone?.(m.id);
          finished++;
          if (finished === jobs.length) resolve();
          else send(worker);
        });
        worker.on("error", (error) => fail(error));
        worker.on("exit", (code) => {
          if (finished < jobs.length) fail(new Error(`quantlab: a worker thread exited (${code})`));
        });
        send(worker);
      }
    });
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return results;
}

function sizeOf(job: unknown): number {
  const values = (job as { values?: Float32Array }).values;
  return values?.length ?? 0;
}

/** The job with its `values` in a buffer of their own (see {@link ownBuffer}). */
function withOwnBuffers<T>(job: T): T {
  const values = (job as { values?: unknown }).values;
  return values instanceof Float32Array ? { ...job, values: ownBuffer(values) } : job;
}

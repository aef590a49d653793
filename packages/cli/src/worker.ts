/**
 * A worker thread of the pool: runs the jobs it is sent, by kind (see jobs.ts), and sends each
 * result back with its typed arrays' buffers transferred, not copied.
 */
import { parentPort } from "node:worker_threads";
import { JOBS, type JobKind } from "./jobs.js";
import { buffersOf } from "./transfer.js";

export interface JobMessage {
  readonly id: number;
  readonly kind: JobKind;
  readonly job: unknown;
}

export type ResultMessage =
  | { readonly id: number; readonly result: unknown }
  | { readonly id: number; readonly error: { readonly name: string; readonly message: string } };

const port = parentPort;
if (port === null) throw new Error("quantlab: worker.js runs as a worker thread only");

port.on("message", (message: JobMessage) => {
  let reply: ResultMessage;
  try {
    const run = JOBS[message.kind] as (job: unknown) => unknown;
    reply = { id: message.id, result: run(message.job) };
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    port.postMessage({ id: message.id, error: { name: e.name, message: e.message } });
    return;
  }
  try {
    port.postMessage(reply, buffersOf(reply));
  } catch {
    // A buffer that cannot move (WebAssembly memory): copy instead.
    port.postMessage(reply);
  }
});

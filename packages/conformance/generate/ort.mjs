/**
 * The onnxruntime-node half of `npm run golden`: runs the tiny ONNX models that golden.py wrote
 * and writes what ONNX Runtime returns.
 *
 * Usage: node ort.mjs REQUESTS.json RESULTS.json
 *
 * REQUESTS.json is `{ "requests": [{ "model": path, "feeds": { name: tensor } }] }` and RESULTS.json
 * becomes `{ "onnxruntime": version, "results": [{ "outputs": { name: tensor } } | { "error": text }] }`,
 * one result per request, in order. A tensor is `{ "type", "dims", "data" }` with float32 data as
 * uint32 bit patterns (so NaN, -0 and every payload cross JSON exactly) and float16 as uint16 bits.
 * The binding has no int4, bfloat16 or float8 tensors: golden.py wraps such inputs and outputs in
 * Cast nodes inside the models.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import ort from "onnxruntime-node";

const ARRAYS = {
  int8: Int8Array,
  uint8: Uint8Array,
  int16: Int16Array,
  uint16: Uint16Array,
  int32: Int32Array,
  float16: Uint16Array,
};

/** The version of the onnxruntime-node package that runs the models. */
function ortVersion() {
  const require = createRequire(import.meta.url);
  const main = require.resolve("onnxruntime-node");
  let dir = dirname(main);
  while (dir !== dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
      if (pkg.name === "onnxruntime-node") return pkg.version;
    } catch {
      // not the package root yet
    }
    dir = dirname(dir);
  }
  throw new Error("ort.mjs: cannot find onnxruntime-node's package.json");
}

function toTensor(name, { type, dims, data }) {
  if (type === "float32") {
    return new ort.Tensor("float32", new Float32Array(Uint32Array.from(data).buffer), dims);
  }
  const array = ARRAYS[type];
  if (array === undefined) throw new Error(`ort.mjs: feed '${name}' has unsupported type ${type}`);
  return new ort.Tensor(type, array.from(data), dims);
}

function fromTensor(tensor) {
  const { type, dims, data } = tensor;
  if (type === "float32") {
    const bits = new Uint32Array(data.buffer, data.byteOffset, data.length);
    return { type, dims: Array.from(dims), data: Array.from(bits) };
  }
  if (ARRAYS[type] === undefined) throw new Error(`ort.mjs: unsupported output type ${type}`);
  return { type, dims: Array.from(dims), data: Array.from(data) };
}

const [requestsPath, resultsPath] = process.argv.slice(2);
if (requestsPath === undefined || resultsPath === undefined) {
  console.error("usage: node ort.mjs REQUESTS.json RESULTS.json");
  process.exit(2);
}
const { requests } = JSON.parse(readFileSync(requestsPath, "utf8"));
const base = dirname(resolve(requestsPath));
const options = {
  executionProviders: ["cpu"],
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  // Run each node as written: no fusion or constant folding between the Cast wrappers and the op.
  graphOptimizationLevel: "disabled",
};

const results = [];
for (const request of requests) {
  try {
    const session = await ort.InferenceSession.create(resolve(base, request.model), options);
    const feeds = {};
    for (const [name, tensor] of Object.entries(request.feeds))
      feeds[name] = toTensor(name, tensor);
    const outputs = await session.run(feeds);
    const encoded = {};
    for (const name of session.outputNames) encoded[name] = fromTensor(outputs[name]);
    results.push({ outputs: encoded });
    await session.release();
  } catch (error) {
    results.push({ error: error instanceof Error ? error.message : String(error) });
  }
}
writeFileSync(resultsPath, JSON.stringify({ onnxruntime: ortVersion(), results }));

/**
 * Model inputs for `compare` and `--calibrate`: read from JSON files, or drawn from a seed.
 *
 * The inputs file: one sample, or an array of samples. A sample maps each input of the model to
 * `{ "dims": [1, 784], "data": [0, 0.5, ...], "type": "float32" }`; `data` is row-major, its
 * length the product of `dims`; `type` (float32, int64, int32, int8, uint8, bool) defaults to the
 * model's type for that input. int64 values are JSON integers (at most 2^53 in magnitude); bool
 * values are true/false or 0/1.
 *
 * `--random N`: N samples, each input shaped as the model declares it (a dimension that is named
 * or unknown is 1, unless `--shape NAME=D,D,...` gives the shape), float values standard normal
 * from mulberry32 seeded with `--seed` (default 0) through Box-Muller, inputs in the model's
 * order, samples one after another from the same stream. Integer and bool inputs take a value
 * from `--set NAME=VALUE` (random integers are seldom valid: a sample rate, a token id...).
 */
import { readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { seededRandom } from "@quantlab/core";
import { ModelFileError, type OnnxFeed, type OnnxValueInfo } from "@quantlab/models";
import { UsageError } from "./args.js";
import { CliError } from "./errors.js";
import { readBytes } from "./model-file.js";

/** One set of inputs for a run. */
export type Sample = Readonly<Record<string, OnnxFeed>>;

type FeedType = OnnxFeed["type"];
const FEED_TYPES: readonly FeedType[] = ["float32", "int64", "int32", "int8", "uint8", "bool"];

/** The feed type of an ONNX element type, or undefined when quantlab cannot feed it. */
const FEED_OF: Readonly<Record<string, FeedType>> = {
  FLOAT: "float32",
  INT64: "int64",
  INT32: "int32",
  INT8: "int8",
  UINT8: "uint8",
  BOOL: "bool",
};

function feedTypeOf(file: string, input: OnnxValueInfo): FeedType {
  const type = FEED_OF[input.elemType];
  if (type === undefined) {
    throw new CliError(
      `${file}: input ${input.name} is ${input.elemType}; quantlab feeds FLOAT, INT64, INT32, INT8, UINT8 and BOOL inputs`,
    );
  }
  return type;
}

const RANGES: Readonly<Record<string, [number, number]>> = {
  int32: [-(2 ** 31), 2 ** 31 - 1],
  int8: [-128, 127],
  uint8: [0, 255],
  int64: [-Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
};

/** What is wrong with one value of an input's data. */
interface BadValue {
  readonly index: number;
  readonly problem: string;
}

/** Typed data of `type` from JSON values, or which value is wrong. */
function typedData(type: FeedType, data: readonly unknown[]): OnnxFeed["data"] | BadValue {
  if (type === "float32") {
    const out = new Float32Array(data.length);
    for (let i = 0; i < data.length; i++) {
      const v = data[i];
      if (typeof v !== "number")
        return { index: i, problem: `expected a number; found ${JSON.stringify(v)}` };
      out[i] = v;
    }
    return out;
  }
  if (type === "bool") {
    const out = new Uint8Array(data.length);
    for (let i = 0; i < data.length; i++) {
      const v = data[i];
      if (v !== true && v !== false && v !== 0 && v !== 1)
        return { index: i, problem: `expected true, false, 0 or 1; found ${JSON.stringify(v)}` };
      out[i] = v === true || v === 1 ? 1 : 0;
    }
    return out;
  }
  const [min, max] = RANGES[type] as [number, number];
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max)
      return {
        index: i,
        problem: `expected an integer in [${min}, ${max}] (${type}); found ${JSON.stringify(v)}`,
      };
  }
  const numbers = data as number[];
  if (type === "int64") return BigInt64Array.from(numbers, (v) => BigInt(v));
  if (type === "int32") return Int32Array.from(numbers);
  if (type === "int8") return Int8Array.from(numbers);
  return Uint8Array.from(numbers);
}

/** The samples of one inputs file, checked against the model's inputs. */
export function parseInputs(
  file: string,
  text: string,
  inputs: readonly OnnxValueInfo[],
): Sample[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ModelFileError(file, "json", `not valid JSON (${(error as Error).message})`);
  }
  const list = Array.isArray(json) ? json : [json];
  const many = Array.isArray(json);
  if (list.length === 0) throw new ModelFileError(file, "json", "an empty array: no sample");
  return list.map((sample: unknown, s) => {
    const at = many ? `[${s}]` : "sample";
    if (typeof sample !== "object" || sample === null || Array.isArray(sample)) {
      throw new ModelFileError(file, at, "expected an object of inputs { name: { dims, data } }");
    }
    const entries = sample as Record<string, unknown>;
    const names = inputs.map((i) => i.name);
    for (const name of Object.keys(entries)) {
      if (!names.includes(name)) {
        throw new ModelFileError(
          file,
          `${at}.${name}`,
          `the model has no input ${JSON.stringify(name)}; its inputs are ${names.join(", ")}`,
        );
      }
    }
    const feeds: Record<string, OnnxFeed> = {};
    for (const input of inputs) {
      const field = `${at}.${input.name}`;
      const entry = entries[input.name];
      if (entry === undefined) throw new ModelFileError(file, field, "missing: the model needs it");
      if (typeof entry !== "object" || entry === null) {
        throw new ModelFileError(file, field, "expected { dims, data, type? }");
      }
      const { dims, data, type } = entry as Record<string, unknown>;
      if (
        !Array.isArray(dims) ||
        !dims.every((d) => typeof d === "number" && Number.isSafeInteger(d) && d >= 0)
      ) {
        throw new ModelFileError(
          file,
          `${field}.dims`,
          "expected an array of non-negative integers",
        );
      }
      if (!Array.isArray(data))
        throw new ModelFileError(file, `${field}.data`, "expected an array");
      const count = (dims as number[]).reduce((a, b) => a * b, 1);
      if (data.length !== count) {
        throw new ModelFileError(
          file,
          `${field}.data`,
          `${data.length} values, but dims [${dims.join(", ")}] need ${count}`,
        );
      }
      let feedType: FeedType;
      if (type === undefined) feedType = feedTypeOf(file, input);
      else if (FEED_TYPES.includes(type as FeedType)) feedType = type as FeedType;
      else {
        throw new ModelFileError(
          file,
          `${field}.type`,
          `expected one of ${FEED_TYPES.join(", ")}; found ${JSON.stringify(type)}`,
        );
      }
      const typed = typedData(feedType, data);
      if ("problem" in typed) {
        throw new ModelFileError(file, `${field}.data[${typed.index}]`, typed.problem);
      }
      feeds[input.name] = { type: feedType, data: typed, dims: dims as number[] };
    }
    return feeds;
  });
}

/** The samples of an inputs file. */
export function readInputs(path: string, cwd: string, inputs: readonly OnnxValueInfo[]): Sample[] {
  return parseInputs(path, new TextDecoder().decode(readBytes(path, cwd)), inputs);
}

/** The samples of every `*.json` file in a folder, files in name order (for `--calibrate`). */
export function readInputFolder(
  dir: string,
  cwd: string,
  inputs: readonly OnnxValueInfo[],
): Sample[] {
  let names: string[];
  try {
    names = readdirSync(resolve(cwd, dir)).filter((n) => n.endsWith(".json"));
  } catch (error) {
    throw new CliError(`${dir}: cannot list it: ${(error as Error).message}`);
  }
  if (names.length === 0) throw new CliError(`${dir}: no *.json inputs file in it`);
  names.sort();
  return names.flatMap((n) => readInputs(join(dir, n), cwd, inputs));
}

/** `NAME=VALUE` pairs of a repeatable flag, by name. */
export function namedValues(
  command: string,
  flag: string,
  items: readonly string[],
): Map<string, string> {
  const out = new Map<string, string>();
  for (const item of items) {
    const eq = item.indexOf("=");
    if (eq <= 0 || eq === item.length - 1) {
      throw new UsageError(command, `--${flag} takes NAME=VALUE; received ${JSON.stringify(item)}`);
    }
    const name = item.slice(0, eq);
    if (out.has(name)) throw new UsageError(command, `--${flag} names ${name} twice`);
    out.set(name, item.slice(eq + 1));
  }
  return out;
}

/** Options of {@link randomInputs}. */
export interface RandomInputsOptions {
  readonly seed: number;
  /** Whole shapes by input name (`--shape`). */
  readonly shapes: ReadonlyMap<string, readonly number[]>;
  /** Constant values by input name (`--set`). */
  readonly values: ReadonlyMap<string, number>;
}

/** `count` seeded samples for `inputs` (see the module's comment for the rule). */
export function randomInputs(
  file: string,
  inputs: readonly OnnxValueInfo[],
  count: number,
  options: RandomInputsOptions,
): Sample[] {
  const names = inputs.map((i) => i.name);
  for (const name of [...options.shapes.keys(), ...options.values.keys()]) {
    if (!names.includes(name)) {
      throw new CliError(
        `${file}: the model has no input ${JSON.stringify(name)}; its inputs are ${names.join(", ")}`,
      );
    }
  }
  const random = seededRandom(options.seed);
  let spare: number | undefined;
  const normal = () => {
    if (spare !== undefined) {
      const v = spare;
      spare = undefined;
      return v;
    }
    const u = 1 - random();
    const v = random();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
  const plans = inputs.map((input) => {
    const type = feedTypeOf(file, input);
    const dims =
      options.shapes.get(input.name) ??
      (input.shape ?? []).map((d) => (typeof d === "number" && d > 0 ? d : 1));
    const fixed = options.values.get(input.name);
    if (type !== "float32" && fixed === undefined) {
      throw new CliError(
        `${file}: input ${input.name} is ${input.elemType}: give its value with --set ${input.name}=VALUE (random integers are seldom valid inputs)`,
      );
    }
    return { input, type, dims: [...dims], fixed };
  });
  const samples: Sample[] = [];
  for (let s = 0; s < count; s++) {
    const feeds: Record<string, OnnxFeed> = {};
    for (const { input, type, dims, fixed } of plans) {
      const n = dims.reduce((a, b) => a * b, 1);
      const values = Array.from({ length: n }, () => (fixed === undefined ? normal() : fixed));
      const typed = typedData(type, values);
      if ("problem" in typed) {
        throw new CliError(`--set ${input.name}=${fixed}: ${typed.problem}`);
      }
      feeds[input.name] = { type, data: typed, dims };
    }
    samples.push(feeds);
  }
  return samples;
}

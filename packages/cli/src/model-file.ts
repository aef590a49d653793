/** Model files from disk: read, told apart, and every failure a `file: field: problem`. */
import { existsSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { type ModelFile, ModelFileError, readModel, sniffFormat } from "@quantlab/models";
import { folderResolver } from "@quantlab/models/node";
import { CliError } from "./errors.js";

/** A model file read from disk: its path (as given), bytes and contents. */
export interface LoadedModel {
  readonly path: string;
  readonly bytes: Uint8Array;
  readonly model: ModelFile;
  /** Reads a file beside the model (tfjs shards, ONNX external data), inside its folder only. */
  readonly resolve: (relativePath: string) => Uint8Array;
  /** Bytes of the model file and of every file read beside it so far (tfjs shards, external data). */
  readonly inputBytes: () => number;
}

/** The bytes of `path`, or a CliError saying why not. */
export function readBytes(path: string, cwd: string): Uint8Array {
  const full = resolve(cwd, path);
  try {
    return readFileSync(full);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === "ENOENT"
        ? "no such file"
        : code === "EISDIR"
          ? "a folder, not a file"
          : code === "EACCES"
            ? "permission denied"
            : (error as Error).message;
    throw new CliError(`${path}: cannot read it: ${why}`);
  }
}

/** A folder stands for the model.json in it (a tfjs model); any other path is itself. */
export function modelPath(path: string, cwd: string): string {
  const full = resolve(cwd, path);
  if (existsSync(full) && statSync(full).isDirectory()) {
    if (existsSync(join(full, "model.json"))) return join(path, "model.json");
    throw new CliError(`${path}: a folder without a model.json; name the model file`);
  }
  return path;
}

/** Reads a model file of any format `readModel` reads (ONNX, GGUF, safetensors, tfjs). */
export function loadModel(path: string, cwd: string): LoadedModel {
  const file = modelPath(path, cwd);
  const bytes = readBytes(file, cwd);
  const beside = new Map<string, number>();
  const read = folderResolver(file, cwd);
  const resolveFile = (relativePath: string): Uint8Array => {
    const data = read(relativePath);
    beside.set(relativePath, data.byteLength);
    return data;
  };
  const model = readModel(bytes, { file, resolve: resolveFile });
  const inputBytes = () => [...beside.values()].reduce((n, b) => n + b, bytes.byteLength);
  return { path: file, bytes, model, resolve: resolveFile, inputBytes };
}

/** The format of a file's bytes, or a ModelFileError naming what it starts with. */
export function formatOf(path: string, bytes: Uint8Array): ModelFile["format"] {
  const format = sniffFormat(bytes);
  if (format !== undefined) return format;
  const head = [...bytes.subarray(0, 8)].map((b) => b.toString(16).padStart(2, "0")).join(" ");
  throw new ModelFileError(
    path,
    "format",
    `not a model file quantlab reads (ONNX, GGUF, safetensors, tfjs JSON); it starts with ${head || "nothing"}`,
  );
}

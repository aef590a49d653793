/** Model files from disk: read, told apart, and every failure a `file: field: problem`. */
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { type ModelFile, ModelFileError, readModel, sniffFormat } from "@quantlab/models";
import { CliError } from "./errors.js";

/** A model file read from disk: its path (as given), bytes and contents. */
export interface LoadedModel {
  readonly path: string;
  readonly bytes: Uint8Array;
  readonly model: ModelFile;
  /** Reads a file beside the model (tfjs shards, ONNX external data), inside its folder only. */
  readonly resolve: (relativePath: string) => Uint8Array;
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

/**
 * A reader of the files beside `path` (tfjs shards, ONNX external data): relative paths inside
 * the model's folder only; anything else, or a missing file, is a ModelFileError.
 */
export function besideResolver(path: string, cwd: string): (relativePath: string) => Uint8Array {
  const folder = dirname(resolve(cwd, path));
  return (relativePath: string) => {
    const target = resolve(folder, relativePath);
    const inside = relative(folder, target);
    if (
      isAbsolute(relativePath) ||
      inside === ".." ||
      inside.startsWith(`..${sep}`) ||
      isAbsolute(inside)
    ) {
      throw new ModelFileError(
        path,
        JSON.stringify(relativePath),
        "a file outside the model's folder; quantlab reads only files beside the model",
      );
    }
    try {
      return readFileSync(target);
    } catch (error) {
      throw new ModelFileError(path, JSON.stringify(relativePath), (error as Error).message);
    }
  };
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
  const resolveFile = besideResolver(file, cwd);
  const model = readModel(bytes, { file, resolve: resolveFile });
  return { path: file, bytes, model, resolve: resolveFile };
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

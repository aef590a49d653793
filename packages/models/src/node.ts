/**
 * The Node entry, `@quantlab/models/node`: model files read from disk.
 */
import { readFileSync } from "node:fs";
import { dirname, isAbsolute, relative, resolve, sep } from "node:path";
import { type ModelFile, ModelFileError } from "./model.js";
import { readModel } from "./read.js";

/**
 * A resolver for the files beside `path` (tfjs shards, ONNX external data): it reads
 * `relativePath` from the folder of `path` (relative to `cwd`), refuses absolute paths and paths
 * that leave the folder, and reports every failure as a ModelFileError naming `path` as given.
 */
export function folderResolver(
  path: string,
  cwd = process.cwd(),
): (relativePath: string) => Uint8Array {
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
        "a file outside the model's folder; only files beside the model are read",
      );
    }
    try {
      return readFileSync(target);
    } catch (error) {
      throw new ModelFileError(path, JSON.stringify(relativePath), (error as Error).message);
    }
  };
}

/**
 * Reads a model file from disk, in any format `readModel` reads; the files it refers to (tfjs
 * weight shards) are read from its folder.
 *
 * @example
 * const model = readModelFile("node_modules/@vladmandic/face-api/model/tiny_face_detector_model-weights_manifest.json");
 * model.tensors.length; // => 19
 */
export function readModelFile(path: string): ModelFile {
  return readModel(readFileSync(path), { file: path, resolve: folderResolver(path) });
}

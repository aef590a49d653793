/**
 * The Node entry, `@quantlab/models/node`: model files read from disk.
 */
import { readFileSync } from "node:fs";
import { dirname, isAbsolute, relative, resolve, sep } from "node:path";
import type { ModelFile } from "./model.js";
import { readModel } from "./read.js";

/**
 * A resolver for the files beside `path`: it reads `relativePath` from `path`'s folder, and
 * refuses absolute paths and paths that leave the folder.
 */
export function folderResolver(path: string): (relativePath: string) => Uint8Array {
  const folder = resolve(dirname(path));
  return (relativePath: string) => {
    const target = resolve(folder, relativePath);
    const inside = relative(folder, target);
    if (
      isAbsolute(relativePath) ||
      inside === ".." ||
      inside.startsWith(`..${sep}`) ||
      isAbsolute(inside)
    ) {
      throw new Error(`${JSON.stringify(relativePath)} is outside the model's folder ${folder}`);
    }
    return readFileSync(target);
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

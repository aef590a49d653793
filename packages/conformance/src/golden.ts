/** Reading the golden files: see ../shared/golden/README.md for the format. */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

/**
 * The golden folder: `QUANTLAB_GOLDEN`, else ../shared/golden beside the repository (where CI
 * puts it; this file is packages/conformance/{src,dist}/golden.*).
 */
export function goldenDir(): string {
  return process.env.QUANTLAB_GOLDEN ?? join(import.meta.dirname, "../../../../shared/golden");
}

export type JsonFloat = number | "NaN" | "Infinity" | "-Infinity" | "-0";

export interface GoldenTensor {
  dtype: string;
  shape: number[];
  data: JsonFloat[];
}

export interface GoldenCase {
  id: string;
  op: string;
  [field: string]: unknown;
}

export interface GoldenSuite {
  file: string;
  suite: string;
  oracle: string;
  cases: GoldenCase[];
}

const SPECIAL: Record<string, number> = {
  NaN: Number.NaN,
  Infinity: Number.POSITIVE_INFINITY,
  "-Infinity": Number.NEGATIVE_INFINITY,
  "-0": -0,
};

/** A JSON float entry as a float32 value. */
export function readFloat(value: JsonFloat): number {
  if (typeof value === "number") return Math.fround(value);
  const special = SPECIAL[value];
  if (special === undefined)
    throw new Error(`golden: unknown float entry ${JSON.stringify(value)}`);
  return special;
}

export function float32Data(tensor: GoldenTensor): Float32Array {
  return Float32Array.from(tensor.data, readFloat);
}

/** Every `*.json` suite under the given files and folders, in name order. */
export function loadSuites(paths: readonly string[]): GoldenSuite[] {
  const files: string[] = [];
  for (const path of paths) {
    if (!existsSync(path)) {
      throw new Error(
        `conformance: ${path} not found. The golden reference results live in ../shared/golden ` +
          "beside the repository; set QUANTLAB_GOLDEN to their folder, or name files and folders.",
      );
    }
    if (statSync(path).isDirectory()) {
      for (const name of readdirSync(path).sort()) {
        if (name.endsWith(".json")) files.push(join(path, name));
      }
    } else {
      files.push(path);
    }
  }
  return files.map((file) => {
    const json = JSON.parse(readFileSync(file, "utf8")) as Omit<GoldenSuite, "file">;
    return { file, ...json };
  });
}

/**
 * The built package as users meet it: `@quantlab/models` and `@quantlab/models/node` through the
 * `exports` map, as ESM and as CommonJS, in a separate Node process (turbo builds before testing).
 */
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..");
const node = (args: string[]) =>
  execFileSync(process.execPath, args, { cwd: root, encoding: "utf8" }).trim();

const MANIFEST =
  "node_modules/@vladmandic/face-api/model/tiny_face_detector_model-weights_manifest.json";
const check = `
  const st = m.writeSafetensors({ tensors: [{ name: "w", dtype: "F16", shape: [2], values: [1, 0.5] }] });
  const names = ["readModel", "readGguf", "writeGguf", "readSafetensors", "writeSafetensors", "readTfjs"];
  console.log(JSON.stringify([
    names.map((n) => typeof m[n]),
    Array.from(m.readModel(st).tensors[0].values()),
    n.readModelFile(${JSON.stringify(MANIFEST)}).tensors.length,
  ]));
`;
const expected = JSON.stringify([Array(6).fill("function"), [1, 0.5], 19]);

describe("the built entries", () => {
  it("import as ESM", () => {
    const out = node([
      "--input-type=module",
      "-e",
      `import * as m from "@quantlab/models"; import * as n from "@quantlab/models/node"; ${check}`,
    ]);
    expect(out).toBe(expected);
  });

  it("require as CommonJS", () => {
    const out = node([
      "-e",
      `const m = require("@quantlab/models"); const n = require("@quantlab/models/node"); ${check}`,
    ]);
    expect(out).toBe(expected);
  });
});

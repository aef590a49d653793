/**
 * The layers run one way: dtypes (the table) <- validate (unknown input to checked values) and
 * kernels (the loops) <- the public ops. A value import that runs the wrong way fails here; type-only
 * imports are free, and src/tensor.ts (types only) is below everything.
 */
import { readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { sourceFiles } from "./show.js";

const SRC = join(import.meta.dirname, "../src");

/** What each lower layer may import (values); any other folder is an op and may import all. */
const ALLOWED: Record<string, readonly string[]> = {
  dtypes: ["dtypes"],
  validate: ["validate", "dtypes"],
  kernels: ["kernels", "dtypes", "generated"],
};

const layerOf = (file: string) => relative(SRC, file).split("/")[0] as string;

function valueImports(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const found: string[] = [];
  for (const m of text.matchAll(/^(?:import|export)(?!\s+type\b)[^;]*?from\s+"(\.[^"]+)"/gms)) {
    found.push(resolve(dirname(file), m[1] as string).replace(/\.js$/, ".ts"));
  }
  return found;
}

describe("imports run one way", () => {
  const files = sourceFiles(SRC).filter((f) => ALLOWED[layerOf(f)] !== undefined);
  it("finds the lower layers' files", () => {
    expect(files.length).toBeGreaterThan(10);
  });
  it.each(files.map((f) => [relative(SRC, f), f]))("%s", (_, file) => {
    const allowed = ALLOWED[layerOf(file)] as readonly string[];
    const wrong = valueImports(file).filter((target) => {
      const layer = layerOf(target);
      return (
        target.startsWith(SRC) && target !== join(SRC, "tensor.ts") && !allowed.includes(layer)
      );
    });
    expect(wrong.map((t) => relative(SRC, t))).toEqual([]);
  });
});

describe("between packages", () => {
  it("core imports nothing of ours (plot imports core, never the other way)", () => {
    const ours = sourceFiles(SRC).filter((file) =>
      /from\s+["']@quantlab\/|import\(["']@quantlab\//.test(readFileSync(file, "utf8")),
    );
    expect(ours.map((f) => relative(SRC, f))).toEqual([]);
    const pkg = JSON.parse(readFileSync(join(SRC, "..", "package.json"), "utf8"));
    const deps = { ...pkg.dependencies, ...pkg.devDependencies, ...pkg.peerDependencies };
    expect(Object.keys(deps).filter((name) => name.startsWith("@quantlab/"))).toEqual([]);
  });
});

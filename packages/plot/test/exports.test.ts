import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, test } from "vitest";

// These tests read the built package (run `pnpm --filter @quantlab/plot build` first; turbo does).
const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const notebooks = resolve(root, "../../notebooks");
const requireHere = createRequire(join(root, "test", "x.js"));

const FIGURES = [
  "bitFields",
  "bitsPerWeightChart",
  "channelRanges",
  "clipSweep",
  "compareErrors",
  "errorPerElement",
  "floatNumberLine",
  "heatmap",
  "histogramWithLevels",
  "lineChart",
  "mappingCurve",
  "originalVsDequantized",
  "quantizationGrid",
  "valueSpacing",
];
const NODE_ONLY = [
  "figureHtml",
  "toHtmlFile",
  "renderPng",
  "toPng",
  "setupNotebook",
  "plotlyInit",
  "show",
  "plotlyBundle",
];

describe("the built package", () => {
  test("CommonJS: @quantlab/plot and @quantlab/plot/node", () => {
    const main = requireHere("@quantlab/plot");
    const node = requireHere("@quantlab/plot/node");
    for (const name of FIGURES) expect(typeof main[name], name).toBe("function");
    for (const name of [...FIGURES, ...NODE_ONLY]) expect(typeof node[name], name).toBe("function");
    for (const name of NODE_ONLY) expect(main[name], name).toBeUndefined();
    expect(node.plotlyVersion()).toBe("4.1.2");
  });

  test("ES modules: @quantlab/plot and @quantlab/plot/node", async () => {
    const main = await import("@quantlab/plot");
    const node = await import("@quantlab/plot/node");
    for (const name of Object.keys(main)) expect(node, name).toHaveProperty(name);
    for (const name of NODE_ONLY) expect(main, name).not.toHaveProperty(name);
    expect(node.quantizationGrid([1], { dtype: "uint4", scale: 1 }).data.length).toBeGreaterThan(0);
  });

  test("the main entry is browser-safe: nothing it imports names a node: module", () => {
    const seen = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const source = readFileSync(file, "utf8");
      expect(
        /from\s+["']node:|require\(["']node:|from\s+["'](fs|path|os|child_process)["']/.test(
          source,
        ),
        file,
      ).toBe(false);
      for (const m of source.matchAll(/(?:from|import)\s+["'](\.[^"']+)["']/g))
        visit(resolve(dirname(file), m[1] as string));
    };
    visit(join(root, "dist/index.js"));
    expect(seen.size).toBeGreaterThan(5);
  });

  test("TypeScript finds the types of @quantlab/plot/node with Node10 resolution (tslab) and with NodeNext (CommonJS's own from a CommonJS file)", () => {
    const from = join(notebooks, "00-any.ts");
    const resolved = (
      name: string,
      options: ts.CompilerOptions,
      mode?: ts.ResolutionMode,
    ): string | undefined =>
      ts.resolveModuleName(name, from, options, ts.sys, undefined, undefined, mode).resolvedModule
        ?.resolvedFileName;
    const node10 = { moduleResolution: ts.ModuleResolutionKind.Node10 };
    const nodeNext = {
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
    };
    expect(resolved("@quantlab/plot/node", node10)).toBe(join(root, "dist/node.d.ts"));
    expect(resolved("@quantlab/plot/node", nodeNext, ts.ModuleKind.CommonJS)).toBe(
      join(root, "dist/cjs/node.d.ts"),
    );
    expect(resolved("@quantlab/plot/node", nodeNext, ts.ModuleKind.ESNext)).toBe(
      join(root, "dist/node.d.ts"),
    );
    expect(resolved("@quantlab/plot", node10)).toBe(join(root, "dist/index.d.ts"));
  });
});

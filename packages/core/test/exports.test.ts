/**
 * The built package as users meet it: `import` (ESM) and `require` (CommonJS, as tslab loads it)
 * through the `exports` map, in a separate Node process. Run `pnpm build` first (turbo does).
 */
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..");

function node(args: string[]): string {
  return execFileSync(process.execPath, args, { cwd: root, encoding: "utf8" }).trim();
}

const check = `
  const q = core.quantize([-10, -5, 0, 5, 10], { dtype: "int8", scale: 20 / 255 });
  console.log(JSON.stringify([Array.from(q.data), typeof core.MinMaxObserver, typeof core.quantize]));
`;
const expected = JSON.stringify([[-127, -64, 0, 64, 127], "function", "function"]);

describe("the built package", () => {
  it("imports as ESM through its exports", () => {
    const out = node([
      "--input-type=module",
      "-e",
      `import * as core from "@quantlab/core"; ${check}`,
    ]);
    expect(out).toBe(expected);
  });

  it("requires as CommonJS through its exports and its main field", () => {
    expect(node(["-e", `const core = require("@quantlab/core"); ${check}`])).toBe(expected);
    const main = node([
      "-e",
      `console.log(require.resolve("./dist/cjs/index.js") === require.resolve("@quantlab/core"))`,
    ]);
    expect(main).toBe("true");
  });

  it("exposes @quantlab/core/validate to ESM, CommonJS and TypeScript's Node10 resolution", () => {
    const names =
      "checkBoolean,checkInteger,checkKeys,checkOptions,checkSemantics,describe,rangeError,resolveParams,typeError,withArticle";
    const list = "console.log(Object.keys(v).sort().join())";
    expect(
      node(["--input-type=module", "-e", `import * as v from "@quantlab/core/validate"; ${list}`]),
    ).toBe(names);
    expect(node(["-e", `const v = require("@quantlab/core/validate"); ${list}`])).toBe(names);
    // tslab and plot's CommonJS build resolve types with Node10, which ignores "exports": the
    // folder validate/ points it at the declarations.
    const node10 = ts.resolveModuleName(
      "@quantlab/core/validate",
      join(root, "..", "plot", "src", "x.ts"),
      { moduleResolution: ts.ModuleResolutionKind.Node10 },
      ts.sys,
    );
    expect(node10.resolvedModule?.resolvedFileName).toBe(
      join(root, "dist", "validate", "index.d.ts"),
    );
  });

  it("declares types for both, CommonJS's its own (so TypeScript types a require as CommonJS)", () => {
    const pkg = node([
      "-e",
      `const p = require("./package.json"); const e = p.exports["."]; console.log(JSON.stringify([p.types, e.import.types, e.require.types, p.main]))`,
    ]);
    expect(JSON.parse(pkg)).toEqual([
      "./dist/index.d.ts",
      "./dist/index.d.ts",
      "./dist/cjs/index.d.ts",
      "./dist/cjs/index.js",
    ]);
  });
});

/**
 * Executes the `@example`s of the doc comments in src/ (gguf, safetensors, tfjs, read, node) and
 * the examples of the README: each `// => shown` checks the line it ends (or the line above),
 * evaluated after the example's earlier lines with the package's exports in scope.
 */
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import * as docs from "../../core/test/show.js";
import * as models from "../src/index.js";
import * as node from "../src/node.js";

const SRC = join(import.meta.dirname, "../src");
const scope = { ...models, ...node };

// The ONNX side documents and tests its own examples.
const mine = docs.sourceFiles(SRC).filter((f) => !relative(SRC, f).startsWith("onnx"));
const fromDocs = docs.docExamples(SRC, mine);
const fromReadme = docs
  .readmeExamples(join(import.meta.dirname, "../README.md"), ["ts", "js"])
  .filter((e) => !e.code.some((l) => l.includes("readOnnx")));

describe("examples", () => {
  it("finds them", () => {
    expect(fromDocs.length).toBeGreaterThan(8);
    expect(fromReadme.length).toBeGreaterThan(5);
  });
  it.each([...fromDocs, ...fromReadme].map((e) => [e.where, e] as const))("%s", (_, example) => {
    expect(docs.shownBy(example, scope)).toBe(docs.normalize(example.shown));
  });
});

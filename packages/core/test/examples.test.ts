/**
 * Executes every `@example` in the doc comments of src/, so an example cannot rot: each
 * `// => shown` line checks the line above it, evaluated after the example's earlier lines with the
 * package's exports in scope.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import * as core from "../src/index.js";
import * as kernels from "../src/kernels/index.js";
import { docExamples, normalize, shownBy, sourceFiles } from "./show.js";

const SRC = join(import.meta.dirname, "../src");
const examples = docExamples(SRC, sourceFiles(SRC));

describe("doc comment examples", () => {
  it("finds the examples", () => {
    expect(examples.length).toBeGreaterThan(10);
  });

  it.each(examples.map((e) => [e.where, e] as const))("%s", (_, example) => {
    // The second entry's exports are in scope too: its functions document themselves the same way.
    expect(shownBy(example, { ...kernels, ...core })).toBe(normalize(example.shown));
  });
});

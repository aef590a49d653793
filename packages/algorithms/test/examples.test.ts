/**
 * Executes the `@example`s of the doc comments in src/ and the README's examples: each
 * `// => shown` checks the line it ends (or the line above), evaluated after the example's
 * earlier lines with the package's exports in scope.
 */
import { join } from "node:path";
import * as core from "@quantlab/core";
import { describe, expect, it } from "vitest";
import * as docs from "../../core/test/show.js";
import * as algorithms from "../src/index.js";

const SRC = join(import.meta.dirname, "../src");
const fromDocs = docs.docExamples(SRC, docs.sourceFiles(SRC));
const fromReadme = docs.readmeExamples(join(import.meta.dirname, "../README.md"));

describe("examples", () => {
  it("finds them", () => {
    expect(fromDocs.length).toBeGreaterThan(12);
    expect(fromReadme.length).toBeGreaterThan(3);
  });
  it.each([...fromDocs, ...fromReadme].map((e) => [e.where, e] as const))("%s", (_, example) => {
    expect(docs.shownBy(example, { ...core, ...algorithms })).toBe(docs.normalize(example.shown));
  });
});

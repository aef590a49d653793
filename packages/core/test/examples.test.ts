/**
 * Executes every `@example` in the doc comments of src/, so an example cannot rot: each
 * `// => shown` line checks the line above it, evaluated after the example's earlier lines with the
 * package's exports in scope.
 */
import { readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import * as core from "../src/index.js";
import * as kernels from "../src/kernels/index.js";
import { evaluate, normalize, show, sourceFiles } from "./show.js";

const SRC = join(import.meta.dirname, "../src");

interface Example {
  where: string;
  code: string[];
  shown: string;
}

function examplesOf(file: string): Example[] {
  const lines = readFileSync(file, "utf8").split("\n");
  const examples: Example[] = [];
  lines.forEach((line, n) => {
    if (!/^\s*\*\s*@example\b/.test(line)) return;
    const code: string[] = [];
    for (let i = n + 1; i < lines.length; i++) {
      const text = (lines[i] as string).replace(/^\s*\*\s?/, "");
      if (/^\s*\*\//.test(lines[i] as string) || text.startsWith("@")) break;
      // `// => shown` checks the line above; `expression; // => shown` checks its own line.
      const inline = /^(.+?)\s*\/\/ => (.*)$/.exec(text);
      const shown = /^\/\/ => (.*)$/.exec(text);
      if (inline && !shown) code.push(inline[1] as string);
      else if (!shown) code.push(text);
      const expected = shown?.[1] ?? inline?.[2];
      if (expected !== undefined) {
        examples.push({
          where: `${relative(SRC, file)}:${i + 1}`,
          code: [...code],
          shown: expected,
        });
      }
    }
  });
  return examples;
}

const examples = sourceFiles(SRC).flatMap(examplesOf);

describe("doc comment examples", () => {
  it("finds the examples", () => {
    expect(examples.length).toBeGreaterThan(10);
  });

  it.each(examples.map((e) => [e.where, e] as const))("%s", (_, example) => {
    // The second entry's exports are in scope too: its functions document themselves the same way.
    const value = evaluate(example.code, { ...kernels, ...core });
    expect(normalize(show(value))).toBe(normalize(example.shown));
  });
});

/**
 * Every exported function and class of the package has a doc comment with a summary, `@throws`
 * where it validates, and an `@example` (which examples.test.ts runs).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import * as core from "../src/index.js";
import { sourceFiles } from "./show.js";

const SRC = join(import.meta.dirname, "../src");

/**
 * The doc comment right above `export function name` or `export class name`, by name. Kernels share
 * some names with the public functions (kernels/integer.ts' packInt4): the public one wins.
 */
const docs = new Map<string, string>();
const kernelsFirst = (file: string) => (file.includes("/kernels/") ? 0 : 1);
const files = sourceFiles(SRC).sort((a, b) => kernelsFirst(a) - kernelsFirst(b));
for (const file of files) {
  const text = readFileSync(file, "utf8");
  const declaration = /\/\*\*((?:(?!\*\/)[\s\S])*)\*\/\s*export (?:function|class) (\w+)/g;
  for (const match of text.matchAll(declaration)) docs.set(match[2] as string, match[1] as string);
}

const callables = Object.entries(core)
  .filter(([, value]) => typeof value === "function")
  .map(([name]) => name);

describe("doc comments", () => {
  it.each(callables)("%s has a summary and an @example", (name) => {
    const doc = docs.get(name);
    expect(doc, `no doc comment above export ${name}`).toBeDefined();
    const summary =
      (doc as string)
        .replace(/^\s*\*\s?/gm, "")
        .trim()
        .split("\n")[0] ?? "";
    expect(summary.length).toBeGreaterThan(10);
    expect(doc).toMatch(/@example/);
  });
});

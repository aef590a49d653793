/**
 * Executes the `@example`s of the doc comments in src/ and the README's examples: each
 * `// => shown` checks the line it ends (or the line above), evaluated after the example's
 * earlier lines with the package's exports in scope.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import * as core from "@quantlab/core";
import { describe, expect, it } from "vitest";
import * as algorithms from "../src/index.js";
import { evaluate, normalize, show } from "./show.js";

const SRC = join(import.meta.dirname, "../src");

interface Example {
  where: string;
  code: string[];
  shown: string;
}

function examplesOf(
  where: string,
  lines: string[],
  prefix: RegExp,
  start: (line: string) => boolean,
  end: (line: string) => boolean,
): Example[] {
  const examples: Example[] = [];
  lines.forEach((line, n) => {
    if (!start(line)) return;
    const code: string[] = [];
    for (let i = n + 1; i < lines.length && !end(lines[i]); i++) {
      const text = lines[i].replace(prefix, "");
      const inline = /^(.+?)\s*\/\/ => (.*)$/.exec(text);
      const shown = /^\/\/ => (.*)$/.exec(text);
      if (inline && !shown) code.push(inline[1]);
      else if (!shown) code.push(text);
      const expected = shown?.[1] ?? inline?.[2];
      if (expected !== undefined)
        examples.push({ where: `${where}:${i + 1}`, code: [...code], shown: expected });
    }
  });
  return examples;
}

const docExamples = readdirSync(SRC)
  .filter((f) => f.endsWith(".ts"))
  .flatMap((file) =>
    examplesOf(
      file,
      readFileSync(join(SRC, file), "utf8").split("\n"),
      /^\s*\*\s?/,
      (line) => /^\s*\*\s*@example\b/.test(line),
      (line) => /^\s*\*\//.test(line) || /^\s*\*\s*@/.test(line),
    ),
  );
const readmeExamples = examplesOf(
  "README.md",
  readFileSync(join(import.meta.dirname, "../README.md"), "utf8").split("\n"),
  /^/,
  (line) => line === "```ts",
  (line) => line === "```",
);

describe("examples", () => {
  it("finds them", () => {
    expect(docExamples.length).toBeGreaterThan(12);
    expect(readmeExamples.length).toBeGreaterThan(3);
  });
  it.each([...docExamples, ...readmeExamples].map((e) => [e.where, e] as const))(
    "%s",
    (_, example) => {
      const code = example.code.filter((l) => !/^\s*import\b/.test(l));
      expect(normalize(show(evaluate(code, { ...core, ...algorithms })))).toBe(
        normalize(example.shown),
      );
    },
  );
});

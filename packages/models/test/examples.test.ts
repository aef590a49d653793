/**
 * Executes the `@example`s of the doc comments in src/ (gguf, safetensors, tfjs, read, node) and
 * the examples of the README: each `// => shown` checks the line it ends (or the line above),
 * evaluated after the example's earlier lines with the package's exports in scope.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import * as models from "../src/index.js";
import * as node from "../src/node.js";
import { evaluate, normalize, show } from "./show.js";

const SRC = join(import.meta.dirname, "../src");
const scope = { ...models, ...node };

interface Example {
  where: string;
  code: string[];
  shown: string;
}

/** Examples in `lines`: `prefix` strips the comment's `* `; `end` tells where an example stops. */
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

const sources = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? sources(join(dir, e.name))
      : e.name.endsWith(".ts")
        ? [join(dir, e.name)]
        : [],
  );

// The ONNX side documents and tests its own examples.
const mine = sources(SRC).filter((f) => !relative(SRC, f).startsWith("onnx"));
const docExamples = mine.flatMap((file) =>
  examplesOf(
    relative(SRC, file),
    readFileSync(file, "utf8").split("\n"),
    /^\s*\*\s?/,
    (line) => /^\s*\*\s*@example\b/.test(line),
    (line) => /^\s*\*\//.test(line) || /^\s*\*\s*@/.test(line),
  ),
);
const readme = readFileSync(join(import.meta.dirname, "../README.md"), "utf8").split("\n");
const readmeExamples = examplesOf(
  "README.md",
  readme,
  /^/,
  (line) => line === "```ts" || line === "```js",
  (line) => line === "```",
).filter((e) => !e.code.some((l) => l.includes("readOnnx")));

describe("examples", () => {
  it("finds them", () => {
    expect(docExamples.length).toBeGreaterThan(8);
    expect(readmeExamples.length).toBeGreaterThan(5);
  });
  it.each([...docExamples, ...readmeExamples].map((e) => [e.where, e] as const))(
    "%s",
    (_, example) => {
      const code = example.code.filter((l) => !/^\s*import\b/.test(l));
      expect(normalize(show(evaluate(code, scope)))).toBe(normalize(example.shown));
    },
  );
});

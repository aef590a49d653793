import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";

/** Every .ts file under `dir`, generated code left out. */
export function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "generated" ? [] : sourceFiles(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

/** Prints a value the way the docs write it: `Int8Array [ 1, 2 ]`, `{ a: 1, b: "x" }`. */
export function show(value: unknown): string {
  if (typeof value === "number") return Object.is(value, -0) ? "-0" : String(value);
  if (typeof value === "string") return JSON.stringify(value);
  if (ArrayBuffer.isView(value)) {
    const items = Array.from(value as unknown as ArrayLike<number>, show);
    return `${value.constructor.name} [ ${items.join(", ")} ]`;
  }
  if (Array.isArray(value)) return `[ ${value.map(show).join(", ")} ]`;
  if (typeof value === "object" && value !== null) {
    const fields = Object.entries(value).map(([k, v]) => `${k}: ${show(v)}`);
    return `{ ${fields.join(", ")} }`;
  }
  return String(value);
}

/** Spacing is free: `[1, 2]` reads as `[ 1, 2 ]`. */
export function normalize(text: string): string {
  return text
    .replace(/\s+/g, " ")
    .replace(/([[{]) /g, "$1")
    .replace(/ ([\]}])/g, "$1");
}

/** Evaluates `code` (its last line an expression) with every export of `scope` in scope. */
export function evaluate(code: string[], scope: Record<string, unknown>): unknown {
  const body = [...code];
  const last = (body.pop() as string).replace(/;\s*$/, "");
  const names = Object.keys(scope);
  const run = new Function(...names, `${body.join("\n")}\nreturn (${last});`);
  return run(...names.map((name) => scope[name]));
}

/** What `f` throws, as `Name: message`, or "no error": the form the error tests compare. */
export function message(f: () => unknown): string {
  try {
    f();
  } catch (error) {
    return `${(error as Error).name}: ${(error as Error).message}`;
  }
  return "no error";
}

/** One `// => shown` check: the code up to the line it ends (or follows), and what it shows. */
export interface Example {
  readonly where: string;
  readonly code: string[];
  readonly shown: string;
}

/**
 * The examples in `lines`: each starts after a line that `start` accepts and stops at one that
 * `end` accepts; `prefix` strips the comment's `* `. `// => shown` checks the line above it;
 * `expression; // => shown` checks its own line.
 */
export function examplesIn(
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
    for (let i = n + 1; i < lines.length && !end(lines[i] as string); i++) {
      const text = (lines[i] as string).replace(prefix, "");
      const inline = /^(.+?)\s*\/\/ => (.*)$/.exec(text);
      const shown = /^\/\/ => (.*)$/.exec(text);
      if (inline && !shown) code.push(inline[1] as string);
      else if (!shown) code.push(text);
      const expected = shown?.[1] ?? inline?.[2];
      if (expected !== undefined) {
        examples.push({ where: `${where}:${i + 1}`, code: [...code], shown: expected });
      }
    }
  });
  return examples;
}

/** The `@example`s of the doc comments in `files`, named relative to `root`. */
export function docExamples(root: string, files: string[]): Example[] {
  return files.flatMap((file) =>
    examplesIn(
      relative(root, file),
      readFileSync(file, "utf8").split("\n"),
      /^\s*\*\s?/,
      (line) => /^\s*\*\s*@example\b/.test(line),
      (line) => /^\s*\*\//.test(line) || /^\s*\*\s*@/.test(line),
    ),
  );
}

/** The examples in a README's code blocks fenced with one of `fences` (```ts by default). */
export function readmeExamples(path: string, fences = ["ts"]): Example[] {
  return examplesIn(
    "README.md",
    readFileSync(path, "utf8").split("\n"),
    /^/,
    (line) => fences.some((f) => line === `\`\`\`${f}`),
    (line) => line === "```",
  );
}

/** What an example shows, import lines left out, with `scope`'s names defined. */
export function shownBy(example: Example, scope: Record<string, unknown>): string {
  const code = example.code.filter((line) => !/^\s*import\b/.test(line));
  return normalize(show(evaluate(code, scope)));
}

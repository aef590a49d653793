/** Every row of the README's bad-input table, evaluated: the README cannot drift from the code. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import * as core from "../src/index.js";
import { evaluate, normalize, show } from "./show.js";

const readme = readFileSync(join(import.meta.dirname, "../README.md"), "utf8");
const table =
  readme.split("<!-- bad-inputs:start -->")[1]?.split("<!-- bad-inputs:end -->")[0] ?? "";
const rows = table
  .split("\n")
  .filter((line) => line.startsWith("| `"))
  .map((line) => {
    const [, call, answer] = /^\| `(.+?)` \| (.+) \|$/.exec(line) ?? [];
    return [call as string, (answer as string).replace(/\\\|/g, "|")] as const;
  });

function outcome(call: string): string {
  try {
    return `\`${normalize(show(evaluate([call], core)))}\``;
  } catch (error) {
    return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  }
}

describe("README bad-input table", () => {
  it("has rows", () => expect(rows.length).toBeGreaterThan(20));
  it.each(rows)("%s", (call, answer) => {
    expect(outcome(call)).toBe(
      answer.startsWith("`") ? `\`${normalize(answer.slice(1, -1))}\`` : answer,
    );
  });
});

/** The command-line parser: values, repeats, `--`, suggestions, and the help's wrapping. */
import { describe, expect, it } from "vitest";
import {
  type CommandSpec,
  editDistance,
  helpText,
  parseArgs,
  suggest,
  UsageError,
  wrap,
} from "../src/args.js";

const SPEC: CommandSpec = {
  name: "demo",
  summary: "a command for the tests",
  usage: "quantlab demo IN",
  positionals: [{ name: "IN", help: "the input" }],
  flags: [
    { name: "per-channel", type: "boolean", help: "a switch" },
    { name: "block", type: "integer", value: "N", min: 2, max: 64, help: "a number" },
    { name: "format", type: "string", choices: ["qdq", "gguf-q4_K"], help: "a choice" },
    { name: "set", type: "string", repeatable: true, help: "repeatable" },
    { name: "seed", type: "integer", help: "any integer" },
  ],
  examples: ["quantlab demo model.onnx"],
};

const usage = (argv: string[]) => {
  try {
    parseArgs(SPEC, argv);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error("no UsageError");
};

describe("parseArgs", () => {
  it("reads flags in both spellings, repeats, and positionals after --", () => {
    expect(
      parseArgs(SPEC, [
        "m.onnx",
        "--block",
        "32",
        "--format=GGUF-Q4_k",
        "--set",
        "a=1",
        "--set=b=2",
        "--per-channel",
        "--seed",
        "-3",
      ]),
    ).toEqual({
      positionals: ["m.onnx"],
      flags: { block: 32, format: "gguf-q4_K", set: ["a=1", "b=2"], "per-channel": true, seed: -3 },
      help: false,
    });
    expect(parseArgs(SPEC, ["--", "--per-channel"]).positionals).toEqual(["--per-channel"]);
    expect(parseArgs(SPEC, ["-h"]).help).toBe(true);
  });

  it("refuses what it cannot read, saying what it expected", () => {
    expect(usage(["m", "--blok", "3"])).toBe("unknown flag --blok; did you mean --block?");
    expect(usage(["m", "--zzz"])).toBe("unknown flag --zzz");
    expect(usage(["m", "-b", "3"])).toBe("unknown flag -b");
    expect(usage(["m", "--block", "1"])).toBe("--block takes an integer from 2 to 64; received 1");
    expect(usage(["m", "--block", "2.5"])).toBe('--block takes an integer; received "2.5"');
    expect(usage(["m", "--block", "--per-channel"])).toBe("--block needs a value (N)");
    expect(usage(["m", "--format", "qqd"])).toBe(
      '--format takes one of qdq, gguf-q4_K; received "qqd"; did you mean qdq?',
    );
    expect(usage(["m", "--per-channel=1"])).toBe(
      "--per-channel takes no value; received --per-channel=1",
    );
    expect(usage(["m", "--block", "4", "--block", "8"])).toBe("--block is given twice");
    expect(usage([])).toBe("missing IN: quantlab demo takes IN");
    expect(usage(["a", "b"])).toBe("too many arguments (b): quantlab demo takes IN");
  });
});

describe("suggestions and help", () => {
  it("suggests the nearest word within a third of its length", () => {
    expect(editDistance("inspct", "inspect")).toBe(1);
    expect(editDistance("per-chnanel", "per-channel")).toBe(1); // a transposition
    expect(suggest("quantise", ["inspect", "quantize", "compare"])).toBe("quantize");
    expect(suggest("comp", ["inspect", "quantize", "compare"])).toBe("compare");
    expect(suggest("xyzzy", ["inspect", "quantize", "compare"])).toBeUndefined();
  });

  it("wraps the help at 100 columns under its column", () => {
    const text = wrap("one two three four five", 14, 4, "  -x  ");
    expect(text).toBe("  -x  one two\n    three four\n    five");
    for (const line of helpText(SPEC).split("\n")) expect(line.length).toBeLessThanOrEqual(100);
    expect(helpText(SPEC)).toContain("  --block N       a number\n");
  });
});

/**
 * Progress: a bar redrawn in place on a terminal, plain lines elsewhere (never a carriage
 * return or an escape sequence), nothing with --quiet or for work quicker than the delay.
 */
import { describe, expect, it } from "vitest";
import { progress } from "../src/io.js";
import { main } from "../src/main.js";
import { collector, fixtureDir } from "./helpers.js";

/** A carriage return or an escape sequence: what redraws a terminal line. */
const control = (text: string) => text.includes("\r") || text.includes("\u001b");
const CLEAR = "\r\u001b[2K";

describe("progress", () => {
  it("writes a line per tenth of the work when stderr is not a terminal", () => {
    const err = collector(false);
    const p = progress(err, "quantize", 4, 100, "tensors", false, 0);
    for (const w of [10, 40, 25, 25]) p.advance(w);
    p.done();
    expect(control(err.text)).toBe(false);
    expect(err.text.replace(/\d+\.\d s/g, "T s")).toBe(
      [
        "quantize: 4 tensors",
        "quantize: 10% (1/4 tensors, T s)",
        "quantize: 50% (2/4 tensors, T s)",
        "quantize: 70% (3/4 tensors, T s)",
        "quantize: done (4/4 tensors, T s)",
        "",
      ].join("\n"),
    );
  });

  it("draws a bar in place on a terminal, and clears it at the end", () => {
    const err = collector(true);
    const p = progress(err, "quantize", 2, 2, "tensors", false, 0);
    p.advance(1);
    p.advance(1);
    p.done();
    expect(err.text.startsWith(`${CLEAR}quantize [`)).toBe(true);
    expect(err.text.slice(CLEAR.length)).toMatch(/^quantize \[ +\] {3}0% 0\/2 tensors \d+\.\d s/);
    expect(err.text).toContain("] 100% 2/2 tensors");
    expect(err.text).toContain("[==============================]");
    expect(err.text.endsWith(CLEAR)).toBe(true);
    expect(err.text).not.toContain("\n");
  });

  it("prints nothing with --quiet, or before the delay", () => {
    const quiet = collector(true);
    const p = progress(quiet, "x", 3, 3, "tensors", true, 0);
    p.advance(1);
    p.done();
    const early = collector(false);
    const q = progress(early, "x", 3, 3, "tensors", false, 60_000);
    for (let i = 0; i < 3; i++) q.advance(1);
    q.done();
    expect([quiet.text, early.text]).toEqual(["", ""]);
  });

  it("goes to stderr, leaving stdout to the result, in the command", async () => {
    const dir = fixtureDir();
    for (const tty of [false, true]) {
      const stdout = collector(false);
      const stderr = collector(tty);
      const code = await main(["inspect", "tiny.onnx", "--json"], {
        stdout,
        stderr,
        cwd: dir,
        progressAfterMs: 0,
      });
      expect(code).toBe(0);
      expect(JSON.parse(stdout.text).totals.tensors).toBe(5);
      if (tty) expect(stderr.text.startsWith(`${CLEAR}inspect [`)).toBe(true);
      else {
        expect(control(stderr.text)).toBe(false);
        expect(stderr.text).toMatch(
          /^inspect: 5 tensors\n(inspect: \d+% .*\n)*inspect: done \(5\/5 tensors, \d+\.\d s\)\n$/,
        );
      }
    }
  });
});

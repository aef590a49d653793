// The kernel's guard (scripts/lib/kernel.mjs) on a stand-in executor: which cell an error nobody
// handled fails, what it says, and what the end-of-notebook wait waits for. The real kernel runs
// in notebooks.test.mjs.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const CHILD = join(fileURLToPath(new URL(".", import.meta.url)), "fixtures", "guard-child.mjs");

/** Runs a scenario of guard-child.mjs; returns [{ ok, stderr }] per cell. */
function scenario(name) {
  const child = spawnSync(process.execPath, [CHILD, name], { encoding: "utf8", timeout: 30_000 });
  assert.equal(child.status, 0, child.stderr);
  return JSON.parse(child.stdout);
}

test("handled rejections, awaited timers, intervals and unref'd timers fail nothing", () => {
  const cells = scenario("quiet");
  assert.deepEqual(
    cells.map((cell) => cell.ok),
    [true, true, true, true, true, true],
  );
  assert.deepEqual(
    cells.map((cell) => cell.stderr),
    ["", "", "", "", "", ""],
  );
});

test("a promise rejected and left by a cell fails that cell, with the error", () => {
  const [first, second, third] = scenario("now");
  assert.equal(first.ok, true);
  assert.equal(second.ok, false);
  assert.match(second.stderr, /^Unhandled promise rejection: Error: boom\n/);
  assert.deepEqual(third, { ok: true, stderr: "" });
});

test("a rejection after a few microtasks still fails the cell that made it", () => {
  const [cell] = scenario("microtasks");
  assert.equal(cell.ok, false);
  assert.match(cell.stderr, /^Unhandled promise rejection: Error: soon/);
});

test("a rejection that comes while a later cell runs fails that cell, naming the first", () => {
  const [first, second, third] = scenario("during");
  assert.equal(first.ok, true);
  assert.equal(second.ok, false);
  assert.match(second.stderr, /^Unhandled promise rejection \(from \[1\]\): Error: late/);
  assert.deepEqual(third, { ok: true, stderr: "" });
});

test("a rejection that comes between cells: the next cell is not run", () => {
  const [first, second] = scenario("between");
  assert.equal(first.ok, true);
  assert.equal(second.ok, false);
  assert.match(second.stderr, /^Unhandled promise rejection \(from \[1\]\): Error: late/);
  assert.match(second.stderr, /\[2\] was not run/);
});

test("the end-of-notebook wait catches a rejection that comes after the last cell", () => {
  const cells = scenario("afterLast");
  assert.deepEqual(
    cells.map((cell) => cell.ok),
    [true, true, false],
  );
  assert.match(cells[2].stderr, /^Unhandled promise rejection \(from \[2\]\): Error: late/);
});

test("an exception thrown in a timer's callback fails like a rejection", () => {
  const [first, end] = scenario("uncaught");
  assert.equal(first.ok, true);
  assert.equal(end.ok, false);
  assert.match(end.stderr, /^Uncaught exception \(from \[1\]\): Error: thrown/);
});

test("an error from outside any cell fails the next cell, and says so", () => {
  const [first, second] = scenario("outside");
  assert.equal(first.ok, true);
  assert.equal(second.ok, false);
  assert.match(second.stderr, /\(outside any cell\): Error: nobody's/);
});

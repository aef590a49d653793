// The notebook pipeline (scripts/lib/notebooks.mjs, notebooks.py, kernel.mjs):
// - D13: a failure names the cell that was executing, with its source (a kernel killed in cell 3,
//   a cell past --timeout);
// - an error nobody handles (a rejected promise; a throw in a timer after the last cell) fails the
//   run (kernel.test.mjs tries the other cases on a stand-in executor);
// They run throwaway notebooks on the real tslab kernel.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import {
  BUILD_DIR,
  executeNotebooks,
  KERNEL_NAME,
  NOTEBOOKS_DIR,
  writeKernelSpec,
} from "../lib/notebooks.mjs";
import { ensureJupyter } from "../lib/setup.mjs";
import { UserError } from "../lib/util.mjs";

/** Writes a notebook of code cells (one string each) for the project's kernel. */
function writeNotebook(path, cells) {
  const nb = {
    cells: cells.map((source) => ({
      cell_type: "code",
      execution_count: null,
      metadata: {},
      outputs: [],
      source,
    })),
    metadata: {
      kernelspec: {
        name: KERNEL_NAME,
        display_name: "TypeScript (quantlab)",
        language: "typescript",
      },
    },
    nbformat: 4,
    nbformat_minor: 5,
  };
  writeFileSync(path, JSON.stringify(nb));
}

/** Splits executeNotebooks' error into each failed notebook's report, by file name. */
function reports(message) {
  const found = {};
  for (const part of message.split(/^--- /m).slice(1)) {
    const name = part.slice(0, part.indexOf("\n")).split("/").at(-1);
    found[name] = part;
  }
  return found;
}

describe("the tslab kernel through the runner", { timeout: 300_000 }, () => {
  // Cells that must pass: handled rejections, awaited timers, a cleared interval, an unref'd timer.
  const QUIET = [
    'Promise.reject(new Error("handled")).catch(() => {}); 1',
    'try { await Promise.reject(new Error("caught")); } catch {} 2',
    "await new Promise((r) => setTimeout(r, 20)); const t = setInterval(() => {}, 1000); 3",
    "const u = setTimeout(() => {}, 100_000); u.unref(); clearInterval(t); 4",
  ];
  const NOTEBOOKS = {
    "01-exit.ipynb": ['console.log("one")', 'console.log("two")', "process.exit(1)", "5"],
    "02-timeout.ipynb": ['console.log("one")', "await new Promise((r) => setTimeout(r, 60_000))"],
    "03-reject.ipynb": [...QUIET, 'Promise.reject(new Error("boom"))', 'console.log("six")'],
    "04-after-last.ipynb": [
      'console.log("one")',
      'setTimeout(() => { throw new Error("thrown"); }, 200); 2',
    ],
  };
  let dir;
  let found;
  let seconds;

  before(async () => {
    // Under build/ (git-ignored), with notebooks/node_modules linked in: the kernel runs in the
    // notebook's folder and finds tslab's and Node's types there.
    mkdirSync(BUILD_DIR, { recursive: true });
    dir = mkdtempSync(join(BUILD_DIR, "test-notebooks-"));
    symlinkSync(join(NOTEBOOKS_DIR, "node_modules"), join(dir, "node_modules"));
    for (const [name, cells] of Object.entries(NOTEBOOKS)) writeNotebook(join(dir, name), cells);
    writeKernelSpec();
    const python = await ensureJupyter();
    const start = performance.now();
    const error = await executeNotebooks({
      python,
      env: process.env,
      notebooks: Object.keys(NOTEBOOKS).map((name) => join(dir, name)),
      outDir: join(dir, "out"),
      timeout: 3,
    }).then(
      () => null,
      (e) => e,
    );
    seconds = (performance.now() - start) / 1000;
    assert.ok(error instanceof UserError, `expected failures; got ${error}`);
    found = reports(error.message);
  });
  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test("every notebook failed, and says where", (t) => {
    t.diagnostic(`${Object.keys(NOTEBOOKS).length} notebooks in ${seconds.toFixed(1)} s`);
    assert.deepEqual(Object.keys(found).sort(), Object.keys(NOTEBOOKS));
  });

  test("D13: a kernel killed in cell 3 is reported as cell 3, with its source", () => {
    const report = found["01-exit.ipynb"];
    assert.match(report, /cell 3 failed:\n {4}process\.exit\(1\)\n/);
    assert.match(report, /the kernel died/i);
  });

  test("D13: a cell past --timeout is reported as that cell, with its source", () => {
    const report = found["02-timeout.ipynb"];
    assert.match(
      report,
      /cell 2 failed:\n {4}await new Promise\(\(r\) => setTimeout\(r, 60_000\)\)\n/,
    );
    assert.match(report, /timed out after 3 s/);
  });

  test("a rejected promise nothing awaits fails its cell, with the error", () => {
    const report = found["03-reject.ipynb"];
    assert.match(report, /cell 5 failed:\n {4}Promise\.reject\(new Error\("boom"\)\)\n/);
    assert.match(report, /Unhandled promise rejection: Error: boom/);
  });

  test("an exception thrown in a timer after the last cell fails the run", () => {
    const report = found["04-after-last.ipynb"];
    assert.match(report, /after the last cell/);
    assert.match(report, /Uncaught exception \(from \[2\]\): Error: thrown/);
  });

  test("partially executed copies keep the notebook's own cells only", () => {
    const copy = JSON.parse(readFileSync(join(dir, "out", "03-reject.failed.ipynb"), "utf8"));
    assert.equal(copy.cells.length, NOTEBOOKS["03-reject.ipynb"].length);
    assert.deepEqual(
      copy.cells.slice(0, 5).map((cell) => cell.execution_count),
      [1, 2, 3, 4, 5],
    );
  });
});

// The notebook pipeline (scripts/lib/notebooks.mjs, notebooks.py, kernel.mjs):
// - D13: a failure names the cell that was executing, with its source (a kernel killed in cell 3,
//   a cell past --timeout);
// - an error nobody handles (a rejected promise; a throw in a timer after the last cell) fails the
//   run (kernel.test.mjs tries the other cases on a stand-in executor);
// - a failed build keeps the site's pages, and a partial build (--only) replaces only its own.
// The first part runs throwaway notebooks on the real tslab kernel; the second uses a stand-in
// for Python (fixtures/fake-python.mjs).
import assert from "node:assert/strict";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import {
  BUILD_DIR,
  buildSite,
  executeNotebooks,
  KERNEL_NAME,
  NOTEBOOKS_DIR,
  writeKernelSpec,
} from "../lib/notebooks.mjs";
import { ensureJupyter } from "../lib/setup.mjs";
import { UserError } from "../lib/util.mjs";

const FIXTURES = join(fileURLToPath(new URL(".", import.meta.url)), "fixtures");

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

describe("building the site: only a run that passes replaces pages", () => {
  let dir;
  let site;
  let python;
  const notebook = (name) => join(dir, "notebooks", `${name}.ipynb`);
  const page = (name) => readFileSync(join(site, `${name}.html`), "utf8");
  const build = (run, names, options = {}) =>
    buildSite({
      python,
      env: { ...process.env, FAKE_RUN: run },
      siteDir: site,
      notebooks: names.map(notebook),
      ...options,
    });
  const indexLinks = () =>
    [
      ...readFileSync(join(site, "index.html"), "utf8").matchAll(/<li><a href="([^"]+)\.html">/g),
    ].map((match) => decodeURIComponent(match[1]));

  before(() => {
    dir = mkdtempSync(join(BUILD_DIR, "test-site-"));
    site = join(dir, "site");
    mkdirSync(join(dir, "notebooks"));
    for (const name of ["01-a", "02-b", "03-fail", "04-remote"]) {
      const cells = [{ cell_type: "markdown", metadata: {}, source: `# Title ${name}` }];
      writeFileSync(notebook(name), JSON.stringify({ cells, metadata: {}, nbformat: 4 }));
    }
    python = join(dir, "python");
    writeFileSync(
      python,
      `#!/bin/sh\nexec "${process.execPath}" "${join(FIXTURES, "fake-python.mjs")}" "$@"\n`,
    );
    chmodSync(python, 0o755);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("a full build writes every page and the index", async () => {
    mkdirSync(join(site, "api"), { recursive: true });
    writeFileSync(join(site, "api", "index.html"), "api");
    await build("1", ["01-a", "02-b"]);
    assert.match(readFileSync(join(site, "index.html"), "utf8"), /<a href="api\/index.html">/);
    assert.equal(readFileSync(join(site, "api", "index.html"), "utf8"), "api");
    assert.equal(page("01-a"), "<p>01-a from run 1</p>");
    assert.equal(page("02-b"), "<p>02-b from run 1</p>");
    assert.deepEqual(indexLinks(), ["01-a", "02-b"]);
    assert.deepEqual(
      readdirSync(dir).filter((name) => name.includes("staging")),
      [],
      "staging folder left behind",
    );
  });

  test("a failed run keeps the pages and index of the last good one", async () => {
    const index = readFileSync(join(site, "index.html"), "utf8");
    await assert.rejects(build("2", ["01-a", "02-b", "03-fail"]), /03-fail\.ipynb: cell 1 failed/);
    assert.equal(page("01-a"), "<p>01-a from run 1</p>");
    assert.equal(page("02-b"), "<p>02-b from run 1</p>");
    assert.equal(readFileSync(join(site, "index.html"), "utf8"), index);
    assert.ok(existsSync(join(site, "03-fail.failed.ipynb")), "the failed copy is kept");
  });

  test("a page that loads from another machine keeps the old pages too", async () => {
    await assert.rejects(build("3", ["01-a", "04-remote"]), /load from other machines/);
    assert.equal(page("01-a"), "<p>01-a from run 1</p>");
    assert.ok(!existsSync(join(site, "04-remote.html")));
  });

  test("--only (partial) replaces that notebook's page and keeps the others", async () => {
    await build("4", ["02-b"], { partial: true });
    assert.equal(page("01-a"), "<p>01-a from run 1</p>");
    assert.equal(page("02-b"), "<p>02-b from run 4</p>");
    assert.deepEqual(indexLinks(), ["01-a", "02-b"]);
  });

  test("a full build removes the pages of notebooks it no longer builds, and failed copies", async () => {
    await build("5", ["02-b"]);
    assert.ok(!existsSync(join(site, "01-a.html")) && !existsSync(join(site, "01-a.ipynb")));
    assert.ok(!existsSync(join(site, "03-fail.failed.ipynb")));
    assert.deepEqual(indexLinks(), ["02-b"]);
  });
});

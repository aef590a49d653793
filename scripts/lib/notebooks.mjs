// The notebook pipeline: a tslab kernel for Jupyter, notebooks executed by Jupyter (nbclient),
// exported to offline HTML pages, and an index page.
import { spawn } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { availableParallelism } from "node:os";
import { basename, delimiter, join, resolve } from "node:path";
import { MATHJAX_DIR } from "./setup.mjs";
import { ROOT, rel, run, say, UserError } from "./util.mjs";

/** The kernelspec name the notebooks must carry in metadata.kernelspec.name. */
export const KERNEL_NAME = "quantlab-tslab";
export const KERNEL_DISPLAY_NAME = "TypeScript (quantlab)";

export const NOTEBOOKS_DIR = join(ROOT, "notebooks");
export const BUILD_DIR = join(ROOT, "build");
const KERNELS_HOME = join(BUILD_DIR, "jupyter");
const HELPER = join(ROOT, "scripts", "notebooks.py");
/** The tslab package the kernel (scripts/lib/kernel.mjs) runs. */
export const TSLAB_DIR = join(NOTEBOOKS_DIR, "node_modules", "tslab");
const KERNEL = join(ROOT, "scripts", "lib", "kernel.mjs");

/** notebooks/NN-*.ipynb, in reading order. */
export function listNotebooks() {
  return readdirSync(NOTEBOOKS_DIR)
    .filter((name) => /^\d\d-.+\.ipynb$/.test(name))
    .sort()
    .map((name) => join(NOTEBOOKS_DIR, name));
}

/**
 * Writes the kernelspec (scripts/lib/kernel.mjs: tslab from notebooks/node_modules, TypeScript,
 * run by this Node) to build/jupyter/kernels/quantlab-tslab. Executions find it through
 * JUPYTER_PATH, so they use this clone's tslab whatever else is registered. Returns the folder.
 */
export function writeKernelSpec() {
  if (!existsSync(join(TSLAB_DIR, "package.json"))) {
    throw new UserError(`${rel(TSLAB_DIR)} is missing: run \`pnpm install\` (npm start does it).`);
  }
  const dir = join(KERNELS_HOME, "kernels", KERNEL_NAME);
  mkdirSync(dir, { recursive: true });
  const spec = {
    argv: [process.execPath, KERNEL, "--config-path", "{connection_file}"],
    display_name: KERNEL_DISPLAY_NAME,
    language: "typescript",
  };
  writeFileSync(join(dir, "kernel.json"), `${JSON.stringify(spec, null, 2)}\n`);
  return dir;
}

/** Registers the kernelspec for the current user's Jupyter (idempotent), for `jupyter notebook`. */
export async function registerKernel(python, specDir) {
  const { stdout } = await run(python, [HELPER, "install-kernel", specDir, KERNEL_NAME], {
    capture: true,
  });
  say(`kernel ${KERNEL_NAME}: ${stdout.trim()}`);
}

/** The environment Jupyter runs in: our kernelspec first. */
export function jupyterEnv(env) {
  const path = env.JUPYTER_PATH ? `${KERNELS_HOME}${delimiter}${env.JUPYTER_PATH}` : KERNELS_HOME;
  return { ...env, JUPYTER_PATH: path, PYDEVD_DISABLE_FILE_VALIDATION: "1" };
}

/** Notebooks committed with outputs or execution counts (they should be committed clean). */
export function notebooksWithOutputs(notebooks) {
  return notebooks.filter((path) => {
    const nb = JSON.parse(readFileSync(path, "utf8"));
    return nb.cells.some(
      (cell) => cell.cell_type === "code" && (cell.outputs?.length || cell.execution_count != null),
    );
  });
}

function executeOne(python, env, notebook, { outDir, failedDir, html, mathjaxUrl, timeout }) {
  const args = [HELPER, "run", notebook, "--out-dir", outDir, "--kernel", KERNEL_NAME];
  if (failedDir) args.push("--failed-dir", failedDir);
  if (timeout !== undefined) args.push("--timeout", String(timeout));
  if (html) args.push("--html");
  if (html && mathjaxUrl) args.push("--mathjax-url", mathjaxUrl);
  const start = performance.now();
  return new Promise((resolve) => {
    const child = spawn(python, args, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk) => {
      output += chunk;
    });
    child.stderr.on("data", (chunk) => {
      output += chunk;
    });
    child.on("error", (error) => {
      output += error.message;
    });
    child.on("close", (code) => {
      const seconds = (performance.now() - start) / 1000;
      resolve({ notebook, ok: code === 0, seconds, output: output.trim() });
    });
  });
}

/**
 * Executes the notebooks with Jupyter and the tslab kernel (working directory: each notebook's
 * folder), writing executed copies (and HTML pages with `html`) to outDir, and the partially
 * executed copy of a failed one to failedDir (default outDir). `timeout`: seconds per cell
 * (default 600). Runs up to two at a time. Throws a UserError naming every notebook that failed,
 * with the failed cell, its source and its error.
 */
export async function executeNotebooks({
  python,
  env,
  notebooks,
  outDir,
  failedDir,
  html,
  mathjaxUrl,
  timeout,
}) {
  mkdirSync(outDir, { recursive: true });
  const options = { outDir, failedDir, html, mathjaxUrl, timeout };
  const queue = [...notebooks];
  const results = [];
  const worker = async () => {
    for (let notebook = queue.shift(); notebook; notebook = queue.shift()) {
      const result = await executeOne(python, jupyterEnv(env), notebook, options);
      const mark = result.ok ? "ok" : "FAILED";
      say(`${mark} ${rel(notebook)} (${result.seconds.toFixed(1)}s)`);
      results.push(result);
    }
  };
  // One kernel at a time: two tslab kernels side by side in one folder have failed with tslab's
  // "Unexpected pending rebuildTimer" (a TypeScript directory watcher firing in one kernel while
  // the other worked); one at a time costs about a minute for the course.
  const workers = Math.max(1, Math.min(1, availableParallelism(), notebooks.length));
  await Promise.all(Array.from({ length: workers }, worker));
  const failed = results.filter((result) => !result.ok);
  if (failed.length > 0) {
    const details = failed.map((result) => `--- ${rel(result.notebook)}\n${result.output}`);
    throw new UserError(`${failed.length} notebook(s) failed:\n${details.join("\n")}`);
  }
  return results;
}

/** The parts of MathJax 2.7 that the TeX-AMS_CHTML-full configuration loads. */
const MATHJAX_PARTS = [
  "MathJax.js",
  "config/TeX-AMS_CHTML-full.js",
  "config/Safe.js",
  "config/local",
  "extensions",
  "jax/input/TeX",
  "jax/element",
  "jax/output/CommonHTML",
  "fonts/HTML-CSS/TeX/woff",
];

/**
 * Copies the needed parts of a local MathJax 2.7 (Debian's libjs-mathjax) to
 * siteDir/vendor/mathjax. Returns the mathjax_url for pages in siteDir, or null if there is none.
 */
export function copyMathJax(siteDir) {
  if (!existsSync(join(MATHJAX_DIR, "MathJax.js"))) return null;
  const target = join(siteDir, "vendor", "mathjax");
  if (!existsSync(join(target, "MathJax.js"))) {
    for (const part of MATHJAX_PARTS) {
      const from = join(MATHJAX_DIR, part);
      if (existsSync(from))
        cpSync(from, join(target, part), { recursive: true, dereference: true });
    }
  }
  return "vendor/mathjax/MathJax.js?config=TeX-AMS_CHTML-full,Safe";
}

/** The first markdown heading of a notebook, as plain text. */
export function notebookTitle(path) {
  const nb = JSON.parse(readFileSync(path, "utf8"));
  for (const cell of nb.cells) {
    if (cell.cell_type !== "markdown") continue;
    const source = Array.isArray(cell.source) ? cell.source.join("") : cell.source;
    const heading = /^#{1,6}\s+(.+?)\s*#*\s*$/m.exec(source);
    if (heading) return heading[1].replace(/[*_`]/g, "");
  }
  return basename(path, ".ipynb");
}

/** Text for HTML content and quoted attributes: & < > " ' as character references. */
const escapeHtml = (text) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A relative link to a file of the site's folder: the name URL-encoded, then escaped. */
const hrefTo = (file) => escapeHtml(encodeURIComponent(file));

/**
 * Writes the index of siteDir (to `file`, by default siteDir/index.html): the notebooks in order,
 * each linking to its page and notebook. Names and titles go in as text (escaped), links
 * URL-encoded, whatever characters they hold.
 */
export function writeIndex(siteDir, notebooks, file = join(siteDir, "index.html")) {
  const items = notebooks.map((path) => {
    const name = basename(path, ".ipynb");
    return (
      `    <li><a href="${hrefTo(`${name}.html`)}">${escapeHtml(notebookTitle(path))}</a>` +
      ` <small>(<a href="${hrefTo(`${name}.ipynb`)}" download>${escapeHtml(`${name}.ipynb`)}</a>)</small></li>`
    );
  });
  const api = existsSync(join(siteDir, "api", "index.html"))
    ? '\n  <p><a href="api/index.html">API reference</a> of @quantlab/core and @quantlab/plot.</p>'
    : "";
  const html = `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>quantlab notebooks</title>
  <style>
    body { font: 16px/1.5 system-ui, sans-serif; max-width: 46rem; margin: 3rem auto; padding: 0 1rem; color: #222; }
    a { color: #1565c0; }
    li { margin: 0.5rem 0; }
    small { color: #666; }
  </style>
</head>
<body>
  <h1>quantlab notebooks</h1>
  <p>Neural-network quantization in TypeScript, executed with Jupyter and tslab.</p>
  <ol>
${items.join("\n")}
  </ol>${api}
</body>
</html>
`;
  writeFileSync(file, html);
}

/** script/link/img/iframe tags in the site's HTML that load something from another machine. */
export function remoteReferences(siteDir) {
  const pattern =
    /<(script|link|img|iframe|source|embed)\b[^>]*?\b(src|href)\s*=\s*["']?((?:https?:)?\/\/[^"'\s>]+)/gi;
  const found = [];
  for (const name of readdirSync(siteDir).filter((n) => n.endsWith(".html"))) {
    const html = readFileSync(join(siteDir, name), "utf8");
    for (const match of html.matchAll(pattern))
      found.push(`${name}: <${match[1]} ${match[2]}=${match[3]}>`);
    for (const match of html.matchAll(/@import\s+(?:url\()?["']?((?:https?:)?\/\/[^"')\s]+)/gi)) {
      found.push(`${name}: @import ${match[1]}`);
    }
  }
  return found;
}

/** Files a buildSite writes: pages, executed notebooks, failed copies, the index. */
const SITE_PRODUCT = /^(\d\d-.+\.(html|ipynb)|index\.html)$/;

/** An executed notebook in the site (not a failed copy). */
const EXECUTED = /^\d\d-.+(?<!\.failed)\.ipynb$/;

/** The files of one notebook in the site: its page, executed copy and failed copy. */
const filesOf = (notebook) => {
  const name = basename(notebook, ".ipynb");
  return [`${name}.html`, `${name}.ipynb`, `${name}.failed.ipynb`];
};

/**
 * Builds the site in siteDir: every notebook executed, its page, vendor/mathjax, index.html.
 * The notebooks run into a staging folder beside siteDir; only when all of them pass and no page
 * loads from another machine are their files moved into siteDir (each replaced at once), and the
 * pages of notebooks no longer built removed. A failure leaves the site as it was, plus the
 * partially executed copy NN-name.failed.ipynb. With `partial`, only these notebooks' files are
 * replaced and the others' pages stay; the index lists every executed notebook in the site.
 * Other folders (vendor/, and api/ from the docs package) stay. Throws a UserError if a notebook
 * fails or a page references another machine.
 */
export async function buildSite({
  python,
  env,
  siteDir,
  notebooks = listNotebooks(),
  partial = false,
  timeout,
}) {
  if (notebooks.length === 0)
    throw new UserError(`no notebooks/NN-*.ipynb in ${rel(NOTEBOOKS_DIR)}`);
  mkdirSync(siteDir, { recursive: true });
  const mathjaxUrl = copyMathJax(siteDir);
  const stage = mkdtempSync(`${resolve(siteDir)}.staging-`);
  try {
    const results = await executeNotebooks({
      python,
      env,
      notebooks,
      outDir: stage,
      failedDir: siteDir,
      html: true,
      mathjaxUrl,
      timeout,
    });
    // The index lists the executed copies the site will hold: this run's, and with `partial`
    // the other notebooks' already there.
    const copies = new Map();
    const executedIn = (dir) => readdirSync(dir).filter((n) => EXECUTED.test(n));
    if (partial) for (const name of executedIn(siteDir)) copies.set(name, join(siteDir, name));
    for (const name of executedIn(stage)) copies.set(name, join(stage, name));
    const listed = [...copies.keys()].sort().map((name) => copies.get(name));
    writeIndex(siteDir, listed, join(stage, "index.html"));
    const remote = remoteReferences(stage);
    if (remote.length > 0) {
      throw new UserError(
        `pages load from other machines (they must work offline):\n  ${remote.join("\n  ")}`,
      );
    }
    const made = new Set(readdirSync(stage));
    const stale = partial
      ? notebooks.flatMap(filesOf).filter((name) => !made.has(name))
      : readdirSync(siteDir).filter((name) => SITE_PRODUCT.test(name) && !made.has(name));
    for (const name of [...made].filter((name) => name !== "index.html"))
      renameSync(join(stage, name), join(siteDir, name));
    for (const name of stale) rmSync(join(siteDir, name), { force: true });
    renameSync(join(stage, "index.html"), join(siteDir, "index.html"));
    return results;
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

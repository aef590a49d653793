// The notebook pipeline: a tslab kernel for Jupyter, and notebooks executed by Jupyter (nbclient)
// into executed copies (the site, scripts/lib/site.mjs, turns those into pages).
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { delimiter, join } from "node:path";
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

function executeOne(python, env, notebook, { outDir, failedDir, timeout }) {
  const args = [HELPER, "run", notebook, "--out-dir", outDir, "--kernel", KERNEL_NAME];
  if (failedDir) args.push("--failed-dir", failedDir);
  if (timeout !== undefined) args.push("--timeout", String(timeout));
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
 * folder), writing executed copies to outDir, and the partially
 * executed copy of a failed one to failedDir (default outDir). `timeout`: seconds per cell
 * (default 600). Runs up to two at a time. Throws a UserError naming every notebook that failed,
 * with the failed cell, its source and its error.
 */
export async function executeNotebooks({ python, env, notebooks, outDir, failedDir, timeout }) {
  mkdirSync(outDir, { recursive: true });
  const options = { outDir, failedDir, timeout };
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

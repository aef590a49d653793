// The project's commands, one place for each: `npm run <name>` runs them through scripts/run.mjs,
// and `npm test` runs the same ones as its steps. Each takes the environment that has pnpm on
// PATH (setup.ensurePnpm) and the arguments after `--`.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { jupyterEnv, NOTEBOOKS_DIR, writeKernelSpec } from "./notebooks.mjs";
import { JUPYTER_REQUIREMENTS, turboEnv } from "./setup.mjs";
import { ROOT, rel, run, UserError } from "./util.mjs";
import { ensureVenv } from "./venv.mjs";

const turbo = (env, args) => run("pnpm", ["turbo", ...args], { env: turboEnv(env) });

/** Builds one package (and what it depends on) quietly, on stderr, before a command uses it. */
const buildOnly = (env, pkg) =>
  turbo(env, ["run", "build", `--filter=${pkg}`, "--output-logs=errors-only"]);

/** `node FILE args` (with run's `options`), after checking that the build produced FILE. */
function runBuilt(env, file, args, options = {}) {
  const path = join(ROOT, file);
  if (!existsSync(path)) throw new UserError(`${rel(path)} is missing: the build did not make it`);
  return run(process.execPath, [path, ...args], { env, ...options });
}

/** A task's run: builds `pkg` (buildOnly), then runs its built `file` (runBuilt). */
const buildThenRun = (pkg, file) => async (env, args) => {
  await buildOnly(env, pkg);
  return runBuilt(env, file, args);
};

export const TASKS = {
  build: {
    about: "builds every package (turbo caches: an unchanged package is not rebuilt)",
    run: (env, args) => turbo(env, ["run", "build", "--output-logs=errors-only", ...args]),
  },
  typecheck: {
    about: "tsc --noEmit in every package",
    run: (env, args) => turbo(env, ["run", "typecheck", "--output-logs=errors-only", ...args]),
  },
  lint: {
    about: "Biome: formatting and lint rules over the whole tree",
    run: (env, args) => run("pnpm", ["biome", "check", ".", ...args], { env }),
  },
  format: {
    about: "Biome, writing its fixes",
    run: (env, args) => run("pnpm", ["biome", "check", "--write", ".", ...args], { env }),
  },
  unit: {
    about: "vitest in every package",
    run: (env, args) => turbo(env, ["run", "test", ...args]),
  },
  conformance: {
    about: "the golden reference cases through @quantlab/core's public API",
    run: buildThenRun("@quantlab/conformance", "packages/conformance/dist/cli.js"),
  },
  bench: {
    about:
      "quantlab against onnxruntime, tfjs, the gguf Python package, a plain loop and a memory copy",
    run: buildThenRun("@quantlab/bench", "packages/bench/dist/cli.js"),
  },
  mutation: {
    about:
      "StrykerJS over core's source (about an hour; incremental: unchanged code is not re-run)",
    run: async (env, args) => {
      await buildOnly(env, "@quantlab/core");
      return run("pnpm", ["--filter", "@quantlab/core", "run", "mutation", ...args], { env });
    },
  },
  quantlab: {
    about:
      "the quantlab CLI (built first), in the folder npm was run from: inspect, quantize, compare",
    run: async (env, args) => {
      await run(
        "pnpm",
        ["turbo", "run", "build", "--filter=@quantlab/cli", "--output-logs=errors-only"],
        {
          env: turboEnv(env),
          toStderr: true,
        },
      );
      // npm runs scripts at the root; INIT_CWD is where the user typed the command.
      const cwd = process.env.INIT_CWD || process.cwd();
      const { code } = await runBuilt(env, "packages/cli/dist/bin.js", args, {
        cwd,
        allowFailure: true,
      });
      process.exitCode = code;
    },
  },
  lab: {
    about: "JupyterLab on notebooks/ with the quantlab kernel (JupyterLab from build/venv/jupyter)",
    run: async (env, args) => {
      await TASKS.build.run(env, []);
      const python = await ensureVenv("jupyter", JUPYTER_REQUIREMENTS);
      writeKernelSpec();
      const lab = ["-m", "jupyter", "lab", `--notebook-dir=${NOTEBOOKS_DIR}`, ...args];
      return run(python, lab, { env: jupyterEnv(env) });
    },
  },
};

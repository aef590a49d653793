// Project-local Python virtual environments in build/venv/<name>: made with `python3 -m venv` and
// filled by pip from a pinned requirements file. Nothing is installed into the system's Python.
// A venv is refilled only when its requirements file changes (a stamp file records its hash).
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT, rel, run, say, UserError } from "./util.mjs";

export const VENV_HOME = join(ROOT, "build", "venv");

const MIN_PYTHON = [3, 9];

/** The first Python 3 on this machine that can make a venv (QUANTLAB_PYTHON first), or undefined. */
export function basePython() {
  const candidates = [process.env.QUANTLAB_PYTHON, "python3", "/usr/bin/python3"].filter(Boolean);
  const probe = `import sys, venv, ensurepip; sys.exit(0 if sys.version_info >= (${MIN_PYTHON}) else 1)`;
  return candidates.find((python) => spawnSync(python, ["-c", probe]).status === 0);
}

/** The python executable of venv `name` (it may not exist yet). */
export const venvPython = (name) => join(VENV_HOME, name, "bin", "python");

const stampOf = (name) => join(VENV_HOME, name, ".quantlab-requirements.sha256");
const hashOf = (requirements) =>
  createHash("sha256").update(readFileSync(requirements)).digest("hex");

/** Whether build/venv/<name> exists and holds exactly `requirements` as last installed. */
export function venvReady(name, requirements) {
  const stamp = stampOf(name);
  return (
    existsSync(venvPython(name)) &&
    existsSync(stamp) &&
    readFileSync(stamp, "utf8").trim() === hashOf(requirements)
  );
}

/**
 * Returns the python of build/venv/<name>, creating the venv and installing `requirements` (a
 * pip requirements file) into it when it is missing or the file changed since the last install.
 */
export async function ensureVenv(name, requirements) {
  const dir = join(VENV_HOME, name);
  const python = venvPython(name);
  if (venvReady(name, requirements)) return python;
  const base = basePython();
  if (!base) {
    throw new UserError(
      `Python ${MIN_PYTHON.join(".")}+ with the venv module is missing: install it (Debian: ` +
        "`apt-get install python3 python3-venv`), or set QUANTLAB_PYTHON to a python3.",
    );
  }
  if (!existsSync(python)) {
    say(`creating the virtual environment ${rel(dir)} (${base})`);
    rmSync(dir, { recursive: true, force: true });
    await run(base, ["-m", "venv", dir]);
  }
  say(`pip install -r ${rel(requirements)} into ${rel(dir)}`);
  // One retry, not pip's five with backoff: where an index is unreachable (an offline machine
  // with a local index beside it), five retries per package add minutes.
  const env = { PIP_RETRIES: "1", ...process.env, PIP_DISABLE_PIP_VERSION_CHECK: "1" };
  const start = performance.now();
  const result = await run(python, ["-m", "pip", "install", "-q", "-r", requirements], {
    env,
    capture: true,
    allowFailure: true,
  });
  if (result.code !== 0) {
    throw new UserError(
      `pip install -r ${rel(requirements)} failed (exit code ${result.code}):\n` +
        `${result.stdout}${result.stderr}`.trim(),
    );
  }
  writeFileSync(stampOf(name), `${hashOf(requirements)}\n`);
  say(`installed in ${((performance.now() - start) / 1000).toFixed(1)}s`);
  return python;
}

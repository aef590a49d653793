// Gets a clean clone ready: Node check, pnpm, dependencies, Jupyter, built packages.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import { ROOT, rel, run, say, UserError } from "./util.mjs";
import { ensureVenv, venvPython, venvReady } from "./venv.mjs";

const MIN_NODE_MAJOR = 20;

/** Stops unless this Node is recent enough. */
export function checkNode() {
  const major = Number(process.versions.node.split(".")[0]);
  if (major < MIN_NODE_MAJOR) {
    throw new UserError(
      `Node ${process.versions.node} is too old: quantlab needs Node >= ${MIN_NODE_MAJOR}.`,
    );
  }
  return process.versions.node;
}

function pnpmVersionOn(env) {
  const result = spawnSync("pnpm", ["--version"], { env, encoding: "utf8", cwd: ROOT });
  return result.status === 0 ? result.stdout.trim() : null;
}

/**
 * Returns an environment whose PATH has the pnpm version named in package.json's
 * "packageManager". Uses the one on PATH when it is that version; otherwise fetches it once with
 * `npm exec` (cached by npm in ~/.npm/_npx) and puts its bin folder first on PATH, so that turbo
 * and the notebook kernel's children find the same pnpm.
 */
export function ensurePnpm(env = process.env) {
  const manifest = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
  const wanted = /^pnpm@(\d+\.\d+\.\d+)/.exec(manifest.packageManager ?? "")?.[1];
  if (!wanted) throw new UserError('package.json: "packageManager" must be "pnpm@X.Y.Z"');
  if (pnpmVersionOn(env) === wanted) return { env, version: wanted, source: "PATH" };

  const finder =
    "const fs=require('fs'),p=require('path');" +
    "const d=process.env.PATH.split(p.delimiter).find(d=>fs.existsSync(p.join(d,'pnpm')));" +
    "process.stdout.write(d||'')";
  const result = spawnSync(
    "npm",
    ["exec", "--yes", `--package=pnpm@${wanted}`, "--", "node", "-e", finder],
    { env: { ...env, npm_config_update_notifier: "false" }, encoding: "utf8", cwd: ROOT },
  );
  const bin = result.status === 0 ? result.stdout.trim() : "";
  const withPnpm = { ...env, PATH: `${bin}${delimiter}${env.PATH ?? ""}` };
  if (!bin || pnpmVersionOn(withPnpm) !== wanted) {
    throw new UserError(
      `Could not get pnpm ${wanted} through npm (\`npm exec --package=pnpm@${wanted}\`).\n` +
        `${result.stderr ?? ""}\nInstall it yourself: npm install -g pnpm@${wanted}`,
    );
  }
  return { env: withPnpm, version: wanted, source: bin };
}

/** Folders of the workspace packages (from pnpm-workspace.yaml's simple `- dir` / `- dir/*`). */
export function workspaceDirs() {
  const yaml = readFileSync(join(ROOT, "pnpm-workspace.yaml"), "utf8");
  const dirs = [ROOT];
  for (const [, pattern] of yaml.matchAll(/^\s*-\s*["']?([^"'\n#]+?)["']?\s*$/gm)) {
    if (pattern.endsWith("/*")) {
      const parent = join(ROOT, pattern.slice(0, -2));
      if (!existsSync(parent)) continue;
      for (const entry of readdirSync(parent, { withFileTypes: true })) {
        if (entry.isDirectory()) dirs.push(join(parent, entry.name));
      }
    } else {
      dirs.push(join(ROOT, pattern));
    }
  }
  return dirs.filter((dir) => existsSync(join(dir, "package.json")));
}

function installFingerprint() {
  const hash = createHash("sha256");
  for (const file of ["pnpm-lock.yaml", "pnpm-workspace.yaml"]) {
    const path = join(ROOT, file);
    hash.update(`${file}\0${existsSync(path) ? readFileSync(path) : ""}\0`);
  }
  for (const dir of workspaceDirs())
    hash.update(`${dir}\0${readFileSync(join(dir, "package.json"))}\0`);
  return hash.digest("hex");
}

const STAMP = join(ROOT, "node_modules", ".quantlab-install.sha256");

/**
 * Runs `pnpm install --frozen-lockfile` unless node_modules was installed from the same
 * lockfile and package.json files (a fingerprint kept in node_modules). Returns true if it ran.
 * With `quiet`, says nothing when there is nothing to do, and sends pnpm's output to stderr.
 */
export async function ensureInstall(env, { quiet = false } = {}) {
  const fingerprint = installFingerprint();
  const installed = existsSync(join(ROOT, "node_modules", ".modules.yaml"));
  if (installed && existsSync(STAMP) && readFileSync(STAMP, "utf8").trim() === fingerprint) {
    if (!quiet) say("dependencies up to date");
    return false;
  }
  say(installed ? "lockfile or package.json changed: pnpm install" : "pnpm install");
  await run("pnpm", ["install", "--frozen-lockfile", "--config.confirmModulesPurge=false"], {
    env,
    toStderr: quiet,
  });
  writeFileSync(STAMP, `${fingerprint}\n`);
  return true;
}

/** Jupyter's requirements for the project's own venv (build/venv/jupyter). */
export const JUPYTER_REQUIREMENTS = join(ROOT, "scripts", "requirements", "jupyter.txt");

// A usable Jupyter has these modules, with nbclient 0.7 or newer (what the runner is written for).
const JUPYTER_PROBE =
  "import nbformat, nbclient, ipykernel, jupyter_client, sys\n" +
  "v = lambda m: tuple(int(p) for p in m.__version__.split('.')[:2])\n" +
  "sys.exit(0 if v(nbclient) >= (0, 7) else 1)";

const usable = (python) => spawnSync(python, ["-c", JUPYTER_PROBE]).status === 0;

/**
 * Returns a Python that runs Jupyter (nbclient, ipykernel): QUANTLAB_PYTHON if set (it
 * must qualify), else the project's venv build/venv/jupyter if it is ready, else a usable system
 * python3, else it makes that venv and installs scripts/requirements/jupyter.txt into it with pip.
 */
export async function ensureJupyter() {
  const chosen = process.env.QUANTLAB_PYTHON;
  if (chosen) {
    if (usable(chosen)) return chosen;
    throw new UserError(
      `QUANTLAB_PYTHON=${chosen} cannot run Jupyter: it needs nbformat, ` +
        "nbclient >= 0.7, ipykernel and jupyter_client. Install them for it " +
        `(\`${chosen} -m pip install -r ${rel(JUPYTER_REQUIREMENTS)}\`), or unset QUANTLAB_PYTHON ` +
        "to let npm start install them into build/venv/jupyter.",
    );
  }
  const venv = venvPython("jupyter");
  if (venvReady("jupyter", JUPYTER_REQUIREMENTS) && usable(venv)) return venv;
  const system = ["python3", "/usr/bin/python3"].find(usable);
  if (system) return system;
  say("no usable Jupyter found: installing JupyterLab, nbclient and ipykernel with pip");
  const python = await ensureVenv("jupyter", JUPYTER_REQUIREMENTS);
  if (usable(python)) return python;
  throw new UserError(`${rel(python)} still cannot run Jupyter after pip install: see above.`);
}

/**
 * Where the browser tests find Chromium: CHROMIUM_PATH, or /usr/bin/chromium when it is unset or
 * empty. The twin of `chromiumPath()` in packages/plot/src/render/png.ts, which the tests and
 * scripts/screenshot.mjs call; this copy exists because setup runs before anything is installed or
 * built. Change both together.
 */
export const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";

/**
 * Makes sure Chromium is there for the tests that render in a browser (plot's PNG renderer, the
 * fast path in a page, the site). There is no pip or npm route to a browser that works offline, so
 * on Debian/Ubuntu as root it installs Debian's chromium with apt-get (and says so); elsewhere it
 * stops with what to install.
 */
export async function ensureChromium() {
  if (existsSync(CHROMIUM)) return CHROMIUM;
  const debian = existsSync("/etc/debian_version") && existsSync("/usr/bin/apt-get");
  if (debian && process.getuid?.() === 0 && CHROMIUM === "/usr/bin/chromium") {
    say("installing Chromium with apt-get (Debian's chromium package), for the browser tests");
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    await run("apt-get", ["update", "-q"], { env });
    await run("apt-get", ["install", "-y", "-q", "--no-install-recommends", "chromium"], { env });
    if (existsSync(CHROMIUM)) return CHROMIUM;
  }
  throw new UserError(
    `Chromium is missing at ${CHROMIUM}: the browser tests need it. Install it (Debian: ` +
      "`sudo apt-get install chromium`), or set CHROMIUM_PATH to its path.",
  );
}

/** Environment for turbo: no telemetry, no update notice, no color codes in a log file. */
export function turboEnv(env) {
  const plain = !process.stdout.isTTY && !env.FORCE_COLOR ? { NO_COLOR: "1" } : {};
  return { ...env, ...plain, TURBO_TELEMETRY_DISABLED: "1", TURBO_NO_UPDATE_NOTIFIER: "1" };
}

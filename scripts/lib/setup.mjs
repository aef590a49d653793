// Gets a clean clone ready: Node check, pnpm, dependencies, Jupyter, built packages.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import { ROOT, run, say, UserError } from "./util.mjs";

const MIN_NODE_MAJOR = 20;

/** Debian packages that provide Jupyter (nbconvert + nbclient + ipykernel) and a local MathJax. */
export const APT_PACKAGES = [
  "jupyter-notebook",
  "jupyter-nbconvert",
  "python3-nbconvert",
  "python3-nbclient",
  "python3-ipykernel",
  "jupyter-client",
  "libjs-mathjax",
];

/** Where Debian's libjs-mathjax puts MathJax 2 (override with MATHJAX_DIR). */
export const MATHJAX_DIR = process.env.MATHJAX_DIR || "/usr/share/javascript/mathjax";

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
 */
export async function ensureInstall(env) {
  const fingerprint = installFingerprint();
  const installed = existsSync(join(ROOT, "node_modules", ".modules.yaml"));
  if (installed && existsSync(STAMP) && readFileSync(STAMP, "utf8").trim() === fingerprint) {
    say("dependencies up to date");
    return false;
  }
  say(installed ? "lockfile or package.json changed: pnpm install" : "pnpm install");
  await run("pnpm", ["install", "--frozen-lockfile", "--config.confirmModulesPurge=false"], {
    env,
  });
  writeFileSync(STAMP, `${fingerprint}\n`);
  return true;
}

const JUPYTER_MODULES = "import nbformat, nbconvert, nbclient, ipykernel, jupyter_client";

function pythonWithJupyter() {
  const candidates = [process.env.QUANTLAB_PYTHON, "/usr/bin/python3", "python3"].filter(Boolean);
  return candidates.find((python) => spawnSync(python, ["-c", JUPYTER_MODULES]).status === 0);
}

/**
 * Returns a Python that can run Jupyter (nbconvert, nbclient, ipykernel). On Debian/Ubuntu as
 * root it installs the Debian packages when they (or MathJax) are missing; elsewhere it stops
 * with what to install.
 */
export async function ensureJupyter() {
  let python = pythonWithJupyter();
  const hasMathJax = existsSync(join(MATHJAX_DIR, "MathJax.js"));
  if (python && hasMathJax) return python;

  const debian = existsSync("/etc/debian_version") && existsSync("/usr/bin/apt-get");
  const root = process.getuid?.() === 0;
  const aptLine = `apt-get install -y --no-install-recommends ${APT_PACKAGES.join(" ")}`;
  if (debian && root) {
    say(`installing Jupyter from Debian packages: ${APT_PACKAGES.join(" ")}`);
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    await run("apt-get", ["update", "-q"], { env });
    await run("apt-get", ["install", "-y", "-q", "--no-install-recommends", ...APT_PACKAGES], {
      env,
    });
    python = pythonWithJupyter();
    if (python) return python;
    throw new UserError("Jupyter is still missing after apt-get install: see the output above.");
  }
  if (python) {
    say(`warning: no MathJax at ${MATHJAX_DIR}: formulas in the HTML pages will show as TeX`);
    say("  (install Debian's libjs-mathjax, or set MATHJAX_DIR to a MathJax 2.7 folder)");
    return python;
  }
  throw new UserError(
    debian
      ? `Jupyter is missing. Install it, then run this again:\n  sudo ${aptLine}`
      : "Jupyter is missing: install nbconvert, nbclient and ipykernel for a Python 3\n" +
          "  (e.g. `python3 -m pip install nbconvert nbclient ipykernel`), then run this again;\n" +
          "  set QUANTLAB_PYTHON=/path/to/python3 if that Python is not the first python3 on PATH.",
  );
}

/** The golden reference results the tests compare with: QUANTLAB_GOLDEN, else ../shared/golden. */
export function ensureGolden() {
  const dir = process.env.QUANTLAB_GOLDEN || join(ROOT, "..", "shared", "golden");
  if (existsSync(dir)) return dir;
  throw new UserError(
    `The golden reference results are missing at ${dir}: they live in ../shared/golden beside ` +
      "the repository. Put them there, or set QUANTLAB_GOLDEN to their folder.",
  );
}

/** Where the browser tests find Chromium (override with CHROMIUM_PATH or CHROMIUM). */
export const CHROMIUM = process.env.CHROMIUM_PATH || process.env.CHROMIUM || "/usr/bin/chromium";

/**
 * Makes sure Chromium is there for the tests that render in a browser (plot's PNG renderer, the
 * fast path in a page). On Debian/Ubuntu as root it installs Debian's chromium; elsewhere it stops
 * with what to install.
 */
export async function ensureChromium() {
  if (existsSync(CHROMIUM)) return CHROMIUM;
  const debian = existsSync("/etc/debian_version") && existsSync("/usr/bin/apt-get");
  if (debian && process.getuid?.() === 0 && CHROMIUM === "/usr/bin/chromium") {
    say("installing Chromium from Debian packages, for the browser tests");
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    await run("apt-get", ["update", "-q"], { env });
    await run("apt-get", ["install", "-y", "-q", "--no-install-recommends", "chromium"], { env });
    if (existsSync(CHROMIUM)) return CHROMIUM;
  }
  throw new UserError(
    `Chromium is missing at ${CHROMIUM}: the browser tests need it. Install it (Debian: ` +
      "`sudo apt-get install chromium`), or set CHROMIUM to its path.",
  );
}

/** Environment for turbo: no telemetry, no update notice, no color codes in a log file. */
export function turboEnv(env) {
  const plain = !process.stdout.isTTY && !env.FORCE_COLOR ? { NO_COLOR: "1" } : {};
  return { ...env, ...plain, TURBO_TELEMETRY_DISABLED: "1", TURBO_NO_UPDATE_NOTIFIER: "1" };
}

/** Builds every package (turbo caches: a second run with no change is quick). */
export async function buildPackages(env) {
  await run("pnpm", ["turbo", "run", "build", "--output-logs=errors-only"], { env: turboEnv(env) });
}

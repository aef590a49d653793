// What the browser checks share (the screenshot step, the tools check, the consumer page):
// Chromium as @quantlab/plot knows it (its path and flags are defined there, once), launched so
// that no request leaves the machine, and a watcher for what must not happen on a page.
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { ROOT, UserError } from "./util.mjs";

const fromPlot = createRequire(join(ROOT, "packages/plot", "package.json"));
const fromScripts = createRequire(join(ROOT, "scripts", "package.json"));

function load(from, id, hint) {
  try {
    return from(id);
  } catch (error) {
    if (error?.code !== "MODULE_NOT_FOUND") throw error;
    throw new UserError(`${id} is missing: ${hint}.`);
  }
}

/**
 * Debian's Chromium through playwright-core, headless with @quantlab/plot's flags. With `offline`
 * every request for another machine goes to a proxy that is not there, so none leaves (the page's
 * "request" events still report it).
 */
export async function launchChromium({ offline = true } = {}) {
  const plotNode = load(
    fromPlot,
    "@quantlab/plot/node",
    "build the packages first (npm start does it)",
  );
  const { chromium } = load(
    fromScripts,
    "playwright-core",
    "run `pnpm install` (npm start does it)",
  );
  const executablePath = plotNode.chromiumPath();
  if (!existsSync(executablePath)) {
    throw new UserError(
      `${executablePath} is missing: apt-get install -y chromium (or set CHROMIUM_PATH).`,
    );
  }
  const proxy = ["--proxy-server=http://127.0.0.1:9", "--proxy-bypass-list=127.0.0.1"];
  return chromium.launch({
    executablePath,
    args: [...plotNode.CHROMIUM_ARGS, ...(offline ? proxy : [])],
  });
}

/** Collects what must not happen on a page into `problems` (a new list by default), and returns it. */
export function watch(page, origin, problems = []) {
  page.on("request", (request) => {
    const url = new URL(request.url());
    if (url.protocol === "data:" || url.protocol === "blob:" || url.origin === origin) return;
    problems.push(`request for another machine: ${request.url()}`);
  });
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console error: ${message.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("requestfailed", (request) => {
    const why = request.failure()?.errorText ?? "failed";
    // Other machines are reported as requests above; a prefetch cut short by the next navigation
    // is aborted.
    if (new URL(request.url()).origin !== origin || why === "net::ERR_ABORTED") return;
    problems.push(`request failed: ${request.url()} (${why})`);
  });
  page.on("response", (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
  });
  return problems;
}

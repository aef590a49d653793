// Opens every page of build/site in Debian's Chromium (headless, through playwright-core), waits
// for plots and formulas, and saves full-page PNGs to build/screenshots/. Reports console errors,
// page errors and failed requests; any request for another machine is blocked and reported.
// Exits 1 if anything was reported.
//   node scripts/screenshot.mjs [--site build/site] [--out build/screenshots] [--only NAME.html]
// Needs `npm start -- --no-serve` first, and Chromium (`apt-get install chromium`).
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { serve } from "./lib/serve.mjs";
import { exitWith, parseArgs, ROOT, rel, say, since, UserError } from "./lib/util.mjs";

// playwright-core is a devDependency of packages/plot, whose PNG renderer has the Chromium flags.
const requireFromPlot = createRequire(join(ROOT, "packages", "plot", "package.json"));

function load(id, hint) {
  try {
    return requireFromPlot(id);
  } catch {
    throw new UserError(`${id} is missing: ${hint}.`);
  }
}

const loadPlaywright = () => load("playwright-core", "run `pnpm install` (npm start does it)");
const plotNode = () => load("@quantlab/plot/node", "build the packages first (npm start does it)");

async function shoot(context, url, file) {
  const problems = [];
  const page = await context.newPage();
  await page.route("**/*", (route) => {
    const { protocol, hostname } = new URL(route.request().url());
    const local = protocol === "data:" || protocol === "blob:" || hostname === "127.0.0.1";
    if (local) return route.continue();
    problems.push(`blocked request to another machine: ${route.request().url()}`);
    return route.abort("blockedbyclient");
  });
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console error: ${message.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("requestfailed", (request) => {
    const reason = request.failure()?.errorText ?? "failed";
    if (reason !== "net::ERR_BLOCKED_BY_CLIENT")
      problems.push(`request failed: ${request.url()} (${reason})`);
  });
  page.on("response", (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
  });

  await page.goto(url, { waitUntil: "load", timeout: 60_000 });
  const plots = await page.locator(".js-plotly-plot").count();
  if (plots > 0) {
    await page
      .waitForFunction(
        () =>
          [...document.querySelectorAll(".js-plotly-plot")].every((plot) =>
            plot.querySelector("svg.main-svg"),
          ),
        null,
        { timeout: 30_000 },
      )
      .catch(() => problems.push("some plots did not draw an svg within 30 s"));
  }
  const formulas = await page.evaluate(
    () =>
      new Promise((done) => {
        const count = () => document.querySelectorAll(".MathJax_CHTML, .MathJax_Display").length;
        if (!window.MathJax?.Hub) return done(-1);
        window.MathJax.Hub.Queue(() => done(count()));
      }),
  );
  await page
    .waitForFunction(() => !document.getElementById("MathJax_Message")?.textContent, null, {
      timeout: 30_000,
    })
    .catch(() => problems.push("MathJax still busy after 30 s"));
  await page.screenshot({ path: file, fullPage: true });
  await page.close();
  return { plots, formulas, problems };
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const site = resolve(ROOT, options.site ?? "build/site");
  const out = resolve(ROOT, options.out ?? "build/screenshots");
  if (!existsSync(join(site, "index.html"))) {
    throw new UserError(
      `${rel(site)}/index.html is missing: run \`npm start -- --no-serve\` first.`,
    );
  }
  const chromiumBinary = plotNode().chromiumPath();
  if (!existsSync(chromiumBinary)) {
    throw new UserError(
      `${chromiumBinary} is missing: apt-get install -y chromium (or set CHROMIUM_PATH).`,
    );
  }
  const pages = options.only
    ? [options.only]
    : readdirSync(site)
        .filter((name) => name.endsWith(".html"))
        .sort();
  mkdirSync(out, { recursive: true });

  const { chromium } = loadPlaywright();
  const profile = mkdtempSync(join(tmpdir(), "quantlab-chromium-"));
  const { server, url } = await serve(site, 0);
  let failures = 0;
  let context;
  try {
    // A persistent context is how playwright takes a fresh --user-data-dir.
    context = await chromium.launchPersistentContext(profile, {
      executablePath: chromiumBinary,
      headless: true,
      args: [...plotNode().CHROMIUM_ARGS],
      viewport: { width: 1200, height: 900 },
    });
    for (const name of pages) {
      const start = performance.now();
      const file = join(out, name.replace(/\.html$/, ".png"));
      const { plots, formulas, problems } = await shoot(context, new URL(name, url).href, file);
      const math = formulas < 0 ? "no MathJax" : `${formulas} formulas`;
      say(
        `${problems.length ? "FAILED" : "ok"} ${name}: ${plots} plots, ${math} -> ${rel(file)} (${since(start)})`,
      );
      for (const problem of problems) say(`    ${problem}`);
      if (problems.length) failures++;
    }
  } finally {
    await context?.close();
    server.close();
    rmSync(profile, { recursive: true, force: true });
  }
  console.log(`${pages.length - failures} passed, ${failures} failed`);
  if (failures) process.exit(1);
}

main().catch(exitWith);

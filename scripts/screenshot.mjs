// The built site in Debian's Chromium (headless, through playwright-core), as a reader would meet it,
// served by scripts/lib/serve.mjs as `npm start` serves it. Checks, and fails (exit 1) on any miss:
//   pages       every page loads and hydrates without a console error, a page error, a failed
//               request, an HTTP error or any request for another machine (all are routed to a
//               dead proxy); on lesson pages every figure draws. The API entries beyond one of each
//               kind per module are shown through the router in one tab instead of a full load.
//   plotly      a lesson and the playground load one and the same plotly.js file, which draws
//               exactly the site's trace types (docs/lib/plotly.mjs PLOTLY_TRACES)
//   screenshots the landing page, every lesson, the glossary, the API index and `quantize`, the
//               playground and the inspector, at 1280 and 390 px wide (and a lesson in dark mode),
//               full page, in build/screenshots/; no label, annotation or axis title of a figure cut off at
//               the figure's edge
//   axe         axe-core on those pages (and widths, and the dark lesson): no serious or critical
//               violation
//   search      the local search finds a lesson by a phrase of its text, and `quantize`'s API page
//   budgets     per lesson: its HTML <= 300 KB; the bytes a first visit transfers <= 1.5 MB, a
//               second one (assets cached) <= 300 KB; and its text visible within 3 s on a slow
//               phone (1.6 Mbps, 150 ms latency, CPU 4x slower: DevTools protocol)
//   node scripts/screenshot.mjs [--site build/site] [--out build/screenshots]
// `npm run screenshot` runs it on build/site (`npm start -- --no-serve` builds it); `npm test`'s
// browser step on build/test-site.
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { PLOTLY_TRACES } from "../docs/lib/plotly.mjs";
import { launchChromium, watch } from "./lib/browser.mjs";
import { serve } from "./lib/serve.mjs";
import { exitWith, parseArgs, ROOT, rel, say, since, UserError } from "./lib/util.mjs";

/** The budgets (issue 14), in bytes and milliseconds. */
const BUDGETS = {
  html: 300 * 1024,
  uncached: 1.5 * 1024 * 1024,
  cached: 300 * 1024,
  visibleMs: 3000,
};

/** The slow phone: 1.6 Mbps down, 150 ms latency, CPU 4 times slower. */
const SLOW_NETWORK = {
  offline: false,
  latency: 150,
  downloadThroughput: 1_600_000 / 8,
  uploadThroughput: 750_000 / 8,
};
const SLOW_CPU = 4;
/** Loads per lesson under that profile; the median counts. */
const SLOW_RUNS = 3;

/** Pages photographed and checked with axe, besides every lesson. */
const SHOWN = [
  "index.html",
  "glossary.html",
  "api/index.html",
  "api/core/functions/quantize.html",
  "playground.html",
  "inspector.html",
];
const WIDTHS = [
  { width: 1280, height: 900 },
  { width: 390, height: 844 },
];

// Chromium comes through ./lib/browser.mjs; axe-core is a devDependency of docs.
const requireFrom = (pkg) => createRequire(join(ROOT, pkg, "package.json"));

const kb = (bytes) => `${(bytes / 1024).toFixed(0)} KB`;

/** Waits until Vue has hydrated the page (the theme marks <html data-hydrated> once mounted). */
const hydrated = (page) =>
  page.waitForSelector("html[data-hydrated]", { state: "attached", timeout: 30_000 });

/** Scrolls through the page so that every figure comes into view, then waits for them to draw. */
async function drawAllFigures(page) {
  // The playground: until its last update has drawn its figures.
  await page.waitForFunction(
    () => {
      const root = document.querySelector(".ql-playground");
      return (
        !root || (Number(root.dataset.updates) > 0 && root.dataset.settled === root.dataset.updates)
      );
    },
    null,
    { timeout: 60_000 },
  );
  const count = await page.locator(".nb-figure").count();
  if (count === 0) return { count, drawn: 0 };
  // Each figure in view until it has started drawing (its data requested): the observer's
  // callback may come late on a busy machine.
  await page.evaluate(async () => {
    for (const figure of document.querySelectorAll(".nb-figure")) {
      figure.scrollIntoView({ block: "center" });
      const until = performance.now() + 10_000;
      while (figure.dataset.state === "waiting" && performance.now() < until) {
        await new Promise((done) => setTimeout(done, 50));
      }
    }
    window.scrollTo(0, 0);
  });
  await page
    .waitForFunction(
      () =>
        [...document.querySelectorAll(".nb-figure")].every(
          (d) => d.dataset.state === "drawn" || d.dataset.state === "error",
        ),
      null,
      { timeout: 60_000 },
    )
    .catch(() => {});
  const drawn = await page.locator('.nb-figure[data-state="drawn"]').count();
  return { count, drawn };
}

/**
 * The text of the drawn figures (point and bar labels, annotations, axis titles) that reaches past its figure's
 * edge, where the page cuts it off: one line each, with the figure's number and by how many px.
 */
const clippedText = (page) =>
  page.evaluate(() => {
    const cut = [];
    document.querySelectorAll(".nb-figure[data-state='drawn']").forEach((figure, i) => {
      const svg = figure.querySelector(".main-svg");
      if (!svg) return;
      const edge = svg.getBoundingClientRect();
      for (const text of figure.querySelectorAll(
        ".textpoint text, .bartext, .annotation-text, .xtitle, .ytitle",
      )) {
        const box = text.getBoundingClientRect();
        if (box.width === 0) continue;
        const past = Math.max(edge.left - box.left, box.right - edge.right);
        if (past > 1) cut.push(`figure ${i + 1}: "${text.textContent}" by ${Math.round(past)} px`);
      }
    });
    return cut;
  });

/** axe-core's serious and critical violations on the page, one line each. */
async function axeViolations(page, axeSource) {
  await page.addScriptTag({ content: axeSource });
  const violations = await page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ["violations"] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.length,
      target: v.nodes[0]?.target?.join(" "),
    }));
  });
  return violations;
}

/** Bytes transferred by a page load, from the DevTools protocol (headers and bodies, encoded). */
async function measureTransfer(context, url, { figures = true } = {}) {
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  const bytes = new Map();
  const urls = new Map();
  cdp.on("Network.responseReceived", (event) => urls.set(event.requestId, event.response.url));
  cdp.on("Network.loadingFinished", (event) => bytes.set(event.requestId, event.encodedDataLength));
  await page.goto(url, { waitUntil: "load" });
  await hydrated(page);
  if (figures) await drawAllFigures(page);
  await page.waitForLoadState("networkidle");
  const perUrl = [...bytes].map(([id, n]) => ({ url: urls.get(id) ?? id, bytes: n }));
  await cdp.detach();
  await page.close();
  return { total: perUrl.reduce((sum, r) => sum + r.bytes, 0), requests: perUrl };
}

/** When the lesson's first paragraph is on screen, under the slow-phone profile. */
async function slowPhoneTimes(browser, url) {
  const context = await browser.newContext({
    viewport: { width: 390, height: 844 },
    isMobile: true,
  });
  try {
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send("Network.enable");
    await cdp.send("Network.emulateNetworkConditions", SLOW_NETWORK);
    await cdp.send("Emulation.setCPUThrottlingRate", { rate: SLOW_CPU });
    await page.addInitScript(() => {
      const state = { lcp: [], text: null };
      window.__quantlabPaint = state;
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) {
          state.lcp.push({
            at: entry.startTime,
            inDoc: Boolean(entry.element?.closest?.(".vp-doc")),
          });
        }
      }).observe({ type: "largest-contentful-paint", buffered: true });
      // The first rendering frame with the lesson's first paragraph laid out in the viewport:
      // frames do not run before the render-blocking styles have loaded.
      const probe = () => {
        const p = document.querySelector(".vp-doc p");
        const box = p?.getBoundingClientRect();
        if (box && box.height > 0 && box.top < window.innerHeight) state.text = performance.now();
        else requestAnimationFrame(probe);
      };
      requestAnimationFrame(probe);
    });
    const start = performance.now();
    await page.goto(url, { waitUntil: "load", timeout: 120_000 });
    await page.waitForFunction(() => window.__quantlabPaint.text !== null, null, {
      timeout: 60_000,
    });
    const loadMs = performance.now() - start;
    const paint = await page.evaluate(() => ({
      ...window.__quantlabPaint,
      fcp: performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? null,
    }));
    const lcp = paint.lcp.filter((entry) => entry.inDoc).map((entry) => entry.at);
    await cdp.detach();
    return { text: paint.text, fcp: paint.fcp, lcp: lcp.length ? Math.max(...lcp) : null, loadMs };
  } finally {
    await context.close();
  }
}

/** Types `query` into the local search and returns the result links' paths. */
async function search(page, query) {
  await page.keyboard.press("Escape");
  await page.locator(".VPNavBarSearch button").first().click();
  const input = page.locator(".VPLocalSearchBox input");
  await input.waitFor({ timeout: 15_000 });
  await input.fill(query);
  await page.waitForTimeout(700);
  await page
    .locator(".VPLocalSearchBox .results a")
    .first()
    .waitFor({ timeout: 15_000 })
    .catch(() => {});
  const hrefs = await page.$$eval(".VPLocalSearchBox .results a", (links) =>
    links.map((a) => new URL(a.href).pathname),
  );
  await page.keyboard.press("Escape");
  return hrefs;
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
  let axeSource;
  try {
    axeSource = readFileSync(requireFrom("docs").resolve("axe-core/axe.min.js"), "utf8");
  } catch {
    throw new UserError("axe-core is missing: run `pnpm install` (npm start does it).");
  }
  const { filesUnder } = await import(join(ROOT, "docs", "lib", "links.mjs"));
  const pages = filesUnder(site).filter((path) => path.endsWith(".html") && path !== "404.html");
  const lessons = pages.filter((path) => path.startsWith("lessons/"));
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });

  const { server, url } = await serve(site, 0);
  const origin = new URL(url).origin;
  const failures = [];
  const fail = (what, problems) => {
    for (const problem of problems) failures.push(`${what}: ${problem}`);
  };
  const browser = await launchChromium();
  try {
    // 1. Every page: a full load of each page outside the API reference, of the reference's index
    // pages and of one entry of each kind per module; the other API entries through the router in
    // one tab (as a reader following the sidebar meets them: the page's code and data loaded and
    // rendered, no reload of the framework each time).
    let start = performance.now();
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    let figuresDrawn = 0;
    const sampled = new Set();
    const full = pages.filter((path) => {
      if (!path.startsWith("api/") || path.endsWith("/index.html") || path === "api/index.html")
        return true;
      const folder = path.slice(0, path.lastIndexOf("/"));
      if (sampled.has(folder)) return false;
      sampled.add(folder);
      return true;
    });
    const routed = pages.filter((path) => !full.includes(path));
    const queue = [...full];
    const worker = async () => {
      const page = await context.newPage();
      const problems = watch(page, origin);
      for (let path = queue.shift(); path; path = queue.shift()) {
        problems.length = 0;
        try {
          await page.goto(new URL(path, url).href, { waitUntil: "load", timeout: 60_000 });
          await hydrated(page);
          const title = await page.title();
          if (!title || (title === "quantlab" && path !== "index.html"))
            problems.push(`no page title of its own ("${title}")`);
          if (path.startsWith("lessons/")) {
            const { count, drawn } = await drawAllFigures(page);
            figuresDrawn += drawn;
            if (drawn < count) problems.push(`${count - drawn} of ${count} figures did not draw`);
            // plotly's buttons that upload a figure or link to plotly's site must not be there.
            const share = await page
              .locator(
                '.modebar-btn[data-title*="Cloud" i], .modebar-btn[data-title*="Chart Studio" i], a[href*="plot.ly"], a[href*="plotly.com"]',
              )
              .count();
            if (share > 0) problems.push(`${share} button(s) or link(s) to plotly's cloud`);
          }
        } catch (error) {
          problems.push(error.message.split("\n")[0]);
        }
        fail(path, problems);
      }
      await page.close();
    };
    await Promise.all([worker(), worker()]);
    say(
      `pages: ${full.length} loaded and hydrated, ${figuresDrawn} figures drawn (${since(start)})`,
    );
    start = performance.now();
    {
      const page = await context.newPage();
      const problems = watch(page, origin);
      await page.goto(new URL("api/index.html", url).href, { waitUntil: "load" });
      await hydrated(page);
      for (const path of routed) {
        problems.length = 0;
        try {
          const shown = await page.evaluate(async (target) => {
            await window.__quantlabRouter.go(target);
            const until = performance.now() + 20_000;
            for (;;) {
              const h1 = document.querySelector(".vp-doc h1");
              if (location.pathname === target && h1 && !document.querySelector(".NotFound")) {
                return { h1: h1.textContent.trim(), title: document.title };
              }
              if (performance.now() > until) {
                return {
                  error: `not shown after 20 s (at ${location.pathname}${document.querySelector(".NotFound") ? ", page not found" : ""})`,
                };
              }
              await new Promise((done) => setTimeout(done, 20));
            }
          }, `/${path}`);
          if (shown.error) problems.push(shown.error);
          else if (!shown.title || shown.title === "quantlab")
            problems.push(`no page title of its own ("${shown.title}")`);
        } catch (error) {
          problems.push(error.message.split("\n")[0]);
        }
        fail(path, problems);
      }
      await page.close();
    }
    await context.close();
    say(`pages: the other ${routed.length} API pages shown through the router (${since(start)})`);

    // 1b. plotly.js: the lessons and the playground load one and the same file, which draws
    // exactly the site's trace types (docs/lib/plotly.mjs).
    start = performance.now();
    {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      const problems = watch(page, origin);
      const plotlyFiles = () =>
        page.evaluate(() =>
          performance
            .getEntriesByType("resource")
            .map((entry) => new URL(entry.name).pathname)
            .filter((path) => /plotly/i.test(path)),
        );
      const withFigures = lessons.find((path) =>
        readFileSync(join(site, path), "utf8").includes("nb-figure"),
      );
      await page.goto(new URL(withFigures, url).href, { waitUntil: "load" });
      await hydrated(page);
      await drawAllFigures(page);
      const fromLesson = await plotlyFiles();
      const traces = await page.evaluate(() =>
        Object.keys(window.Plotly.PlotSchema.get().traces).sort(),
      );
      await page.goto(new URL("playground.html", url).href, { waitUntil: "load" });
      await hydrated(page);
      // The playground draws its figures as SVG; plotly, when the pointer comes onto one.
      await drawAllFigures(page);
      await page.hover('[data-figure="histogram"]');
      await page.waitForFunction(() => window.Plotly, null, { timeout: 60_000 });
      const fromPlayground = await plotlyFiles();
      const expected = [...PLOTLY_TRACES].sort();
      if (traces.join() !== expected.join())
        problems.push(`the bundle draws ${traces.join(", ")}, not ${expected.join(", ")}`);
      if (fromLesson.length !== 1 || fromPlayground.join() !== fromLesson.join())
        problems.push(
          `not one plotly file: ${withFigures} loads ${fromLesson.join(", ") || "none"}, the playground ${fromPlayground.join(", ") || "none"}`,
        );
      fail("plotly.js", problems);
      say(
        `plotly.js: ${fromLesson.map((path) => `${path} (${kb(statSync(join(site, path)).size)})`).join(", ")}, the same file on ${withFigures} and the playground; traces ${traces.join(", ")} (${since(start)})`,
      );
      await context.close();
    }

    // 2. Screenshots and axe, at both widths; a lesson in dark mode too.
    start = performance.now();
    let axeRuns = 0;
    let minorFindings = 0;
    const shots = [];
    const views = [
      ...WIDTHS.map((size) => ({ ...size, scheme: "light" })),
      { width: 1280, height: 900, scheme: "dark", only: lessons.slice(0, 1) },
    ];
    for (const view of views) {
      const context = await browser.newContext({
        viewport: { width: view.width, height: view.height },
        colorScheme: view.scheme,
        isMobile: view.width < 600,
        hasTouch: view.width < 600,
      });
      const page = await context.newPage();
      const problems = watch(page, origin);
      for (const path of view.only ?? [...SHOWN.slice(0, 1), ...lessons, ...SHOWN.slice(1)]) {
        if (!pages.includes(path)) {
          failures.push(`screenshots: ${path} is not in the site`);
          continue;
        }
        problems.length = 0;
        await page.goto(new URL(path, url).href, { waitUntil: "load" });
        await hydrated(page);
        await drawAllFigures(page);
        for (const cut of await clippedText(page)) problems.push(`text cut off: ${cut}`);
        const name = `${path.replace(/\.html$/, "").replace(/\//g, "_")}-${view.width}${view.scheme === "dark" ? "-dark" : ""}.png`;
        const file = join(out, name);
        await page.screenshot({ path: file, fullPage: true });
        shots.push(file);
        const violations = await axeViolations(page, axeSource);
        axeRuns++;
        const serious = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
        minorFindings += violations.length - serious.length;
        for (const v of serious) {
          problems.push(
            `axe ${v.impact}: ${v.id} (${v.help}) on ${v.nodes} element(s), first: ${v.target}`,
          );
        }
        fail(`${path} at ${view.width} px ${view.scheme}`, problems);
      }
      await context.close();
    }
    say(
      `screenshots: ${shots.length} in ${rel(out)}; axe: ${axeRuns} runs, no serious or critical violation${failures.some((f) => f.includes("axe")) ? " (except those reported)" : ""}, ${minorFindings} minor or moderate finding(s) (${since(start)})`,
    );

    // 3. Search: a lesson by a phrase of its text, an API entry by its name.
    start = performance.now();
    {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      const problems = watch(page, origin);
      await page.goto(url, { waitUntil: "load" });
      await hydrated(page);
      for (const lesson of lessons) {
        const html = readFileSync(join(site, lesson), "utf8");
        const paragraph =
          /<div[^>]*class="vp-doc[^"]*"[\s\S]*?<p>([^<]{40,})/.exec(html)?.[1] ?? "";
        const phrase = paragraph
          .replace(/&#?\w+;/g, " ")
          .split(/\s+/)
          .filter((w) => /^[a-z]{4,}$/i.test(w))
          .slice(2, 6)
          .join(" ");
        const hrefs = await search(page, phrase);
        if (!hrefs.includes(`/${lesson}`))
          problems.push(
            `searching "${phrase}" does not find /${lesson} (found ${hrefs.slice(0, 5).join(", ") || "nothing"})`,
          );
        else say(`search "${phrase}" -> /${lesson}`);
      }
      const api = "/api/core/functions/quantize.html";
      const hrefs = await search(page, "quantize");
      if (!hrefs.includes(api))
        problems.push(
          `searching "quantize" does not find ${api} (found ${hrefs.slice(0, 5).join(", ") || "nothing"})`,
        );
      else say(`search "quantize" -> ${api}`);
      fail("search", problems);
      await context.close();
    }
    say(`search checked (${since(start)})`);

    // 4. Budgets, per lesson.
    start = performance.now();
    for (const lesson of lessons) {
      const lessonUrl = new URL(lesson, url).href;
      const html = statSync(join(site, lesson)).size;
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const first = await measureTransfer(context, lessonUrl);
      const again = await measureTransfer(context, lessonUrl);
      await context.close();
      // The median of three loads: one run on a shared, busy machine can be slow for reasons that
      // are not the page's.
      const runs = [];
      for (let i = 0; i < SLOW_RUNS; i++) runs.push(await slowPhoneTimes(browser, lessonUrl));
      const slow = runs.sort((a, b) => a.text - b.text)[Math.floor(SLOW_RUNS / 2)];
      const htmlSent = first.requests.find((r) => r.url === lessonUrl)?.bytes ?? 0;
      say(
        `${lesson}: HTML ${kb(html)} (${kb(htmlSent)} sent); first visit ${kb(first.total)} in ${first.requests.length} requests; again ${kb(again.total)} in ${again.requests.filter((r) => r.bytes > 0).length}; slow phone: text visible at ${Math.round(slow.text)} ms (median of ${runs.map((run) => Math.round(run.text)).join(", ")} ms; first paint ${Math.round(slow.fcp)} ms, largest text paint ${slow.lcp === null ? "n/a" : `${Math.round(slow.lcp)} ms`})`,
      );
      const problems = [];
      if (html > BUDGETS.html) problems.push(`HTML ${kb(html)} > ${kb(BUDGETS.html)}`);
      if (first.total > BUDGETS.uncached)
        problems.push(`first visit ${kb(first.total)} > ${kb(BUDGETS.uncached)}`);
      if (again.total > BUDGETS.cached)
        problems.push(`second visit ${kb(again.total)} > ${kb(BUDGETS.cached)}`);
      if (!(slow.text <= BUDGETS.visibleMs))
        problems.push(
          `text visible at ${Math.round(slow.text)} ms > ${BUDGETS.visibleMs} ms on the slow phone`,
        );
      fail(lesson, problems);
    }
    say(`budgets checked (${since(start)})`);
  } finally {
    await browser.close();
    server.close();
  }
  for (const failure of failures) console.log(`  FAILED ${failure}`);
  if (failures.length > 0)
    throw new UserError(`the site in Chromium: ${failures.length} problem(s)`);
  console.log("the site in Chromium: every check passed");
}

main().catch(exitWith);

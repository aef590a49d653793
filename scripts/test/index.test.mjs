// D2: the site's index (writeIndex) in headless Chromium: notebook names and titles that carry
// markup show as text, run nothing, and their links reach the right files.
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { chromium } from "playwright-core";
import { writeIndex } from "../lib/notebooks.mjs";
import { serve } from "../lib/serve.mjs";

const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--no-first-run",
  "--disable-sync",
];

/** Notebook file names (without .ipynb) and the heading of their first markdown cell. */
const NOTEBOOKS = [
  ['97-"><img src=x onerror=alert(1)>', null],
  [
    "98-<svg onload=alert(2)><script>alert(6)<\\script>",
    '<img src=x onerror=alert(3)> & "quoted" <b>title</b>',
  ],
  ["99-a#b?c%20d&e'f (g)", "Plain ' title"],
  ["96-x' onmouseover='alert(4)", "<svg onload=alert(5)>"],
];

let dir;
let site;
let server;
let url;
let browser;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "quantlab-index-"));
  site = join(dir, "site");
  mkdirSync(join(dir, "notebooks"));
  mkdirSync(site);
  const paths = NOTEBOOKS.map(([name, heading]) => {
    const path = join(dir, "notebooks", `${name}.ipynb`);
    const cells = heading ? [{ cell_type: "markdown", metadata: {}, source: `# ${heading}` }] : [];
    writeFileSync(path, JSON.stringify({ cells, metadata: {}, nbformat: 4, nbformat_minor: 5 }));
    // The files the links point to, each saying which it is.
    writeFileSync(join(site, `${name}.html`), `page of ${name}`);
    writeFileSync(join(site, `${name}.ipynb`), `notebook ${name}`);
    return path;
  });
  writeIndex(site, paths);
  ({ server, url } = await serve(site, 0));
  assert.ok(existsSync(CHROMIUM), `no Chromium at ${CHROMIUM} (set CHROMIUM_PATH)`);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
  });
});

after(async () => {
  await browser?.close();
  server?.close();
  rmSync(dir, { recursive: true, force: true });
});

test("D2: names and titles with markup run nothing and show as text", async () => {
  const page = await browser.newPage();
  const dialogs = [];
  page.on("dialog", (dialog) => {
    dialogs.push(dialog.message());
    dialog.dismiss().catch(() => {});
  });
  const errors = [];
  page.on("pageerror", (error) => errors.push(error.message));
  await page.goto(url, { waitUntil: "load" });
  // Give any injected handler (an image's onerror, an svg's onload) time to fire.
  await page.waitForTimeout(300);
  for (const link of await page.locator("li a").all()) await link.hover();
  await page.waitForTimeout(100);
  assert.deepEqual(dialogs, [], "a dialog opened: injected script ran");
  assert.deepEqual(errors, []);

  const injected = await page.evaluate(
    () => document.querySelectorAll("ol img, ol script, ol svg, ol b, [onerror], [onload]").length,
  );
  assert.equal(injected, 0, "markup from a name or title became elements");
  const items = await page.locator("li").allInnerTexts();
  assert.equal(items.length, NOTEBOOKS.length);
  for (const [i, [name, heading]] of NOTEBOOKS.entries()) {
    assert.ok(items[i].includes(heading ?? name), `item ${i} shows ${JSON.stringify(items[i])}`);
    assert.ok(items[i].includes(`${name}.ipynb`), `item ${i} shows ${JSON.stringify(items[i])}`);
  }
  await page.close();
});

test("D2: every link reaches its own page and notebook", async () => {
  const page = await browser.newPage();
  await page.goto(url, { waitUntil: "load" });
  const links = await page.locator("li a").evaluateAll((as) => as.map((a) => a.href));
  assert.equal(links.length, 2 * NOTEBOOKS.length);
  const bodies = await page.evaluate(
    (hrefs) => Promise.all(hrefs.map((href) => fetch(href).then((res) => res.text()))),
    links,
  );
  const expected = NOTEBOOKS.flatMap(([name]) => [`page of ${name}`, `notebook ${name}`]);
  assert.deepEqual(bodies, expected);
  for (const href of links) {
    const { hash, search } = new URL(href);
    assert.equal(hash + search, "", `${href} has a query or fragment`);
  }
  const downloads = await page.locator("li a[download]").count();
  assert.equal(downloads, NOTEBOOKS.length);
  await page.close();
});

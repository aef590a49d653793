import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { checkInteger, typeError } from "@quantlab/core/validate";
import type { Figure } from "../figures/types.js";
import { optionsObject, positiveNumber } from "../validate.js";
import { plotlyBundle } from "./bundle.js";
import { standaloneHtml } from "./html.js";

/** Where {@link chromiumPath} points when `CHROMIUM_PATH` is unset or empty. */
export const DEFAULT_CHROMIUM = "/usr/bin/chromium";

/**
 * Where quantlab finds Chromium: `CHROMIUM_PATH`, or {@link DEFAULT_CHROMIUM} when it is unset or
 * empty. The one rule for the PNG renderer, the browser tests and `npm run screenshot`
 * (scripts/lib/setup.mjs keeps a copy, as it runs before anything is installed).
 *
 * @example
 * process.env.CHROMIUM_PATH = "";
 * chromiumPath();
 * // => "/usr/bin/chromium"
 */
export const chromiumPath = (): string => process.env.CHROMIUM_PATH || DEFAULT_CHROMIUM;

/** The Chromium flags {@link renderPng} uses: headless, no sandbox, GPU or network services. */
export const CHROMIUM_ARGS: readonly string[] = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Options of {@link renderPng} and {@link toPng}. */
export interface PngOptions {
  /** The width in CSS pixels; default 800. */
  width?: number;
  /** The height in CSS pixels; default the figure's `layout.height`, else 420. */
  height?: number;
  /** Device pixels per CSS pixel (2 for a sharp image on a high-density screen); default 1. */
  scale?: number;
  /** The Chromium binary; default {@link chromiumPath}(). */
  executablePath?: string;
  /** How long to wait for the figure to be drawn, in ms; default 30000. */
  timeoutMs?: number;
}

/**
 * Renders the figure to PNG bytes in headless Chromium (through playwright-core, which is loaded only
 * when this is called): the figure's HTML page with plotly.js inlined, a fresh temporary profile, every
 * request that is not `data:`/`about:` refused. The image is width * scale by height * scale pixels;
 * the figure's layout gets this width and height (autosize off) and a static plot (no mode bar).
 *
 * @throws {TypeError} when an option has the wrong type.
 * @throws {RangeError} when width or height is not an integer in [1, 10000] or scale not finite > 0.
 * @throws {Error} when Chromium is missing or fails, plotly.js fails to draw, or the page tried to load
 *   something over the network.
 * @example
 * const png = await renderPng({ data: [{ type: "bar", y: [1, 2] }], layout: {} }, { width: 320, height: 200 });
 * [png.readUInt32BE(16), png.readUInt32BE(20)];
 * // => [320, 200]
 */
export async function renderPng(fig: Figure, options: PngOptions = {}): Promise<Buffer> {
  return render("renderPng", fig, options);
}

async function render(fn: string, fig: Figure, options: PngOptions): Promise<Buffer> {
  const opts = optionsObject(fn, "options", options);
  const figure = optionsObject(fn, "fig", fig) as unknown as Figure;
  if (!Array.isArray(figure.data))
    throw typeError(fn, "fig.data", "an array of traces", figure.data);
  const layout = figure.layout ?? {};
  const width = checkInteger(fn, "options.width", opts.width, 800, 1, 10000);
  const fallbackHeight = typeof layout.height === "number" ? Math.round(layout.height) : 420;
  const height = checkInteger(fn, "options.height", opts.height, fallbackHeight, 1, 10000);
  const scale = opts.scale === undefined ? 1 : positiveNumber(fn, "options.scale", opts.scale);
  const timeout = checkInteger(
    fn,
    "options.timeoutMs",
    opts.timeoutMs,
    30000,
    1,
    Number.MAX_SAFE_INTEGER,
  );
  const executablePath = opts.executablePath ?? chromiumPath();
  if (typeof executablePath !== "string")
    throw typeError(fn, "options.executablePath", "a string", executablePath);
  if (!existsSync(executablePath)) {
    throw new Error(
      `${fn}(): Chromium not found at ${executablePath}; install it (Debian: apt-get install chromium), or pass { executablePath } or set CHROMIUM_PATH.`,
    );
  }

  const html = standaloneHtml(
    { data: figure.data, layout: { ...layout, width, height, autosize: false } },
    plotlyBundle(),
    { divId: "plot", config: { staticPlot: true, responsive: false } },
  );
  const { chromium } = await import("playwright-core");
  const profile = await mkdtemp(join(tmpdir(), "quantlab-plot-chromium-"));
  const blocked: string[] = [];
  try {
    const context = await chromium.launchPersistentContext(profile, {
      executablePath,
      headless: true,
      args: [...CHROMIUM_ARGS],
      viewport: { width, height },
      deviceScaleFactor: scale,
      offline: true,
    });
    try {
      await context.route("**/*", (route) => {
        const url = route.request().url();
        if (url.startsWith("data:") || url.startsWith("about:")) return route.continue();
        blocked.push(url);
        return route.abort();
      });
      const page = context.pages()[0] ?? (await context.newPage());
      await page.setContent(html, { waitUntil: "load", timeout });
      await page.waitForSelector("#plot[data-plot-ready], #plot[data-plot-error]", {
        state: "attached",
        timeout,
      });
      const error = await page.getAttribute("#plot", "data-plot-error");
      if (error !== null) throw new Error(`${fn}(): plotly.js could not draw the figure: ${error}`);
      if (blocked.length > 0)
        throw new Error(
          `${fn}(): the page tried to load ${blocked.join(", ")}; rendering is offline.`,
        );
      return await page.screenshot({ type: "png", clip: { x: 0, y: 0, width, height }, timeout });
    } finally {
      await context.close();
    }
  } finally {
    await rm(profile, { recursive: true, force: true });
  }
}

/**
 * Renders the figure with {@link renderPng} and writes the PNG to `path`; returns the absolute path.
 *
 * @throws {TypeError} when `path` is not a non-empty string, or as {@link renderPng}.
 * @throws {Error} as {@link renderPng}, or when the file cannot be written.
 * @example
 * await toPng({ data: [{ type: "bar", y: [1, 2] }], layout: {} }, "/tmp/quantlab-example.png", { width: 400, height: 300 });
 * // => "/tmp/quantlab-example.png"
 */
export async function toPng(fig: Figure, path: string, options: PngOptions = {}): Promise<string> {
  if (typeof path !== "string" || path === "")
    throw typeError("toPng", "path", "a non-empty string", path);
  const png = await render("toPng", fig, options);
  const absolute = resolve(path);
  await writeFile(absolute, png);
  return absolute;
}

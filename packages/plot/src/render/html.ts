import { typeError } from "@quantlab/core/validate";
import type { Config } from "plotly.js";
import type { Figure } from "../figures/types.js";
import { optionalString, optionsObject } from "../validate.js";

/**
 * HTML for figures, as strings: no DOM, no file system, so this module runs in browsers too. The plotly.js
 * source is a parameter here; the Node entry (`@quantlab/plot/node`) reads it from `plotly.js-dist-min`.
 *
 * How a page draws a figure: one loader script (see {@link plotlyLoaderHtml}) defines `window.Plotly`;
 * each figure is a `<div>` and a small script that calls `Plotly.newPlot` at once if `window.Plotly`
 * exists and otherwise queues the call in `window.__quantlabPlotQueue`, which the loader runs.
 */

/** The plotly config figures get unless overridden: resize with the page, no plotly logo. */
export const DEFAULT_CONFIG: Partial<Config> = { responsive: true, displaylogo: false };

const DEFAULT_HEIGHT = 420;

/** Options of {@link figureDivHtml}. */
export interface FigureDivOptions {
  /** The id of the `<div>`; default a random `quantlab-plot-…` id (must be unique on the page). */
  divId?: string;
  /** Merged over {@link DEFAULT_CONFIG}. */
  config?: Partial<Config>;
}

/** Options of {@link standaloneHtml}. */
export interface StandaloneHtmlOptions extends FigureDivOptions {
  /** The page title; default the figure's title, else "Figure". */
  title?: string;
}

/**
 * Serializes a value to JSON that is safe inside an HTML `<script>`: `<`, `>`, `&`, U+2028 and U+2029 are
 * written as \u escapes, so no string in the figure can close the script.
 *
 * @throws {TypeError} when the value cannot be serialized (a BigInt, a cycle).
 * @example
 * scriptJson({ text: "</script>" });
 * // => '{"text":"\\u003c/script\\u003e"}'
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/** Escapes text for HTML content and attribute values. */
function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * Makes JavaScript source safe to inline in a `<script>` element: `</script` becomes `<\/script` and
 * `<!--` becomes `\x3C!--` (both only occur inside strings, regular expressions or comments of valid
 * code, where the escapes mean the same characters).
 */
function inlineScriptSource(source: string): string {
  return source.replace(/<\/(script)/gi, "<\\/$1").replace(/<!--/g, "\\x3C!--");
}

function checkFigure(fn: string, fig: unknown): Figure {
  const f = optionsObject(fn, "fig", fig);
  if (!Array.isArray(f.data)) throw typeError(fn, "fig.data", "an array of traces", f.data);
  if (f.layout !== undefined && (typeof f.layout !== "object" || f.layout === null)) {
    throw typeError(fn, "fig.layout", "a layout object", f.layout);
  }
  return f as unknown as Figure;
}

function randomId(): string {
  const c = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto;
  const raw = c?.randomUUID
    ? c.randomUUID()
    : `${Math.random().toString(16).slice(2)}${Math.random().toString(16).slice(2)}`;
  return `quantlab-plot-${raw.replace(/-/g, "").slice(0, 16)}`;
}

/**
 * The `<script>` element that defines `window.Plotly` from the given plotly.js source, unless the page
 * already has it (so running it twice is harmless), then draws the figures queued before it loaded.
 *
 * @example
 * plotlyLoaderHtml("window.Plotly = { newPlot() {} };").startsWith("<script");
 * // => true
 */
export function plotlyLoaderHtml(plotlySource: string): string {
  if (typeof plotlySource !== "string")
    throw typeError("plotlyLoaderHtml", "plotlySource", "a string", plotlySource);
  return [
    '<script type="text/javascript">',
    // define, module and exports shadowed: the UMD bundle must set window.Plotly even on pages with
    // require.js (classic Jupyter Notebook), where it would otherwise register an AMD module.
    "(function (define, module, exports) {",
    "if (window.Plotly) return;",
    'window.PlotlyConfig = window.PlotlyConfig || { MathJaxConfig: "local" };',
    inlineScriptSource(plotlySource),
    "\n})();",
    "(function () {",
    "var queue = window.__quantlabPlotQueue;",
    "window.__quantlabPlotQueue = [];",
    "if (window.Plotly && Array.isArray(queue)) queue.forEach(function (draw) { draw(); });",
    "})();",
    "</script>",
  ].join("\n");
}

/**
 * A `<div>` and the script that draws the figure into it with `Plotly.newPlot`, at once when
 * `window.Plotly` exists, else as soon as the loader runs. When the drawing is done the div gets
 * `data-plot-ready="true"` (or `data-plot-error` with the message). If plotly.js has not loaded 10 s
 * later, the div says so (a notebook page reloaded without the output that held plotly.js: run the
 * setup cell again). The div is as high as `layout.height` (420 px if unset) and as wide as its parent.
 *
 * @throws {TypeError} when `fig` is not `{ data: [...], layout? }` or an option has the wrong type.
 * @example
 * figureDivHtml({ data: [], layout: {} }, { divId: "a" }).startsWith('<div id="a"');
 * // => true
 */
export function figureDivHtml(fig: Figure, options: FigureDivOptions = {}): string {
  const fn = "figureDivHtml";
  const figure = checkFigure(fn, fig);
  const opts = optionsObject(fn, "options", options);
  const divId = optionalString(fn, "options.divId", opts.divId) ?? randomId();
  if (opts.config !== undefined && (typeof opts.config !== "object" || opts.config === null)) {
    throw typeError(fn, "options.config", "a plotly config object", opts.config);
  }
  const config = { ...DEFAULT_CONFIG, ...(opts.config as Partial<Config> | undefined) };
  const layout = figure.layout ?? {};
  const height = typeof layout.height === "number" ? layout.height : DEFAULT_HEIGHT;
  const width =
    typeof layout.width === "number" && layout.autosize === false ? `${layout.width}px` : "100%";
  const id = scriptJson(divId);
  return [
    `<div id="${escapeHtml(divId)}" class="quantlab-plot" style="width:${width};height:${height}px;"></div>`,
    '<script type="text/javascript">',
    "(function () {",
    `var id = ${id};`,
    `var figure = ${scriptJson({ data: figure.data, layout })};`,
    `var config = ${scriptJson(config)};`,
    "function draw() {",
    "  var div = document.getElementById(id);",
    "  if (!div) return;",
    '  div.textContent = "";',
    "  try {",
    "    window.Plotly.newPlot(div, figure.data, figure.layout, config).then(",
    '      function () { div.setAttribute("data-plot-ready", "true"); },',
    '      function (err) { div.setAttribute("data-plot-error", String(err)); }',
    "    );",
    '  } catch (err) { div.setAttribute("data-plot-error", String(err)); }',
    "}",
    "if (window.Plotly) { draw(); return; }",
    "(window.__quantlabPlotQueue = window.__quantlabPlotQueue || []).push(draw);",
    "setTimeout(function () {",
    "  var div = document.getElementById(id);",
    '  if (div && !window.Plotly) div.textContent = "plotly.js is not loaded on this page: run the setup cell (setupNotebook()) again.";',
    "}, 10000);",
    "})();",
    "</script>",
  ].join("\n");
}

/**
 * A complete HTML page that draws the figure offline: the plotly.js source inlined once, no external
 * script, stylesheet or font.
 *
 * @throws {TypeError} when `fig` is not `{ data: [...], layout? }`, `plotlySource` is not a string or an
 *   option has the wrong type.
 * @example
 * standaloneHtml({ data: [], layout: {} }, "// plotly.js", { title: "t" }).includes("<title>t</title>");
 * // => true
 */
export function standaloneHtml(
  fig: Figure,
  plotlySource: string,
  options: StandaloneHtmlOptions = {},
): string {
  const fn = "standaloneHtml";
  const figure = checkFigure(fn, fig);
  if (typeof plotlySource !== "string")
    throw typeError(fn, "plotlySource", "a string", plotlySource);
  const opts = optionsObject(fn, "options", options);
  const layoutTitle = figure.layout?.title;
  const fromLayout = typeof layoutTitle === "string" ? layoutTitle : layoutTitle?.text;
  const title = optionalString(fn, "options.title", opts.title) ?? fromLayout ?? "Figure";
  const divId = optionalString(fn, "options.divId", opts.divId) ?? "plot";
  return [
    "<!DOCTYPE html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title>`,
    "<style>html, body { margin: 0; padding: 0; background: #ffffff; }</style>",
    "</head>",
    "<body>",
    plotlyLoaderHtml(plotlySource),
    figureDivHtml(figure, { ...opts, divId } as FigureDivOptions),
    "</body>",
    "</html>",
    "",
  ].join("\n");
}

import { createRequire } from "node:module";
import { join } from "node:path";
import { typeError } from "@quantlab/core/validate";
import type { Figure } from "../figures/types.js";
import { type Columns, type TableOptions, tableHtml } from "../tables/table.js";
import { optionsObject } from "../validate.js";
import { plotlyBundle } from "./bundle.js";
import { type FigureDivOptions, figureDivHtml, plotlyLoaderHtml } from "./html.js";

/**
 * Figures in Jupyter notebooks run by the tslab kernel, offline, with the 4.8 MB plotly.js bundle in one
 * output only.
 *
 * - `setupNotebook()` (alias `plotlyInit()`), in the notebook's setup cell, displays one HTML output
 *   holding plotly.js in a guarded `<script>` (it defines `window.Plotly` unless the page has it).
 * - `show(fig)` displays a `<div>` and a small script that draws the figure as soon as `window.Plotly`
 *   exists. If no output of this kernel session held plotly.js yet, the first `show` includes it.
 *
 * Saved notebooks and nbconvert's HTML export run output scripts in document order, so the setup cell's
 * output, first in the notebook, loads plotly.js before any figure asks for it.
 *
 * Displaying uses tslab's `display.html`, found lazily (this package does not depend on tslab): the
 * `require("tslab")` a tslab kernel gives its cells, else `tslab` resolved from the working directory
 * (the notebook's folder). Pass `{ display }` to use another one.
 */

/** Anything with `html(string)`: tslab's `display`, or a test double. */
export interface HtmlDisplay {
  html(html: string): void;
}

/** Options of {@link show}. */
export interface ShowOptions extends FigureDivOptions {
  /** Where to display; default tslab's `display`. */
  display?: HtmlDisplay;
}

/** Options of {@link setupNotebook}. */
export interface SetupOptions {
  /** Where to display; default tslab's `display`. */
  display?: HtmlDisplay;
}

let plotlyDisplayed = false;

function isDisplay(value: unknown): value is HtmlDisplay {
  return (
    typeof value === "object" && value !== null && typeof (value as HtmlDisplay).html === "function"
  );
}

/**
 * tslab's `display`: through the `require` that tslab gives notebook cells (it returns the kernel's
 * own tslab module), else `require("tslab")` from the working directory.
 */
function tslabDisplay(fn: string): HtmlDisplay {
  const attempts: Array<() => unknown> = [
    () =>
      (globalThis as { __tslab__?: { require?: (id: string) => unknown } }).__tslab__?.require?.(
        "tslab",
      ),
    () => createRequire(join(process.cwd(), "index.js"))("tslab"),
  ];
  for (const attempt of attempts) {
    let mod: unknown;
    try {
      mod = attempt();
    } catch {
      continue;
    }
    const display = (mod as { display?: unknown } | undefined)?.display;
    if (isDisplay(display)) {
      return {
        html(html: string): void {
          try {
            display.html(html);
          } catch (error) {
            // tslab loaded outside its kernel throws "Not ready".
            throw new Error(
              `${fn}(): tslab's display failed (${error instanceof Error ? error.message : String(error)}): is this running in a tslab kernel? Elsewhere pass { display }, or write a file with toHtmlFile().`,
              { cause: error },
            );
          }
        },
      };
    }
  }
  throw new Error(
    `${fn}(): cannot find tslab's display (this is not a tslab kernel, and require("tslab") fails from ${process.cwd()}); pass { display: { html(s) { ... } } }, or write a file with toHtmlFile().`,
  );
}

function displayOf(fn: string, opts: Record<string, unknown>): HtmlDisplay {
  if (opts.display === undefined) return tslabDisplay(fn);
  if (!isDisplay(opts.display))
    throw typeError(fn, "options.display", "an object with an html(string) method", opts.display);
  return opts.display;
}

/**
 * The HTML of the setup output: plotly.js from `plotly.js-dist-min`, inlined in a guarded script.
 *
 * @example
 * notebookSetupHtml().includes("window.Plotly = Plotly");
 * // => true
 */
export function notebookSetupHtml(): string {
  return plotlyLoaderHtml(plotlyBundle());
}

/**
 * Displays plotly.js for the notebook page (one output, about 4.8 MB): call it once in the setup cell.
 * Running it again displays it again; the page keeps the plotly.js it already has.
 *
 * @throws {Error} outside a tslab kernel when no `display` is given.
 * @example
 * let html = "";
 * setupNotebook({ display: { html: (s) => { html = s; } } });
 * html.length > 1e6;
 * // => true
 */
export function setupNotebook(options: SetupOptions = {}): void {
  const fn = "setupNotebook";
  const display = displayOf(fn, optionsObject(fn, "options", options));
  display.html(notebookSetupHtml());
  plotlyDisplayed = true;
}

/** Another name for {@link setupNotebook}, as plotly's `init_notebook_mode`. */
export const plotlyInit: (options?: SetupOptions) => void = setupNotebook;

/**
 * Displays the figure in the notebook: a `<div>` as wide as the output and `layout.height` high, drawn
 * with `Plotly.newPlot` once plotly.js is on the page. If neither `setupNotebook` nor an earlier `show`
 * displayed plotly.js in this kernel session, this output includes it first.
 *
 * @throws {TypeError} when `fig` is not `{ data: [...], layout? }` or an option has the wrong type.
 * @throws {Error} outside a tslab kernel when no `display` is given.
 * @example
 * const outputs: string[] = [];
 * const display = { html: (s: string) => { outputs.push(s); } };
 * show({ data: [{ type: "bar", y: [1, 2] }], layout: {} }, { display });
 * outputs[outputs.length - 1].includes("Plotly.newPlot");
 * // => true
 */
export function show(fig: Figure, options: ShowOptions = {}): void {
  const fn = "show";
  const opts = optionsObject(fn, "options", options);
  const display = displayOf(fn, opts);
  const { display: _unused, ...divOptions } = opts;
  const div = figureDivHtml(fig, divOptions as FigureDivOptions);
  if (plotlyDisplayed) {
    display.html(div);
    return;
  }
  display.html(`${notebookSetupHtml()}\n${div}`);
  plotlyDisplayed = true;
}

/**
 * Displays columns as an HTML table in the notebook (see `tableHtml`).
 *
 * @throws {TypeError} and {RangeError} as `tableHtml`; {Error} outside a tslab kernel when no
 *   `display` is given.
 * @example
 * let html = "";
 * showTable({ q: [-127, 0, 127] }, { display: { html: (s) => { html = s; } } });
 * html.includes("<td>-127</td>");
 * // => true
 */
export function showTable(
  columns: Columns,
  options: TableOptions & { display?: HtmlDisplay } = {},
): void {
  const fn = "showTable";
  const { display, ...tableOptions } = optionsObject(fn, "options", options) as TableOptions & {
    display?: HtmlDisplay;
  };
  displayOf(fn, { display }).html(tableHtml(columns, tableOptions));
}

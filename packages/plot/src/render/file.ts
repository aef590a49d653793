import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { typeError } from "@quantlab/core/validate";
import type { Figure } from "../figures/types.js";
import { plotlyBundle } from "./bundle.js";
import { type StandaloneHtmlOptions, standaloneHtml } from "./html.js";

/**
 * A standalone HTML page of the figure with plotly.js inlined from `plotly.js-dist-min`: it opens
 * offline, from a file, with no request to any server.
 *
 * @throws {TypeError} when `fig` is not `{ data: [...], layout? }` or an option has the wrong type.
 * @example
 * figureHtml({ data: [{ type: "bar", y: [1, 2] }], layout: {} }, { title: "bars" }).includes("<title>bars</title>");
 * // => true
 */
export function figureHtml(fig: Figure, options: StandaloneHtmlOptions = {}): string {
  return standaloneHtml(fig, plotlyBundle(), options);
}

/**
 * Writes {@link figureHtml} of the figure to `path` (UTF-8, overwriting) and returns the absolute path.
 *
 * @throws {TypeError} when `path` is not a non-empty string, or as {@link figureHtml}.
 * @throws {Error} when the file cannot be written.
 * @example
 * toHtmlFile({ data: [], layout: {} }, "/tmp/quantlab-example.html", { title: "empty" });
 * // => "/tmp/quantlab-example.html"
 */
export function toHtmlFile(fig: Figure, path: string, options: StandaloneHtmlOptions = {}): string {
  if (typeof path !== "string" || path === "")
    throw typeError("toHtmlFile", "path", "a non-empty string", path);
  const html = figureHtml(fig, options);
  const absolute = resolve(path);
  writeFileSync(absolute, html, "utf8");
  return absolute;
}

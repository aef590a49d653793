import { readFileSync } from "node:fs";
import { locate } from "./locate.cjs";

let cached: string | undefined;

/**
 * The path of the plotly.js bundle this package renders with: `plotly.min.js` of the installed
 * `plotly.js-dist-min` (resolved from this package, so it is the pinned version).
 *
 * @throws {Error} when `plotly.js-dist-min` is not installed.
 * @example
 * plotlyBundlePath().endsWith("plotly.min.js");
 * // => true
 */
export function plotlyBundlePath(): string {
  return locate("plotly.js-dist-min/plotly.min.js");
}

/**
 * The plotly.js source (about 4.8 MB), read once and cached.
 *
 * @throws {Error} when `plotly.js-dist-min` is not installed or cannot be read.
 * @example
 * plotlyBundle().includes("window.Plotly = Plotly");
 * // => true
 */
export function plotlyBundle(): string {
  cached ??= readFileSync(plotlyBundlePath(), "utf8");
  return cached;
}

/**
 * The version of the bundled plotly.js, from its banner comment.
 *
 * @example
 * plotlyVersion();
 * // => "4.1.2"
 */
export function plotlyVersion(): string {
  const match = /plotly\.js v(\d+\.\d+\.\d+)/.exec(plotlyBundle().slice(0, 200));
  if (!match)
    throw new Error(`plotlyVersion(): no version banner at the start of ${plotlyBundlePath()}`);
  return match[1] as string;
}

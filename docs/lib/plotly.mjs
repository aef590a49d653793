// The site's plotly.js: one file built from plotly.js's own modules with only the trace types the
// site draws (plotly.js's CUSTOM_BUNDLE.md), so every page that draws a figure loads the same
// cached file and none loads a trace it never draws.
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

/**
 * The trace types the site's figures use: the lessons' (the site build checks each lesson's
 * against this list) and the playground's and the inspector's. `scatter` is in plotly's core.
 */
export const PLOTLY_TRACES = ["bar", "heatmap", "scatter"];

/**
 * The trace types of `types` that the site's bundle does not draw, sorted.
 *
 * @example
 * missingTraces(["scatter", "pie", "bar"]); // => ["pie"]
 */
export function missingTraces(types) {
  return [...new Set(types)].filter((type) => !PLOTLY_TRACES.includes(type)).sort();
}

const require = createRequire(join(import.meta.dirname, "..", "package.json"));

/**
 * The bundle's entry module: plotly's core (which has `scatter`) and each other trace's module,
 * as a global `Plotly` like plotly's own dist files.
 */
export function plotlyEntry(traces = PLOTLY_TRACES) {
  const modules = traces.filter((type) => type !== "scatter");
  const core = JSON.stringify(require.resolve("plotly.js/lib/core"));
  const registered = modules.map((type) =>
    JSON.stringify(require.resolve(`plotly.js/lib/${type}`)),
  );
  return [
    `var Plotly = require(${core});`,
    `Plotly.register([${registered.map((path) => `require(${path})`).join(", ")}]);`,
    "module.exports = Plotly;",
    "",
  ].join("\n");
}

/**
 * What the bundle is made from: plotly.js's and esbuild's versions, the traces and this file's
 * build settings, as a short hash. The same key builds the same bytes.
 */
export function plotlyKey(traces = PLOTLY_TRACES) {
  const hash = createHash("sha256");
  for (const part of [
    require("plotly.js/package.json").version,
    require("esbuild/package.json").version,
    traces.join(","),
    readFileSync(import.meta.filename, "utf8"),
  ])
    hash.update(`${part}\0`);
  return hash.digest("hex").slice(0, 16);
}

/**
 * Builds the bundle (minified, with plotly's own build settings: an IIFE that sets window.Plotly)
 * into `file`. Returns its size in bytes.
 */
export async function buildPlotly(file, traces = PLOTLY_TRACES) {
  const { build } = require("esbuild");
  const version = require("plotly.js/package.json").version;
  mkdirSync(dirname(file), { recursive: true }); // esbuild resolves the entry from there
  await build({
    stdin: { contents: plotlyEntry(traces), resolveDir: dirname(file), loader: "js" },
    outfile: file,
    format: "iife",
    globalName: "Plotly",
    bundle: true,
    minify: true,
    legalComments: "none",
    banner: {
      js: `/*! plotly.js ${version} (MIT, https://github.com/plotly/plotly.js), traces: ${traces.join(", ")} */`,
    },
    define: { global: "window", "define.amd": "false" },
    target: "es2016",
    logLevel: "silent",
  });
  return statSync(file).size;
}

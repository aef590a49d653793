// @quantlab/plot/node: everything in "@quantlab/plot", plus the renderers that need Node: plotly.js
// read from plotly.js-dist-min, HTML files, PNG through headless Chromium, and Jupyter (tslab) output.
export * from "./index.js";
export { plotlyBundle, plotlyBundlePath, plotlyVersion } from "./render/bundle.js";
export { figureHtml, toHtmlFile } from "./render/file.js";
export type { HtmlDisplay, SetupOptions, ShowOptions } from "./render/jupyter.js";
export { notebookSetupHtml, plotlyInit, setupNotebook, show, showTable } from "./render/jupyter.js";
export type { PngOptions } from "./render/png.js";
export { CHROMIUM_ARGS, chromiumPath, DEFAULT_CHROMIUM, renderPng, toPng } from "./render/png.js";

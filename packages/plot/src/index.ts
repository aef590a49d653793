// @quantlab/plot: figure builders (plain plotly `{ data, layout }`) and HTML strings. Browser-safe:
// the renderers that need Node (files, PNG, Jupyter) are in "@quantlab/plot/node".
export * from "./figures/index.js";
export type { FigureDivOptions, StandaloneHtmlOptions } from "./render/html.js";
export {
  DEFAULT_CONFIG,
  figureDivHtml,
  plotlyLoaderHtml,
  scriptJson,
  standaloneHtml,
} from "./render/html.js";
export type { Columns, TableOptions } from "./tables/table.js";
export { tableHtml } from "./tables/table.js";

import type { Data, Layout } from "plotly.js";

/**
 * A figure as plain data: what `Plotly.newPlot(div, data, layout)` takes. Builders return these and never
 * touch the DOM, so a figure can be snapshot-tested, serialized to JSON and rendered anywhere.
 */
export interface Figure {
  data: Data[];
  layout: Partial<Layout>;
}

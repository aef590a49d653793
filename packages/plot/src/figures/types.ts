import type { Data, Layout } from "plotly.js";

/**
 * A figure as plain data: what `Plotly.newPlot(div, data, layout)` takes. Builders return these and never
 * touch the DOM, so a figure can be snapshot-tested, serialized to JSON and rendered anywhere.
 */
export interface Figure {
  data: Data[];
  layout: Partial<Layout>;
}

/** The affine quantization grid: code q stands for the real value (q - zeroPoint) * scale, q in [qmin, qmax]. */
export interface GridOptions {
  /** The step between neighbouring levels; a finite number > 0. */
  scale: number;
  /** The code that stands for the real value 0; an integer in [qmin, qmax]. */
  zeroPoint: number;
  /** The smallest code, e.g. -128 for int8. */
  qmin: number;
  /** The largest code, e.g. 127 for int8. */
  qmax: number;
}

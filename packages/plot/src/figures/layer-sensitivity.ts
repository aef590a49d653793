import { checkInteger, checkOptions, rangeError, typeError } from "@quantlab/core/validate";
import type { Data } from "plotly.js";
import { finiteNumber, nonEmptyArray, optionalString } from "../validate.js";
import { axis, baseLayout, COLORS, DEFAULT_HEIGHT } from "./theme.js";
import type { Figure } from "./types.js";

/** One layer and the damage quantizing it alone did. */
export interface LayerDamage {
  name: string;
  /** The damage, in the unit of `damageLabel` (larger is worse). */
  damage: number;
}

/** Options of {@link layerSensitivity}. */
export interface LayerSensitivityOptions {
  /** The x axis title (default "damage"). */
  damageLabel?: string;
  /** Draw only the `top` most damaging layers (default all). */
  top?: number;
  /** Replaces the default title. */
  title?: string;
}

/**
 * Per-layer sensitivity as horizontal bars, ranked: each layer's damage when it alone is
 * quantized (the others float), the most damaging at the top.
 *
 * Traces: one bar trace, `damage`, its y the layer names in ranked order.
 *
 * @throws {TypeError} when `layers` is not an array of `{ name, damage }` or an option has the
 *   wrong type.
 * @throws {RangeError} when `layers` is empty, a damage is not finite, names repeat, `top` is out of
 *   range, or an option key is unknown.
 * @example
 * const fig = layerSensitivity([{ name: "fc1", damage: 0.2 }, { name: "fc3", damage: 1.5 }]);
 * fig.data[0].y;
 * // => ["fc1", "fc3"]
 */
export function layerSensitivity(layers: LayerDamage[], options?: LayerSensitivityOptions): Figure {
  const fn = "layerSensitivity";
  nonEmptyArray(fn, "layers", layers, "an array of { name, damage }");
  const opts = checkOptions(fn, "options", options, ["damageLabel", "top", "title"]);
  const names = new Set<string>();
  const read = layers.map((l, i) => {
    if (typeof l !== "object" || l === null)
      throw typeError(fn, `layers[${i}]`, "an object { name, damage }", l);
    if (typeof l.name !== "string" || l.name === "" || names.has(l.name)) {
      throw rangeError(fn, `layers[${i}].name`, "a non-empty name no other layer has", l.name);
    }
    names.add(l.name);
    return { name: l.name, damage: finiteNumber(fn, `layers[${i}].damage`, l.damage) };
  });
  const top = checkInteger(fn, "options.top", opts.top, read.length, 1, read.length);
  const damageLabel = optionalString(fn, "options.damageLabel", opts.damageLabel) ?? "damage";
  // Ranked, worst first; plotly draws the first category at the bottom, so reverse.
  const ranked = [...read]
    .sort((a, b) => b.damage - a.damage)
    .slice(0, top)
    .reverse();
  const data: Data[] = [
    {
      type: "bar",
      orientation: "h",
      name: "damage",
      x: ranked.map((l) => l.damage),
      y: ranked.map((l) => l.name),
      marker: { color: COLORS.dequantized },
      hovertemplate: `%{y}<br>${damageLabel}: %{x:.4g}<extra></extra>`,
    },
  ];
  const layout = baseLayout(
    optionalString(fn, "options.title", opts.title) ??
      `${damageLabel} when one layer alone is quantized, ${top} of ${read.length} layers ranked`,
    axis(damageLabel),
    axis("layer", {
      type: "category",
      automargin: true,
      tickfont: { size: ranked.length > 24 ? 9 : 12 },
    }),
  );
  layout.height = Math.max(DEFAULT_HEIGHT, 120 + 16 * ranked.length);
  layout.showlegend = false;
  return { data, layout };
}

import { MinMaxObserver, type TensorLike } from "@quantlab/core";
import { checkOptions, typeError } from "@quantlab/core/validate";
import type { Data } from "plotly.js";
import { optionalString } from "../validate.js";
import { axis, baseLayout, COLORS, fmt } from "./theme.js";
import type { Figure } from "./types.js";

/** Options of {@link channelRanges}. */
export interface ChannelRangesOptions {
  /** The shape of a flat typed-array input. */
  shape?: readonly number[];
  /** The axis of the channels (default 0: a weight's output channels). */
  axis?: number;
  /** Replaces the default title. */
  title?: string;
}

/**
 * The range [min, max] of each channel of a tensor as a vertical bar, with the whole tensor's
 * range as two dashed lines: a per-tensor scale must cover the widest channel, so every narrower
 * channel uses only a fraction of the codes. The ranges are core's (`MinMaxObserver` with `axis`).
 *
 * Traces: `range of each channel` (bars from min to max), `tensor min / max` (dashed lines).
 *
 * @throws {TypeError} when `x` is not a tensor, or an option is of the wrong kind.
 * @throws {RangeError} for an empty tensor, NaN or ±Infinity, an axis outside its rank, or an
 *   unknown option key (the messages are core's, under this figure's name).
 * @example
 * const fig = channelRanges([[1, -2], [0.5, 0.25]]);
 * [fig.data[0].base, fig.data[0].y];
 * // => [[-2, 0.25], [3, 0.25]]
 */
export function channelRanges(x: TensorLike, options?: ChannelRangesOptions): Figure {
  const fn = "channelRanges";
  const opts = checkOptions(fn, "options", options, ["shape", "axis", "title"]);
  const title = optionalString(fn, "options.title", opts.title);
  const channelAxis = opts.axis ?? 0;
  if (typeof channelAxis !== "number")
    throw typeError(fn, "options.axis", "an integer", channelAxis);
  let observer: MinMaxObserver;
  try {
    observer = new MinMaxObserver({ dtype: "int8", scheme: "symmetric", axis: channelAxis });
    observer.observe(x, opts.shape);
  } catch (error) {
    if (!(error instanceof Error)) throw error;
    const message = error.message.replace(/^[\w.]+\(\)/, `${fn}()`);
    throw error instanceof TypeError ? new TypeError(message) : new RangeError(message);
  }
  const min = Array.from(observer.min);
  const max = Array.from(observer.max);
  const lo = Math.min(...min);
  const hi = Math.max(...max);
  const channels = min.map((_, c) => c);
  const data: Data[] = [
    {
      type: "bar",
      name: `range of each channel (${channels.length})`,
      x: channels,
      base: min,
      y: max.map((v, c) => v - (min[c] as number)),
      customdata: max,
      marker: { color: COLORS.original, opacity: 0.8 },
      hovertemplate: "channel %{x}: [%{base:.4g}, %{customdata:.4g}]<extra></extra>",
    } as Data,
    {
      type: "scatter",
      mode: "lines",
      name: `tensor min / max [${fmt(lo)}, ${fmt(hi)}]`,
      x: [-0.5, channels.length - 0.5, null, -0.5, channels.length - 0.5],
      y: [lo, lo, null, hi, hi],
      line: { color: COLORS.saturated, width: 1.5, dash: "dash" },
      hoverinfo: "skip",
    },
  ];
  const layout = baseLayout(
    title ?? `Range of each of the ${channels.length} channels against the tensor's range`,
    axis(`channel (index along axis ${channelAxis})`, { showgrid: false }),
    axis("value"),
  );
  layout.bargap = channels.length > 64 ? 0 : 0.15;
  return { data, layout };
}

import { rangeError, typeError } from "@quantlab/core/validate";
import type { Data } from "plotly.js";
import { finiteNumber, optionalString, optionsObject, positiveNumber } from "../validate.js";
import { axis, baseLayout, fmt, SERIES_COLORS } from "./theme.js";
import type { Figure } from "./types.js";

/** One format measured on a tensor: what it costs and how far its reconstruction is. */
export interface FormatPoint {
  /** The format's name, written beside its point. */
  readonly name: string;
  /** Stored bits per weight (core's `blockStorage(t).bitsPerWeight`). */
  readonly bitsPerWeight: number;
  /** The error measure (core's `sqnrDb`, `rootMeanSquaredError`, ...). */
  readonly error: number;
  /** The family it belongs to (`"GGUF"`, `"MX"`, ...): one colour and legend entry each. */
  readonly family: string;
}

/** Options of {@link bitsAgainstError}. */
export interface BitsAgainstErrorOptions {
  /** The y axis' title, what `error` is: `"SQNR (dB)"` by default. */
  readonly errorTitle?: string;
  /** Replaces the default title. */
  readonly title?: string;
}

/**
 * Formats as points of bits per weight (x) against an error measure (y), each labelled with its
 * name, one colour and legend entry per family, in the order the families first appear.
 *
 * @throws {TypeError} when `points` is not an array of points, or a name or family not a string.
 * @throws {RangeError} when `points` is empty, a bits per weight is not > 0, an error not finite,
 *   or an option key is unknown.
 * @example
 * const fig = bitsAgainstError([
 *   { name: "q8_0", bitsPerWeight: 8.5, error: 41.2, family: "GGUF" },
 *   { name: "mxfp4", bitsPerWeight: 4.25, error: 17.9, family: "MX" },
 * ]);
 * fig.data.map((trace) => trace.name);
 * // => ["GGUF (1)", "MX (1)"]
 */
export function bitsAgainstError(
  points: readonly FormatPoint[],
  options: BitsAgainstErrorOptions = {},
): Figure {
  const fn = "bitsAgainstError";
  const opts = optionsObject(fn, "options", options, ["errorTitle", "title"]);
  const errorTitle = optionalString(fn, "options.errorTitle", opts.errorTitle) ?? "SQNR (dB)";
  const title = optionalString(fn, "options.title", opts.title);
  if (!Array.isArray(points)) throw typeError(fn, "points", "an array of points", points);
  if (points.length === 0) throw rangeError(fn, "points", "a non-empty array", points);
  const families = new Map<string, FormatPoint[]>();
  points.forEach((p, i) => {
    const at = `points[${i}]`;
    if (typeof p !== "object" || p === null) throw typeError(fn, at, "a point object", p);
    optionsObject(fn, at, p, ["name", "bitsPerWeight", "error", "family"]);
    if (typeof p.name !== "string") throw typeError(fn, `${at}.name`, "a string", p.name);
    if (typeof p.family !== "string") throw typeError(fn, `${at}.family`, "a string", p.family);
    positiveNumber(fn, `${at}.bitsPerWeight`, p.bitsPerWeight);
    finiteNumber(fn, `${at}.error`, p.error);
    const list = families.get(p.family) ?? [];
    list.push(p);
    families.set(p.family, list);
  });
  const bits = points.map((p) => p.bitsPerWeight);
  const lo = Math.min(...bits);
  const hi = Math.max(...bits);
  const range: [number, number] = [Math.floor(lo) - 1, Math.ceil(hi) + 1.25];
  const positions = labelPositions(points, range);
  // plotly.js takes a position per point; its types allow only one.
  const data: Data[] = [...families.entries()].map(([family, list], k) => ({
    type: "scatter",
    mode: "text+markers",
    name: `${family} (${list.length})`,
    x: list.map((p) => p.bitsPerWeight),
    y: list.map((p) => p.error),
    text: list.map((p) => p.name),
    textposition: list.map((p) => positions.get(p) ?? "middle right") as unknown as "middle right",
    cliponaxis: false,
    marker: { color: SERIES_COLORS[k % SERIES_COLORS.length], size: 10 },
    textfont: { color: SERIES_COLORS[k % SERIES_COLORS.length] },
    hovertemplate: `%{text}<br>%{x:.6g} bits per weight<br>${errorTitle} %{y:.6g}<extra>${family}</extra>`,
  }));
  const layout = baseLayout(
    title ??
      `${points.length} formats: bits per weight against ${errorTitle}, ${fmt(lo)} to ${fmt(hi)} bits`,
    axis("bits per weight (stored)", { range }),
    axis(errorTitle),
  );
  return { data, layout };
}

/** How many characters of a label fit across the plot on a phone (about 280 px at 7 px each). */
const LABEL_COLUMNS = 40;

type LabelPosition =
  | "middle right"
  | "middle left"
  | "top center"
  | "bottom center"
  | "top right"
  | "bottom right";

/**
 * A label position for every point, so that labels of nearby points do not overlap: each point in
 * turn takes the first of right, left, above, below, above right, below right whose box (estimated
 * from the name's length) is clear of the labels and points placed before it and inside the x
 * axis' `range`, else the one that overlaps the fewest (a box past the range counts as many). The
 * boxes are sized for a plot LABEL_COLUMNS characters wide, a phone's: wider plots only have more
 * room.
 */
function labelPositions(
  points: readonly FormatPoint[],
  range: readonly [number, number],
): Map<FormatPoint, LabelPosition> {
  const ys = points.map((p) => p.error);
  const dx = (range[1] - range[0]) / LABEL_COLUMNS; // about one character
  const dy = Math.max(Math.max(...ys) - Math.min(...ys), 1) / 10; // about one line, with room
  type Box = readonly [number, number, number, number];
  const boxes: Box[] = points.map((p) => [
    p.bitsPerWeight - dx / 2,
    p.bitsPerWeight + dx / 2,
    p.error - dy / 2,
    p.error + dy / 2,
  ]);
  const overlaps = (a: Box, b: Box) => a[0] < b[1] && b[0] < a[1] && a[2] < b[3] && b[2] < a[3];
  const out = new Map<FormatPoint, LabelPosition>();
  const order = [...points].sort((a, b) => a.bitsPerWeight - b.bitsPerWeight || b.error - a.error);
  for (const p of order) {
    const w = (p.name.length + 1) * dx;
    const x = p.bitsPerWeight;
    const y = p.error;
    const candidates: [LabelPosition, Box][] = [
      ["middle right", [x + dx, x + dx + w, y - dy / 2, y + dy / 2]],
      ["middle left", [x - dx - w, x - dx, y - dy / 2, y + dy / 2]],
      ["top center", [x - w / 2, x + w / 2, y + dy / 2, y + 1.5 * dy]],
      ["bottom center", [x - w / 2, x + w / 2, y - 1.5 * dy, y - dy / 2]],
      ["top right", [x + dx / 2, x + dx / 2 + w, y + dy / 2, y + 1.5 * dy]],
      ["bottom right", [x + dx / 2, x + dx / 2 + w, y - 1.5 * dy, y - dy / 2]],
    ];
    // The first free place, or else the one that overlaps the fewest.
    const clashes = candidates.map(
      ([, box]) =>
        boxes.filter((b) => overlaps(box, b)).length +
        (box[0] < range[0] || box[1] > range[1] ? points.length + 1 : 0),
    );
    const best = clashes.indexOf(Math.min(...clashes));
    const [position, box] = candidates[best] as [LabelPosition, Box];
    out.set(p, position);
    boxes.push(box);
  }
  return out;
}

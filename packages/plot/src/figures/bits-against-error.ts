import { typeError } from "@quantlab/core/validate";
import type { Annotations, Data } from "plotly.js";
import {
  finiteNumber,
  nonEmptyArray,
  optionalString,
  optionsObject,
  positiveNumber,
} from "../validate.js";
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
 * name, one colour and legend entry per family, in the order the families first appear. A point
 * in a crowd whose label has no free place beside it gets its label further off, in a free place,
 * with a line to the point (an annotation).
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
  nonEmptyArray(fn, "points", points, "an array of points");
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
  const placeOf = (p: FormatPoint) => positions.get(p) ?? "middle right";
  const annotations: Partial<Annotations>[] = [];
  // plotly.js takes a position per point; its types allow only one.
  const data: Data[] = [...families.entries()].map(([family, list], k) => {
    const color = SERIES_COLORS[k % SERIES_COLORS.length] as string;
    for (const p of list) {
      const place = placeOf(p);
      if (typeof place === "string") continue;
      annotations.push({
        x: p.bitsPerWeight,
        y: p.error,
        ax: place.x,
        ay: place.y,
        xref: "x",
        yref: "y",
        axref: "x",
        ayref: "y",
        text: p.name,
        showarrow: true,
        arrowhead: 0,
        arrowwidth: 1,
        arrowcolor: color,
        standoff: 6,
        font: { color },
      });
    }
    return {
      type: "scatter",
      mode: "text+markers",
      name: `${family} (${list.length})`,
      x: list.map((p) => p.bitsPerWeight),
      y: list.map((p) => p.error),
      text: list.map((p) => (typeof placeOf(p) === "string" ? p.name : "")),
      customdata: list.map((p) => p.name),
      textposition: list.map((p) => {
        const place = placeOf(p);
        return typeof place === "string" ? place : "middle right";
      }) as unknown as "middle right",
      cliponaxis: false,
      marker: { color, size: 10 },
      textfont: { color },
      hovertemplate: `%{customdata}<br>%{x:.6g} bits per weight<br>${errorTitle} %{y:.6g}<extra>${family}</extra>`,
    };
  });
  const layout = baseLayout(
    title ??
      `${points.length} formats: bits per weight against ${errorTitle}, ${fmt(lo)} to ${fmt(hi)} bits`,
    axis("bits per weight (stored)", { range }),
    axis(errorTitle),
  );
  if (annotations.length > 0) layout.annotations = annotations;
  return { data, layout };
}

/** How many characters of a label fit across the plot on a phone (about 280 px at 7 px each). */
const LABEL_COLUMNS = 40;

/** Where a label with a line goes, in order: above, below, then the four diagonals. */
const LEADER_DIRECTIONS: readonly (readonly [number, number])[] = [
  [0, 1],
  [0, -1],
  [1, 1],
  [-1, 1],
  [1, -1],
  [-1, -1],
];

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
 * axis' `range`. Where none is, the label goes to the nearest free place 2 to 8 lines
 * above, below or diagonal to it with no other point on the way (its centre returned, for a
 * label with a line to its point), and where there is none either, to the position beside it that overlaps the fewest (a box past the range counts
 * as many). The boxes are sized for a plot LABEL_COLUMNS characters wide, a phone's: wider plots
 * only have more room.
 */
function labelPositions(
  points: readonly FormatPoint[],
  range: readonly [number, number],
): Map<FormatPoint, LabelPosition | { x: number; y: number }> {
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
  const out = new Map<FormatPoint, LabelPosition | { x: number; y: number }>();
  const [yLo, yHi] = [Math.min(...ys) - 2 * dy, Math.max(...ys) + dy];
  const outside = (box: Box) => box[0] < range[0] || box[1] > range[1];
  const clear = (box: Box) => !outside(box) && !boxes.some((b) => overlaps(box, b));
  // Whether the line from p to (cx, cy) passes over another point's marker (sampled; a marker
  // is about half a line across).
  const crossesPoint = (p: FormatPoint, cx: number, cy: number) =>
    points.some((q) => {
      if (q === p) return false;
      for (let t = 0; t <= 1; t += 1 / 32) {
        const px = p.bitsPerWeight + t * (cx - p.bitsPerWeight);
        const py = p.error + t * (cy - p.error);
        // Leaving its own marker, the line may touch one that overlaps it.
        if (Math.abs(px - p.bitsPerWeight) < dx && Math.abs(py - p.error) < dy / 2) continue;
        if (Math.abs(px - q.bitsPerWeight) < dx / 2 && Math.abs(py - q.error) < dy / 4) return true;
      }
      return false;
    });
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
        boxes.filter((b) => overlaps(box, b)).length + (outside(box) ? points.length + 1 : 0),
    );
    const best = clashes.indexOf(Math.min(...clashes));
    if (clashes[best] === 0) {
      const [position, box] = candidates[best] as [LabelPosition, Box];
      out.set(p, position);
      boxes.push(box);
      continue;
    }
    // Further off, with a line: the nearest free centre above, below or diagonal to it (a line
    // sideways would run through its neighbours at the same error), 2 to 8 steps away, with no
    // other point on the line.
    let placed = false;
    for (let ring = 2; ring <= 8 && !placed; ring++) {
      for (const [sx, sy] of LEADER_DIRECTIONS) {
        const cx = x + sx * (sx === 0 ? 0 : w / 2 + ring * dx);
        const cy = y + sy * ring * dy;
        const box: Box = [cx - w / 2, cx + w / 2, cy - dy / 2, cy + dy / 2];
        if (cy < yLo || cy > yHi || !clear(box) || crossesPoint(p, cx, cy)) continue;
        out.set(p, { x: cx, y: cy });
        boxes.push(box);
        placed = true;
        break;
      }
    }
    if (placed) continue;
    const [position, box] = candidates[best] as [LabelPosition, Box];
    out.set(p, position);
    boxes.push(box);
  }
  return out;
}

/**
 * A plotly `{ data, layout }` drawn as one SVG string, for the playground's updates: plotly's
 * full replot costs 35-60 ms a figure on this page, this a millisecond or two. It draws the part
 * of plotly's format the playground's figures use (scatter lines, fills and points, bars, line,
 * rect and path shapes, linear axes with their titles, ticks and grid) the way plotly draws it,
 * and throws on anything else rather than draw it wrong. plotly draws the same figure, with its
 * hover and zoom, when the pointer comes onto it.
 */

type Num = number | null | undefined;
type Values = ArrayLike<Num>;

interface Line {
  color?: string;
  width?: number;
  dash?: string;
}

interface Trace {
  type?: string;
  mode?: string;
  name?: string;
  visible?: boolean | string;
  x?: Values;
  y?: Values;
  width?: number | ArrayLike<number>;
  fill?: string;
  fillcolor?: string;
  opacity?: number;
  line?: Line;
  marker?: {
    color?: string | ArrayLike<string>;
    opacity?: number;
    size?: number;
    symbol?: string;
    line?: Line;
  };
}

interface Axis {
  type?: string;
  title?: { text?: string } | string;
  range?: [number, number];
  autorange?: boolean | string;
  rangemode?: string;
  tickvals?: ArrayLike<number>;
  ticktext?: ArrayLike<string>;
  dtick?: number;
  tick0?: number;
  showgrid?: boolean;
  gridcolor?: string;
  showline?: boolean;
  linecolor?: string;
  ticks?: string;
  zeroline?: boolean;
  zerolinecolor?: string;
}

interface Shape {
  type?: string;
  xref?: string;
  yref?: string;
  x0?: number;
  x1?: number;
  y0?: number;
  y1?: number;
  path?: string;
  layer?: string;
  opacity?: number;
  fillcolor?: string;
  line?: Line;
  name?: string;
}

interface Layout {
  height?: number;
  margin?: { t?: number; r?: number; b?: number; l?: number };
  font?: { family?: string; size?: number; color?: string };
  paper_bgcolor?: string;
  plot_bgcolor?: string;
  xaxis?: Axis;
  yaxis?: Axis;
  shapes?: Shape[];
}

/** What {@link figureSvg} draws into: the figure's width in px, and an id unique in the page. */
export interface SvgOptions {
  width: number;
  id: string;
  /** The figure's accessible name. */
  label?: string;
}

const TRACE_KEYS = new Set(["scatter", "bar"]);
const SYMBOLS = new Set(["circle", "diamond", "square", "triangle-down", "triangle-up"]);

/** Where a figure asks for what this renderer does not draw. */
const unsupported = (what: string): Error =>
  new Error(`figureSvg(): ${what} is not drawn by the SVG renderer (plotly draws it)`);

const f1 = (v: number): string => (Math.round(v * 10) / 10).toString();

/** A value for an attribute: colours, widths and opacities come from the figure. */
const attr = (v: string | number): string => escapeXml(String(v));

const escapeXml = (text: string): string =>
  text.replace(
    /[&<>"]/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c] ?? c,
  );

/** plotly's dash patterns, scaled by the line's width as plotly scales them. */
export function dashArray(dash: string | undefined, width: number): string | undefined {
  if (!dash || dash === "solid") return undefined;
  const w = Math.max(width, 3);
  const pattern: Record<string, number[]> = {
    dot: [w, w],
    dash: [3 * w, 3 * w],
    longdash: [5 * w, 5 * w],
    dashdot: [3 * w, w, w, w],
    longdashdot: [5 * w, 2 * w, w, 2 * w],
  };
  const p = pattern[dash];
  if (!p) throw unsupported(`the dash "${dash}"`);
  return p.map(f1).join(",");
}

const strokeOf = (line: Line | undefined, fallback: string): string => {
  const width = line?.width ?? 2;
  const dash = dashArray(line?.dash, width);
  return ` stroke="${attr(line?.color ?? fallback)}" stroke-width="${attr(width)}"${dash ? ` stroke-dasharray="${dash}"` : ""}`;
};

const finite = (v: Num): v is number => typeof v === "number" && Number.isFinite(v);

/**
 * The ticks of a linear axis over [lo, hi] as plotly's autotick places them: about one per 80 px
 * on x and 40 px on y (4 to 9, plus one), the step the next of 2, 5 or 10 × 10^k above the rough
 * one (plotly's roundUp: 20 exactly becomes 50).
 */
export function niceTicks(
  lo: number,
  hi: number,
  length: number,
  minPx: number,
): { values: number[]; step: number } {
  const rough = (hi - lo) / (Math.min(9, Math.max(4, length / minPx)) + 1);
  const base = 10 ** Math.floor(Math.log10(rough));
  const step = ([2, 5, 10].find((m) => m > rough / base) ?? 10) * base;
  const values: number[] = [];
  for (let k = Math.ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9; k++)
    values.push(k * step);
  return { values, step };
}

/** plotly's "B" exponent format: the suffix of each power of 1000. */
const SUFFIXES: Record<number, string> = {
  [-12]: "p",
  [-9]: "n",
  [-6]: "\u03bc",
  [-3]: "m",
  3: "k",
  6: "M",
  9: "B",
  12: "T",
};

/**
 * A tick label as plotly writes it: past 10^±3 of the axis's largest end (`maxEnd`) in a power
 * of 1000 with its suffix (20k, 400μ), two digits past the step's first, trailing zeros dropped,
 * a true minus.
 */
export function tickLabel(v: number, step: number, maxEnd: number): string {
  const rangeExp = maxEnd > 0 ? Math.floor(Math.log10(maxEnd) + 0.01) : 0;
  let exp = Math.abs(rangeExp) > 3 ? 3 * Math.round((rangeExp - 1) / 3) : 0;
  if (exp !== 0 && SUFFIXES[exp] === undefined) exp = 0;
  const unit = 10 ** exp;
  const digits = Math.max(0, Math.min(20, 2 - Math.floor(Math.log10(step / unit) + 0.01)));
  let text = (Math.abs(v) / unit).toFixed(digits);
  if (text.includes(".")) text = text.replace(/0+$/, "").replace(/\.$/, "");
  if (Number(text) === 0) return "0";
  return `${v < 0 ? "\u2212" : ""}${text}${exp === 0 ? "" : SUFFIXES[exp]}`;
}

interface Scale {
  lo: number;
  hi: number;
  /** Data to px. */
  at(v: number): number;
}

function scaleOf(lo: number, hi: number, from: number, to: number): Scale {
  const k = (to - from) / (hi - lo);
  return { lo, hi, at: (v) => from + (v - lo) * k };
}

/** An end of the data on an axis: its value, its padding in px, and whether 5% more of the axis. */
interface Extreme {
  val: number;
  pad: number;
  extrapad: boolean;
}

/** The smallest and largest finite value of `values` (or of their first `n`). */
function finiteExtent(
  values: ArrayLike<Num> | undefined,
  n = values?.length ?? 0,
): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = values?.[i];
    if (!finite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}

/** The ends of the traces and shapes on each axis, as plotly's calc steps find them. */
function extremes(traces: Trace[], shapes: Shape[]): { x: Extreme[]; y: Extreme[] } {
  const x: Extreme[] = [];
  const y: Extreme[] = [];
  const add = (
    to: Extreme[],
    [lo, hi]: [number, number],
    pad: number,
    extrapad: boolean,
    tozero = false,
  ) => {
    if (!(lo <= hi)) return;
    if (tozero) {
      lo = Math.min(lo, 0);
      hi = Math.max(hi, 0);
    }
    to.push(
      {
        val: lo,
        pad: tozero && lo === 0 ? 0 : pad,
        extrapad: tozero && lo === 0 ? false : extrapad,
      },
      {
        val: hi,
        pad: tozero && hi === 0 ? 0 : pad,
        extrapad: tozero && hi === 0 ? false : extrapad,
      },
    );
  };
  // Bars: positions widened by half the closest gap (and by each bar's own width), tops from 0.
  const minDiff =
    closestGap(traces.filter((t) => t.type === "bar").flatMap((t) => Array.from(t.x ?? []))) ?? 1;
  let firstScatter = true;
  for (const t of traces) {
    const n = Math.min(t.x?.length ?? 0, t.y?.length ?? 0);
    if (t.type === "bar") {
      const [lo, hi] = finiteExtent(t.x, n);
      add(x, [lo - minDiff / 2, hi + minDiff / 2], 0, false);
      if (t.width !== undefined) {
        const widths = barWidths(t, n);
        let l = Infinity;
        let r = -Infinity;
        for (let i = 0; i < n; i++) {
          const p = t.x?.[i];
          if (!finite(p)) continue;
          l = Math.min(l, p - (widths[i] as number) / 2);
          r = Math.max(r, p + (widths[i] as number) / 2);
        }
        add(x, [l, r], 0, false);
      }
      add(y, finiteExtent(t.y, n), 0, true, true);
      continue;
    }
    // Scatter (plotly's calcAxisExpansion): points pad by their size; x is tight without them.
    const points = t.mode?.includes("markers") ?? n < 20;
    const ppad = points ? Math.max((t.marker?.size ?? 6) / 1.6, 3) : 0;
    const xTight = t.fill === "tonexty" || !points;
    add(x, finiteExtent(t.x, n), xTight ? 0 : ppad, !xTight);
    const openEnded = n < 2 || t.x?.[0] !== t.x?.[n - 1] || t.y?.[0] !== t.y?.[n - 1];
    add(y, finiteExtent(t.y, n), ppad, true, openEnded && t.fill === "tonexty" && firstScatter);
    firstScatter = false;
  }
  // Shapes pad by half their line's width, no more.
  for (const s of shapes) {
    const pad = (s.line?.width ?? 2) / 2;
    let xs: number[];
    let ys: number[];
    if (s.type === "path") {
      const n = [...(s.path ?? "").matchAll(/-?[\d.]+(?:e[-+]?\d+)?/gi)].map((m) => Number(m[0]));
      xs = n.filter((_, i) => i % 2 === 0);
      ys = n.filter((_, i) => i % 2 === 1);
    } else {
      xs = [s.x0, s.x1].filter(finite);
      ys = [s.y0, s.y1].filter(finite);
    }
    if (s.xref !== "paper") add(x, finiteExtent(xs), pad, false);
    if (s.yref !== "paper") add(y, finiteExtent(ys), pad, false);
  }
  return { x, y };
}

/**
 * The range plotly's autorange (getAutoRange) gives an axis of `length` px: the pair of ends that
 * needs the most value per px once each end's padding (its own, and 5% of the axis where
 * `extrapad`) is kept clear; then `rangemode`.
 */
function rangeOf(axis: Axis, ends: Extreme[], length: number): [number, number] {
  if (axis.type !== undefined && axis.type !== "linear" && axis.type !== "-")
    throw unsupported(`an axis of type "${axis.type}"`);
  if (axis.autorange === "reversed") throw unsupported("a reversed axis");
  const range = axis.range;
  if (range && axis.autorange !== true && finite(range[0]) && finite(range[1])) return range;
  if (ends.length === 0) return [-1, 6];
  const padOf = (e: { pad: number; extrapad: boolean; nopad?: boolean }) =>
    e.nopad ? 0 : e.pad + (e.extrapad ? 0.05 * length : 0);
  const toZero = axis.rangemode === "tozero";
  const nonNegative = axis.rangemode === "nonnegative";
  let minmin = Infinity;
  let maxmax = -Infinity;
  for (const e of ends) {
    minmin = Math.min(minmin, e.val);
    maxmax = Math.max(maxmax, e.val);
  }
  type End = { val: number; pad: number; extrapad: boolean; nopad?: boolean };
  let best = 0;
  let lo: End | undefined;
  let hi: End | undefined;
  for (const a of ends)
    for (const b of ends) {
      const dv = b.val - a.val;
      if (!(dv > 0)) continue;
      const dp = length - padOf(a) - padOf(b);
      if (dp > length / 10) {
        if (dv / dp > best) [lo, hi, best] = [a, b, dv / dp];
      } else if (dv / length > best) {
        [lo, hi, best] = [{ ...a, nopad: true }, { ...b, nopad: true }, dv / length];
      }
    }
  if (minmin === maxmax || !lo || !hi) {
    if (toZero) return minmin === 0 ? [0, 1] : minmin > 0 ? [0, minmin / 0.95] : [minmin / 0.95, 0];
    if (nonNegative) return [Math.max(0, minmin - 1), Math.max(1, minmin + 1)];
    return [minmin - 1, minmin + 1];
  }
  if (toZero) {
    if (lo.val >= 0) lo = { val: 0, pad: 0, extrapad: false, nopad: true };
    if (hi.val <= 0) hi = { val: 0, pad: 0, extrapad: false, nopad: true };
  } else if (nonNegative) {
    if (lo.val - best * padOf(lo) < 0) lo = { val: 0, pad: 0, extrapad: false, nopad: true };
    if (hi.val <= 0) hi = { val: 1, pad: 0, extrapad: false, nopad: true };
  }
  best = (hi.val - lo.val) / (length - padOf(lo) - padOf(hi));
  return [lo.val - best * padOf(lo), hi.val + best * padOf(hi)];
}

function titleOf(axis: Axis | undefined): string {
  const t = axis?.title;
  return typeof t === "string" ? t : (t?.text ?? "");
}

/** Each bar's width: the trace's, or 0.8 of the closest gap between bars as plotly's default. */
function barWidths(t: Trace, n: number): number[] {
  const w = t.width;
  if (typeof w === "number") return new Array<number>(n).fill(w);
  if (w && w.length >= n) return Array.from({ length: n }, (_, i) => w[i] as number);
  const gap = closestGap(Array.from({ length: n }, (_, i) => t.x?.[i]));
  return new Array<number>(n).fill((gap ?? 1) * 0.8);
}

/** The smallest distance between two distinct finite values, if there are two. */
function closestGap(values: Num[]): number | undefined {
  const xs = values.filter(finite).sort((a, b) => a - b);
  let gap = Infinity;
  for (let i = 1; i < xs.length; i++) {
    const d = (xs[i] as number) - (xs[i - 1] as number);
    if (d > 0 && d < gap) gap = d;
  }
  return Number.isFinite(gap) ? gap : undefined;
}

/** A marker's colour at element `i`: one for all, or one each (plotly's default blue where none). */
const colourAt = (color: string | ArrayLike<string> | undefined, i: number): string =>
  (typeof color === "string" || color === undefined ? color : color[i]) ?? "#1f77b4";

/** A line through the finite points, broken where plotly's is: at null or non-finite values. */
function linePath(t: Trace, X: Scale, Y: Scale): string {
  const n = Math.min(t.x?.length ?? 0, t.y?.length ?? 0);
  let d = "";
  let pen = false;
  for (let i = 0; i < n; i++) {
    const a = t.x?.[i];
    const b = t.y?.[i];
    if (!finite(a) || !finite(b)) {
      pen = false;
      continue;
    }
    d += `${pen ? "L" : "M"}${f1(X.at(a))},${f1(Y.at(b))}`;
    pen = true;
  }
  return d;
}

/** The points (in px) of a trace, for a fill. */
function pointsOf(t: Trace, X: Scale, Y: Scale): string[] {
  const n = Math.min(t.x?.length ?? 0, t.y?.length ?? 0);
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const a = t.x?.[i];
    const b = t.y?.[i];
    if (finite(a) && finite(b)) out.push(`${f1(X.at(a))},${f1(Y.at(b))}`);
  }
  return out;
}

/** One marker's outline at (x, y), of diameter `size`, as a path segment. */
function symbolPath(symbol: string, x: number, y: number, size: number): string {
  const r = size / 2;
  switch (symbol) {
    case "diamond": {
      const q = r * 1.3;
      return `M${f1(x)},${f1(y - q)}L${f1(x + q)},${f1(y)}L${f1(x)},${f1(y + q)}L${f1(x - q)},${f1(y)}Z`;
    }
    case "square":
      return `M${f1(x - r)},${f1(y - r)}h${f1(2 * r)}v${f1(2 * r)}h${f1(-2 * r)}Z`;
    // plotly's triangles: half a radius on the flat side, a radius to the tip.
    case "triangle-down": {
      const q = (r * 2) / Math.sqrt(3);
      return `M${f1(x - q)},${f1(y - r / 2)}H${f1(x + q)}L${f1(x)},${f1(y + r)}Z`;
    }
    case "triangle-up": {
      const q = (r * 2) / Math.sqrt(3);
      return `M${f1(x - q)},${f1(y + r / 2)}H${f1(x + q)}L${f1(x)},${f1(y - r)}Z`;
    }
    default:
      return `M${f1(x - r)},${f1(y)}a${f1(r)},${f1(r)} 0 1,0 ${f1(2 * r)},0a${f1(r)},${f1(r)} 0 1,0 ${f1(-2 * r)},0Z`;
  }
}

/** A trace's markers, one path per colour. */
function markers(t: Trace, X: Scale, Y: Scale): string {
  const m = t.marker ?? {};
  const full = m.symbol ?? "circle";
  const open = full.endsWith("-open");
  const symbol = open ? full.slice(0, -5) : full;
  if (!SYMBOLS.has(symbol)) throw unsupported(`the marker symbol "${full}"`);
  const size = m.size ?? 6;
  const n = Math.min(t.x?.length ?? 0, t.y?.length ?? 0);
  const byColour = new Map<string, string>();
  for (let i = 0; i < n; i++) {
    const a = t.x?.[i];
    const b = t.y?.[i];
    if (!finite(a) || !finite(b)) continue;
    const c = colourAt(m.color, i);
    byColour.set(c, (byColour.get(c) ?? "") + symbolPath(symbol, X.at(a), Y.at(b), size));
  }
  const opacity = m.opacity ?? t.opacity;
  const lineWidth = m.line?.width ?? (open ? 1 : 0);
  let out = "";
  for (const [colour, d] of byColour) {
    const paint = open
      ? `fill="none" stroke="${attr(colour)}" stroke-width="${attr(Math.max(lineWidth, 1))}"`
      : `fill="${attr(colour)}"${lineWidth > 0 ? ` stroke="${attr(m.line?.color ?? colour)}" stroke-width="${attr(lineWidth)}"` : ""}`;
    out += `<path d="${d}" ${paint}${opacity !== undefined ? ` opacity="${attr(opacity)}"` : ""}/>`;
  }
  return out;
}

/** A trace's bars (from 0 to y, centred on x), one path per colour. */
function bars(t: Trace, X: Scale, Y: Scale): string {
  const n = Math.min(t.x?.length ?? 0, t.y?.length ?? 0);
  const widths = barWidths(t, n);
  const m = t.marker ?? {};
  const byColour = new Map<string, string>();
  const zero = Y.at(0);
  for (let i = 0; i < n; i++) {
    const a = t.x?.[i];
    const b = t.y?.[i];
    if (!finite(a) || !finite(b) || b === 0) continue;
    const w = widths[i] as number;
    const left = X.at(a - w / 2);
    const right = X.at(a + w / 2);
    const top = Y.at(b);
    const c = colourAt(m.color, i);
    byColour.set(
      c,
      `${byColour.get(c) ?? ""}M${f1(left)},${f1(zero)}V${f1(top)}H${f1(right)}V${f1(zero)}Z`,
    );
  }
  const opacity = m.opacity ?? t.opacity;
  const edge = m.line?.width
    ? ` stroke="${attr(m.line.color ?? "#444")}" stroke-width="${attr(m.line.width)}"`
    : "";
  let out = "";
  for (const [colour, d] of byColour)
    out += `<path d="${d}" fill="${attr(colour)}"${edge}${opacity !== undefined ? ` opacity="${attr(opacity)}"` : ""}/>`;
  return out;
}

/** A shape's path in px: plotly's line, rect and path (M, L, H, V and Z in data units). */
function shapeSvg(
  s: Shape,
  X: Scale,
  Y: Scale,
  box: { l: number; t: number; w: number; h: number },
): string {
  const px = (v: number) => (s.xref === "paper" ? box.l + v * box.w : X.at(v));
  const py = (v: number) => (s.yref === "paper" ? box.t + box.h - v * box.h : Y.at(v));
  let d: string;
  const type = s.type ?? "rect";
  if (type === "line" || type === "rect") {
    const [x0, x1, y0, y1] = [s.x0, s.x1, s.y0, s.y1];
    if (!finite(x0) || !finite(x1) || !finite(y0) || !finite(y1))
      throw unsupported(`a ${type} shape without finite x0, x1, y0 and y1`);
    d =
      type === "line"
        ? `M${f1(px(x0))},${f1(py(y0))}L${f1(px(x1))},${f1(py(y1))}`
        : `M${f1(px(x0))},${f1(py(y0))}H${f1(px(x1))}V${f1(py(y1))}H${f1(px(x0))}Z`;
  } else if (type === "path") {
    d = "";
    for (const [, command, args] of (s.path ?? "").matchAll(/([A-Za-z])([^A-Za-z]*)/g)) {
      const n = (args as string)
        .split(/[\s,]+/)
        .filter(Boolean)
        .map(Number);
      if (command === "M" || command === "L") {
        for (let k = 0; k + 1 < n.length; k += 2)
          d += `${k === 0 ? command : "L"}${f1(px(n[k] as number))},${f1(py(n[k + 1] as number))}`;
      } else if (command === "Z") d += "Z";
      else throw unsupported(`the path command "${command}"`);
    }
  } else throw unsupported(`a shape of type "${type}"`);
  const fill = type === "line" || !s.fillcolor ? "none" : attr(s.fillcolor);
  const width = s.line?.width ?? 2;
  const stroke = width > 0 ? strokeOf({ ...s.line, width }, "#444") : "";
  return `<path d="${d}" fill="${fill}"${stroke}${s.opacity !== undefined ? ` opacity="${attr(s.opacity)}"` : ""}${s.name ? ` data-name="${escapeXml(s.name)}"` : ""} data-shape="${type}"/>`;
}

/**
 * `figure` as an SVG element's markup, `width` px wide and the layout's height tall, with each
 * trace in a `<g data-trace data-name data-points>` and each shape a `<path data-shape>`.
 * @example
 * const svg = figureSvg({ data: [{ type: "bar", name: "n", x: [0, 1], y: [2, 3] }], layout: {} }, { width: 300, id: "a" });
 * svg.includes('data-points="2"'); // => true
 */
export function figureSvg(
  figure: { data: unknown[]; layout?: Record<string, unknown> },
  options: SvgOptions,
): string {
  const layout = (figure.layout ?? {}) as Layout;
  const traces = (figure.data as Trace[]).filter((t) => t.visible !== false);
  for (const t of traces) {
    const type = t.type ?? "scatter";
    if (!TRACE_KEYS.has(type)) throw unsupported(`a trace of type "${type}"`);
    if (t.visible === "legendonly") throw unsupported('a trace with visible "legendonly"');
    if (type === "scatter" && t.mode?.includes("text"))
      throw unsupported('a scatter trace with mode "text"');
    const u = t as Trace & Record<string, unknown>;
    if (u.orientation === "h") throw unsupported("a horizontal bar trace");
    if ((u.xaxis ?? "x") !== "x" || (u.yaxis ?? "y") !== "y") throw unsupported("a second axis");
    if (
      (t.line as { shape?: string } | undefined)?.shape &&
      (t.line as { shape?: string }).shape !== "linear"
    )
      throw unsupported(`the line shape "${(t.line as { shape?: string }).shape}"`);
    if (u.connectgaps === true) throw unsupported("connectgaps");
    if (t.marker?.size !== undefined && typeof t.marker.size !== "number")
      throw unsupported("an array of marker sizes");
    if (t.fill && !["none", "toself", "tonexty"].includes(t.fill))
      throw unsupported(`the fill "${t.fill}"`);
  }
  const plain = layout as Layout & Record<string, unknown>;
  if (plain.barmode !== undefined && plain.barmode !== "overlay")
    throw unsupported(`barmode "${String(plain.barmode)}"`);
  for (const key of ["xaxis2", "yaxis2"])
    if (plain[key] !== undefined) throw unsupported(`a ${key}`);
  for (const axis of [layout.xaxis, layout.yaxis] as (Record<string, unknown> | undefined)[])
    for (const key of ["tickformat", "nticks", "tickmode", "tickangle", "showticklabels"])
      if (axis?.[key] !== undefined) throw unsupported(`an axis's ${key}`);
  const shapes = (layout.shapes ?? []).filter(
    (s) => (s as { visible?: boolean }).visible !== false,
  );
  const width = Math.max(1, Math.round(options.width));
  const height = layout.height ?? 450;
  const m = { t: 100, r: 80, b: 80, l: 80, ...layout.margin };
  const box = {
    l: m.l,
    t: m.t,
    w: Math.max(1, width - m.l - m.r),
    h: Math.max(1, height - m.t - m.b),
  };
  const font = {
    family: '"Open Sans", verdana, arial, sans-serif',
    size: 12,
    color: "#444",
    ...layout.font,
  };
  const xaxis = layout.xaxis ?? {};
  const yaxis = layout.yaxis ?? {};
  const e = extremes(traces, shapes);
  const [x0, x1] = rangeOf(xaxis, e.x, box.w);
  const [y0, y1] = rangeOf(yaxis, e.y, box.h);
  const X = scaleOf(x0, x1, box.l, box.l + box.w);
  const Y = scaleOf(y0, y1, box.t + box.h, box.t);

  const ticksOf = (axis: Axis, lo: number, hi: number, length: number, minPx: number) => {
    if (axis.tickvals) {
      const values = Array.from(axis.tickvals).filter(
        (v) => v >= Math.min(lo, hi) && v <= Math.max(lo, hi),
      );
      const text = axis.ticktext ? Array.from(axis.ticktext) : undefined;
      return values.map((v) => ({
        v,
        text:
          text?.[Array.from(axis.tickvals as ArrayLike<number>).indexOf(v)] ??
          tickLabel(v, 1e-6, 0),
      }));
    }
    const [a, b] = [Math.min(lo, hi), Math.max(lo, hi)];
    let values: number[];
    let step: number;
    if (axis.dtick && axis.dtick > 0 && (b - a) / axis.dtick <= 200) {
      step = axis.dtick;
      const t0 = axis.tick0 ?? 0;
      values = [];
      for (let k = Math.ceil((a - t0) / step - 1e-9); t0 + k * step <= b + step * 1e-9; k++)
        values.push(t0 + k * step);
    } else ({ values, step } = niceTicks(a, b, length, minPx));
    const largest = Math.max(Math.abs(a), Math.abs(b));
    return values.map((v) => ({ v, text: tickLabel(v, step, largest) }));
  };
  const xTicks = ticksOf(xaxis, x0, x1, box.w, 80);
  const yTicks = ticksOf(yaxis, y0, y1, box.h, 40);

  const out: string[] = [];
  const fs = font.size;
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}"${options.label ? ` role="img" aria-label="${escapeXml(options.label)}"` : ' aria-hidden="true"'} font-family="${escapeXml(font.family)}" font-size="${fs}" fill="${attr(font.color)}" data-x-range="${x0},${x1}" data-y-range="${y0},${y1}">`,
    `<defs><clipPath id="${options.id}-plot"><rect x="${box.l}" y="${box.t}" width="${box.w}" height="${box.h}"/></clipPath></defs>`,
  );
  const bg = layout.plot_bgcolor;
  if (bg && bg !== "rgba(0,0,0,0)" && bg !== "transparent")
    out.push(
      `<rect x="${box.l}" y="${box.t}" width="${box.w}" height="${box.h}" fill="${attr(bg)}"/>`,
    );
  // Grid lines, then the shapes below the traces, the traces, the shapes above: plotly's order.
  let grid = "";
  if (xaxis.showgrid !== false)
    for (const t of xTicks) grid += `M${f1(X.at(t.v))},${box.t}V${box.t + box.h}`;
  if (yaxis.showgrid !== false)
    for (const t of yTicks) grid += `M${box.l},${f1(Y.at(t.v))}H${box.l + box.w}`;
  if (grid)
    out.push(
      `<path d="${grid}" stroke="${attr(xaxis.gridcolor ?? yaxis.gridcolor ?? "#eee")}" stroke-width="1" fill="none"/>`,
    );
  if (yaxis.zeroline && y0 < 0 && y1 > 0)
    out.push(
      `<path d="M${box.l},${f1(Y.at(0))}H${box.l + box.w}" stroke="${attr(yaxis.zerolinecolor ?? "#444")}" stroke-width="1"/>`,
    );
  out.push(`<g clip-path="url(#${options.id}-plot)">`);
  for (const s of shapes)
    if (s.layer === "below" || s.layer === "between") out.push(shapeSvg(s, X, Y, box));
  // plotly's layers: bars, then scatter fills (under every line), then lines and points.
  const barLayer: string[] = [];
  const fillLayer: string[] = [];
  const scatterLayer: string[] = [];
  let previous: Trace | undefined;
  for (const t of traces) {
    const type = t.type ?? "scatter";
    const n = Math.min(t.x?.length ?? 0, t.y?.length ?? 0);
    const mark = `data-trace="${type}" data-name="${escapeXml(t.name ?? "")}" data-points="${t.x?.length ?? 0}"`;
    if (type === "bar") {
      barLayer.push(`<g ${mark}>${bars(t, X, Y)}</g>`);
      continue;
    }
    const mode = t.mode ?? (n < 20 ? "lines+markers" : "lines");
    const opacity = t.opacity !== undefined ? ` opacity="${attr(t.opacity)}"` : "";
    if (t.fill === "toself" || (t.fill === "tonexty" && previous)) {
      const own = pointsOf(t, X, Y);
      const ring =
        t.fill === "toself" ? own : [...own, ...pointsOf(previous as Trace, X, Y).reverse()];
      if (ring.length > 2)
        fillLayer.push(
          `<path d="M${ring.join("L")}Z" fill="${attr(t.fillcolor ?? "rgba(31,119,180,0.5)")}" stroke="none"${opacity}/>`,
        );
    }
    let body = "";
    if (mode.includes("lines") && (t.line?.width ?? 2) > 0) {
      const d = linePath(t, X, Y);
      if (d)
        body += `<path d="${d}" fill="none"${strokeOf(t.line, "#1f77b4")} stroke-linejoin="round"/>`;
    }
    if (mode.includes("markers")) body += markers(t, X, Y);
    previous = t;
    scatterLayer.push(`<g ${mark}${mode.includes("markers") ? "" : opacity}>${body}</g>`);
  }
  out.push(...barLayer, ...fillLayer, ...scatterLayer);
  for (const s of shapes)
    if (s.layer !== "below" && s.layer !== "between") out.push(shapeSvg(s, X, Y, box));
  out.push("</g>");
  // Axes: lines, outside ticks, labels and titles.
  const tick = (a: Axis) => (a.ticks === "outside" ? 5 : 0);
  let lines = "";
  if (xaxis.showline) lines += `M${box.l},${box.t + box.h + 0.5}H${box.l + box.w}`;
  if (yaxis.showline) lines += `M${box.l - 0.5},${box.t}V${box.t + box.h}`;
  if (tick(xaxis))
    for (const t of xTicks) lines += `M${f1(X.at(t.v))},${box.t + box.h}v${tick(xaxis)}`;
  if (tick(yaxis)) for (const t of yTicks) lines += `M${box.l},${f1(Y.at(t.v))}h${-tick(yaxis)}`;
  if (lines)
    out.push(
      `<path d="${lines}" stroke="${attr(xaxis.linecolor ?? yaxis.linecolor ?? "#444")}" stroke-width="1" fill="none"/>`,
    );
  const yLabel = box.t + box.h + tick(xaxis) + 3 + fs * 0.8;
  for (const t of xTicks)
    out.push(
      `<text class="xtick" x="${f1(X.at(t.v))}" y="${f1(yLabel)}" text-anchor="middle">${escapeXml(t.text)}</text>`,
    );
  for (const t of yTicks)
    out.push(
      `<text class="ytick" x="${box.l - tick(yaxis) - 3}" y="${f1(Y.at(t.v) + fs * 0.35)}" text-anchor="end">${escapeXml(t.text)}</text>`,
    );
  // Axis titles at plotly's size: 1.2 times the figure's font.
  const ts = Math.round(fs * 1.2);
  const xt = titleOf(xaxis);
  if (xt)
    out.push(
      `<text x="${f1(box.l + box.w / 2)}" y="${height - 6}" text-anchor="middle" font-size="${ts}">${escapeXml(xt)}</text>`,
    );
  const yt = titleOf(yaxis);
  if (yt)
    out.push(
      `<text transform="translate(${ts},${f1(box.t + box.h / 2)}) rotate(-90)" text-anchor="middle" font-size="${ts}">${escapeXml(yt)}</text>`,
    );
  out.push("</svg>");
  return out.join("");
}

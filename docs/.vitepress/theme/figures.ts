// Figures on lesson pages. A figure is `<div class="nb-figure" data-src="/assets/figures/….json">`
// (scripts' site build writes the plotly `{ data, layout, config }` of each figure to its own
// hashed file). plotly.js (the site's one bundle, docs/lib/plotly.mjs) is one cached file, loaded
// on the first page that has a figure, when the first figure comes near the viewport; each
// figure's data is fetched when it does.
import { loadPlotly, OFFLINE_CONFIG } from "../../lib/playground/plotly";

interface PlotlyFigure {
  data: unknown[];
  layout?: Record<string, unknown>;
  config?: Record<string, unknown>;
}

async function fetchFigure(url: string): Promise<PlotlyFigure> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response.json();
}

/** Below this width (CSS px) a figure gets more height, for its legend's extra rows. */
const NARROW = 560;

/** `text` in lines of at most `columns` characters, broken at spaces, as plotly's `<br>`. */
function wrap(text: string, columns: number): string {
  const lines: string[] = [];
  for (const word of text.split(" ")) {
    const last = lines.length - 1;
    if (last >= 0 && `${lines[last]} ${word}`.length <= columns) lines[last] += ` ${word}`;
    else lines.push(word);
  }
  return lines.join("<br>");
}

/**
 * The figure's layout on this page: without its title (the page shows it above the figure, as text
 * that wraps), and on a narrow screen taller, with a smaller legend.
 */
function pageLayout(layout: Record<string, unknown> = {}, width: number): Record<string, unknown> {
  const title = (layout.title ?? {}) as Record<string, unknown>;
  const margin = (layout.margin ?? {}) as Record<string, number>;
  const legend = (layout.legend ?? {}) as Record<string, unknown>;
  const height = typeof layout.height === "number" ? layout.height : 420;
  const narrow = width < NARROW;
  return {
    ...layout,
    title: { ...(typeof title === "object" ? title : {}), text: "" },
    margin: {
      ...margin,
      t: Math.min(margin.t ?? 24, 24),
      l: narrow ? Math.min(margin.l ?? 48, 48) : margin.l,
      r: narrow ? 12 : margin.r,
    },
    legend: narrow ? { ...legend, font: { size: 11 } } : legend,
    height: narrow ? height + 120 : height,
  };
}

/** The left and right ends (CSS px, from the figure's left edge) of what `selector` matches. */
function extents(div: HTMLElement, selector: string): { left: number; right: number }[] {
  const edge = div.getBoundingClientRect();
  return [...div.querySelectorAll(selector)]
    .map((element) => element.getBoundingClientRect())
    .filter((box) => box.width > 0)
    .map((box) => ({ left: box.left - edge.left, right: box.right - edge.left }));
}

/** The text plotly places beside points, in bars, and where an annotation says. */
const LABELS = ".textpoint text, .bartext, .annotation-text";

/** plotly's drawn layout: its margins (automargin included) in `_size`. */
interface FullLayout {
  _size: { l: number; r: number };
  [axis: string]: unknown;
}

/**
 * What the drawn figure needs to keep its text inside it: plotly sizes margins for the axes, not
 * for the labels beside points and bars or for annotations, and does not wrap an axis title wider than the plot. So:
 * margins widened by as far as labels reach past an edge, and x-axis titles wider than the plot
 * area wrapped to it (from their measured width). Null when nothing reaches past.
 */
function fitText(
  div: HTMLElement,
  layout: Record<string, unknown>,
): Record<string, unknown> | null {
  const full = (div as unknown as { _fullLayout: FullLayout })._fullLayout;
  const width = div.clientWidth;
  const labels = extents(div, LABELS);
  const pastLeft = Math.ceil(Math.max(0, ...labels.map((box) => -box.left)));
  const pastRight = Math.ceil(Math.max(0, ...labels.map((box) => box.right - width)));
  const l = full._size.l + (pastLeft > 0 ? pastLeft + 4 : 0);
  const r = full._size.r + (pastRight > 0 ? pastRight + 4 : 0);
  const plotWidth = width - l - r;
  const axes: Record<string, unknown> = {};
  for (const key of Object.keys(full).filter((name) => /^xaxis\d*$/.test(name))) {
    const axis = (layout[key] ?? {}) as { title?: string | { text?: string } };
    const text = typeof axis.title === "string" ? axis.title : axis.title?.text;
    const drawn = div.querySelector(`.g-${key.replace("axis", "")}title text`);
    const box = drawn?.getBoundingClientRect();
    if (typeof text !== "string" || !box || box.width <= plotWidth) continue;
    const columns = Math.max(8, Math.floor((plotWidth / box.width) * text.length));
    const rest = typeof axis.title === "object" ? axis.title : {};
    axes[key] = { ...axis, title: { ...rest, text: wrap(text, columns) } };
  }
  if (pastLeft === 0 && pastRight === 0 && Object.keys(axes).length === 0) return null;
  const margin = (layout.margin ?? {}) as Record<string, number>;
  return { ...layout, ...axes, margin: { ...margin, l, r } };
}

async function draw(div: HTMLElement): Promise<void> {
  div.dataset.state = "loading";
  const src = div.dataset.src ?? "";
  try {
    const [Plotly, figure] = await Promise.all([loadPlotly(), fetchFigure(src)]);
    const layout = pageLayout(figure.layout, div.clientWidth);
    div.replaceChildren();
    div.style.height = `${layout.height}px`;
    const config = { ...figure.config, ...OFFLINE_CONFIG };
    await Plotly.newPlot(div, figure.data, layout, config);
    // A wider margin narrows the plot, which moves text placed at data positions too: a few
    // rounds, each measuring again.
    let fitted = layout;
    for (let round = 0; round < 3; round++) {
      const next = fitText(div, fitted);
      if (!next) break;
      fitted = next;
      await Plotly.react(div, figure.data, fitted, config);
    }
    div.dataset.state = "drawn";
  } catch (error) {
    div.dataset.state = "error";
    div.textContent = `This figure could not be drawn: ${(error as Error).message}`;
    console.error(`figure ${src}:`, error);
  }
}

let observer: IntersectionObserver | undefined;

/** Draws each figure of the page that is not drawn yet, when it comes within 800 px of view. */
export function drawFigures(): void {
  observer?.disconnect();
  const waiting = document.querySelectorAll<HTMLElement>(".nb-figure:not([data-state='drawn'])");
  if (waiting.length === 0) return;
  observer = new IntersectionObserver(
    (entries) => {
      for (const entry of entries) {
        if (!entry.isIntersecting) continue;
        observer?.unobserve(entry.target);
        void draw(entry.target as HTMLElement);
      }
    },
    { rootMargin: "800px 0px" },
  );
  for (const div of waiting) {
    if (div.dataset.state === "loading") continue;
    div.dataset.state = "waiting";
    observer.observe(div);
  }
}

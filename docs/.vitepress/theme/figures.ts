// Figures on lesson pages. A figure is `<div class="nb-figure" data-src="/assets/figures/….json">`
// (scripts' site build writes the plotly `{ data, layout, config }` of each figure to its own
// hashed file). plotly.js (the smallest partial bundle that draws the lessons' trace types, which
// the site build picks: docs/lib/notebook.mjs plotlyBundleFor) is one cached file, loaded on the
// first page that has a figure, when the first figure comes near the viewport; each figure's data
// is fetched when it does.
import plotlyUrl from "quantlab-plotly-bundle?url";

interface PlotlyFigure {
  data: unknown[];
  layout?: Record<string, unknown>;
  config?: Record<string, unknown>;
}

interface Plotly {
  newPlot(div: HTMLElement, data: unknown[], layout?: unknown, config?: unknown): Promise<unknown>;
}

/** Over the figure's own config: nothing that links to or uploads to another site. */
const OFFLINE_CONFIG = {
  responsive: true,
  displaylogo: false,
  showLink: false,
  showSendToCloud: false,
  showEditInChartStudio: false,
  displayModeBar: "hover",
};

let plotly: Promise<Plotly> | undefined;

function loadPlotly(): Promise<Plotly> {
  plotly ??= new Promise<Plotly>((resolve, reject) => {
    const script = document.createElement("script");
    script.src = plotlyUrl;
    script.async = true;
    script.onload = () => {
      const loaded = (window as unknown as { Plotly?: Plotly }).Plotly;
      if (loaded) resolve(loaded);
      else reject(new Error(`${plotlyUrl} loaded but defined no window.Plotly`));
    };
    script.onerror = () => reject(new Error(`could not load ${plotlyUrl}`));
    document.head.append(script);
  });
  return plotly;
}

async function fetchFigure(url: string): Promise<PlotlyFigure> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response.json();
}

/** Below this width (CSS px) a figure gets more height, for its legend's extra rows. */
const NARROW = 560;

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

async function draw(div: HTMLElement): Promise<void> {
  div.dataset.state = "loading";
  const src = div.dataset.src ?? "";
  try {
    const [Plotly, figure] = await Promise.all([loadPlotly(), fetchFigure(src)]);
    const layout = pageLayout(figure.layout, div.clientWidth);
    div.replaceChildren();
    div.style.height = `${layout.height}px`;
    await Plotly.newPlot(div, figure.data, layout, { ...figure.config, ...OFFLINE_CONFIG });
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

/**
 * plotly.js in the page: the site's one cached bundle (docs/lib/plotly.mjs builds it, with the
 * trace types the site draws), loaded once, on the first figure of the lessons or the tools.
 */
import plotlyUrl from "quantlab-plotly-bundle?url";

/** The part of plotly.js the tools call. */
export interface Plotly {
  react(div: HTMLElement, data: unknown[], layout?: unknown, config?: unknown): Promise<unknown>;
  newPlot(div: HTMLElement, data: unknown[], layout?: unknown, config?: unknown): Promise<unknown>;
  purge(div: HTMLElement): void;
}

/** Nothing that links to or uploads to another site; the mode bar on hover. */
export const OFFLINE_CONFIG = {
  responsive: true,
  displaylogo: false,
  showLink: false,
  showSendToCloud: false,
  showEditInChartStudio: false,
  displayModeBar: "hover",
};

let loading: Promise<Plotly> | undefined;

/**
 * window.Plotly, loading the bundle if no page did yet.
 * @example
 * const Plotly = await loadPlotly();
 * await Plotly.react(div, figure.data, figure.layout, OFFLINE_CONFIG);
 */
export function loadPlotly(): Promise<Plotly> {
  const present = (window as unknown as { Plotly?: Plotly }).Plotly;
  if (present) return Promise.resolve(present);
  loading ??= new Promise<Plotly>((resolve, reject) => {
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
  return loading;
}

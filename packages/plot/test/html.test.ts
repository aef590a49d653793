import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { figureDivHtml, quantizationGrid, scriptJson, standaloneHtml } from "../src/index.js";
import {
  figureHtml,
  plotlyBundle,
  plotlyBundlePath,
  plotlyVersion,
  toHtmlFile,
} from "../src/node.js";

const fig = quantizationGrid([-10, -5, 0, 5, 10], { dtype: "int8", scale: 20 / 255 });
const BANNER = "plotly.js v4.1.2";

function count(haystack: string, needle: string): number {
  return haystack.split(needle).length - 1;
}
function scriptTags(html: string): string[] {
  return html.match(/<script\b[^>]*>/gi) ?? [];
}

describe("the plotly.js bundle", () => {
  test("comes from the pinned plotly.js-dist-min", () => {
    expect(plotlyBundlePath()).toMatch(/plotly\.js-dist-min[\\/]plotly\.min\.js$/);
    expect(plotlyVersion()).toBe("4.1.2");
    expect(plotlyBundle().length).toBeGreaterThan(4_000_000);
    expect(plotlyBundle()).toBe(readFileSync(plotlyBundlePath(), "utf8"));
  });
});

describe("figureHtml: a standalone page", () => {
  const html = figureHtml(fig, { title: "Grid <int8>" });

  test("inlines plotly.js exactly once and loads no script from anywhere", () => {
    expect(count(html, BANNER)).toBe(1);
    expect(count(html, "window.Plotly = Plotly")).toBe(1);
    expect(scriptTags(html)).toEqual([
      '<script type="text/javascript">',
      '<script type="text/javascript">',
    ]);
    // Outside the scripts (plotly.js's own code mentions URLs), the page names no URL at all.
    const outside = html.replace(/<script\b[^>]*>[\s\S]*?<\/script>/gi, "<script></script>");
    expect(outside.length).toBeLessThan(2000);
    expect(/https?:|<link\b|\ssrc=/i.test(outside)).toBe(false);
  });

  test("is a page with a title, the figure's div and its data", () => {
    expect(html.startsWith("<!DOCTYPE html>\n")).toBe(true);
    expect(html).toContain("<title>Grid &#60;int8&#62;</title>");
    expect(html).toContain(
      '<div id="plot" class="quantlab-plot" style="width:100%;height:420px;"></div>',
    );
    expect(html).toContain(scriptJson({ data: fig.data, layout: fig.layout }));
  });

  test("the default title is the figure's", () => {
    expect(figureHtml(fig)).toContain(
      "<title>Quantization grid: int8, 256 levels, s = 0.0784314, z = 0; 5 of 256 codes used</title>",
    );
  });

  test("toHtmlFile writes it", () => {
    const path = `/tmp/quantlab-plot-test-${process.pid}.html`;
    expect(toHtmlFile(fig, path, { title: "t" })).toBe(path);
    expect(readFileSync(path, "utf8")).toBe(figureHtml(fig, { title: "t" }));
  });
});

describe("HTML strings", () => {
  test("data cannot close the script", () => {
    const evil = {
      data: [{ type: "bar" as const, name: "</script><script>alert(1)</script>", y: [1] }],
      layout: {},
    };
    const div = figureDivHtml(evil, { divId: "d" });
    expect(count(div, "</script>")).toBe(1);
    expect(div).toContain("\\u003c/script\\u003e\\u003cscript\\u003ealert(1)\\u003c/script\\u003e");
    expect(scriptJson("\u2028&")).toBe('"\\u2028\\u0026"');
  });

  test("a figure's div and script, in full", () => {
    expect(
      figureDivHtml(
        { data: [{ type: "bar", y: [1, 2] }], layout: { height: 300 } },
        { divId: "fig-1", config: { scrollZoom: true } },
      ),
    ).toMatchInlineSnapshot(`
        "<div id="fig-1" class="quantlab-plot" style="width:100%;height:300px;"></div>
        <script type="text/javascript">
        (function () {
        var id = "fig-1";
        var figure = {"data":[{"type":"bar","y":[1,2]}],"layout":{"height":300}};
        var config = {"responsive":true,"displaylogo":false,"scrollZoom":true};
        function draw() {
          var div = document.getElementById(id);
          if (!div) return;
          div.textContent = "";
          try {
            window.Plotly.newPlot(div, figure.data, figure.layout, config).then(
              function () { div.setAttribute("data-plot-ready", "true"); },
              function (err) { div.setAttribute("data-plot-error", String(err)); }
            );
          } catch (err) { div.setAttribute("data-plot-error", String(err)); }
        }
        if (window.Plotly) { draw(); return; }
        (window.__quantlabPlotQueue = window.__quantlabPlotQueue || []).push(draw);
        setTimeout(function () {
          var div = document.getElementById(id);
          if (div && !window.Plotly) div.textContent = "plotly.js is not loaded on this page: run the setup cell (setupNotebook()) again.";
        }, 10000);
        })();
        </script>"
      `);
  });

  test("random div ids differ", () => {
    const a = figureDivHtml(fig).match(/id="([^"]+)"/)?.[1];
    const b = figureDivHtml(fig).match(/id="([^"]+)"/)?.[1];
    expect(a).toMatch(/^quantlab-plot-[0-9a-f]{16}$/);
    expect(a).not.toBe(b);
  });

  test("the loader skips plotly.js when the page has it, and inlines it safely", () => {
    const html = standaloneHtml(fig, "var s = '</script>'; var c = '<!--';");
    expect(html).toContain("if (window.Plotly) return;");
    expect(html).toContain("var s = '<\\/script>'; var c = '\\x3C!--';");
  });

  test("bad arguments", () => {
    // biome-ignore lint/suspicious/noExplicitAny: deliberately wrong arguments
    const loose = (x: unknown): any => x;
    expect(() => figureDivHtml(loose({ layout: {} }))).toThrowErrorMatchingInlineSnapshot(
      `[TypeError: figureDivHtml(): argument 'fig.data' must be an array of traces; received undefined.]`,
    );
    expect(() => standaloneHtml(fig, loose(undefined))).toThrowErrorMatchingInlineSnapshot(
      `[TypeError: standaloneHtml(): argument 'plotlySource' must be a string; received undefined.]`,
    );
    expect(() => toHtmlFile(fig, "")).toThrowErrorMatchingInlineSnapshot(
      `[TypeError: toHtmlFile(): argument 'path' must be a non-empty string; received "".]`,
    );
  });
});

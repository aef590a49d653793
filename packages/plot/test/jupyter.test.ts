import { beforeEach, expect, test, vi } from "vitest";
import type { Figure } from "../src/index.js";

type Jupyter = typeof import("../src/render/jupyter.js");
const BANNER = "plotly.js v4.1.2";
const fig: Figure = { data: [{ type: "bar", y: [1, 2] }], layout: {} };

// Each test starts a fresh "kernel session": the module's state (has plotly.js been displayed?) resets.
let jupyter: Jupyter;
beforeEach(async () => {
  vi.resetModules();
  jupyter = await import("../src/render/jupyter.js");
});

function recorder() {
  const outputs: string[] = [];
  return { outputs, display: { html: (html: string) => void outputs.push(html) } };
}
const bundles = (html: string) => html.split(BANNER).length - 1;

test("the first show of a session carries plotly.js, later ones only a div and a script", () => {
  const { outputs, display } = recorder();
  jupyter.show(fig, { display, divId: "a" });
  jupyter.show(fig, { display, divId: "b" });
  jupyter.show(fig, { display, divId: "c" });
  expect(outputs.map(bundles)).toEqual([1, 0, 0]);
  expect(outputs[0]?.indexOf(BANNER)).toBeLessThan(outputs[0]?.indexOf('<div id="a"') ?? -1);
  expect(outputs[1]?.length).toBeLessThan(5000);
  expect(outputs[1]?.startsWith('<div id="b" class="quantlab-plot"')).toBe(true);
  expect(outputs[1]).toContain("window.Plotly.newPlot(div, figure.data, figure.layout, config)");
});

test("after setupNotebook, no show carries plotly.js; running the setup again displays it again", () => {
  const { outputs, display } = recorder();
  jupyter.setupNotebook({ display });
  jupyter.show(fig, { display });
  jupyter.plotlyInit({ display });
  jupyter.show(fig, { display });
  expect(outputs.map(bundles)).toEqual([1, 0, 1, 0]);
  expect(outputs[0]).toBe(jupyter.notebookSetupHtml());
  // The setup output is a single guarded script: nothing visible, harmless when run twice.
  expect(
    outputs[0]?.startsWith(
      '<script type="text/javascript">\n(function (define, module, exports) {\nif (window.Plotly) return;',
    ),
  ).toBe(true);
  expect(outputs[0]?.match(/<script\b/g)?.length).toBe(1);
});

test("outside a tslab kernel, without a display: a clear error", () => {
  // From this package's folder require("tslab") may still find tslab (hoisted), which then says "Not ready".
  expect(() => jupyter.show(fig)).toThrowError(
    /^show\(\): (cannot find tslab's display|tslab's display failed \(Not ready\)).*pass \{ display/,
  );
  expect(() => jupyter.show(fig, { display: {} as never })).toThrowErrorMatchingInlineSnapshot(
    `[TypeError: show(): argument 'options.display' must be an object with an html(string) method; received an object.]`,
  );
});

test("inside a tslab kernel: the display of the require tslab gives cells", () => {
  const { outputs, display } = recorder();
  const g = globalThis as { __tslab__?: unknown };
  g.__tslab__ = { require: (id: string) => (id === "tslab" ? { display } : undefined) };
  try {
    jupyter.setupNotebook();
    jupyter.show(fig);
  } finally {
    delete g.__tslab__;
  }
  expect(outputs.map(bundles)).toEqual([1, 0]);
});

// The playground's SVG renderer (docs/lib/playground/svg.ts), bundled by esbuild for node: where
// it puts bars, lines, fills and shapes in px, the ticks it chooses (against the ticks plotly drew
// for the same figures in the playground), and what it refuses to draw.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

let svg;
let dir;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), "ql-svg-"));
  const outfile = join(dir, "svg.mjs");
  await build({
    entryPoints: [fileURLToPath(new URL("../lib/playground/svg.ts", import.meta.url))],
    bundle: true,
    format: "esm",
    platform: "neutral",
    outfile,
    logLevel: "silent",
  });
  svg = await import(outfile);
});
after(() => rmSync(dir, { recursive: true, force: true }));

// A 100 × 100 plot with no margins over [0, 10] × [0, 10]: data x is px x, data y is 100 − px y.
const layout = (extra = {}) => ({
  height: 100,
  margin: { t: 0, r: 0, b: 0, l: 0 },
  xaxis: { range: [0, 10] },
  yaxis: { range: [0, 10] },
  ...extra,
});
const draw = (data, extra) =>
  svg.figureSvg({ data, layout: layout(extra) }, { width: 100, id: "t" });
const paths = (markup) => [...markup.matchAll(/<path d="([^"]*)"/g)].map((m) => m[1]);

describe("figureSvg", () => {
  test("a bar spans its width around x, from 0 to its value", () => {
    const out = draw([
      { type: "bar", name: "n", x: [5], y: [5], width: [2], marker: { color: "#123456" } },
    ]);
    assert.ok(out.includes('<path d="M40,100V50H60V100Z" fill="#123456"'), out);
    assert.ok(out.includes('data-trace="bar" data-name="n" data-points="1"'));
  });

  test("bars of one colour are one path; each colour its own", () => {
    const one = draw([{ type: "bar", x: [1, 3, 5], y: [1, 2, 3], width: 1 }]);
    assert.equal((one.match(/<path d="M[\d.]+,100V/g) ?? []).length, 1);
    const two = draw([
      { type: "bar", x: [1, 3], y: [1, 2], width: 1, marker: { color: ["#111111", "#222222"] } },
    ]);
    assert.ok(two.includes('fill="#111111"') && two.includes('fill="#222222"'));
  });

  test("a line breaks at null and at non-finite values, as plotly's", () => {
    const out = draw([
      { type: "scatter", mode: "lines", x: [0, 1, 2, 3, 4, 5], y: [0, 1, null, 3, Infinity, 5] },
    ]);
    assert.ok(paths(out).includes("M0,100L10,90M30,70M50,50"), paths(out).join(" | "));
  });

  test("tonexty fills between a trace and the one before it", () => {
    const out = draw([
      { type: "scatter", mode: "lines", x: [0, 10], y: [2, 2] },
      {
        type: "scatter",
        mode: "lines",
        x: [0, 10],
        y: [8, 8],
        fill: "tonexty",
        fillcolor: "#abcdef",
      },
    ]);
    assert.ok(out.includes('<path d="M0,20L100,20L100,80L0,80Z" fill="#abcdef"'), out);
  });

  test("open markers are outlines; filled ones carry their outline's colour and width", () => {
    const open = draw([
      {
        type: "scatter",
        mode: "markers",
        x: [5],
        y: [5],
        marker: { symbol: "circle-open", color: "#ff0000" },
      },
    ]);
    assert.ok(open.includes('fill="none" stroke="#ff0000"'));
    const filled = draw([
      {
        type: "scatter",
        mode: "markers",
        x: [5],
        y: [5],
        marker: { symbol: "diamond", color: "#00ff00", line: { color: "#ffffff", width: 1 } },
      },
    ]);
    assert.ok(filled.includes('fill="#00ff00" stroke="#ffffff" stroke-width="1"'));
  });

  test("a line shape across the paper spans the plot at its y, dashed as plotly dashes", () => {
    const out = draw([], {
      shapes: [
        {
          type: "line",
          xref: "paper",
          x0: 0,
          x1: 1,
          yref: "y",
          y0: 5,
          y1: 5,
          line: { dash: "dash", width: 1 },
          name: "bound",
        },
      ],
    });
    assert.ok(
      out.includes(
        '<path d="M0,50L100,50" fill="none" stroke="#444" stroke-width="1" stroke-dasharray="9,9"',
      ),
      out,
    );
    assert.ok(out.includes('data-name="bound" data-shape="line"'));
  });

  test("a path shape in data units is drawn in px", () => {
    const out = draw([], {
      shapes: [
        { type: "path", xref: "x", yref: "y", path: "M1,0L1,10M2,0L2,10", line: { width: 1 } },
      ],
    });
    assert.ok(paths(out).includes("M10,100L10,0M20,100L20,0"), paths(out).join(" | "));
  });

  test("names and titles are escaped", () => {
    const out = draw([{ type: "bar", name: '<img src=x onerror="alert(1)">', x: [1], y: [1] }], {
      xaxis: { range: [0, 10], title: { text: "a < b & c" } },
    });
    assert.ok(!out.includes("<img"));
    assert.ok(out.includes("a &lt; b &amp; c"));
  });

  test("what it does not draw is refused, naming the function and the feature", () => {
    assert.throws(
      () => draw([{ type: "heatmap", z: [[1]] }]),
      /^Error: figureSvg\(\): a trace of type "heatmap"/,
    );
    assert.throws(() => draw([], { yaxis: { type: "log" } }), /an axis of type "log"/);
    assert.throws(
      () =>
        draw([{ type: "scatter", mode: "markers", x: [1], y: [1], marker: { symbol: "star" } }]),
      /symbol "star"/,
    );
    assert.throws(
      () => draw([{ type: "scatter", mode: "lines", x: [1], y: [1], fill: "tozeroy" }]),
      /fill "tozeroy"/,
    );
    assert.throws(
      () => draw([], { shapes: [{ type: "path", path: "M0,0C1,1 2,2 3,3" }] }),
      /path command "C"/,
    );
  });
});

describe("ticks", () => {
  // The steps plotly drew for the playground's figures of 65,536 normal values at 1280 px
  // (plot areas of 537 and 553 px wide, 256 px tall): read off its screenshots.
  test("the steps plotly's autotick chose for the same ranges and lengths", () => {
    assert.equal(svg.niceTicks(0, 3200, 256, 40).step, 500);
    assert.equal(svg.niceTicks(-0.2355, 0.2355, 537, 80).step, 0.1);
    assert.equal(svg.niceTicks(0, 65535, 553, 80).step, 10000);
    // At 390 px, 100 bars of errorPerElement over [-0.5, 99.5]: a rough step of 20, drawn as 50.
    assert.equal(svg.niceTicks(-0.5, 99.5, 290, 80).step, 50);
    assert.deepEqual(
      svg.niceTicks(-0.2355, 0.2355, 537, 80).values.map((v) => +v.toFixed(10)),
      [-0.2, -0.1, 0, 0.1, 0.2],
    );
  });

  test("labels as plotly writes them: a true minus, no trailing zeros, k and μ past 10^±3", () => {
    assert.equal(svg.tickLabel(-0.0005, 0.0005, 0.001), "\u22120.0005");
    assert.equal(svg.tickLabel(20000, 10000, 65535), "20k");
    assert.equal(svg.tickLabel(1500, 500, 3200), "1500");
    assert.equal(svg.tickLabel(-1e-17, 0.1, 0.2), "0");
    assert.equal(svg.tickLabel(0.001, 0.0005, 0.00103), "0.001");
    // The same error axis at 390 px, over about ±0.00055: in millionths.
    assert.equal(svg.tickLabel(-0.0004, 0.0002, 0.00055), "\u2212400\u03bc");
  });

  test("autorange keeps plotly's 5% clear: scatter traces on y, points on x, bars away from 0", () => {
    const auto = {
      height: 100,
      margin: { t: 0, r: 0, b: 0, l: 0 },
      xaxis: { showgrid: false },
      yaxis: { showgrid: false },
    };
    const line = svg.figureSvg(
      { data: [{ type: "scatter", mode: "lines", x: [0, 9], y: [0, 9] }], layout: auto },
      { width: 100, id: "a" },
    );
    // x tight: 0 → 0 px, 9 → 100 px; y with 5% of the axis (5 px) clear each side: 0 → 95 px.
    assert.ok(paths(line).includes("M0,95L100,5"), paths(line).join(" | "));
    const bar = svg.figureSvg(
      { data: [{ type: "bar", x: [1], y: [9], width: 2 }], layout: auto },
      { width: 100, id: "b" },
    );
    // plotly keeps 5% of the axis (5 px) clear above the top and none at 0: 9 at 5 px.
    assert.ok(paths(bar).includes("M0,100V5H100V100Z"), paths(bar).join(" | "));
  });
});

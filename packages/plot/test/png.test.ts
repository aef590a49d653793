import { existsSync, readFileSync, rmSync } from "node:fs";
import { expect, test } from "vitest";
import { quantizationGrid } from "../src/index.js";
import { chromiumPath, DEFAULT_CHROMIUM, renderPng, toPng } from "../src/node.js";
import { decodePng, greyVariance } from "./helpers/png.js";

const fig = quantizationGrid([-10, -5, 0, 5, 10], { dtype: "int8", scale: 20 / 255 });

test("chromiumPath: CHROMIUM_PATH, or the default when it is unset or empty", () => {
  const saved = process.env.CHROMIUM_PATH;
  try {
    process.env.CHROMIUM_PATH = "/opt/chromium/chrome";
    expect(chromiumPath()).toBe("/opt/chromium/chrome");
    process.env.CHROMIUM_PATH = "";
    expect(chromiumPath()).toBe(DEFAULT_CHROMIUM);
    delete process.env.CHROMIUM_PATH;
    expect(chromiumPath()).toBe("/usr/bin/chromium");
  } finally {
    if (saved === undefined) delete process.env.CHROMIUM_PATH;
    else process.env.CHROMIUM_PATH = saved;
  }
});

test("Chromium is installed where toPng looks for it", () => {
  // Not skipped when missing: this test then fails, saying what to install.
  expect(
    existsSync(chromiumPath()),
    `no Chromium at ${chromiumPath()}: apt-get install chromium, or set CHROMIUM_PATH`,
  ).toBe(true);
});

test("toPng draws the figure in headless Chromium at the requested size", async () => {
  const path = `/tmp/quantlab-plot-test-${process.pid}.png`;
  try {
    expect(await toPng(fig, path, { width: 640, height: 360 })).toBe(path);
    const img = decodePng(readFileSync(path));
    expect([img.width, img.height]).toEqual([640, 360]);
    // A blank (all white) image has variance 0; a drawn grid with text and ticks has plenty.
    expect(greyVariance(img)).toBeGreaterThan(200);
    // Pixels in the plotted colours: the vermillion markers (#D55E00) are there.
    let vermillion = 0;
    for (let i = 0; i < img.width * img.height; i++) {
      const o = i * img.channels;
      const [r, g, b] = [
        img.pixels[o] as number,
        img.pixels[o + 1] as number,
        img.pixels[o + 2] as number,
      ];
      if (Math.abs(r - 0xd5) < 16 && Math.abs(g - 0x5e) < 16 && b < 24) vermillion++;
    }
    expect(vermillion).toBeGreaterThan(50);
  } finally {
    rmSync(path, { force: true });
  }
}, 60_000);

test("scale multiplies the pixels", async () => {
  const png = await renderPng(
    { data: [{ type: "bar", y: [1, 3, 2] }], layout: { title: { text: "bars" } } },
    { width: 200, height: 150, scale: 2 },
  );
  const img = decodePng(png);
  expect([img.width, img.height]).toEqual([400, 300]);
  expect(greyVariance(img)).toBeGreaterThan(100);
}, 60_000);

test("a missing Chromium is a clear error", async () => {
  await expect(
    renderPng(fig, { executablePath: "/nonexistent/chromium" }),
  ).rejects.toThrowErrorMatchingInlineSnapshot(
    `[Error: renderPng(): Chromium not found at /nonexistent/chromium; install it (Debian: apt-get install chromium), or pass { executablePath } or set CHROMIUM_PATH.]`,
  );
  await expect(renderPng(fig, { width: 0 })).rejects.toThrowErrorMatchingInlineSnapshot(
    `[RangeError: renderPng(): argument 'options.width' must be an integer in [1, 10000]; received 0.]`,
  );
});

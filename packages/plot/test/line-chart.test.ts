import { describe, expect, it } from "vitest";
import { lineChart } from "../src/index.js";

describe("lineChart", () => {
  const rtn = { name: "RTN", x: [4, 3, 2], y: [1.66e-3, 7.27e-3, 4.46e-2] };
  const gptq = { name: "GPTQ", x: [4, 3, 2], y: [4.47e-4, 2.09e-3, 1.23e-2], dashed: true };

  it("draws one line with markers a series, the values as given, in the series colours", () => {
    const fig = lineChart([rtn, gptq], {
      title: "Output error against bits",
      xTitle: "bits",
      yTitle: "error",
      logY: true,
      xTicks: [2, 3, 4],
    });
    expect(fig.data.map((d) => (d as { name: string }).name)).toEqual(["RTN", "GPTQ"]);
    expect((fig.data[1] as { y: number[] }).y).toEqual(gptq.y);
    expect((fig.data[1] as { line: { dash?: string } }).line.dash).toBe("dash");
    expect((fig.data[0] as { line: { dash?: string } }).line.dash).toBeUndefined();
    expect(fig.layout.yaxis?.type).toBe("log");
    expect(fig.layout.xaxis?.tickvals).toEqual([2, 3, 4]);
    expect((fig.layout.title as { text: string }).text).toBe("Output error against bits");
  });

  it("refuses what it cannot draw, naming the argument", () => {
    expect(() => lineChart([])).toThrow(
      /lineChart\(\): argument 'series' must be a non-empty array/,
    );
    expect(() => lineChart([{ name: "a", x: [1, 2], y: [1] }])).toThrow(
      /argument 'series\[0\]\.y' must be 2 values \(as many as x\); received 1/,
    );
    expect(() => lineChart([{ name: "a", x: [1], y: [0] }], { logY: true })).toThrow(
      /must be values > 0 on a logarithmic axis; received 0/,
    );
    expect(() => lineChart([rtn], { logy: true } as never)).toThrow(/lineChart\(\)/);
  });
});

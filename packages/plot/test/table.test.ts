import { describe, expect, it } from "vitest";
import { tableHtml } from "../src/index.js";
import { showTable } from "../src/node.js";

describe("tableHtml", () => {
  it("prints 6 significant digits, integers whole, -0 as -0, and escapes text", () => {
    const html = tableHtml({
      "x < y": [-127.49999237060547, -0, 3.4028234663852886e38, 2 ** -24],
      q: Int32Array.of(-127, 0, 123456789, 1),
    });
    expect(html).toContain("<th>x &lt; y</th><th>q</th>");
    expect(html).toContain("<tr><td>-127.5</td><td>-127</td></tr>");
    expect(html).toContain("<tr><td>-0</td><td>0</td></tr>");
    expect(html).toContain("<tr><td>3.40282e+38</td><td>123456789</td></tr>");
    expect(html).toContain("<tr><td>5.96046e-8</td><td>1</td></tr>");
  });

  it("prints numbers exactly when the digits are the point", () => {
    expect(tableHtml({ x: [-127.49999237060547] }, { exact: true })).toContain(
      "<td>-127.49999237060547</td>",
    );
    expect(tableHtml({ x: [1 / 3] }, { significant: 3 })).toContain("<td>0.333</td>");
    expect(() => tableHtml({ x: [1] }, { exact: true, digits: 2 })).toThrow(RangeError);
    expect(() => tableHtml({ x: [1] }, { significant: 0 })).toThrow(RangeError);
  });

  it("rounds non-integers to `digits` when asked", () => {
    expect(tableHtml({ v: [1 / 3, 2] }, { digits: 4 })).toContain(
      "<td>0.3333</td></tr><tr><td>2</td>",
    );
  });

  it("rounds non-integers to `significant` digits, integers kept whole", () => {
    const html = tableHtml(
      { v: [0.00010940364948636668, 250.50000373274088, 1642448] },
      { significant: 6 },
    );
    expect(html).toContain("<td>0.000109404</td></tr><tr><td>250.5</td></tr><tr><td>1642448</td>");
    expect(() => tableHtml({ v: [1] }, { significant: 0 })).toThrow(
      /'options.significant' must be an integer in \[1, 21\]/,
    );
    expect(() => tableHtml({ v: [1] }, { significant: 6, digits: 2 })).toThrow(
      /'options' must be at most one of digits, significant and exact: true/,
    );
  });

  it("rejects columns of different lengths", () => {
    expect(() => tableHtml({ a: [1, 2], b: [1] })).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: tableHtml(): argument 'columns["b"]' must be 2 values, as the first column; received 1.]`,
    );
    expect(() => tableHtml({ a: [1] }, { digits: -1 })).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: tableHtml(): argument 'options.digits' must be an integer in [0, 20]; received -1.]`,
    );
  });

  it("shows through a given display", () => {
    const outputs: string[] = [];
    showTable({ q: [1] }, { display: { html: (s: string) => outputs.push(s) } });
    expect(outputs).toHaveLength(1);
    expect(outputs[0]).toContain("<td>1</td>");
  });
});

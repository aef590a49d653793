// The site's page generation (docs/lib): notebooks to pages with the course's cell tags, the API
// lookup, and the checks of a built site (dead links, links back, remote loads).
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, test } from "node:test";
import { apiEntries, apiIndex, codeEntry, withUsedIn } from "../lib/api.mjs";
import { checkBacklinks, checkLinks, remoteLoads } from "../lib/links.mjs";
import {
  linkInlineCode,
  notebookTitle,
  notebookToPage,
  splitHtmlOutput,
} from "../lib/notebook.mjs";
import { missingTraces, PLOTLY_TRACES, plotlyEntry, plotlyKey } from "../lib/plotly.mjs";

const md = (source, tags = []) => ({ cell_type: "markdown", metadata: { tags }, source });
const code = (source, tags = [], outputs = []) => ({
  cell_type: "code",
  metadata: { tags },
  source,
  outputs,
  execution_count: 1,
});

describe("notebookToPage", () => {
  const nb = {
    metadata: { language_info: { name: "typescript" } },
    cells: [
      md("# Symmetric quantization\n\nOne scale, no zero point. You will:\n- a"),
      code(
        'import * as q from "@quantlab/core";\nconst p = q.symmetricParams(x);',
        [],
        [{ output_type: "stream", name: "stdout", text: ["s = 0.1\n"] }],
      ),
      code("assert.equal(p.zeroPoint, 0);\nassert.ok(true);", ["check"]),
      md("**Exercise.** Find s.", ["exercise"]),
      code("const mine = 0;", ["starter"]),
      code("checkAnswer(mine);", ["exercise-check"]),
      md("The scale is max |x| / 127.", ["solution"]),
      code("const mine = 1;", ["solution"]),
      md("Use `q.quantize` next."),
    ],
  };
  const page = notebookToPage(nb, {
    name: "01-symmetric",
    intro: "::: tip Run it yourself\nnpm run lab\n:::",
    resolveCode: (text) => (text === "q.quantize" ? "/api/core/functions/quantize.md" : null),
  });

  test("title, description and summary come from the first heading and paragraph", () => {
    assert.equal(page.title, "Symmetric quantization");
    assert.equal(page.summary, "One scale, no zero point.");
    assert.match(
      page.markdown,
      /^---\ntitle: "Symmetric quantization"\ndescription: "One scale, no zero point\."/,
    );
  });

  test("a check cell is folded, with its count of assertions", () => {
    assert.match(
      page.markdown,
      /<details class="nb-fold nb-check">\n<summary>Checks: 2 assertions, passed when this page was built<\/summary>\n\n```ts\nassert\.equal/,
    );
  });

  test("the solution's cells are hidden together in one closed fold", () => {
    const folds = page.markdown.match(/<details class="nb-fold nb-solution">/g) ?? [];
    assert.equal(folds.length, 1);
    const fold = page.markdown.slice(
      page.markdown.indexOf('<details class="nb-fold nb-solution">'),
    );
    assert.ok(fold.indexOf("The scale is max") < fold.indexOf("</details>"));
    assert.ok(fold.indexOf("const mine = 1;") < fold.indexOf("</details>"));
    assert.doesNotMatch(page.markdown, /<details[^>]*\sopen/);
  });

  test("exercise, starter and exercise-check are shown and marked", () => {
    assert.match(page.markdown, /<div class="nb-exercise">\n\n\*\*Exercise\.\*\* Find s\./);
    assert.match(
      page.markdown,
      /Your turn: edit and run this cell in JupyterLab<\/p>\n\n```ts\nconst mine = 0;/,
    );
    assert.match(page.markdown, /Checks your answer<\/p>\n\n```ts\ncheckAnswer/);
  });

  test("outputs, the intro box and linked inline code", () => {
    assert.match(page.markdown, /<pre class="nb-stream" tabindex="0">s = 0\.1<\/pre>/);
    assert.match(page.markdown, /:::\n\n::: tip Run it yourself/);
    assert.match(
      page.markdown,
      /Use \[`q\.quantize`\]\(\/api\/core\/functions\/quantize\.md\) next\./,
    );
    assert.deepEqual(page.uses, [["core", "symmetricParams"]]);
  });

  test("a notebook without a heading is refused, naming it", () => {
    assert.throws(
      () => notebookToPage({ cells: [md("no heading")] }, { name: "09-x" }),
      /09-x: no heading/,
    );
  });
});

test("notebookTitle drops a last sentence that announces a list", () => {
  assert.deepEqual(notebookTitle({ cells: [md("# A\n\nB. You will:\n- c")] }), {
    title: "A",
    summary: "B.",
  });
});

test("splitHtmlOutput takes a figure out of its HTML and drops the plotly loader", () => {
  const html =
    "<script>(function (define, module, exports) {\nif (window.Plotly) return;\n/* plotly */})</script>" +
    '<div id="f1" class="quantlab-plot" style="width:100%;height:360px"></div>\n<script type="text/javascript">\n' +
    'var figure = {"data":[{"type":"bar","y":[1]}],"layout":{"title":{"text":"T"}}};\nvar config = {"responsive":true};\n</script><p>after</p>';
  const parts = splitHtmlOutput(html);
  assert.equal(parts.loader, true);
  assert.equal(parts.figures.length, 1);
  assert.equal(parts.figures[0].height, 360);
  assert.deepEqual(parts.figures[0].data, [{ type: "bar", y: [1] }]);
  assert.equal(parts.html, "<p>after</p>");
});

test("linkInlineCode leaves fenced code and existing links alone", () => {
  const resolve = (text) => (text === "quantize" ? "/api/q.md" : null);
  const source = "`quantize` and [`quantize`](/x)\n```ts\n`quantize`\n```\n`round(x)`";
  assert.equal(
    linkInlineCode(source, resolve),
    "[`quantize`](/api/q.md) and [`quantize`](/x)\n```ts\n`quantize`\n```\n`round(x)`",
  );
});

describe("the plotly bundle", () => {
  test("missingTraces names the trace types the bundle lacks, once each, sorted", () => {
    assert.deepEqual(missingTraces(["scatter", "bar", "heatmap"]), []);
    assert.deepEqual(missingTraces(["pie", "scatter", "box", "pie"]), ["box", "pie"]);
    assert.deepEqual(missingTraces([]), []);
  });

  test("the entry registers plotly's module of each trace but scatter, which core has", () => {
    const require = createRequire(join(import.meta.dirname, "..", "package.json"));
    const entry = plotlyEntry(["bar", "scatter", "violin"]);
    const required = [...entry.matchAll(/require\(("[^"]+")\)/g)].map((m) => JSON.parse(m[1]));
    assert.deepEqual(required, [
      require.resolve("plotly.js/lib/core"),
      require.resolve("plotly.js/lib/bar"),
      require.resolve("plotly.js/lib/violin"),
    ]);
    assert.ok(PLOTLY_TRACES.includes("scatter"));
  });

  test("the cache key is the same for the same traces and differs for others", () => {
    assert.match(plotlyKey(), /^[0-9a-f]{16}$/);
    assert.equal(plotlyKey(), plotlyKey([...PLOTLY_TRACES]));
    assert.notEqual(plotlyKey(["bar", "scatter"]), plotlyKey());
    assert.notEqual(plotlyKey(["bar", "heatmap", "scatter", "pie"]), plotlyKey());
  });
});

describe("the API index", () => {
  const index = apiIndex(
    apiEntries([
      "core/functions/quantize.md",
      "plot/functions/quantize.md",
      "plot/node/functions/show.md",
      "core/index.md",
      "core/interfaces/QuantParams.md",
    ]),
  );
  test("names resolve through the lesson's imports, core first otherwise", () => {
    assert.equal(codeEntry(index, "quantize").pkg, "core");
    assert.equal(
      codeEntry(index, "p.quantize(x)", { namespaces: { p: "plot" }, names: {} }).pkg,
      "plot",
    );
    assert.equal(
      codeEntry(index, "display", { namespaces: {}, names: { display: ["plot", "show"] } }).name,
      "show",
    );
    assert.equal(codeEntry(index, "Math.max"), null);
    assert.equal(codeEntry(index, "round(x / s)"), null);
    assert.equal(index.entries.length, 4);
  });
  test("withUsedIn lists the lessons last", () => {
    const page = withUsedIn("# Function: quantize()\n", [
      { title: "A [b]", link: "/lessons/01-a.md" },
    ]);
    assert.equal(
      page,
      "# Function: quantize()\n\n## Used in the lessons\n\n- [A \\[b\\]](/lessons/01-a.md)\n",
    );
  });
});

describe("checks of a built site", () => {
  const site = mkdtempSync(join(tmpdir(), "quantlab-site-"));
  const write = (path, html) => {
    mkdirSync(dirname(join(site, path)), { recursive: true });
    writeFileSync(join(site, path), html);
  };
  write(
    "index.html",
    '<a href="/lessons/01-a.html#why">a</a><a href="https://example.org/">out</a>',
  );
  write(
    "lessons/01-a.html",
    '<h2 id="why">Why</h2><a href="/api/core/functions/quantize.html">q</a><a href="/api/core/functions/dequantize.html">d</a>',
  );
  write("api/core/functions/quantize.html", '<a href="/lessons/01-a.html">used in</a>');
  write(
    "api/core/functions/dequantize.html",
    '<a href="/index.html#nowhere">x</a><a href="../../gone.html">y</a>',
  );

  test("dead links and missing anchors are found; other machines counted, not followed", () => {
    const result = checkLinks(site);
    assert.equal(result.pages, 4);
    assert.equal(result.external, 1);
    assert.deepEqual(
      result.dead.map((d) => [d.page, d.url]),
      [
        ["api/core/functions/dequantize.html", "/index.html#nowhere"],
        ["api/core/functions/dequantize.html", "../../gone.html"],
      ],
    );
  });

  test("an API page a lesson links to must link back", () => {
    const result = checkBacklinks(site);
    assert.equal(result.pairs, 2);
    assert.deepEqual(result.missing, [
      { lesson: "/lessons/01-a.html", api: "/api/core/functions/dequantize.html" },
    ]);
  });

  test("scripts, styles and CSS imports from other machines are reported", () => {
    write(
      "remote.html",
      '<script src="https://cdn.example/p.js"></script><link rel="stylesheet" href="//cdn.example/s.css">',
    );
    write("assets/style.css", '@import "https://fonts.example/f.css";');
    assert.equal(remoteLoads(site).length, 3);
    rmSync(site, { recursive: true, force: true });
  });
});

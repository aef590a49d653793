// An executed notebook as a VitePress page: its markdown cells as they are, its code cells as
// highlighted code, its outputs (text, tables, LaTeX, images, and @quantlab/plot figures written to
// their own files), the course's cell tags honoured (notebooks/README.md, "Cell tags"), and inline
// code that names an API entry linked to its page. Pure functions: no file system here.
import { createHash } from "node:crypto";

/** The cell tags of the course and what the site does with them. */
export const TAGS = {
  check: "collapsed under “Checks”, still executed",
  exercise: "shown, marked as an exercise",
  starter: "shown, marked as the cell the reader edits",
  "exercise-check": "shown, marked as the check of the reader's answer",
  solution: "hidden until the reader opens it",
};

// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escapes start with ESC.
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;

/** A cell's source or an output's text, which nbformat stores as a string or a list of lines. */
export const joined = (value) => (Array.isArray(value) ? value.join("") : (value ?? ""));

/** Text for HTML content and quoted attributes. */
export const escapeHtml = (text) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const tagsOf = (cell) => (Array.isArray(cell.metadata?.tags) ? cell.metadata.tags : []);

const shortHash = (text) => createHash("sha256").update(text).digest("hex").slice(0, 10);

/** Markdown without its formatting, for titles and summaries. */
export function plainText(markdown) {
  return markdown
    .replace(/!\[[^\]]*\]\([^)]*\)/g, "")
    .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/`+([^`]*)`+/g, "$1")
    .replace(/(\*\*|__|\*|_)(\S(?:.*?\S)?)\1/g, "$2")
    .replace(/<[^>]+>/g, "")
    .replace(/\s+/g, " ")
    .trim();
}

/**
 * The title (the first heading) and the summary (the first paragraph after it, without a last
 * sentence that only announces a list) of a notebook.
 *
 * @example
 * notebookTitle({ cells: [{ cell_type: "markdown", source: "# A\n\nB. You will:\n- c" }] });
 * // => { title: "A", summary: "B." }
 */
export function notebookTitle(nb) {
  let title = null;
  let summary = "";
  for (const cell of nb.cells ?? []) {
    if (cell.cell_type !== "markdown") continue;
    const blocks = joined(cell.source).split(/\n\s*\n/);
    for (const block of blocks) {
      const heading = /^#{1,6}\s+(.+?)\s*#*\s*$/m.exec(block);
      if (title === null) {
        if (heading) title = plainText(heading[1]);
        continue;
      }
      if (heading || /^\s*([-*+]|\d+\.)\s/.test(block)) continue;
      // The paragraph ends where a list starts, even without a blank line before it.
      const lines = block.split("\n");
      const list = lines.findIndex((line) => /^\s*([-*+]|\d+\.)\s/.test(line));
      const paragraph = list < 0 ? block : lines.slice(0, list).join("\n");
      const sentences = plainText(paragraph).split(/(?<=[.!?])\s+/);
      if (sentences.length > 1 && sentences[sentences.length - 1].endsWith(":")) sentences.pop();
      summary = sentences.join(" ");
      break;
    }
    if (title !== null && summary) break;
  }
  return { title, summary };
}

/** The longest run of backticks in text, plus one (at least 3): a fence that text cannot close. */
function fenceFor(text) {
  const runs = text.match(/`+/g) ?? [];
  return "`".repeat(Math.max(3, ...runs.map((run) => run.length + 1)));
}

/**
 * Replaces each inline code span that `resolve` maps to a URL by a link around it; code in fenced
 * blocks, and spans already inside a link's text, stay as they are.
 *
 * @example
 * linkInlineCode("Use `quantize` here.", (code) => (code === "quantize" ? "/api/q.md" : null));
 * // => "Use [`quantize`](/api/q.md) here."
 */
export function linkInlineCode(markdown, resolve) {
  const out = [];
  let prose = [];
  let fence = null;
  const flush = () => {
    if (prose.length === 0) return;
    out.push(
      prose
        .join("\n")
        .replace(
          /(\[)?(`+)(?!`)([^`]|[^`][\s\S]*?[^`])\2(?!`)(\]\()?/g,
          (all, open, ticks, code, close) => {
            if (open || close) return all;
            const url = resolve(code.trim());
            return url ? `[${ticks}${code}${ticks}](${url})` : all;
          },
        ),
    );
    prose = [];
  };
  for (const line of markdown.split("\n")) {
    const marker = /^ {0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence) {
      out.push(line);
      if (
        marker &&
        marker[0] === fence[0] &&
        marker.length >= fence.length &&
        !line.trim().slice(marker.length).trim()
      ) {
        fence = null;
      }
    } else if (marker) {
      flush();
      fence = marker;
      out.push(line);
    } else {
      prose.push(line);
    }
  }
  flush();
  return out.join("\n");
}

/**
 * The names a code cell imports from the packages: `import * as q from "@quantlab/core"` (a
 * namespace: alias → package) and `import { quantize as qz } from "@quantlab/core"` (a name:
 * local name → [package, exported name]).
 *
 * @example
 * importsOf('import * as q from "@quantlab/core";\nimport { show } from "@quantlab/plot/node";');
 * // => { namespaces: { q: "core" }, names: { show: ["plot", "show"] } }
 */
export function importsOf(source) {
  const namespaces = {};
  const names = {};
  const pattern =
    /import\s+(?:type\s+)?(?:\*\s+as\s+([\w$]+)|\{([^}]*)\})\s+from\s+["']@quantlab\/([\w-]+)(?:\/[\w-]+)?["']/g;
  for (const [, namespace, list, pkg] of source.matchAll(pattern)) {
    if (namespace) namespaces[namespace] = pkg;
    for (const item of (list ?? "").split(",")) {
      const match = /^\s*(?:type\s+)?([\w$]+)(?:\s+as\s+([\w$]+))?\s*$/.exec(item);
      if (match) names[match[2] ?? match[1]] = [pkg, match[1]];
    }
  }
  return { namespaces, names };
}

/** The `alias.name` references and imported names a code cell uses, as [package, name] pairs. */
export function usesOf(source, imports) {
  const used = [];
  for (const [alias, pkg] of Object.entries(imports.namespaces)) {
    const escaped = alias.replace(/\$/g, "\\$");
    for (const match of source.matchAll(
      new RegExp(`(?<![\\w$.])${escaped}\\.([A-Za-z_$][\\w$]*)`, "g"),
    )) {
      used.push([pkg, match[1]]);
    }
  }
  for (const [local, [pkg, name]] of Object.entries(imports.names)) {
    const escaped = local.replace(/\$/g, "\\$");
    if (new RegExp(`(?<![\\w$.])${escaped}(?![\\w$])`).test(source)) used.push([pkg, name]);
  }
  return used;
}

const LOADER_START = "(function (define, module, exports) {\nif (window.Plotly) return;";
const FIGURE =
  /<div id="[^"]*" class="quantlab-plot" style="([^"]*)"><\/div>\s*<script type="text\/javascript">\n([\s\S]*?)<\/script>/g;

/**
 * The parts of an HTML output: the @quantlab/plot figures it draws (figureDivHtml's `{ data,
 * layout }` and config, and the div's height), whether it held the plotly.js loader
 * (plotlyLoaderHtml, dropped: the site loads plotly.js itself), and the rest of its HTML.
 *
 * @example
 * splitHtmlOutput("<p>hi</p>");
 * // => { figures: [], loader: false, html: "<p>hi</p>" }
 */
export function splitHtmlOutput(html) {
  let rest = html;
  let loader = false;
  for (;;) {
    const at = rest.indexOf(LOADER_START);
    if (at < 0) break;
    const open = rest.lastIndexOf("<script", at);
    const close = rest.indexOf("</script>", at);
    if (open < 0 || close < 0) break;
    rest = rest.slice(0, open) + rest.slice(close + "</script>".length);
    loader = true;
  }
  const figures = [];
  rest = rest.replace(FIGURE, (_all, style, script) => {
    const figure = /^var figure = (.*);$/m.exec(script)?.[1];
    const config = /^var config = (.*);$/m.exec(script)?.[1];
    if (!figure) throw new Error("a quantlab-plot figure without its `var figure = …;` line");
    const height = Number(/height:\s*([\d.]+)px/.exec(style)?.[1] ?? 420);
    figures.push({ ...JSON.parse(figure), config: config ? JSON.parse(config) : {}, height });
    return "";
  });
  return { figures, loader, html: rest.trim() };
}

/** A figure's title, from its layout, as plain text ("" when it has none). */
function figureTitle(figure) {
  const title = figure.layout?.title;
  return plainText(
    (typeof title === "string" ? title : (title?.text ?? "")).replace(/<br\s*\/?>/gi, " "),
  );
}

/** HTML from an output, as a markdown block: no `<style>` (the theme styles it), no blank line. */
function htmlBlock(html, where) {
  const clean = html.replace(/<style\b[^>]*>[\s\S]*?<\/style>/gi, "").trim();
  if (/<script\b/i.test(clean)) {
    throw new Error(
      `${where}: an HTML output with a <script> the site cannot run (the site draws only @quantlab/plot figures, from show())`,
    );
  }
  // A table wider than the column scrolls: it takes the keyboard focus (axe:
  // scrollable-region-focusable).
  return clean
    .replace(/\n[ \t]*(?=\n)/g, "")
    .replace(/<table\b(?![^>]*\btabindex=)/gi, '<table tabindex="0"');
}

const PLAIN_MIMES = ["text/plain"];
const IMAGE_MIMES = {
  "image/svg+xml": "svg",
  "image/png": "png",
  "image/jpeg": "jpg",
  "image/gif": "gif",
};

/** LaTeX output (tslab's display.latex) as markdown display math, one block per formula. */
function latexBlocks(latex) {
  const text = latex.trim();
  const formulas = [...text.matchAll(/\$\$([\s\S]*?)\$\$|\\\[([\s\S]*?)\\\]/g)].map((m) =>
    (m[1] ?? m[2]).trim(),
  );
  const list = formulas.length > 0 ? formulas : [text.replace(/^\$|\$$/g, "")];
  return list.map((tex) => `$$\n${tex}\n$$`);
}

/**
 * Converts one executed notebook to a VitePress page.
 *
 * - name: the page's name (NN-topic); figures and images become files named after it.
 * - assetUrl(file): the URL of a file written to the site's assets (default /assets/figures/file).
 * - resolveCode(code, imports): the page URL of the API entry an inline code span names, or null
 *   (imports: importsOf over the lesson's code cells).
 * - intro: markdown placed after the first markdown cell ("Run it yourself").
 *
 * Returns { markdown, title, summary, files: [{ file, content }], traceTypes: Set, uses }: uses
 * are the [package, name] pairs its code cells reference (usesOf).
 *
 * @throws {Error} naming the cell, for an output the site cannot show.
 */
export function notebookToPage(nb, { name, assetUrl, resolveCode = () => null, intro = "" }) {
  const url = assetUrl ?? ((file) => `/assets/figures/${file}`);
  const { title, summary } = notebookTitle(nb);
  if (!title)
    throw new Error(`${name}: no heading in its markdown cells (a lesson opens with "# Title")`);
  const language =
    nb.metadata?.language_info?.name === "typescript"
      ? "ts"
      : (nb.metadata?.language_info?.name ?? "ts");
  // The lesson's imports, from every code cell: its prose may name `q.quantize` before the setup cell.
  const imports = { namespaces: {}, names: {} };
  for (const cell of nb.cells ?? []) {
    if (cell.cell_type !== "code") continue;
    const found = importsOf(joined(cell.source));
    Object.assign(imports.namespaces, found.namespaces);
    Object.assign(imports.names, found.names);
  }
  const uses = [];
  const files = [];
  const traceTypes = new Set();
  const code = (text) => resolveCode(text, imports);

  const outputsOf = (cell, where) => {
    const pieces = [];
    let stream = null;
    const endStream = () => {
      if (!stream) return;
      const kind = stream.name === "stderr" ? " nb-stderr" : "";
      pieces.push(
        `<pre class="nb-stream${kind}" tabindex="0">${escapeHtml(stream.text.replace(/\n$/, ""))}</pre>`,
      );
      stream = null;
    };
    for (const [k, output] of (cell.outputs ?? []).entries()) {
      if (output.output_type === "stream") {
        const text = joined(output.text).replace(ANSI, "");
        if (stream && stream.name === output.name) stream.text += text;
        else {
          endStream();
          stream = { name: output.name, text };
        }
        continue;
      }
      endStream();
      if (output.output_type === "error") {
        const trace = joined(output.traceback ?? []).replace(ANSI, "");
        pieces.push(
          `<pre class="nb-stream nb-stderr" tabindex="0">${escapeHtml(trace || `${output.ename}: ${output.evalue}`)}</pre>`,
        );
        continue;
      }
      const data = output.data ?? {};
      if (data["text/html"] !== undefined) {
        const parts = splitHtmlOutput(joined(data["text/html"]));
        for (const [f, figure] of parts.figures.entries()) {
          for (const trace of figure.data ?? []) traceTypes.add(trace.type ?? "scatter");
          const content = JSON.stringify({
            data: figure.data,
            layout: figure.layout,
            config: figure.config,
          });
          const file = `${name}-${where.cell}-${k}${parts.figures.length > 1 ? `-${f}` : ""}.${shortHash(content)}.json`;
          files.push({ file, content });
          // The title becomes the figure's caption, as text that wraps (the theme draws the
          // figure without it).
          const title = figureTitle(figure);
          const caption = title
            ? `<figcaption class="nb-figure-title">${escapeHtml(title)}</figcaption>`
            : "";
          pieces.push(
            `<figure class="nb-figure-card">${caption}<div class="nb-figure" data-src="${escapeHtml(url(file))}" style="height:${figure.height}px">Drawing the figure…</div></figure>`,
          );
        }
        if (parts.html) pieces.push(htmlBlock(parts.html, `${name}, cell ${where.cell}`));
        continue;
      }
      const image = Object.keys(IMAGE_MIMES).find((mime) => data[mime] !== undefined);
      if (image) {
        const raw = joined(data[image]);
        const content = image === "image/svg+xml" ? raw : Buffer.from(raw, "base64");
        const file = `${name}-${where.cell}-${k}.${shortHash(raw)}.${IMAGE_MIMES[image]}`;
        files.push({ file, content });
        pieces.push(
          `<img src="${escapeHtml(url(file))}" alt="Output of the code above" loading="lazy">`,
        );
        continue;
      }
      if (data["text/latex"] !== undefined) {
        pieces.push(
          `<div class="nb-math" tabindex="0">`,
          ...latexBlocks(joined(data["text/latex"])),
          "</div>",
        );
        continue;
      }
      if (data["text/markdown"] !== undefined) {
        pieces.push(linkInlineCode(joined(data["text/markdown"]), code));
        continue;
      }
      const plain = PLAIN_MIMES.find((mime) => data[mime] !== undefined);
      if (plain)
        pieces.push(
          `<pre class="nb-stream" tabindex="0">${escapeHtml(joined(data[plain]).replace(ANSI, ""))}</pre>`,
        );
    }
    endStream();
    return pieces.length ? `<div class="nb-outputs">\n\n${pieces.join("\n\n")}\n\n</div>` : "";
  };

  const blocks = [];
  let openFold = null;
  const closeFold = () => {
    if (openFold) blocks.push("</details>");
    openFold = null;
  };
  const fold = (kind, summary) => {
    if (openFold === kind && kind === "solution") return;
    closeFold();
    blocks.push(`<details class="nb-fold nb-${kind}">\n<summary>${escapeHtml(summary)}</summary>`);
    openFold = kind;
  };

  let introDone = false;
  for (const [index, cell] of (nb.cells ?? []).entries()) {
    const number = index + 1;
    const tags = tagsOf(cell);
    const source = joined(cell.source);
    if (cell.cell_type === "raw" || !source.trim()) continue;
    if (cell.cell_type === "markdown") {
      let markdown = linkInlineCode(source, code);
      for (const [file, bundle] of Object.entries(cell.attachments ?? {})) {
        const mime = Object.keys(bundle)[0];
        const ext = IMAGE_MIMES[mime];
        if (!ext)
          throw new Error(`${name}, cell ${number}: attachment ${file} is ${mime}, not an image`);
        const raw = joined(bundle[mime]);
        const out = `${name}-${number}-${shortHash(raw)}.${ext}`;
        files.push({
          file: out,
          content: mime === "image/svg+xml" ? raw : Buffer.from(raw, "base64"),
        });
        markdown = markdown.split(`attachment:${file}`).join(url(out));
      }
      if (tags.includes("solution")) fold("solution", "Solution");
      else closeFold();
      blocks.push(
        tags.includes("exercise") ? `<div class="nb-exercise">\n\n${markdown}\n\n</div>` : markdown,
      );
      if (!introDone && intro) {
        closeFold();
        blocks.push(`:::\n\n${intro}\n\n::: v-pre`);
        introDone = true;
      }
      continue;
    }
    // A code cell.
    uses.push(...usesOf(source, imports));
    const fence = fenceFor(source);
    const body = [`${fence}${language}\n${source.replace(/\n+$/, "")}\n${fence}`];
    const outputs = outputsOf(cell, { cell: number });
    if (outputs) body.push(outputs);
    if (tags.includes("check")) {
      const count = (source.match(/\bassert(?:\.\w+)?\s*\(/g) ?? []).length;
      const what = count === 1 ? "1 assertion" : `${count} assertions`;
      fold("check", `Checks: ${what}, passed when this page was built`);
      blocks.push(...body);
      closeFold();
      continue;
    }
    if (tags.includes("solution")) {
      fold("solution", "Solution");
      blocks.push(...body);
      continue;
    }
    closeFold();
    if (tags.includes("starter"))
      blocks.push('<p class="nb-label">Your turn: edit and run this cell in JupyterLab</p>');
    if (tags.includes("exercise-check")) blocks.push('<p class="nb-label">Checks your answer</p>');
    blocks.push(...body);
  }
  closeFold();

  const frontmatter = [
    "---",
    `title: ${JSON.stringify(title)}`,
    `description: ${JSON.stringify(summary)}`,
    "outline: [2, 3]",
    "---",
  ].join("\n");
  let markdown = `${frontmatter}\n\n::: v-pre\n\n${blocks.join("\n\n")}\n\n:::\n`;
  markdown = markdown.replace(/::: v-pre\n\n:::\n\n/g, "");
  return { markdown, title, summary, files, traceTypes, uses };
}

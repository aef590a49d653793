// The site (docs/README.md): the lessons executed by Jupyter (notebooks.mjs), the API reference
// that the docs package's build writes as markdown (TypeDoc, build/api), and docs/pages, built by
// VitePress into siteDir. Every internal link and anchor is checked, the text files get brotli and
// gzip copies for the server (serve.mjs), and the new site replaces the old one only when all of
// that succeeded.
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { promisify } from "node:util";
import { brotliCompress, constants, gzip } from "node:zlib";
import { BUILD_DIR, executeNotebooks, listNotebooks, NOTEBOOKS_DIR } from "./notebooks.mjs";
import { ROOT, rel, run, say, UserError } from "./util.mjs";

export const DOCS_DIR = join(ROOT, "docs");
/** The API reference as markdown: the docs package's `build` (TypeDoc) writes it. */
export const API_DIR = join(BUILD_DIR, "api");
const VITEPRESS = join(DOCS_DIR, "node_modules", "vitepress", "bin", "vitepress.js");

/** The docs package's modules (its own dependencies resolve from docs/). */
const docsLib = async (name) => import(join(DOCS_DIR, "lib", name));

/** The work folder of a site: executed notebooks, the pages VitePress reads, Vite's cache. */
export const workDirOf = (siteDir) => `${resolve(siteDir)}.work`;

/**
 * The command that opens a lesson in JupyterLab, from a clone (README.md, "Notebooks in Jupyter"):
 * JupyterLab's root is notebooks/, and the file it opens is named from there.
 *
 * @example
 * labCommand("01-symmetric");
 * // => "npm run lab -- 01-symmetric.ipynb"
 */
export const labCommand = (name) => `npm run lab -- ${name}.ipynb`;

function formatBytes(bytes) {
  return bytes < 1024 ? `${bytes} B` : `${Math.round(bytes / 1024)} KB`;
}

/** The "Run it yourself" box of a lesson: the exact commands, and the notebook to download. */
export function runItYourself(name, bytes) {
  return [
    "::: tip Run it yourself",
    "In a clone of the quantlab repository (Node 20 or newer, Python 3.9 or newer):",
    "",
    "```sh",
    labCommand(name),
    "```",
    "",
    "The first run installs what is missing (JupyterLab goes into `build/venv/jupyter`) and builds",
    "the packages; then JupyterLab opens this lesson with its kernel, TypeScript (quantlab).",
    `Or download <a href="/notebooks/${name}.ipynb" download>${name}.ipynb</a> (${formatBytes(bytes)},`,
    "without outputs) for a Jupyter of your own: it needs the kernel that",
    "`npm start -- --no-serve` registers.",
    ":::",
  ].join("\n");
}

/**
 * The last section of a lesson: every entry of the packages its code uses, by package, in the
 * order the lesson first uses them, each linked to its API page.
 */
function apiUsedSection(entries) {
  if (entries.length === 0) return "";
  const packages = [...new Set(entries.map((entry) => entry.pkg))];
  const lines = packages.map((pkg) => {
    const links = entries
      .filter((entry) => entry.pkg === pkg)
      .map((entry) => `[\`${entry.name}\`](/api/${entry.path})`);
    return `- \`@quantlab/${pkg}\`: ${links.join(", ")}`;
  });
  return [
    "",
    "## The API in this lesson",
    "",
    "What this lesson's code uses from the packages, each linked to its reference page:",
    "",
    ...lines,
    "",
  ].join("\n");
}

/** Lesson "NN-topic": its number, for the sidebar. */
const lessonNumber = (name) => Number(/^(\d+)/.exec(name)?.[1] ?? 0);

const mdFiles = (dir) => {
  const out = [];
  const walk = (folder, prefix) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(join(folder, entry.name), `${prefix}${entry.name}/`);
      else if (entry.name.endsWith(".md")) out.push(`${prefix}${entry.name}`);
    }
  };
  walk(dir, "");
  return out.sort();
};

/** A heading's anchor as VitePress makes it: "Type Aliases" -> "type-aliases". */
const anchorOf = (text) =>
  text
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");

/**
 * The API sidebar of typedoc-vitepress-theme, with readable module names: a package with several
 * entry points has modules "index" and "node", shown as "@quantlab/plot" and "@quantlab/plot/node".
 * A group without a page of its own ("Functions") links to its heading on its module's page: a
 * collapsible item without a link would be a button holding a button (axe: nested-interactive).
 */
function apiSidebar(items, pkg = null, parentLink = null) {
  return items.map((item) => {
    const copy = { ...item };
    if (pkg && copy.text === "index") copy.text = pkg;
    else if (pkg && /^[a-z]+$/.test(copy.text) && copy.link?.endsWith(`/${copy.text}/`))
      copy.text = `${pkg}/${copy.text}`;
    if (copy.items && !copy.link && parentLink) copy.link = `${parentLink}#${anchorOf(copy.text)}`;
    if (copy.items)
      copy.items = apiSidebar(
        copy.items,
        pkg ?? (copy.text.startsWith("@") ? copy.text : null),
        item.link ?? parentLink,
      );
    return copy;
  });
}

/**
 * Writes the pages VitePress reads into src: the lessons (from the executed notebooks in
 * executedDir), their figures and notebooks, the API reference with the lessons that use each
 * entry, docs/pages, and site.json (the sidebars). Returns what it wrote, for the log.
 */
export async function writeSources({ src, notebooks, executedDir }) {
  const { notebookToPage, linkInlineCode } = await docsLib("notebook.mjs");
  const { buildPlotly, missingTraces, PLOTLY_TRACES, plotlyKey } = await docsLib("plotly.mjs");
  const { API_PACKAGES, apiEntries, apiIndex, codeEntry, entryLink, withUsedIn } =
    await docsLib("api.mjs");
  if (!existsSync(join(API_DIR, "index.md"))) {
    throw new UserError(
      `${rel(API_DIR)}/index.md is missing: build the packages first (\`npm run build\`; npm start does it).`,
    );
  }
  rmSync(src, { recursive: true, force: true });
  mkdirSync(src, { recursive: true });
  cpSync(API_DIR, join(src, "api"), { recursive: true });
  const index = apiIndex(apiEntries(mdFiles(join(src, "api")).map((path) => path)));
  const figuresDir = join(src, "public", "assets", "figures");
  const downloads = join(src, "public", "notebooks");
  mkdirSync(figuresDir, { recursive: true });
  mkdirSync(downloads, { recursive: true });
  mkdirSync(join(src, "lessons"), { recursive: true });

  const usedBy = new Map();
  const use = (entry, lesson) => {
    if (!entry) return;
    if (!usedBy.has(entry.path)) usedBy.set(entry.path, new Set());
    usedBy.get(entry.path).add(lesson);
  };
  const lessons = [];
  const traceTypes = new Set();
  let figures = 0;
  let codeLinks = 0;
  for (const notebook of notebooks) {
    const name = basename(notebook, ".ipynb");
    const executed = join(executedDir, `${name}.ipynb`);
    const nb = JSON.parse(readFileSync(executed, "utf8"));
    const link = `/lessons/${name}.md`;
    const lesson = { name, link };
    const page = notebookToPage(nb, {
      name,
      intro: runItYourself(name, statSync(notebook).size),
      resolveCode: (code, imports) => {
        const entry = codeEntry(index, code, imports);
        if (!entry) return null;
        codeLinks++;
        use(entry, lesson);
        return entryLink(entry);
      },
    });
    for (const type of page.traceTypes) traceTypes.add(type);
    const missing = missingTraces(page.traceTypes);
    if (missing.length > 0) {
      throw new UserError(
        `${rel(notebook)} draws ${missing.join(", ")} traces, which the site's plotly.js bundle does not have (${PLOTLY_TRACES.join(", ")}): add them to PLOTLY_TRACES (docs/lib/plotly.mjs)`,
      );
    }
    const used = [];
    for (const [pkg, exported] of page.uses) {
      const entry = index.find(exported, pkg);
      if (!entry) continue;
      use(entry, lesson);
      if (!used.includes(entry)) used.push(entry);
    }
    lesson.title = page.title;
    lesson.summary = page.summary;
    lessons.push(lesson);
    writeFileSync(join(src, "lessons", `${name}.md`), `${page.markdown}${apiUsedSection(used)}`);
    for (const { file, content } of page.files) writeFileSync(join(figuresDir, file), content);
    figures += page.files.length;
    cpSync(notebook, join(downloads, `${name}.ipynb`));
  }

  // Every API page a lesson uses lists the lessons, in reading order.
  for (const [path, users] of usedBy) {
    const file = join(src, "api", path);
    const list = lessons.filter((lesson) => users.has(lesson));
    writeFileSync(file, withUsedIn(readFileSync(file, "utf8"), list));
  }

  // docs/pages: the landing page (its learning path from the lessons), the glossary, the rest.
  const pages = join(DOCS_DIR, "pages");
  cpSync(join(pages, "public"), join(src, "public"), { recursive: true });
  const { writeModelAssets } = await docsLib("playground/assets.mjs");
  const models = writeModelAssets(join(src, "public", "models"));
  say(`example models: ${models.map((m) => `${m.file} (${formatBytes(m.bytes)})`).join(", ")}`);
  const path = lessons
    .map(
      (lesson) =>
        `${lessonNumber(lesson.name)}. **[${lesson.title}](${lesson.link})**${lesson.summary ? `<br>\n   ${lesson.summary}` : ""}`,
    )
    .join("\n");
  for (const file of readdirSync(pages).filter((name) => name.endsWith(".md"))) {
    let markdown = readFileSync(join(pages, file), "utf8");
    markdown = linkInlineCode(markdown, (code) => {
      const entry = codeEntry(index, code);
      return entry ? entryLink(entry) : null;
    });
    markdown = markdown
      .replace("<!-- @lessons -->", `::: v-pre\n\n${path}\n\n:::`)
      .replaceAll('"@first-lesson"', JSON.stringify(lessons[0].link));
    writeFileSync(join(src, file), markdown);
  }

  // The API's landing page: the packages in the reference's order, each with what it is.
  const order = (item) => API_PACKAGES.indexOf(/^\/api\/([^/]+)\//.exec(item.link ?? "")?.[1]);
  const sidebar = JSON.parse(readFileSync(join(src, "api", "typedoc-sidebar.json"), "utf8")).sort(
    (a, b) => order(a) - order(b),
  );
  const rows = sidebar.map((item) => {
    const pkg = /^\/api\/([^/]+)\//.exec(item.link)?.[1];
    const manifest = JSON.parse(readFileSync(join(ROOT, "packages", pkg, "package.json"), "utf8"));
    return `| [${item.text}](${item.link}) | ${manifest.description ?? ""} |`;
  });
  writeFileSync(
    join(src, "api", "index.md"),
    [
      "---",
      "title: API reference",
      "---",
      "",
      "# API reference",
      "",
      "Every exported function, class, type and constant of the packages, from their doc comments",
      "(TypeDoc). The page of an entry lists the lessons that use it.",
      "",
      "| package | what it is |",
      "| --- | --- |",
      ...rows,
      "",
    ].join("\n"),
  );
  const site = {
    lessons: lessons.map((lesson) => ({
      text: `${lessonNumber(lesson.name)}. ${lesson.title}`,
      link: lesson.link,
    })),
    api: apiSidebar(sidebar),
    plotly: join(src, ".plotly", "plotly.min.js"),
  };
  // Built once for each plotlyKey, in the work folder beside src (which each build clears).
  const built = join(dirname(src), "plotly", `plotly-${plotlyKey()}.min.js`);
  const reused = existsSync(built);
  if (!reused) {
    const partial = `${built}.${process.pid}.tmp`;
    await buildPlotly(join(partial, "plotly.min.js"));
    renameSync(join(partial, "plotly.min.js"), built);
    rmSync(partial, { recursive: true, force: true });
  }
  mkdirSync(dirname(site.plotly), { recursive: true });
  cpSync(built, site.plotly);
  const plotlyBytes = statSync(site.plotly).size;
  writeFileSync(join(src, "site.json"), `${JSON.stringify(site, null, 2)}\n`);
  return {
    lessons,
    figures,
    codeLinks,
    apiPages: index.entries.length,
    usedEntries: usedBy.size,
    traceTypes: [...traceTypes].sort(),
    plotly: { traces: PLOTLY_TRACES, bytes: plotlyBytes, reused },
  };
}

/** Runs `vitepress build docs` on src into outDir (Vite's cache in cacheDir). */
async function vitepressBuild({ src, outDir, cacheDir, env }) {
  if (!existsSync(VITEPRESS)) {
    throw new UserError(`${rel(VITEPRESS)} is missing: run \`pnpm install\` (npm start does it).`);
  }
  const { stdout, stderr } = await run(process.execPath, [VITEPRESS, "build", DOCS_DIR], {
    env: {
      ...env,
      QUANTLAB_SITE_SRC: src,
      QUANTLAB_SITE_OUT: outDir,
      QUANTLAB_SITE_CACHE: cacheDir,
      NODE_ENV: "production",
    },
    capture: true,
  });
  const done = `${stdout}\n${stderr}`.split("\n").find((line) => /build complete/i.test(line));
  // biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI colours start with ESC.
  if (done) say(`vitepress: ${done.replace(/\x1b\[[0-9;]*m/g, "").trim()}`);
}

/** The files the server sends compressed: text, over 1 KB. */
const COMPRESSIBLE = /\.(html|js|mjs|css|json|svg|ipynb|txt|xml|map)$/;

/** Hashed files (their content never changes under their name), over 64 KB: the big bundles. */
const BUNDLE = /^assets\/.*\.(js|css|json)$/;
const BIG = 64 * 1024;

/**
 * Writes NAME.br (brotli) and NAME.gz (gzip) beside the files a lesson page loads, when they are
 * smaller: the big bundles (plotly.js, the framework, the styles) at brotli's quality 11 and
 * gzip's level 9, the pages outside the API reference and the figures' data at quality 6 and
 * level 6. A bundle that `previous` (the last build) has, byte for byte, takes its compressed
 * copies from there. serve.mjs sends these to browsers that accept them, and compresses the rest
 * (the API's hundreds of pages and their small chunks) as it sends them.
 */
export async function precompress(dir, previous = null) {
  const brotli = promisify(brotliCompress);
  const gz = promisify(gzip);
  const { filesUnder } = await docsLib("links.mjs");
  const files = filesUnder(dir).filter(
    (path) =>
      COMPRESSIBLE.test(path) &&
      !path.startsWith("api/") &&
      (!path.startsWith("assets/") ||
        path.startsWith("assets/figures/") ||
        statSync(join(dir, path)).size >= BIG),
  );
  let before = 0;
  let after = 0;
  const queue = [...files];
  const worker = async () => {
    for (let path = queue.shift(); path; path = queue.shift()) {
      const file = join(dir, path);
      const data = readFileSync(file);
      if (data.length < 1024) continue;
      const hard = BUNDLE.test(path) && data.length >= BIG;
      const old = previous && resolve(previous) !== resolve(dir) ? join(previous, path) : null;
      if (
        hard &&
        old &&
        existsSync(`${old}.br`) &&
        existsSync(`${old}.gz`) &&
        readFileSync(old).equals(data)
      ) {
        cpSync(`${old}.br`, `${file}.br`);
        cpSync(`${old}.gz`, `${file}.gz`);
        before += data.length;
        after += statSync(`${file}.br`).size;
        continue;
      }
      const [br, gzipped] = await Promise.all([
        brotli(data, {
          params: {
            [constants.BROTLI_PARAM_QUALITY]: hard ? 11 : 6,
            [constants.BROTLI_PARAM_SIZE_HINT]: data.length,
          },
        }),
        gz(data, { level: hard ? 9 : 6 }),
      ]);
      before += data.length;
      after += Math.min(br.length, data.length);
      if (br.length < data.length) writeFileSync(`${file}.br`, br);
      if (gzipped.length < data.length) writeFileSync(`${file}.gz`, gzipped);
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
  return { files: files.length, before, after };
}

/** Checks the built site's links, its lessons' links to the API and back, and its loads. */
export async function checkSite(dir) {
  const { checkBacklinks, checkLinks, remoteLoads } = await docsLib("links.mjs");
  const links = checkLinks(dir);
  if (links.dead.length > 0) {
    const shown = links.dead.slice(0, 40).map((d) => `  ${d.page}: ${d.url} (${d.why})`);
    const more = links.dead.length > 40 ? `\n  ... and ${links.dead.length - 40} more` : "";
    throw new UserError(
      `${links.dead.length} dead link(s) in the site:\n${shown.join("\n")}${more}`,
    );
  }
  const back = checkBacklinks(dir);
  if (back.missing.length > 0) {
    const shown = back.missing.map((m) => `  ${m.api} does not link back to ${m.lesson}`);
    throw new UserError(`API pages a lesson links to must list it:\n${shown.join("\n")}`);
  }
  const remote = remoteLoads(dir);
  if (remote.length > 0) {
    throw new UserError(
      `pages load from other machines (the site must work offline):\n  ${remote.join("\n  ")}`,
    );
  }
  return { links, back };
}

/**
 * Runs `build(stage)` on a new folder beside siteDir and, when it resolves, puts that folder in
 * place of siteDir (two renames, then the old one removed). When it throws, or the renames fail,
 * siteDir stays as it was and the stage is removed. Leftovers of an interrupted run beside siteDir
 * (`.staging-*`, `.old-*`) are removed first. Returns what `build` returns.
 */
export async function replaceWhenBuilt(siteDir, build) {
  const target = resolve(siteDir);
  const parent = dirname(target);
  mkdirSync(parent, { recursive: true });
  for (const name of readdirSync(parent)) {
    if (
      name.startsWith(`${basename(target)}.staging-`) ||
      name.startsWith(`${basename(target)}.old-`)
    )
      rmSync(join(parent, name), { recursive: true, force: true });
  }
  const stage = mkdtempSync(`${target}.staging-`);
  const aside = mkdtempSync(`${target}.old-`);
  const old = join(aside, basename(target));
  try {
    const result = await build(stage);
    const had = existsSync(target);
    if (had) renameSync(target, old);
    try {
      renameSync(stage, target);
    } catch (error) {
      if (had) renameSync(old, target);
      throw error;
    }
    return result;
  } finally {
    rmSync(stage, { recursive: true, force: true });
    try {
      rmSync(aside, { recursive: true, force: true });
    } catch (error) {
      say(`could not remove the last site, kept in ${rel(aside)}: ${error.message}`);
    }
  }
}

/**
 * Builds the site into siteDir: executes `notebooks` (with `reuse`, the other lessons keep their
 * last executed copies from the work folder, and only those never executed run too), writes the
 * pages, builds them with VitePress in a staging folder beside siteDir, checks links, compresses,
 * and swaps the staging folder in. A failure leaves siteDir as it was.
 * @throws {UserError} when a notebook fails, an output cannot be shown, or a link is dead.
 */
export async function buildSite({ python, env, siteDir, notebooks, reuse = false, timeout }) {
  const all = listNotebooks();
  const chosen = notebooks ?? all;
  if (all.length === 0) throw new UserError(`no notebooks/NN-*.ipynb in ${rel(NOTEBOOKS_DIR)}`);
  const work = workDirOf(siteDir);
  const executedDir = join(work, "executed");
  mkdirSync(executedDir, { recursive: true });
  const copy = (notebook) => join(executedDir, basename(notebook));
  const published = reuse ? all : chosen;
  const toRun = reuse
    ? all.filter((notebook) => chosen.includes(notebook) || !existsSync(copy(notebook)))
    : chosen;
  for (const notebook of toRun) rmSync(copy(notebook), { force: true });
  for (const name of readdirSync(executedDir)) {
    if (name.endsWith(".failed.ipynb")) rmSync(join(executedDir, name), { force: true });
  }
  if (toRun.length > 0) {
    await executeNotebooks({ python, env, notebooks: toRun, outDir: executedDir, timeout });
  }
  if (reuse && toRun.length < published.length) {
    say(`reused the executed copies of ${published.length - toRun.length} other notebook(s)`);
  }

  const start = performance.now();
  const src = join(work, "src");
  const wrote = await writeSources({ src, notebooks: published, executedDir });
  say(
    `pages: ${wrote.lessons.length} lessons (${wrote.figures} figures, ${wrote.codeLinks} links to the API), ${wrote.apiPages} API entries (${wrote.usedEntries} used by lessons)`,
  );
  say(
    `plotly.js: ${wrote.plotly.reused ? "the last build's, with" : "built with"} ${wrote.plotly.traces.join(", ")} (${formatBytes(wrote.plotly.bytes)}); the lessons draw ${wrote.traceTypes.join(", ") || "no"} traces`,
  );
  await replaceWhenBuilt(siteDir, async (stage) => {
    await vitepressBuild({ src, outDir: stage, cacheDir: join(work, "cache"), env });
    const { links, back } = await checkSite(stage);
    say(
      `links: ${links.links} internal links on ${links.pages} pages (${links.anchors} with an anchor) all resolve; ${back.pairs} lesson-to-API links, each linked back`,
    );
    const packed = await precompress(stage, existsSync(siteDir) ? resolve(siteDir) : null);
    say(
      `compressed ${packed.files} text files: ${formatBytes(packed.before)} -> ${formatBytes(packed.after)} (brotli)`,
    );
  });
  say(`site built in ${((performance.now() - start) / 1000).toFixed(1)}s (after the notebooks)`);
  return wrote;
}

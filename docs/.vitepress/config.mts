// The VitePress configuration of the site. scripts/lib/site.mjs writes the pages (the lessons, the
// API reference, docs/pages/*) into a source folder and runs `vitepress build docs` with
// QUANTLAB_SITE_SRC naming that folder, QUANTLAB_SITE_OUT the output folder and QUANTLAB_SITE_CACHE
// Vite's cache. site.json in the source folder holds the sidebars: the lessons in order, and the
// API tree that typedoc-vitepress-theme wrote.
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type DefaultTheme, defineConfig, type MarkdownOptions } from "vitepress";

type ShikiTransformer = NonNullable<MarkdownOptions["codeTransformers"]>[number];

const here = fileURLToPath(new URL(".", import.meta.url));
const srcDir = resolve(process.env.QUANTLAB_SITE_SRC ?? join(here, "../../build/site.work/src"));
const cacheDir = resolve(process.env.QUANTLAB_SITE_CACHE ?? join(here, "cache"));
const outDir = resolve(process.env.QUANTLAB_SITE_OUT ?? join(cacheDir, "dist"));

interface SiteData {
  lessons: DefaultTheme.SidebarItem[];
  api: DefaultTheme.SidebarItem[];
  /** The site's plotly.js bundle, which the site build wrote (docs/lib/plotly.mjs). */
  plotly: string;
}

let site: SiteData;
try {
  site = JSON.parse(readFileSync(join(srcDir, "site.json"), "utf8"));
} catch (error) {
  throw new Error(
    `docs/.vitepress/config.mts: cannot read ${join(srcDir, "site.json")} (${(error as Error).message}); build the site with \`npm start\`, which writes it`,
  );
}

/** The file of the code tokens' colours (written when the build ends), linked from every page. */
const TOKEN_CSS = "code-colours.css";

/**
 * The code tokens' colours as classes, not as a style on each of thousands of spans: a lesson's
 * HTML is half as large. Each distinct style (its light and dark colour) is one class named after a
 * hash of it, so a page's classes are the same from build to build.
 */
const tokenStyles = new Map<string, string>();
const tokenClasses: ShikiTransformer = {
  name: "quantlab:token-classes",
  tokens(lines) {
    for (const line of lines) {
      for (const token of line) {
        const style = token.htmlStyle;
        if (!style) continue;
        const css =
          typeof style === "string"
            ? style
            : Object.entries(style)
                .map(([key, value]) => `${key}:${value}`)
                .join(";");
        if (!css) continue;
        const name = `t-${createHash("sha256").update(css).digest("hex").slice(0, 8)}`;
        const known = tokenStyles.get(name);
        if (known !== undefined && known !== css) {
          throw new Error(
            `docs/.vitepress/config.mts: two token styles hash to ${name}: "${known}", "${css}"`,
          );
        }
        tokenStyles.set(name, css);
        token.htmlStyle = {};
        const attrs = token.htmlAttrs ?? {};
        attrs.class = attrs.class ? `${attrs.class} ${name}` : name;
        token.htmlAttrs = attrs;
      }
    }
  },
};

const learn: DefaultTheme.SidebarItem[] = [
  { text: "Lessons", items: site.lessons },
  {
    text: "Reference",
    items: [
      { text: "Glossary", link: "/glossary" },
      { text: "API reference", link: "/api/" },
    ],
  },
  {
    text: "Try it",
    items: [
      { text: "Playground", link: "/playground" },
      { text: "Model inspector", link: "/inspector" },
    ],
  },
];

/** The API sidebars: on a package's pages, its tree (open) under the list of packages. */
const packages = site.api.map((pkg) => ({ text: pkg.text, link: pkg.link }));
const apiSidebars: DefaultTheme.SidebarMulti = {
  "/api/": [{ text: "API reference", link: "/api/", items: packages }],
};
for (const pkg of site.api) {
  if (!pkg.link) continue;
  apiSidebars[pkg.link] = [
    {
      text: "API reference",
      link: "/api/",
      items: site.api.map((other) =>
        other === pkg ? { ...pkg, collapsed: false } : { text: other.text, link: other.link },
      ),
    },
  ];
}

export default defineConfig({
  srcDir,
  cacheDir,
  outDir,
  lang: "en",
  title: "quantlab",
  titleTemplate: ":title · quantlab",
  description:
    "Neural-network quantization in TypeScript: lessons you can run, the API reference, and the core in your browser.",
  // The metadata (page hashes, this configuration's sidebars) in one cached script, not in every page.
  metaChunk: true,
  cleanUrls: false,
  lastUpdated: false,
  head: [
    ["link", { rel: "icon", type: "image/svg+xml", href: "/favicon.svg" }],
    ["link", { rel: "stylesheet", href: `/${TOKEN_CSS}` }],
  ],
  buildEnd(config) {
    const rules = [...tokenStyles]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, css]) => `.${name}{${css}}`);
    writeFileSync(join(config.outDir, TOKEN_CSS), `${rules.join("\n")}\n`);
  },
  markdown: {
    // LaTeX rendered to SVG at build time (markdown-it-mathjax3): no MathJax in the browser.
    math: true,
    codeTransformers: [tokenClasses],
    // The high-contrast GitHub themes: every token at 4.5:1 or more on the code blocks' background.
    theme: { light: "github-light-high-contrast", dark: "github-dark-high-contrast" },
    config(md) {
      // A table wider than the column scrolls: it takes the keyboard focus, so it can be scrolled
      // without a mouse (axe: scrollable-region-focusable).
      md.renderer.rules.table_open = () => '<table tabindex="0">\n';
    },
  },
  themeConfig: {
    logo: { src: "/favicon.svg", alt: "" },
    nav: [
      {
        text: "Lessons",
        link: (site.lessons[0]?.link as string) ?? "/",
        activeMatch: "^/lessons/",
      },
      { text: "API", link: "/api/", activeMatch: "^/api/" },
      { text: "Glossary", link: "/glossary" },
      { text: "Playground", link: "/playground" },
      { text: "Inspector", link: "/inspector" },
    ],
    sidebar: { ...apiSidebars, "/": learn },
    outline: { level: [2, 3], label: "On this page" },
    search: {
      provider: "local",
      // No aria-label on the search button: its name is its visible text ("Search", the keys).
      options: { translations: { button: { buttonText: "Search", buttonAriaLabel: "" } } },
    },
    docFooter: { prev: "Previous", next: "Next" },
    footer: { message: "quantlab: every number on these pages was computed by @quantlab/core." },
  },
  vite: {
    build: { chunkSizeWarningLimit: 2000 },
    // The figures, the playground and the inspector load "quantlab-plotly-bundle?url": the site's
    // one plotly.js file.
    resolve: {
      alias: [
        {
          find: /^quantlab-plotly-bundle(?=\?|$)/,
          replacement: site.plotly,
        },
      ],
    },
    // The pages live outside docs/ (in the build folder): Vite may read them.
    server: { fs: { allow: [srcDir, here, resolve(here, "..")] } },
  },
});

// Checks of a built site, on its files: every internal link and anchor resolves, lessons and API
// pages link both ways, and no page loads anything from another machine.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { extname, join, relative, sep } from "node:path";

/** Every file under dir, as paths relative to it with "/". */
export function filesUnder(dir) {
  const out = [];
  const walk = (folder) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path);
      else out.push(relative(dir, path).split(sep).join("/"));
    }
  };
  walk(dir);
  return out.sort();
}

const ENTITIES = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", "#39": "'" };
const decodeEntities = (text) =>
  text.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (all, name) => {
    if (name[0] === "#") {
      const code =
        name[1] === "x" || name[1] === "X"
          ? Number.parseInt(name.slice(2), 16)
          : Number(name.slice(1));
      return String.fromCodePoint(code);
    }
    return ENTITIES[name] ?? all;
  });

/** The ids of an HTML page's elements (the anchors a link may name). */
export const idsOf = (html) =>
  new Set([...html.matchAll(/\s(?:id|name)="([^"]*)"/g)].map((m) => decodeEntities(m[1])));

/** The links of an HTML page: [attribute, url] of each a/link href and script/img/source/iframe src. */
export function linksOf(html) {
  const found = [];
  for (const match of html.matchAll(
    /<(a|link|script|img|source|iframe|embed)\b[^>]*?\s(href|src)="([^"]*)"/gi,
  )) {
    found.push({ tag: match[1].toLowerCase(), url: decodeEntities(match[3]) });
  }
  return found;
}

const EXTERNAL = /^(?:[a-z][a-z0-9+.-]*:|\/\/)/i;

/** The file of the site a path names (a folder's index.html; VitePress's page.html for a page). */
function fileFor(siteDir, pathname) {
  const path = pathname.endsWith("/") ? `${pathname}index.html` : pathname;
  const file = join(siteDir, ...path.split("/").filter(Boolean));
  if (existsSync(file) && statSync(file).isFile()) return file;
  if (!extname(file) && existsSync(`${file}.html`)) return `${file}.html`;
  return null;
}

/**
 * Checks every internal link of every HTML page of the site: the file exists, and an anchor
 * (#id) exists in the page it names. External links are counted, not followed (the site is
 * offline). Returns { pages, links, anchors, external, dead: [{ page, url, why }] }.
 */
export function checkLinks(siteDir) {
  const pages = filesUnder(siteDir).filter((path) => path.endsWith(".html"));
  const ids = new Map();
  const idsIn = (file) => {
    if (!ids.has(file)) ids.set(file, idsOf(readFileSync(file, "utf8")));
    return ids.get(file);
  };
  const result = { pages: pages.length, links: 0, anchors: 0, external: 0, dead: [] };
  for (const page of pages) {
    const html = readFileSync(join(siteDir, page), "utf8");
    const base = new URL(`/${page}`, "http://site.invalid");
    for (const { url } of linksOf(html)) {
      if (url === "" || url === "#") continue;
      if (EXTERNAL.test(url)) {
        if (/^(?:https?:)?\/\//i.test(url)) result.external++;
        continue;
      }
      const target = new URL(url, base);
      let pathname;
      try {
        pathname = decodeURIComponent(target.pathname);
      } catch {
        result.dead.push({ page, url, why: "not a valid URL" });
        continue;
      }
      result.links++;
      const file = fileFor(siteDir, pathname);
      if (!file) {
        result.dead.push({ page, url, why: `no file ${pathname}` });
        continue;
      }
      const anchor = target.hash.slice(1);
      if (anchor && file.endsWith(".html")) {
        result.anchors++;
        if (!idsIn(file).has(decodeURIComponent(anchor))) {
          result.dead.push({
            page,
            url,
            why: `no id "${decodeURIComponent(anchor)}" in ${pathname}`,
          });
        }
      }
    }
  }
  return result;
}

/**
 * Checks that lessons and API pages link both ways: each API entry page a lesson links to
 * (index pages of packages and modules aside) links back to that lesson. Returns { pairs, missing:
 * [{ lesson, api }] }.
 */
export function checkBacklinks(siteDir) {
  const lessons = filesUnder(join(siteDir, "lessons")).filter((path) => path.endsWith(".html"));
  const result = { pairs: 0, missing: [] };
  for (const lesson of lessons) {
    const lessonPath = `/lessons/${lesson}`;
    const html = readFileSync(join(siteDir, "lessons", lesson), "utf8");
    const targets = new Set();
    for (const { tag, url } of linksOf(html)) {
      if (tag !== "a") continue;
      const path = new URL(url, `http://site.invalid${lessonPath}`).pathname;
      if (path.startsWith("/api/") && path.endsWith(".html") && !path.endsWith("/index.html"))
        targets.add(path);
    }
    for (const path of targets) {
      result.pairs++;
      const file = fileFor(siteDir, path);
      const back = file
        ? linksOf(readFileSync(file, "utf8")).some(
            ({ url }) => new URL(url, `http://site.invalid${path}`).pathname === lessonPath,
          )
        : false;
      if (!back) result.missing.push({ lesson: lessonPath, api: path });
    }
  }
  return result;
}

/** Elements and CSS of the site that would load something from another machine. */
export function remoteLoads(siteDir) {
  const found = [];
  for (const path of filesUnder(siteDir)) {
    if (path.endsWith(".html")) {
      const html = readFileSync(join(siteDir, path), "utf8");
      for (const match of html.matchAll(
        /<(script|link|img|iframe|source|embed|video|audio)\b[^>]*?\s(src|href)="((?:https?:)?\/\/[^"]*)"/gi,
      )) {
        if (
          match[1].toLowerCase() === "link" &&
          !/rel="(?:stylesheet|preload|modulepreload|icon|prefetch|manifest)"/i.test(match[0])
        )
          continue;
        found.push(`${path}: <${match[1]} ${match[2]}="${match[3]}">`);
      }
    } else if (path.endsWith(".css")) {
      const css = readFileSync(join(siteDir, path), "utf8");
      for (const match of css.matchAll(
        /(?:@import\s+|url\()\s*["']?((?:https?:)?\/\/[^"')\s]+)/gi,
      )) {
        found.push(`${path}: ${match[1]}`);
      }
    }
  }
  return found;
}

// The API reference as an index of names: TypeDoc (typedoc-plugin-markdown, typedoc.json) writes
// one page per entry, api/<package>/[<module>/]<kind>/<Name>.md; this finds the page of a name, and
// adds to each page the lessons that use it.

/** The packages of the reference, in the order a name found in several is looked up. */
export const API_PACKAGES = ["core", "plot", "models", "zoo"];

/** TypeDoc's folders of a module, and the kind of entry each holds. */
export const KINDS = {
  functions: "function",
  classes: "class",
  variables: "variable",
  interfaces: "interface",
  "type-aliases": "type",
  enums: "enum",
};

/**
 * The entries of the API tree, from the paths of its pages (relative to api/, with "/").
 *
 * @example
 * apiEntries(["core/functions/quantize.md", "plot/node/functions/show.md", "core/index.md"]);
 * // => [{ name: "quantize", pkg: "core", module: null, kind: "function", path: "core/functions/quantize.md" },
 * //     { name: "show", pkg: "plot", module: "node", kind: "function", path: "plot/node/functions/show.md" }]
 */
export function apiEntries(paths) {
  const entries = [];
  for (const path of paths) {
    const parts = path.split("/");
    if (parts.length < 3 || parts.length > 4 || !parts[parts.length - 1].endsWith(".md")) continue;
    const kind = KINDS[parts[parts.length - 2]];
    if (!kind) continue;
    const name = parts[parts.length - 1].slice(0, -3);
    entries.push({ name, pkg: parts[0], module: parts.length === 4 ? parts[1] : null, kind, path });
  }
  return entries;
}

const rank = (entry) => {
  const pkg = API_PACKAGES.indexOf(entry.pkg);
  return (
    (pkg < 0 ? API_PACKAGES.length : pkg) * 10 + (entry.module && entry.module !== "index" ? 1 : 0)
  );
};

/**
 * A lookup of entries by name: `find(name, pkg?)` gives the entry of that name in the package
 * (every package when omitted: the first in API_PACKAGES order; a package's main module before
 * its other entry points), or null.
 */
export function apiIndex(entries) {
  const byName = new Map();
  for (const entry of [...entries].sort((a, b) => rank(a) - rank(b))) {
    if (!byName.has(entry.name)) byName.set(entry.name, []);
    byName.get(entry.name).push(entry);
  }
  return {
    entries,
    find(name, pkg) {
      const found = byName.get(name) ?? [];
      return (pkg ? found.find((entry) => entry.pkg === pkg) : found[0]) ?? null;
    },
  };
}

const CODE_NAME = /^(?:([A-Za-z_$][\w$]*)\.)?([A-Za-z_$][\w$]*)(?:\(.*\))?$/s;

/**
 * The entry an inline code span names, given the lesson's imports (notebook.mjs importsOf):
 * `quantize`, `quantize(x, p)`, `q.quantize` where the lesson imports core as q, or a name it
 * imports under another name. Null when the span is no API name (`round(x / s)`, `Math.max`).
 *
 * @example
 * codeEntry(index, "q.symmetricParams(t, { restricted: true })", { namespaces: { q: "core" }, names: {} }).name;
 * // => "symmetricParams"
 */
export function codeEntry(index, code, imports = { namespaces: {}, names: {} }) {
  const match = CODE_NAME.exec(code);
  if (!match) return null;
  const [, alias, name] = match;
  if (alias) {
    const pkg = imports.namespaces[alias];
    return pkg ? index.find(name, pkg) : null;
  }
  const imported = imports.names[name];
  if (imported) return index.find(imported[1], imported[0]);
  return index.find(name);
}

/** The site URL of an entry's page (VitePress turns .md links into the pages' addresses). */
export const entryLink = (entry) => `/api/${entry.path}`;

/**
 * An API page with a last section listing the lessons that use its entry (named in their text or
 * called in their code), in reading order.
 *
 * @example
 * withUsedIn("# Function: quantize()\n", [{ title: "A", link: "/lessons/01-a.md" }]).endsWith("- [A](/lessons/01-a.md)\n");
 * // => true
 */
export function withUsedIn(markdown, lessons) {
  if (lessons.length === 0) return markdown;
  const items = lessons.map(
    (lesson) => `- [${lesson.title.replace(/[[\]]/g, "\\$&")}](${lesson.link})`,
  );
  return `${markdown.trimEnd()}\n\n## Used in the lessons\n\n${items.join("\n")}\n`;
}

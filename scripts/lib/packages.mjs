// The publishable packages (every workspace package without "private": true), their manifests'
// checks, and `npm run pack`: one tarball per package in build/packages/, as `npm publish` would
// upload it. A tarball is made by `pnpm pack` (which applies `files` and `publishConfig` and
// rewrites `workspace:` ranges to versions), then opened, its source maps removed (they point at
// src/, which is not shipped) and packed again with `npm pack`, whose sizes are the figures printed.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { workspaceDirs } from "./setup.mjs";
import { ROOT, rel, run, UserError } from "./util.mjs";

/** Where `npm run pack` puts the tarballs and `manifest.json`. */
export const PACKAGES_DIR = join(ROOT, "build", "packages");
const WORK_DIR = join(ROOT, "build", "pack-work");
const SEMVER = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;
/** The root package.json's repository URL: every package names it, with its own folder. */
const ROOT_MANIFEST = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));

/**
 * Every publishable workspace package, in dependency order (a package after the ones it depends
 * on): `{ dir, manifest }`.
 */
export function publicPackages() {
  const found = workspaceDirs()
    .filter((dir) => dir !== ROOT)
    .map((dir) => ({ dir, manifest: JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) }))
    .filter(({ manifest }) => manifest.private !== true);
  const names = new Set(found.map(({ manifest }) => manifest.name));
  const ordered = [];
  const visit = (pkg, path) => {
    if (ordered.includes(pkg)) return;
    if (path.includes(pkg))
      throw new UserError(`dependency cycle: ${path.map((p) => p.manifest.name).join(" -> ")}`);
    for (const dep of Object.keys(pkg.manifest.dependencies ?? {})) {
      if (names.has(dep))
        visit(
          found.find((p) => p.manifest.name === dep),
          [...path, pkg],
        );
    }
    ordered.push(pkg);
  };
  for (const pkg of found.sort((a, b) => a.manifest.name.localeCompare(b.manifest.name)))
    visit(pkg, []);
  return ordered;
}

/** The files an `exports` target maps to: every string leaf of the map, with its condition path. */
function exportTargets(value, path = []) {
  if (typeof value === "string") return [{ path, target: value }];
  if (value === null || typeof value !== "object") return [];
  return Object.entries(value).flatMap(([key, inner]) => exportTargets(inner, [...path, key]));
}

/**
 * The problems of one package's manifest for publishing (an empty list when there are none):
 * name, semver version, license and LICENSE file (the root's text), README, engines.node,
 * repository (the root's URL and the package's folder), sideEffects, files, and `exports` with
 * `types` first in every condition object whose siblings are files. With `built`, also that every
 * `exports`, `main`, `types` and `bin` target exists.
 */
export function manifestProblems(dir, manifest, { built = false, rootLicense } = {}) {
  const problems = [];
  const where = rel(join(dir, "package.json"));
  const bad = (field, problem) => problems.push(`${where}: ${field}: ${problem}`);
  if (typeof manifest.name !== "string" || !manifest.name.startsWith("@quantlab/")) {
    bad("name", `must be "@quantlab/..."; received ${JSON.stringify(manifest.name)}`);
  }
  if (!SEMVER.test(manifest.version ?? "")) {
    bad(
      "version",
      `must be a semver version (1.2.3); received ${JSON.stringify(manifest.version)}`,
    );
  }
  if (manifest.license !== "MIT")
    bad("license", `must be "MIT"; received ${JSON.stringify(manifest.license)}`);
  const license = join(dir, "LICENSE");
  if (!existsSync(license)) bad("LICENSE", "the file is missing (copy the root's LICENSE)");
  else if (rootLicense !== undefined && readFileSync(license, "utf8") !== rootLicense) {
    bad("LICENSE", "differs from the root's LICENSE");
  }
  if (!existsSync(join(dir, "README.md"))) bad("README.md", "the file is missing");
  if (typeof manifest.engines?.node !== "string") bad("engines.node", 'must be set (">=20")');
  const repo = manifest.repository;
  const directory = relative(ROOT, dir).split("\\").join("/");
  if (repo?.url !== ROOT_MANIFEST.repository?.url || repo?.directory !== directory) {
    bad(
      "repository",
      `must be { "type": "git", "url": ${JSON.stringify(ROOT_MANIFEST.repository?.url)}, "directory": "${directory}" }; received ${JSON.stringify(repo)}`,
    );
  }
  if (typeof manifest.sideEffects !== "boolean" && !Array.isArray(manifest.sideEffects)) {
    bad("sideEffects", "must be set (false, or the list of files with side effects)");
  }
  if (!Array.isArray(manifest.files) || !manifest.files.includes("dist")) {
    bad(
      "files",
      `must list "dist" (and only what a user needs); received ${JSON.stringify(manifest.files)}`,
    );
  }
  if (manifest.exports === undefined || typeof manifest.exports !== "object") {
    bad("exports", "must be a map of entry points");
  } else {
    const check = (value, path) => {
      if (value === null || typeof value !== "object") return;
      const keys = Object.keys(value);
      if (keys.includes("types") && keys[0] !== "types") {
        bad(`exports${path}`, `"types" must come first; the order is ${keys.join(", ")}`);
      }
      const hasFiles = keys.some((key) => typeof value[key] === "string" && key !== "types");
      if (
        hasFiles &&
        !keys.includes("types") &&
        path !== "" &&
        !path.endsWith('["./package.json"]')
      ) {
        bad(`exports${path}`, 'has files but no "types" condition');
      }
      for (const key of keys) check(value[key], `${path}[${JSON.stringify(key)}]`);
    };
    check(manifest.exports, "");
  }
  if (built) {
    const targets = exportTargets(manifest.exports).map(({ path, target }) => [
      `exports${path.map((p) => `[${JSON.stringify(p)}]`).join("")}`,
      target,
    ]);
    for (const field of ["main", "module", "types"]) {
      if (typeof manifest[field] === "string") targets.push([field, manifest[field]]);
    }
    for (const [name, target] of Object.entries(manifest.bin ?? {}))
      targets.push([`bin.${name}`, target]);
    for (const [field, target] of targets) {
      if (!existsSync(join(dir, target))) bad(field, `${target} does not exist (built?)`);
    }
  }
  return problems;
}

/** Every file under `dir`, as paths relative to it with "/" separators. */
function listFiles(dir, prefix = "") {
  return readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((entry) => {
    const path = prefix ? `${prefix}/${entry.name}` : entry.name;
    return entry.isDirectory() ? listFiles(dir, path) : [path];
  });
}

/** What a tarball must not hold: tests, snapshots, sources, source maps, build state. */
const FORBIDDEN = [
  [/(^|\/)(test|tests|__tests__|__snapshots__)\//, "a test folder"],
  [/\.(test|spec)\.[cm]?[jt]sx?$/, "a test file"],
  [/^src\//, "sources (only dist ships)"],
  [/\.map$/, "a source map (its sources are not shipped)"],
  [/\.tsbuildinfo$/, "tsc's build state"],
  [/(^|\/)\.turbo\//, "turbo's log"],
];

/**
 * The problems of an unpacked package folder: forbidden files, a top-level entry that is neither
 * package.json, README.md, LICENSE nor listed in `files`, a `workspace:` range left in
 * package.json, a `sourceMappingURL` comment left in a file.
 */
export function contentProblems(dir, manifest) {
  const problems = [];
  const allowed = new Set(["package.json", "README.md", "LICENSE", ...(manifest.files ?? [])]);
  const files = listFiles(dir);
  for (const file of files) {
    for (const [pattern, what] of FORBIDDEN) {
      if (pattern.test(file)) problems.push(`${manifest.name}: ${file} is ${what}`);
    }
    if (!allowed.has(file.split("/")[0]))
      problems.push(`${manifest.name}: ${file} is not in "files"`);
    if (
      /\.[cm]?[jt]s$/.test(file) &&
      readFileSync(join(dir, file), "utf8").includes("sourceMappingURL=")
    ) {
      problems.push(`${manifest.name}: ${file} still names a source map`);
    }
  }
  for (const required of ["package.json", "README.md", "LICENSE"]) {
    if (!files.includes(required)) problems.push(`${manifest.name}: ${required} is missing`);
  }
  const text = readFileSync(join(dir, "package.json"), "utf8");
  if (text.includes("workspace:"))
    problems.push(`${manifest.name}: package.json still has a workspace: range`);
  return problems;
}

/** Removes source maps and the comments that name them, in place, under `dir`. */
function stripSourceMaps(dir) {
  for (const file of listFiles(dir)) {
    const path = join(dir, file);
    if (file.endsWith(".map")) rmSync(path);
    else if (/\.[cm]?[jt]s$/.test(file)) {
      const text = readFileSync(path, "utf8");
      const stripped = text.replace(/\n?\/\/# sourceMappingURL=\S+\s*$/, "\n");
      if (stripped !== text) writeFileSync(path, stripped);
    }
  }
}

/**
 * Packs every publishable package into build/packages/ (replacing what was there) and writes
 * build/packages/manifest.json: per package, in dependency order, its name, version, tarball,
 * `npm pack` size, unpacked size and file count, and its dependencies. Expects a build.
 * Throws a UserError listing every problem found in the manifests or the tarballs.
 */
export async function packAll(env) {
  const rootLicense = readFileSync(join(ROOT, "LICENSE"), "utf8");
  const packages = publicPackages();
  const problems = packages.flatMap(({ dir, manifest }) =>
    manifestProblems(dir, manifest, { built: true, rootLicense }),
  );
  if (problems.length > 0) throw new UserError(`not publishable:\n  ${problems.join("\n  ")}`);
  rmSync(PACKAGES_DIR, { recursive: true, force: true });
  rmSync(WORK_DIR, { recursive: true, force: true });
  mkdirSync(PACKAGES_DIR, { recursive: true });
  const raw = join(WORK_DIR, "raw");
  mkdirSync(raw, { recursive: true });
  const entries = [];
  for (const { dir, manifest } of packages) {
    const before = new Set(readdirSync(raw));
    await run("pnpm", ["pack", "--pack-destination", raw], { env, cwd: dir, capture: true });
    const made = readdirSync(raw).filter((name) => !before.has(name));
    if (made.length !== 1)
      throw new UserError(`pnpm pack in ${rel(dir)} made ${made.length} files`);
    const stage = join(WORK_DIR, "stage", manifest.name.replace("/", "+"));
    mkdirSync(stage, { recursive: true });
    await run("tar", ["-xzf", join(raw, made[0]), "-C", stage], { capture: true });
    const unpacked = join(stage, "package");
    stripSourceMaps(unpacked);
    // What only the workspace uses: the build scripts (they name files that are not shipped) and
    // the dev dependencies (private packages among them). npm installs neither for a user.
    const packed = JSON.parse(readFileSync(join(unpacked, "package.json"), "utf8"));
    delete packed.scripts;
    delete packed.devDependencies;
    writeFileSync(join(unpacked, "package.json"), `${JSON.stringify(packed, null, 2)}\n`);
    problems.push(...contentProblems(unpacked, packed));
    const { stdout } = await run(
      "npm",
      ["pack", "--json", "--ignore-scripts", "--pack-destination", PACKAGES_DIR],
      { env, cwd: unpacked, capture: true },
    );
    const [info] = JSON.parse(stdout);
    entries.push({
      name: manifest.name,
      version: manifest.version,
      dir: relative(ROOT, dir),
      file: info.filename,
      size: info.size,
      unpackedSize: info.unpackedSize,
      entryCount: info.entryCount,
      dependencies: packed.dependencies ?? {},
      exports: Object.keys(packed.exports ?? {}).filter((key) => key !== "./package.json"),
      require: Object.entries(packed.exports ?? {})
        .filter(([, value]) => typeof value === "object" && value?.require !== undefined)
        .map(([key]) => key),
      bin: Object.keys(packed.bin ?? {}),
    });
  }
  if (problems.length > 0) throw new UserError(`tarballs not clean:\n  ${problems.join("\n  ")}`);
  rmSync(WORK_DIR, { recursive: true, force: true });
  writeFileSync(join(PACKAGES_DIR, "manifest.json"), `${JSON.stringify(entries, null, 2)}\n`);
  return entries;
}

/** "123.4 kB" (kilo = 1000, as npm prints sizes). */
export const kB = (bytes) => `${(bytes / 1000).toFixed(1)} kB`;

/** One line per tarball: name, file, packed and unpacked size, file count. */
export function sizeTable(entries) {
  const rows = entries.map((e) => [
    e.name,
    e.file,
    kB(e.size),
    kB(e.unpackedSize),
    `${e.entryCount} files`,
  ]);
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  return rows.map((row) =>
    row
      .map((cell, i) => (i >= 2 && i <= 3 ? cell.padStart(widths[i]) : cell.padEnd(widths[i])))
      .join("  "),
  );
}

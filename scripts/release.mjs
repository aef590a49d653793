// `npm run release -- VERSION [--publish | --dry-run]`: one command for a release of every
// publishable package, all at the same version (the README's "Releasing" gives the rule):
//   1. checks: a clean git tree, VERSION semver and above the current one (or equal to it while
//      that one has no tag v<current>), a non-empty
//      "## Unreleased" section in CHANGELOG.md;
//   2. sets "version" in every publishable package.json and turns "## Unreleased" into
//      "## VERSION (YYYY-MM-DD)" under a new empty "## Unreleased";
//   3. runs `npm test` (which packs the tarballs into build/packages and runs the consumer tests
//      on them), then commits "release VERSION" and tags vVERSION;
//   4. with --publish, `npm publish` of each tested tarball, dependencies first (then
//      `git push --follow-tags` is yours); without, `npm publish --dry-run` of each.
// --dry-run changes nothing: it runs the checks, prints the plan and `npm publish --dry-run`s
// the tarballs already in build/packages (`npm run pack` makes them).
import "./lib/node-version.mjs";

const { existsSync, readFileSync, writeFileSync } = await import("node:fs");
const { join } = await import("node:path");
const { exitWith, ROOT, rel, run, say, UserError } = await import("./lib/util.mjs");
const { PACKAGES_DIR, publicPackages } = await import("./lib/packages.mjs");

const CHANGELOG = join(ROOT, "CHANGELOG.md");
const SEMVER = /^(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?$/;

/** -1, 0 or 1 as semver orders a and b (prerelease identifiers compared as strings). */
function compareVersions(a, b) {
  const [pa, pb] = [SEMVER.exec(a), SEMVER.exec(b)];
  for (let i = 1; i <= 3; i++) {
    const d = Number(pa[i]) - Number(pb[i]);
    if (d !== 0) return Math.sign(d);
  }
  if (pa[4] === pb[4]) return 0;
  if (pa[4] === undefined) return 1;
  if (pb[4] === undefined) return -1;
  return pa[4] < pb[4] ? -1 : 1;
}

/** The changelog with "## Unreleased" renamed to the release, under a new empty one. */
function releaseChangelog(text, version, date) {
  const match = /^## Unreleased\s*\n([\s\S]*?)(?=^## |(?![\s\S]))/m.exec(text);
  if (match === null) throw new UserError(`${rel(CHANGELOG)}: no "## Unreleased" section`);
  if (match[1].trim() === "") {
    throw new UserError(
      `${rel(CHANGELOG)}: "## Unreleased" is empty: say what the release changes`,
    );
  }
  return text.replace(/^## Unreleased\s*\n/m, `## Unreleased\n\n## ${version} (${date})\n\n`);
}

async function main() {
  const args = process.argv.slice(2);
  const version = args.find((arg) => !arg.startsWith("--"));
  const publish = args.includes("--publish");
  const dryRun = args.includes("--dry-run");
  const unknown = args.filter(
    (arg) => arg.startsWith("--") && arg !== "--publish" && arg !== "--dry-run",
  );
  if (version === undefined || unknown.length > 0 || (publish && dryRun)) {
    throw new UserError("usage: npm run release -- VERSION [--publish | --dry-run]");
  }
  if (!SEMVER.test(version))
    throw new UserError(`release: VERSION must be semver (1.2.3); received '${version}'`);
  const packages = publicPackages();
  const current = packages[0].manifest.version;
  const versions = new Set(packages.map(({ manifest }) => manifest.version));
  if (versions.size !== 1) {
    throw new UserError(
      `release: the packages are at different versions (${[...versions].join(", ")}); they move together`,
    );
  }
  // The current version counts as released once its tag exists; before that (0.1.0, never
  // published) it may be released as it is.
  const { stdout: tagged } = await run("git", ["tag", "-l", `v${current}`], { capture: true });
  const floor = tagged.trim() === "" ? 0 : 1;
  if (compareVersions(version, current) < floor) {
    throw new UserError(
      `release: VERSION must be ${floor ? "above" : "at least"} ${current}${floor ? ` (v${current} is tagged)` : ""}; received ${version}`,
    );
  }
  const { stdout: status } = await run("git", ["status", "--porcelain"], { capture: true });
  if (status.trim() !== "" && !dryRun)
    throw new UserError(`release: the git tree is not clean:\n${status}`);
  const date = new Date().toISOString().slice(0, 10);
  const changelog = releaseChangelog(readFileSync(CHANGELOG, "utf8"), version, date);

  say(
    `release ${current} -> ${version}: ${packages.map(({ manifest }) => manifest.name).join(", ")}`,
  );
  if (!dryRun) {
    for (const { dir } of version === current ? [] : packages) {
      const path = join(dir, "package.json");
      const text = readFileSync(path, "utf8");
      writeFileSync(path, text.replace(/^(\s*"version":\s*)"[^"]*"/m, `$1"${version}"`));
    }
    writeFileSync(CHANGELOG, changelog);
    await run(process.execPath, [join(ROOT, "scripts", "test.mjs")]);
    await run("git", ["commit", "-q", "-am", `release ${version}`]);
    await run("git", ["tag", `v${version}`]);
    say(`committed "release ${version}" and tagged v${version}`);
  } else {
    say(
      "--dry-run: nothing written; the tarballs already in build/packages are published with --dry-run",
    );
  }
  const manifest = join(PACKAGES_DIR, "manifest.json");
  if (!existsSync(manifest))
    throw new UserError(`${rel(manifest)} is missing: run \`npm run pack\``);
  for (const entry of JSON.parse(readFileSync(manifest, "utf8"))) {
    const tarball = join(PACKAGES_DIR, entry.file);
    await run("npm", ["publish", tarball, "--access", "public", ...(publish ? [] : ["--dry-run"])]);
  }
  if (publish) say("published; now `git push --follow-tags`");
}

main().catch(exitWith);

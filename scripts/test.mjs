// `npm test`: everything CI checks, in order, stopping at the first failure:
//   setup        Node >= 20, pnpm, `pnpm install --frozen-lockfile` if needed, Jupyter, Chromium
//   build        turbo run build
//   typecheck    turbo run typecheck
//   lint         biome check .
//   unit         turbo run test (vitest in every package)
//   conformance  the golden cases in packages/conformance/golden (and ../shared/golden beside the
//                clone, where it exists: CI lays it out so)
//   packages     `npm run pack` (the publishable packages' tarballs, checked, in build/packages),
//                then the consumer tests: the tarballs installed with npm into an empty temporary
//                project and used from Node (ESM, CommonJS), TypeScript, a Vite page in Chromium
//                and the quantlab CLI (scripts/lib/consumer.mjs)
//   notebooks    notebooks committed without outputs; each executed by Jupyter + tslab (any cell
//                error fails) and exported to offline HTML in build/test-site
//   screenshot   every page of build/test-site in headless Chromium: plots drawn, formulas
//                rendered, no console error, no request leaving 127.0.0.1
//   tools        the playground and the inspector used in headless Chromium
//                (scripts/test/tools.browser.mjs): figures follow the controls, share links,
//                update times, the bundled GGUF and ONNX models open
// Ends with a table of steps and durations, then `N passed, N failed` (`, N skipped` after a failure).
//   npm test                       every step
//   npm test -- unit notebooks     setup, build and the named steps only
import "./lib/node-version.mjs";

const { existsSync } = await import("node:fs");
const { join } = await import("node:path");
const { ROOT, UserError, rel, run, say } = await import("./lib/util.mjs");
const setup = await import("./lib/setup.mjs");
const nb = await import("./lib/notebooks.mjs");
const site = await import("./lib/site.mjs");
const { TASKS } = await import("./lib/tasks.mjs");
const packages = await import("./lib/packages.mjs");
const { consumerTests } = await import("./lib/consumer.mjs");

const TEST_SITE = join(nb.BUILD_DIR, "test-site");
/** The reference results CI lays out beside the clone (a user's clone has none: then skipped). */
const SHARED_GOLDEN = join(ROOT, "..", "shared", "golden");

const state = { env: process.env, python: null };

const STEPS = [
  [
    "setup",
    async () => {
      setup.checkNode();
      const pnpm = setup.ensurePnpm();
      state.env = pnpm.env;
      say(
        `pnpm ${pnpm.version} (${pnpm.source === "PATH" ? "on PATH" : `from npm: ${pnpm.source}`})`,
      );
      await setup.ensureInstall(state.env);
      state.python = await setup.ensureJupyter();
      say(`Jupyter through ${state.python}`);
      say(`Chromium at ${await setup.ensureChromium()}`);
    },
  ],
  ["build", () => TASKS.build.run(state.env, [])],
  ["typecheck", () => TASKS.typecheck.run(state.env, [])],
  ["lint", () => TASKS.lint.run(state.env, [])],
  ["unit", () => TASKS.unit.run(state.env, [])],
  [
    "conformance",
    () => {
      const folders = [join(ROOT, "packages", "conformance", "golden")];
      if (existsSync(SHARED_GOLDEN)) folders.push(SHARED_GOLDEN);
      else say(`(no ${rel(SHARED_GOLDEN)}: the repository's own reference results only)`);
      return TASKS.conformance.run(state.env, folders);
    },
  ],
  [
    "packages",
    async () => {
      const entries = await packages.packAll(state.env);
      say(
        `${entries.length} tarballs in ${rel(packages.PACKAGES_DIR)} (npm pack: packed, unpacked):`,
      );
      for (const line of packages.sizeTable(entries)) say(line);
      await consumerTests(entries);
    },
  ],
  [
    "notebooks",
    async () => {
      const notebooks = nb.listNotebooks();
      const dirty = nb.notebooksWithOutputs(notebooks);
      if (dirty.length > 0) {
        throw new UserError(
          `commit notebooks without outputs (Jupyter: Edit > Clear All Outputs, then save): ${dirty.map(rel).join(", ")}`,
        );
      }
      nb.writeKernelSpec();
      await site.buildSite({ python: state.python, env: state.env, siteDir: TEST_SITE, notebooks });
      say(`${notebooks.length} notebooks executed; pages in ${rel(TEST_SITE)}`);
    },
  ],
  [
    "screenshot",
    () =>
      run(process.execPath, [join(ROOT, "scripts", "screenshot.mjs"), "--site", TEST_SITE], {
        env: state.env,
      }),
  ],
  [
    "tools",
    () =>
      run(
        process.execPath,
        [join(ROOT, "scripts", "test", "tools.browser.mjs"), "--site", TEST_SITE],
        {
          env: state.env,
        },
      ),
  ],
];

async function main() {
  const names = STEPS.map(([name]) => name);
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((name) => !names.includes(name));
  if (unknown.length > 0) {
    console.error(`unknown step(s): ${unknown.join(", ")}; the steps are: ${names.join(", ")}`);
    process.exit(2);
  }
  const always = ["setup", "build"];
  const steps = wanted.length
    ? STEPS.filter(([name]) => always.includes(name) || wanted.includes(name))
    : STEPS;
  console.log(`quantlab: npm test (Node ${process.versions.node})`);
  const results = [];
  for (const [name, fn] of steps) {
    if (results.some((result) => result.status === "failed")) {
      results.push({ name, status: "skipped", seconds: 0 });
      continue;
    }
    console.log(`\n> ${name}`);
    const start = performance.now();
    let status = "passed";
    try {
      await fn();
    } catch (error) {
      status = "failed";
      console.error(error instanceof UserError ? error.message : error.stack);
    }
    const seconds = (performance.now() - start) / 1000;
    console.log(`${status === "passed" ? "ok" : "FAILED"} ${name} (${seconds.toFixed(1)}s)`);
    results.push({ name, status, seconds });
  }

  const total = results.reduce((sum, result) => sum + result.seconds, 0);
  console.log("\nSummary");
  for (const { name, status, seconds } of results) {
    const time = status === "skipped" ? "" : `${seconds.toFixed(1)}s`.padStart(7);
    console.log(`  ${status.padEnd(8)} ${name.padEnd(12)}${time}`);
  }
  console.log(`  total                ${`${total.toFixed(1)}s`.padStart(7)}`);
  const count = (status) => results.filter((result) => result.status === status).length;
  const skipped = count("skipped");
  console.log(
    `${count("passed")} passed, ${count("failed")} failed${skipped ? `, ${skipped} skipped` : ""}`,
  );
  process.exitCode = count("failed") > 0 ? 1 : 0;
}

main().catch((error) => {
  console.error(error.stack);
  process.exit(1);
});

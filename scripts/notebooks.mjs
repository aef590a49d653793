// `npm run notebooks`: executes the notebooks with Jupyter + tslab and writes the site
// (pages, index.html) without installing or building anything first: for quick runs while
// writing a notebook. `npm start` does the same after installing and building.
//   npm run notebooks                              every notebooks/NN-*.ipynb -> build/site
//   npm run notebooks -- --only 01-symmetric.ipynb one notebook
//   npm run notebooks -- --out build/other         another folder
//   npm run notebooks -- --timeout 60              seconds per cell (default 600)
// The site's pages are replaced only when every notebook run passes; --only replaces only that
// notebook's page (and updates the index).
const { existsSync } = await import("node:fs");
const { join, resolve } = await import("node:path");
const { exitWith, parseArgs, phase, ROOT, rel, UserError } = await import("./lib/util.mjs");
const setup = await import("./lib/setup.mjs");
const nb = await import("./lib/notebooks.mjs");
const site = await import("./lib/site.mjs");

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const siteDir = resolve(ROOT, options.out ?? "build/site");
  const only = options.only && resolve(ROOT, options.only);
  const notebooks = only
    ? [existsSync(only) ? only : join(nb.NOTEBOOKS_DIR, options.only)]
    : nb.listNotebooks();
  const { env } = setup.ensurePnpm();
  const python = await setup.ensureJupyter();
  nb.writeKernelSpec();
  const timeout = options.timeout === undefined ? undefined : Number(options.timeout);
  if (timeout !== undefined && !(Number.isInteger(timeout) && timeout > 0)) {
    throw new UserError(
      `--timeout must be a whole number of seconds > 0; received ${options.timeout}`,
    );
  }
  await phase("notebooks", () =>
    site.buildSite({ python, env, siteDir, notebooks, reuse: Boolean(only), timeout }),
  );
  console.log(`open ${rel(siteDir)}/index.html`);
}

main().catch(exitWith);

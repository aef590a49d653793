// `npm start`: installs what is missing, builds the packages, executes the notebooks with Jupyter,
// exports them to HTML in build/site and serves that folder on 127.0.0.1.
//   npm start                     build, then serve on --port / $PORT / 8080 (or a free port)
//   npm start -- --no-serve       build only
//   npm start -- --port 9000      serve on port 9000
import "./lib/node-version.mjs";

const { exitWith, parseArgs, phase, rel, say, since, UserError } = await import("./lib/util.mjs");
const setup = await import("./lib/setup.mjs");
const nb = await import("./lib/notebooks.mjs");
const site = await import("./lib/site.mjs");
const { TASKS } = await import("./lib/tasks.mjs");
const { join } = await import("node:path");

const SITE = join(nb.BUILD_DIR, "site");

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const start = performance.now();
  console.log(`quantlab: npm start (Node ${setup.checkNode()})`);
  const { env } = await phase("pnpm", () => {
    const pnpm = setup.ensurePnpm();
    say(
      `pnpm ${pnpm.version} (${pnpm.source === "PATH" ? "on PATH" : `from npm: ${pnpm.source}`})`,
    );
    return pnpm;
  });
  await phase("dependencies", () => setup.ensureInstall(env));
  const python = await phase("jupyter", async () => {
    const found = await setup.ensureJupyter();
    say(`Jupyter through ${found}`);
    return found;
  });
  await phase("build packages", () => TASKS.build.run(env, []));
  await phase("tslab kernel", async () => {
    const specDir = nb.writeKernelSpec();
    await nb.registerKernel(python, specDir);
  });
  await phase("site", () => site.buildSite({ python, env, siteDir: SITE }));
  console.log(`built ${rel(SITE)}/index.html in ${since(start)}`);

  if (options.serve === false) return;
  const port = Number(
    options.port === true ? Number.NaN : (options.port ?? process.env.PORT ?? 8080),
  );
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UserError(`--port must be an integer from 0 to 65535; received ${options.port}`);
  }
  const { url, fellBack } = await (await import("./lib/serve.mjs")).serve(SITE, port);
  if (fellBack) say(`port ${port} is taken: using a free port instead`);
  console.log(`\nServing ${rel(SITE)} at ${url}  (Ctrl+C to stop)`);
}

main().catch(exitWith);

// `npm run golden`: regenerates packages/conformance/golden (the reference cases and their README)
// from the oracles. The Python side (numpy, ml_dtypes, onnx, torch) runs in the project-local venv
// build/venv/golden, made from packages/conformance/generate/requirements.txt; the ONNX models it
// writes run in onnxruntime-node (packages/conformance/generate/ort.mjs). `npm test` never runs this.
import "./lib/node-version.mjs";

const { exitWith, phase, rel, ROOT, run, say, since } = await import("./lib/util.mjs");
const setup = await import("./lib/setup.mjs");
const { ensureVenv } = await import("./lib/venv.mjs");
const { join } = await import("node:path");

const GENERATE = join(ROOT, "packages", "conformance", "generate");
const OUT = join(ROOT, "packages", "conformance", "golden");

async function main() {
  const start = performance.now();
  console.log(`quantlab: npm run golden (Node ${setup.checkNode()})`);
  const { env } = await phase("pnpm", () => setup.ensurePnpm());
  await phase("dependencies", () => setup.ensureInstall(env));
  const python = await phase("python venv", async () => {
    const found = await ensureVenv("golden", join(GENERATE, "requirements.txt"));
    say(rel(found));
    return found;
  });
  await phase("oracles", () =>
    run(python, [join(GENERATE, "golden.py"), "--node", process.execPath, "--out", OUT]),
  );
  console.log(`wrote ${rel(OUT)} in ${since(start)}`);
}

main().catch(exitWith);

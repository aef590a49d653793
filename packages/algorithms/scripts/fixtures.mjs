// `npm run fixtures` (in packages/algorithms): regenerates test/fixtures/*.json, the reference data
// of the algorithms' tests, from the oracles: onnxruntime's HQQ quantizer and float64 PyTorch
// transcriptions of GPTQ, in the project-local venv build/venv/algorithms (made from
// packages/conformance/generate/requirements-algorithms.txt). The tests never run Python.
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { rel, run, say } from "../../../scripts/lib/util.mjs";
import { ensureVenv } from "../../../scripts/lib/venv.mjs";

const here = fileURLToPath(new URL(".", import.meta.url));
const root = join(here, "..", "..", "..");
const generate = join(root, "packages", "conformance", "generate");
const out = join(here, "..", "test", "fixtures");

const start = performance.now();
const python = await ensureVenv("algorithms", join(generate, "requirements-algorithms.txt"));
say(`oracles: ${rel(python)}`);
await run(python, [join(generate, "algorithms.py"), "--out", out]);
console.log(`wrote ${rel(out)} in ${((performance.now() - start) / 1000).toFixed(1)} s`);

// Remakes test/fixtures with the reference libraries (gguf-py, safetensors, numpy) in a
// project-local venv, build/venv/models-fixtures. The tests only read the committed fixtures.
// Usage (from packages/models): node scripts/make-fixtures.mjs
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ROOT, run } from "../../../scripts/lib/util.mjs";
import { ensureVenv } from "../../../scripts/lib/venv.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const python = await ensureVenv("models-fixtures", join(here, "requirements.txt"));
await run(python, [join(here, "make_fixtures.py"), join(here, "..", "test", "fixtures")]);
// The JSON as the repository's formatter lays it out, so that `biome check` passes.
await run(join(ROOT, "node_modules", ".bin", "biome"), [
  "format",
  "--write",
  join(here, "..", "test", "fixtures"),
]);

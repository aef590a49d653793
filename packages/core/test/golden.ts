import { existsSync } from "node:fs";
import { join } from "node:path";

/**
 * A file of the golden reference results: in `QUANTLAB_GOLDEN`, else in ../shared/golden beside
 * the repository (where CI puts it). A clear error when it is missing, never a skip.
 */
export function goldenFile(name: string): string {
  const dir = process.env.QUANTLAB_GOLDEN ?? join(import.meta.dirname, "../../../../shared/golden");
  const path = join(dir, name);
  if (!existsSync(path)) {
    throw new Error(
      `golden file ${path} not found: the reference results live in ../shared/golden beside the ` +
        "repository; set QUANTLAB_GOLDEN to their folder.",
    );
  }
  return path;
}

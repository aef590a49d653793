/** Every golden case as a test of its own: ../shared/golden as fixtures. */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadSuites } from "../src/golden.js";
import { runCase } from "../src/run.js";

const GOLDEN = join(import.meta.dirname, "../../../../shared/golden");

for (const backend of ["reference", "fast"] as const) {
  for (const suite of loadSuites([GOLDEN])) {
    describe(`${backend}: ${suite.suite}`, () => {
      it.each(suite.cases.map((c) => [c.id, c] as const))("%s", (_, c) => {
        expect(runCase(c, backend).failure).toBeUndefined();
      });
    });
  }
}

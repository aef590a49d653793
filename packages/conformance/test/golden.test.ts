/** Every golden case as a test of its own: ../shared/golden as fixtures. */
import { describe, expect, it } from "vitest";
import { goldenDir, loadSuites } from "../src/golden.js";
import { runCase } from "../src/run.js";

const GOLDEN = goldenDir();

for (const backend of ["reference", "fast"] as const) {
  for (const suite of loadSuites([GOLDEN])) {
    describe(`${backend}: ${suite.suite}`, () => {
      it.each(suite.cases.map((c) => [c.id, c] as const))("%s", (_, c) => {
        expect(runCase(c, backend).failure).toBeUndefined();
      });
    });
  }
}

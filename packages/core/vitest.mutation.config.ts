// The suite Stryker runs on each mutant: all of it but the tests that read the source text (doc
// comments, examples, import directions), which Stryker's instrumented copies no longer match.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    exclude: ["test/docs.test.ts", "test/examples.test.ts", "test/layers.test.ts"],
    // Stryker's instrumented copies run several times slower: the 5 s default fails large cases.
    testTimeout: 120_000,
  },
});

#!/usr/bin/env node
/**
 * quantlab-conformance [FILE|DIR ...]: runs golden cases (default ../shared/golden) through
 * @quantlab/core and prints per-suite counts, every failure, and `N passed, N failed`.
 */
import { basename } from "node:path";
import { loadSuites } from "./golden.js";
import { runSuite } from "./run.js";

const paths = process.argv.slice(2).filter((a) => !a.startsWith("--"));
const suites = loadSuites(paths.length > 0 ? paths : ["../shared/golden"]);

let passed = 0;
let failed = 0;
for (const suite of suites) {
  const results = runSuite(suite);
  const failures = results.filter((r) => r.failure !== undefined);
  passed += results.length - failures.length;
  failed += failures.length;
  const name = basename(suite.file, ".json").padEnd(28);
  console.log(
    `${name} ${results.length - failures.length}/${results.length} passed   (${suite.oracle})`,
  );
  for (const f of failures) console.log(`  FAIL ${f.id}: ${f.failure}`);
}
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed > 0 ? 1 : 0;

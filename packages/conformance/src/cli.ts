#!/usr/bin/env node
/**
 * quantlab-conformance [--backend auto|fast|reference] [FILE|DIR ...]: runs golden cases (default
 * $QUANTLAB_GOLDEN, else the repository's packages/conformance/golden) through @quantlab/core and
 * prints per-suite counts, every failure, and `N passed, N failed`. Exits 1 on any failure; an op
 * the core does not support is a failure.
 */
import { basename } from "node:path";
import { activeBackend, BACKENDS, type Backend } from "@quantlab/core";
import { goldenDir, loadSuites } from "./golden.js";
import { runSuite } from "./run.js";

function parse(argv: string[]): { backend: Backend; paths: string[] } {
  let backend: Backend = "auto";
  const paths: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const value =
      arg === "--backend" ? argv[++i] : arg.startsWith("--backend=") ? arg.slice(10) : undefined;
    if (value !== undefined || arg === "--backend") {
      if (!BACKENDS.includes(value as Backend)) {
        throw new Error(
          `conformance: --backend must be one of ${BACKENDS.join(", ")}; got ${value}`,
        );
      }
      backend = value as Backend;
    } else if (arg.startsWith("--")) {
      throw new Error(
        `conformance: unknown option ${arg}; usage: [--backend auto|fast|reference] [FILE|DIR ...]`,
      );
    } else {
      paths.push(arg);
    }
  }
  return { backend, paths: paths.length > 0 ? paths : [goldenDir()] };
}

function start(): { backend: Backend; suites: ReturnType<typeof loadSuites> } {
  try {
    const { backend, paths } = parse(process.argv.slice(2));
    return { backend, suites: loadSuites(paths) };
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(2);
  }
}

const { backend, suites } = start();
const kernels = backend === "auto" ? `auto: ${activeBackend()}` : backend;
console.log(`backend ${kernels}`);

let passed = 0;
let failed = 0;
for (const suite of suites) {
  const results = runSuite(suite, backend);
  const failures = results.filter((r) => r.failure !== undefined);
  passed += results.length - failures.length;
  failed += failures.length;
  const name = basename(suite.file)
    .replace(/\.json(\.gz)?$/, "")
    .padEnd(28);
  console.log(
    `${name} ${results.length - failures.length}/${results.length} passed   (${suite.oracle})`,
  );
  for (const f of failures) console.log(`  FAIL ${f.id}: ${f.failure}`);
}
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed > 0 ? 1 : 0;

import type { Backend } from "@quantlab/core";
import type { GoldenCase, GoldenSuite } from "./golden.js";
import { OPS } from "./ops.js";

export interface CaseResult {
  id: string;
  /** The first difference, the error thrown, or why the op is unsupported; undefined when it passed. */
  failure?: string;
}

export function runCase(c: GoldenCase, backend: Backend = "auto"): CaseResult {
  const op = OPS[c.op];
  if (op === undefined) return { id: c.id, failure: `op "${c.op}" is not supported` };
  try {
    const failure = op(c, backend);
    return failure === undefined ? { id: c.id } : { id: c.id, failure };
  } catch (error) {
    return {
      id: c.id,
      failure: `threw ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`,
    };
  }
}

export function runSuite(suite: GoldenSuite, backend: Backend = "auto"): CaseResult[] {
  return suite.cases.map((c) => runCase(c, backend));
}

import type { Figure } from "../../src/index.js";

// biome-ignore lint/suspicious/noExplicitAny: tests read trace fields of every trace type
export type AnyTrace = any;

/** The trace of `fig` named `name`; throws, listing the names, if there is none. */
export function trace(fig: Figure, name: string): AnyTrace {
  const found = fig.data.find((d) => d.name === name);
  if (!found)
    throw new Error(`no trace named ${name}; traces: ${fig.data.map((d) => d.name).join(" | ")}`);
  return found;
}

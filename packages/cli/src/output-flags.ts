/** The flags every command that prints a report takes, last in its flag list. */
import type { FlagSpec } from "./args.js";

export const OUTPUT_FLAGS: readonly FlagSpec[] = [
  { name: "json", type: "boolean", help: "print one JSON document on stdout" },
  { name: "quiet", type: "boolean", help: "no progress on stderr" },
  { name: "debug", type: "boolean", help: "print the stack trace of an unexpected error" },
];

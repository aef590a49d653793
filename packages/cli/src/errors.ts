/**
 * Errors the CLI reports: a bad model file (`file: field: problem`), a failed run (exit 1), bad
 * usage (exit 2). Anything else is a bug and says so, still without a stack trace unless
 * `--debug` asks for one.
 */
import { ModelFileError } from "@quantlab/models";
import { UsageError } from "./args.js";

/** A failure the user can act on: printed as `quantlab <command>: message`, exit code 1. */
export class CliError extends Error {
  override readonly name = "CliError";
}

/** What to print for an error, and the exit code. */
export function report(
  error: unknown,
  command: string | undefined,
  debug: boolean,
): { text: string; code: 1 | 2 } {
  const who = command === undefined ? "quantlab" : `quantlab ${command}`;
  if (error instanceof UsageError) {
    const help =
      error.command === undefined ? "quantlab --help" : `quantlab ${error.command} --help`;
    return { text: `${who}: ${error.message}\n(see ${help})\n`, code: 2 };
  }
  const stack = debug && error instanceof Error && error.stack ? `\n${error.stack}` : "";
  if (error instanceof ModelFileError || error instanceof CliError) {
    return { text: `${who}: ${error.message}${stack}\n`, code: 1 };
  }
  // Argument errors of the libraries (core's template) mean the file or the options asked for
  // something they cannot do, e.g. values a block format cannot store.
  if (error instanceof RangeError || error instanceof TypeError) {
    return { text: `${who}: ${error.message}${stack}\n`, code: 1 };
  }
  const message = error instanceof Error ? error.message : String(error);
  return {
    text: `${who}: unexpected error: ${message}${stack || "\n(run again with --debug for the stack trace)"}\n`,
    code: 1,
  };
}

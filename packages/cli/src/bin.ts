/** What the `quantlab` executable runs: main() on the process's arguments and streams. */
import { main } from "./main.js";

// A closed pipe (`quantlab inspect big.gguf | head`) ends the output, not in an error.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw error;
});

process.exitCode = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
});

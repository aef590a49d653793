// Small helpers shared by scripts/start.mjs, test.mjs, notebooks.mjs and screenshot.mjs.
// Node built-ins only: these scripts run before `pnpm install`.
import { spawn } from "node:child_process";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

/** Absolute path of the repository root. */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** The path relative to the repository root, for messages. */
export const rel = (path) => relative(ROOT, path) || ".";

/** An error whose message is shown to the user as is (no stack trace). */
export class UserError extends Error {}

/** Seconds elapsed since `start` (a `performance.now()` value), as "1.2s". */
export const since = (start) => `${((performance.now() - start) / 1000).toFixed(1)}s`;

/** Prints one progress line. */
export const say = (message) => console.log(`  ${message}`);

/**
 * Runs `fn` as a named phase: prints `> name`, then `ok name (1.2s)` or `FAILED name (1.2s)`.
 * Returns what `fn` returns; rethrows its error.
 */
export async function phase(name, fn) {
  const start = performance.now();
  console.log(`> ${name}`);
  try {
    const result = await fn();
    console.log(`ok ${name} (${since(start)})`);
    return result;
  } catch (error) {
    console.log(`FAILED ${name} (${since(start)})`);
    throw error;
  }
}

/**
 * Runs a command with inherited stdio (or captured, with `capture: true`; or with its stdout sent
 * to our stderr, with `toStderr: true`). Resolves to { code, stdout, stderr }; rejects with a
 * UserError on a nonzero exit unless `allowFailure` is set.
 */
export function run(
  command,
  args,
  { env = process.env, cwd = ROOT, capture = false, allowFailure = false, toStderr = false } = {},
) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd,
      env,
      stdio: capture ? ["ignore", "pipe", "pipe"] : ["ignore", toStderr ? 2 : "inherit", "inherit"],
    });
    let stdout = "";
    let stderr = "";
    if (capture) {
      child.stdout.on("data", (chunk) => {
        stdout += chunk;
      });
      child.stderr.on("data", (chunk) => {
        stderr += chunk;
      });
    }
    child.on("error", (error) => reject(new UserError(`cannot run ${command}: ${error.message}`)));
    child.on("close", (code, signal) => {
      const status = code ?? 128;
      if (status !== 0 && !allowFailure) {
        const shown = [command, ...args].join(" ");
        const why = signal ? `killed by ${signal}` : `exit code ${status}`;
        const output = capture ? `\n${stdout}${stderr}`.trimEnd() : "";
        reject(new UserError(`\`${shown}\` failed (${why})${output}`));
      } else {
        resolve({ code: status, stdout, stderr });
      }
    });
  });
}

/** Parses `--name value`, `--name=value` and `--flag` / `--no-flag` arguments. */
export function parseArgs(argv) {
  const options = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith("--")) throw new UserError(`unexpected argument '${arg}'`);
    const [key, inline] = arg.slice(2).split(/=(.*)/s);
    if (inline !== undefined) options[key] = inline;
    else if (key.startsWith("no-")) options[key.slice(3)] = false;
    else if (argv[i + 1] !== undefined && !argv[i + 1].startsWith("--")) options[key] = argv[++i];
    else options[key] = true;
  }
  return options;
}

/** Prints a UserError's message (or any other error's stack) and exits with code 1. */
export function exitWith(error) {
  console.error(`\n${error instanceof UserError ? error.message : error.stack}`);
  process.exit(1);
}

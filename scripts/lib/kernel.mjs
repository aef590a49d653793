// The notebooks' Jupyter kernel: tslab's `tslab kernel`, started as tslab 1.0.22 starts it, with
// one difference. An error nobody handles (a promise rejection nothing awaits or catches, an
// exception thrown from a timer's callback) fails a cell. tslab only prints those, once the cell
// has ended: Jupyter drops that text, and the notebook passed with the error shown nowhere.
//   node scripts/lib/kernel.mjs --config-path CONNECTION_FILE   (kernel.json's argv)
//
// - An error that comes while a cell runs, or before the cell's promises have settled (one turn of
//   the event loop after it returns), fails that cell.
// - One that comes later (a promise a cell left running) fails the next cell before it runs, and
//   names the cell that made it (by its execution count, "[2]").
// - After the last cell, scripts/notebooks.py runs END_OF_NOTEBOOK, which waits for the timeouts
//   and immediates the cells started (not intervals, nor unref'd timers), then fails as a cell
//   would.
import { AsyncLocalStorage, createHook } from "node:async_hooks";
import { realpathSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { setImmediate as nextTurn } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { TSLAB_DIR } from "./notebooks.mjs";
import { exitWith, parseArgs, UserError } from "./util.mjs";

/** The tslab whose internals (converter, executor, jupyter) this file drives. */
const TSLAB_VERSION = "1.0.22";

/** Where cells find the kernel's functions: globalThis[Symbol.for("quantlab.kernel")]. */
const GLOBAL = Symbol.for("quantlab.kernel");

/**
 * Wraps tslab's executor so that unhandled rejections and uncaught exceptions fail a cell (it
 * installs process-wide handlers for both: one per process). Returns an executor with the same
 * methods, and sets globalThis[Symbol.for("quantlab.kernel")].settle.
 * @example
 *   const executor = guard(createExecutor(process.cwd(), converters, console));
 */
export function guard(executor) {
  const cells = new AsyncLocalStorage();
  /** Errors nobody handled, not yet reported: { what, error, cell }. */
  const unhandled = [];
  /** Timeouts and immediates made by cells, by async id, until they ran or were cleared. */
  const timers = new Map();
  createHook({
    init(id, type, _trigger, resource) {
      if ((type === "Timeout" || type === "Immediate") && cells.getStore() !== undefined)
        timers.set(id, resource);
    },
    destroy(id) {
      timers.delete(id);
    },
  }).enable();
  // Node runs these handlers in the async context of the failed promise or callback, so
  // cells.getStore() is the execution count of the cell that made it.
  const record = (what) => (error) => unhandled.push({ what, error, cell: cells.getStore() });
  process.on("unhandledRejection", record("Unhandled promise rejection"));
  process.on("uncaughtException", record("Uncaught exception"));

  /** Prints the recorded errors on the current cell's stderr; true if there were any. */
  const report = (current, before) => {
    if (unhandled.length === 0) return false;
    for (const { what, error, cell } of unhandled.splice(0)) {
      const from =
        cell === undefined ? " (outside any cell)" : cell === current ? "" : ` (from [${cell}])`;
      console.error(`${what}${from}:`, error);
    }
    if (before) console.error(`[${current}] was not run: an earlier cell's error came first.`);
    return true;
  };

  // A timer still waited for: a timeout (not an interval) or an immediate that keeps Node alive.
  const waitedFor = (timer) => timer.hasRef?.() !== false && timer._repeat == null;
  const settle = async () => {
    while ([...timers.values()].some(waitedFor)) {
      await cells.exit(() => new Promise((resolve) => setTimeout(resolve, 10)));
    }
  };
  globalThis[GLOBAL] = { settle };

  let count = 0;
  const execute = async (src) => {
    const current = ++count;
    if (report(current, true)) return false;
    const ok = await cells.run(current, () => executor.execute(src));
    // Node reports a rejection once the microtasks have run: give it that turn.
    await nextTurn();
    return !report(current, false) && ok;
  };
  return { ...executor, execute };
}

/** Starts the kernel the way tslab's startKernel does, with the executor guarded. */
function main() {
  const options = parseArgs(process.argv.slice(2));
  if (typeof options["config-path"] !== "string")
    throw new UserError("usage: node scripts/lib/kernel.mjs --config-path CONNECTION_FILE");
  const tslab = createRequire(join(TSLAB_DIR, "package.json"));
  const { version } = tslab("./package.json");
  if (version !== TSLAB_VERSION) {
    throw new UserError(
      `scripts/lib/kernel.mjs drives tslab ${TSLAB_VERSION}'s internals; found tslab ${version}: ` +
        "check startKernel in its dist/main.js against main() here.",
    );
  }
  const { createConverter } = tslab("./dist/converter.js");
  const { createExecutor } = tslab("./dist/executor.js");
  const { JupyterHandlerImpl, ZmqServer } = tslab("./dist/jupyter.js");
  const made = {};
  const converters = {
    get node() {
      made.node ??= createConverter({ isJS: false, isBrowser: false });
      return made.node;
    },
    get browser() {
      made.browser ??= createConverter({ isJS: false, isBrowser: true });
      return made.browser;
    },
    close() {
      made.node?.close();
      made.browser?.close();
    },
  };
  converters.node; // tslab warms the Node converter before the first cell
  const executor = guard(
    createExecutor(process.cwd(), converters, { log: console.log, error: console.error }),
  );
  const server = new ZmqServer(new JupyterHandlerImpl(executor, false), options["config-path"]);
  process.on("SIGINT", () => executor.interrupt());
  server.init();
}

if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    main();
  } catch (error) {
    exitWith(error);
  }
}

/**
 * Where the CLI writes: stdout for results, stderr for progress and errors. On a terminal
 * progress is a bar redrawn in place; otherwise (a pipe, a file, CI) it is plain lines, one per
 * tenth of the work, so logs stay readable.
 */

/** A stream the CLI writes to (process.stdout, process.stderr, or a test's collector). */
export interface OutputStream {
  write(text: string): unknown;
  /** True on a terminal: progress is a bar. */
  readonly isTTY?: boolean;
  /** The terminal's width. */
  readonly columns?: number;
}

/** The CLI's surroundings. */
export interface Io {
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
  /** The folder relative paths are read from (default process.cwd()). */
  readonly cwd?: string;
  /** Progress appears once work has taken this long (default 300 ms): quick runs print none. */
  readonly progressAfterMs?: number;
}

/** Progress of a long piece of work: `advance` after each item, `done` at the end. */
export interface Progress {
  /** One more item done, weighing `weight` of the total weight. */
  advance(weight: number): void;
  /** Clears the bar (terminal) or prints the last line (otherwise). */
  done(): void;
}

const SILENT: Progress = { advance: () => {}, done: () => {} };

/**
 * Progress on `stream` for `count` items of `total` weight (elements, bytes...): a bar redrawn
 * at most every 100 ms on a terminal, a line per 10 % otherwise; nothing when `quiet`, and
 * nothing until the work has taken `afterMs`.
 */
export function progress(
  stream: OutputStream,
  label: string,
  count: number,
  total: number,
  unit: string,
  quiet = false,
  afterMs = 300,
): Progress {
  if (quiet || count === 0) return SILENT;
  const started = performance.now();
  let items = 0;
  let weight = 0;
  let lastDraw = 0;
  let lastTenth = 0;
  let shown = false;
  const due = () => shown || performance.now() - started >= afterMs;
  const share = () => (total > 0 ? Math.min(1, weight / total) : items / count);
  const seconds = () => ((performance.now() - started) / 1000).toFixed(1);
  if (stream.isTTY) {
    const draw = () => {
      const width = Math.max(10, Math.min(30, (stream.columns ?? 80) - label.length - 40));
      const filled = Math.round(share() * width);
      const bar = "=".repeat(filled) + " ".repeat(width - filled);
      const percent = `${Math.floor(share() * 100)}%`.padStart(4);
      stream.write(
        `\r\x1b[2K${label} [${bar}] ${percent} ${items}/${count} ${unit} ${seconds()} s`,
      );
    };
    if (due()) {
      shown = true;
      draw();
    }
    return {
      advance(w: number) {
        items++;
        weight += w;
        const now = performance.now();
        if (due() && (now - lastDraw >= 100 || items === count)) {
          shown = true;
          lastDraw = now;
          draw();
        }
      },
      done() {
        if (shown) stream.write("\r\x1b[2K");
      },
    };
  }
  return {
    advance(w: number) {
      items++;
      weight += w;
      const tenth = Math.floor(share() * 10);
      if (tenth > lastTenth && items < count) {
        lastTenth = tenth;
        if (!due()) return;
        if (!shown) stream.write(`${label}: ${count} ${unit}\n`);
        shown = true;
        stream.write(`${label}: ${tenth * 10}% (${items}/${count} ${unit}, ${seconds()} s)\n`);
      }
    },
    done() {
      if (shown) stream.write(`${label}: done (${items}/${count} ${unit}, ${seconds()} s)\n`);
    },
  };
}

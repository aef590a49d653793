/**
 * The command line, declared: each command lists its arguments and flags once, and the parser,
 * the help text and the suggestions for a mistyped flag all come from that list.
 */

/** One flag of a command. */
export interface FlagSpec {
  /** The name without dashes: "per-channel". */
  readonly name: string;
  /** "boolean" flags take no value; "string" and "integer" flags take one (`--x v` or `--x=v`). */
  readonly type: "boolean" | "string" | "integer";
  /** The value's placeholder in the help: "N", "DIR". */
  readonly value?: string;
  /** The values a string flag accepts. */
  readonly choices?: readonly string[];
  /** Bounds of an integer flag. */
  readonly min?: number;
  readonly max?: number;
  /** May be given several times (the values are collected in order). */
  readonly repeatable?: boolean;
  readonly help: string;
}

/** One command: what it takes, and its help. */
export interface CommandSpec {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  readonly positionals: readonly { readonly name: string; readonly help: string }[];
  readonly flags: readonly FlagSpec[];
  /** Paragraphs after the options. */
  readonly details?: readonly string[];
  readonly examples: readonly string[];
}

/** What the parser found: the positional arguments and each given flag's value(s). */
export interface ParsedArgs {
  readonly positionals: readonly string[];
  readonly flags: Readonly<Record<string, string | number | boolean | readonly string[]>>;
  readonly help: boolean;
}

/** A command line that cannot be run as written (exit code 2). */
export class UsageError extends Error {
  override readonly name = "UsageError";
  constructor(
    /** The command whose usage was wrong ("quantize"), or undefined for quantlab itself. */
    readonly command: string | undefined,
    message: string,
  ) {
    super(message);
  }
}

/** Edit distance (insertions, deletions, substitutions, transpositions of neighbours). */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(
        (d[i - 1]?.[j] as number) + 1,
        (d[i]?.[j - 1] as number) + 1,
        (d[i - 1]?.[j - 1] as number) + cost,
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        v = Math.min(v, (d[i - 2]?.[j - 2] as number) + 1);
      }
      (d[i] as number[])[j] = v;
    }
  }
  return d[a.length]?.[b.length] as number;
}

/**
 * The known word nearest to `word`, when it is near enough to be a typo (at most a third of its
 * length in edits, at least 2) or a prefix of exactly one word; else undefined.
 *
 * @example
 * suggest("per-chanel", ["per-channel", "block"]); // => "per-channel"
 */
export function suggest(word: string, known: readonly string[]): string | undefined {
  const prefixed = known.filter((k) => k.startsWith(word));
  if (word.length >= 2 && prefixed.length === 1) return prefixed[0];
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const k of known) {
    const distance = editDistance(word.toLowerCase(), k.toLowerCase());
    if (distance < bestDistance) {
      best = k;
      bestDistance = distance;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

const didYouMean = (word: string | undefined, prefix = "") =>
  word === undefined ? "" : `; did you mean ${prefix}${word}?`;

function flagValue(command: string, spec: FlagSpec, raw: string): string | number {
  const flag = `--${spec.name}`;
  if (spec.type === "integer") {
    if (!/^-?\d+$/.test(raw)) {
      throw new UsageError(command, `${flag} takes an integer; received ${JSON.stringify(raw)}`);
    }
    const n = Number(raw);
    const min = spec.min ?? Number.MIN_SAFE_INTEGER;
    const max = spec.max ?? Number.MAX_SAFE_INTEGER;
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      const range =
        spec.max === undefined ? `at least ${min}` : `from ${min} to ${spec.max.toLocaleString()}`;
      throw new UsageError(command, `${flag} takes an integer ${range}; received ${raw}`);
    }
    return n;
  }
  // Choices match regardless of case ("gguf-q4_k" is gguf-q4_K); the canonical spelling comes back.
  const choice = spec.choices?.find((c) => c.toLowerCase() === raw.toLowerCase());
  if (spec.choices !== undefined && choice === undefined) {
    throw new UsageError(
      command,
      `${flag} takes one of ${spec.choices.join(", ")}; received ${JSON.stringify(raw)}${didYouMean(suggest(raw, spec.choices))}`,
    );
  }
  return choice ?? raw;
}

/**
 * Parses a command's arguments: positionals, `--flag`, `--flag value`, `--flag=value`, `--`
 * (everything after it is positional), `-h` / `--help`.
 *
 * @throws {UsageError} an unknown flag (with the nearest known one), a missing or bad value,
 *   a flag given twice, a wrong number of positionals.
 */
export function parseArgs(spec: CommandSpec, argv: readonly string[]): ParsedArgs {
  const positionals: string[] = [];
  const flags: Record<string, string | number | boolean | string[]> = {};
  const byName = new Map(spec.flags.map((f) => [f.name, f]));
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === "--") {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg === "-h" || arg === "--help") {
      help = true;
      continue;
    }
    if (!arg.startsWith("-") || arg === "-") {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const name = arg.slice(arg.startsWith("--") ? 2 : 1, eq < 0 ? undefined : eq);
    const f = byName.get(name);
    if (f === undefined || !arg.startsWith("--")) {
      const known = [...byName.keys(), "help"];
      throw new UsageError(
        spec.name,
        `unknown flag ${arg.slice(0, eq < 0 ? undefined : eq)}${didYouMean(suggest(name, known), "--")}`,
      );
    }
    let value: string | number | boolean = true;
    if (f.type === "boolean") {
      if (eq >= 0) throw new UsageError(spec.name, `--${name} takes no value; received ${arg}`);
    } else {
      let raw: string | undefined;
      if (eq >= 0) raw = arg.slice(eq + 1);
      else {
        raw = argv[i + 1];
        // A negative number is a value; any other dash word is the next flag.
        if (raw?.startsWith("-") && !/^-\d/.test(raw)) raw = undefined;
        if (raw !== undefined) i++;
      }
      if (raw === undefined || raw === "") {
        throw new UsageError(spec.name, `--${name} needs a value (${f.value ?? "VALUE"})`);
      }
      value = flagValue(spec.name, f, raw);
    }
    if (f.repeatable) {
      const list = (flags[name] as string[] | undefined) ?? [];
      list.push(String(value));
      flags[name] = list;
    } else if (name in flags) {
      throw new UsageError(spec.name, `--${name} is given twice`);
    } else {
      flags[name] = value;
    }
  }
  if (!help && positionals.length !== spec.positionals.length) {
    const names = spec.positionals.map((p) => p.name).join(" ");
    const what =
      positionals.length < spec.positionals.length
        ? `missing ${spec.positionals
            .slice(positionals.length)
            .map((p) => p.name)
            .join(" and ")}`
        : `too many arguments (${positionals.slice(spec.positionals.length).join(" ")})`;
    throw new UsageError(spec.name, `${what}: quantlab ${spec.name} takes ${names}`);
  }
  return { positionals, flags, help };
}

/**
 * `prefix` then `text` wrapped at `width` columns, continuation lines indented by `indent`
 * (the prefix is kept as it is: it holds the padding of a column).
 */
export function wrap(text: string, width: number, indent = 0, prefix = ""): string {
  const lines: string[] = [];
  let line = prefix;
  for (const word of text.split(/ +/)) {
    const start = lines.length === 0 ? prefix.length : indent;
    if (line.length > start && line.length + 1 + word.length > width) {
      lines.push(line);
      line = " ".repeat(indent) + word;
    } else {
      line = line.length > start ? `${line} ${word}` : line + word;
    }
  }
  lines.push(line);
  return lines.join("\n");
}

const WIDTH = 100;

/** The help text of a command, from its spec, wrapped at 100 columns. */
export function helpText(spec: CommandSpec): string {
  const lines = [
    `quantlab ${spec.name}: ${spec.summary}`,
    "",
    wrap(spec.usage, WIDTH, 7, "Usage: "),
    "",
  ];
  if (spec.positionals.length > 0) {
    lines.push("Arguments:");
    const width = Math.max(...spec.positionals.map((p) => p.name.length));
    for (const p of spec.positionals) {
      lines.push(wrap(p.help, WIDTH, width + 4, `  ${p.name.padEnd(width)}  `));
    }
    lines.push("");
  }
  const rows = [
    ...spec.flags.map((f) => {
      const value = f.type === "boolean" ? "" : ` ${f.value ?? "VALUE"}`;
      const listed = f.choices?.every((c) => f.help.includes(c));
      const choices =
        f.choices && f.choices.length <= 8 && !listed ? ` (${f.choices.join(", ")})` : "";
      return [`--${f.name}${value}`, `${f.help}${choices}`] as const;
    }),
    ["-h, --help", "this help"] as const,
  ];
  const width = Math.max(...rows.map((r) => r[0].length));
  lines.push("Options:");
  for (const [flag, text] of rows)
    lines.push(wrap(text, WIDTH, width + 4, `  ${flag.padEnd(width)}  `));
  for (const paragraph of spec.details ?? []) lines.push("", wrap(paragraph, WIDTH));
  if (spec.examples.length > 0) {
    lines.push("", "Examples:");
    for (const e of spec.examples) lines.push(`  ${e}`);
  }
  return `${lines.join("\n")}\n`;
}

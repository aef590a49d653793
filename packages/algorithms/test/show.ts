// A copy of packages/core/test/show.ts's printing and evaluation, for this package's examples.
/** Prints a value the way the docs write it: `Int8Array [ 1, 2 ]`, `{ a: 1, b: "x" }`. */
export function show(value: unknown): string {
  if (typeof value === "number") return Object.is(value, -0) ? "-0" : String(value);
  if (typeof value === "string") return JSON.stringify(value);
  if (ArrayBuffer.isView(value)) {
    const items = Array.from(value as unknown as ArrayLike<number>, show);
    return `${value.constructor.name} [ ${items.join(", ")} ]`;
  }
  if (Array.isArray(value)) return `[ ${value.map(show).join(", ")} ]`;
  if (typeof value === "object" && value !== null) {
    const fields = Object.entries(value).map(([k, v]) => `${k}: ${show(v)}`);
    return `{ ${fields.join(", ")} }`;
  }
  return String(value);
}

/** Spacing is free: `[1, 2]` reads as `[ 1, 2 ]`. */
export function normalize(text: string): string {
  return text
    .replace(/\s+/g, " ")
    .replace(/([[{]) /g, "$1")
    .replace(/ ([\]}])/g, "$1");
}

/** Evaluates `code` (its last line an expression) with every export of `scope` in scope. */
export function evaluate(code: string[], scope: Record<string, unknown>): unknown {
  const body = [...code];
  const last = (body.pop() as string).replace(/;\s*$/, "");
  const names = Object.keys(scope);
  const run = new Function(...names, `${body.join("\n")}\nreturn (${last});`);
  return run(...names.map((name) => scope[name]));
}

/**
 * One template for every argument error:
 * `quantize(): argument 'scale' must be a finite number > 0; received 0.`
 */
export function describe(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "undefined";
  if (typeof value === "number") return Object.is(value, -0) ? "-0" : String(value);
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "bigint") return `${value}n`;
  if (typeof value === "boolean" || typeof value === "symbol") return String(value);
  if (typeof value === "function") return "a function";
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (ArrayBuffer.isView(value)) {
    const length = (value as unknown as { length?: number }).length;
    const name = withArticle(value.constructor.name);
    return `${name}${length === undefined ? "" : ` of length ${length}`}`;
  }
  const name = (value as object).constructor?.name;
  return name && name !== "Object" ? `a ${name}` : "an object";
}

/** "an Int8Array", "a Uint8Array" (said "you-int"), "a Float32Array". */
export function withArticle(name: string): string {
  return `${/^[AEIO]/i.test(name) ? "an" : "a"} ${name}`;
}

function message(fn: string, arg: string, expected: string, received: string): string {
  return `${fn}(): argument '${arg}' must be ${expected}; received ${received}.`;
}

/** The wrong kind of value: a string where a number was expected, say. */
export function typeError(fn: string, arg: string, expected: string, value: unknown): TypeError {
  return new TypeError(message(fn, arg, expected, describe(value)));
}

/** A value of the right kind outside what the function accepts. `received` overrides the description. */
export function rangeError(
  fn: string,
  arg: string,
  expected: string,
  value: unknown,
  received = describe(value),
): RangeError {
  return new RangeError(message(fn, arg, expected, received));
}

/** Throws for the first NaN a quantize kernel reported (`nan`, its index, or -1 for none). */
export function checkNoNaN(fn: string, nan: number): void {
  if (nan >= 0) {
    throw rangeError(fn, `x[${nan}]`, "a number, not NaN (NaN has no integer code)", Number.NaN);
  }
}

/**
 * Argument checks for the figure builders, with the template @quantlab/core uses:
 * `histogramWithLevels(): argument 'scale' must be a finite number > 0; received 0.`
 * (kept local: @quantlab/plot imports types from core at most, never its runtime code).
 */

/** A short description of a value for an error message: `-0`, `"abc"`, `a Float32Array of length 3`. */
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
    return `a ${value.constructor.name}${length === undefined ? "" : ` of length ${length}`}`;
  }
  const name = (value as object).constructor?.name;
  return name && name !== "Object" ? `a ${name}` : "an object";
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

/** The numeric arrays the builders accept: plain arrays and any numeric typed array. */
export type NumericArray = ArrayLike<number>;

function isNumericArray(value: unknown): value is NumericArray {
  if (Array.isArray(value)) return true;
  return (
    ArrayBuffer.isView(value) &&
    !(value instanceof DataView) &&
    !(value instanceof BigInt64Array) &&
    !(value instanceof BigUint64Array)
  );
}

/** Checks that `value` is a non-empty array of finite numbers and copies it into a plain `number[]`. */
export function finiteArray(fn: string, arg: string, value: unknown): number[] {
  if (!isNumericArray(value)) throw typeError(fn, arg, "an array or typed array of numbers", value);
  if (value.length === 0) throw rangeError(fn, arg, "a non-empty array", value);
  const out = new Array<number>(value.length);
  for (let i = 0; i < value.length; i++) {
    const v = value[i] as unknown;
    if (typeof v !== "number") {
      throw typeError(fn, arg, "an array of numbers", v);
    }
    if (!Number.isFinite(v)) {
      throw rangeError(fn, arg, "an array of finite numbers", v, `${describe(v)} at index ${i}`);
    }
    out[i] = v;
  }
  return out;
}

/** Checks that `value` has the same length as the array named `otherArg`. */
export function sameLength(
  fn: string,
  arg: string,
  value: ArrayLike<unknown>,
  otherArg: string,
  length: number,
): void {
  if (value.length !== length) {
    throw rangeError(fn, arg, `of the same length as '${otherArg}' (${length})`, value);
  }
}

/** Checks a finite number > 0 (a scale). */
export function positiveNumber(fn: string, arg: string, value: unknown): number {
  if (typeof value !== "number") throw typeError(fn, arg, "a finite number > 0", value);
  if (!Number.isFinite(value) || value <= 0)
    throw rangeError(fn, arg, "a finite number > 0", value);
  return value;
}

/** Checks a finite number (any sign). */
export function finiteNumber(fn: string, arg: string, value: unknown): number {
  if (typeof value !== "number") throw typeError(fn, arg, "a finite number", value);
  if (!Number.isFinite(value)) throw rangeError(fn, arg, "a finite number", value);
  return value;
}

/** Checks a safe integer, optionally inside [min, max]. */
export function integer(
  fn: string,
  arg: string,
  value: unknown,
  min = Number.MIN_SAFE_INTEGER,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (typeof value !== "number") throw typeError(fn, arg, "an integer", value);
  if (!Number.isSafeInteger(value)) throw rangeError(fn, arg, "an integer", value);
  if (value < min || value > max)
    throw rangeError(fn, arg, `an integer in [${min}, ${max}]`, value);
  return value;
}

/** Checks an optional array of strings of a given length (labels for the elements). */
export function labelsArray(
  fn: string,
  arg: string,
  value: unknown,
  length: number,
  otherArg: string,
): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) throw typeError(fn, arg, "an array of strings", value);
  for (let i = 0; i < value.length; i++) {
    if (typeof value[i] !== "string") {
      throw typeError(fn, arg, "an array of strings", value[i]);
    }
  }
  sameLength(fn, arg, value, otherArg, length);
  return value.slice() as string[];
}

/** Checks an optional string option (a title). */
export function optionalString(fn: string, arg: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string") throw typeError(fn, arg, "a string", value);
  return value;
}

/** Checks that `value` is one of `choices`. */
export function oneOf<T extends string>(
  fn: string,
  arg: string,
  value: unknown,
  choices: readonly T[],
): T {
  const expected = choices.map((c) => JSON.stringify(c)).join(" or ");
  if (typeof value !== "string") throw typeError(fn, arg, expected, value);
  if (!(choices as readonly string[]).includes(value)) throw rangeError(fn, arg, expected, value);
  return value as T;
}

/** Checks that `value` is a plain options object. */
export function optionsObject(fn: string, arg: string, value: unknown): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw typeError(fn, arg, "an options object", value);
  }
  return value as Record<string, unknown>;
}

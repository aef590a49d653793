/** Integer formats the core quantizes to. int4 and uint4 hold one value per element (see `packInt4`). */
export type IntegerDType = "int4" | "uint4" | "int8" | "uint8" | "int16" | "uint16" | "int32";

/** Low-precision float formats, stored as bit patterns. */
export type FloatDType = "float16" | "bfloat16" | "float8e4m3fn" | "float8e5m2";

export type IntegerArray = Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array;

export type IntegerArrayConstructor =
  | Int8ArrayConstructor
  | Uint8ArrayConstructor
  | Int16ArrayConstructor
  | Uint16ArrayConstructor
  | Int32ArrayConstructor;

/** One integer format: its width, its range, and the typed array that stores it. */
export interface IntegerFormat {
  readonly name: IntegerDType;
  readonly bits: number;
  readonly signed: boolean;
  readonly min: number;
  readonly max: number;
  readonly storage: IntegerArrayConstructor;
}

function integer(
  name: IntegerDType,
  bits: number,
  signed: boolean,
  storage: IntegerArrayConstructor,
): IntegerFormat {
  const min = signed ? -(2 ** (bits - 1)) : 0;
  const max = signed ? 2 ** (bits - 1) - 1 : 2 ** bits - 1;
  return Object.freeze({ name, bits, signed, min, max, storage });
}

/** Every integer format, the single source of truth for bits, range and storage. */
export const INTEGER_FORMATS: Readonly<Record<IntegerDType, IntegerFormat>> = Object.freeze({
  int4: integer("int4", 4, true, Int8Array),
  uint4: integer("uint4", 4, false, Uint8Array),
  int8: integer("int8", 8, true, Int8Array),
  uint8: integer("uint8", 8, false, Uint8Array),
  int16: integer("int16", 16, true, Int16Array),
  uint16: integer("uint16", 16, false, Uint16Array),
  int32: integer("int32", 32, true, Int32Array),
});

export const INTEGER_DTYPES = Object.keys(INTEGER_FORMATS) as readonly IntegerDType[];

/**
 * Whether a value names an integer format of {@link INTEGER_FORMATS}.
 * @example
 * [isIntegerDType("int4"), isIntegerDType("int7")]
 * // => [true, false]
 */
export function isIntegerDType(value: unknown): value is IntegerDType {
  return typeof value === "string" && Object.hasOwn(INTEGER_FORMATS, value);
}

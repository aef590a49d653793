/**
 * What the GGUF and safetensors writers share about a tensor to write: its fields, the check of
 * `values` against `data`, and the element encoders (both formats name element types alike).
 */
import { encodeFloat } from "@quantlab/core";
import { argumentError } from "./args.js";

/** Numbers to encode. */
export type Values = readonly number[] | Float32Array | Float64Array;

/** A tensor to write: `values` to encode, or `data`, the stored bytes as they are. */
export interface TensorInput {
  readonly name: string;
  readonly shape: readonly number[];
  readonly values?: Values;
  readonly data?: Uint8Array;
}

/** Encodes values to little-endian bytes; `arg` names them in errors. */
export type ElementEncoder = (values: Values, arg: string) => Uint8Array;

const bytesOf = (view: ArrayBufferView) =>
  new Uint8Array(view.buffer, view.byteOffset, view.byteLength);

/** The encoders of the plain element types, by name; `fn` names the writer in errors. */
export function elementEncoders(fn: string): Readonly<Partial<Record<string, ElementEncoder>>> {
  const integers = (values: Values, arg: string, min: number, max: number): Values => {
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (!Number.isInteger(v) || v < min || v > max) {
        throw argumentError(fn, `${arg}[${i}]`, `an integer in [${min}, ${max}]`, v, RangeError);
      }
    }
    return values;
  };
  return Object.freeze({
    F64: (v) => bytesOf(Float64Array.from(v)),
    F32: (v) => bytesOf(Float32Array.from(v)),
    F16: (v) => bytesOf(encodeFloat("float16", v)),
    BF16: (v) => bytesOf(encodeFloat("bfloat16", v)),
    I32: (v, arg) => bytesOf(Int32Array.from(integers(v, arg, -0x80000000, 0x7fffffff))),
    U32: (v, arg) => bytesOf(Uint32Array.from(integers(v, arg, 0, 0xffffffff))),
    I16: (v, arg) => bytesOf(Int16Array.from(integers(v, arg, -0x8000, 0x7fff))),
    U16: (v, arg) => bytesOf(Uint16Array.from(integers(v, arg, 0, 0xffff))),
    I8: (v, arg) => bytesOf(Int8Array.from(integers(v, arg, -0x80, 0x7f))),
    U8: (v, arg) => bytesOf(Uint8Array.from(integers(v, arg, 0, 0xff))),
    BOOL: (v, arg) => bytesOf(Uint8Array.from(integers(v, arg, 0, 1))),
  } satisfies Record<string, ElementEncoder>);
}

/**
 * Checks that `t` gives exactly one of `values` and `data`; returns `data`, checked to be
 * `byteLength` bytes (`typeName` of `shape`), or undefined where `values` are given.
 */
export function givenData(
  fn: string,
  arg: string,
  t: TensorInput,
  byteLength: number,
  typeName: string,
  shape: readonly number[],
): Uint8Array | undefined {
  if ((t.values === undefined) === (t.data === undefined)) {
    throw argumentError(fn, arg, "a tensor with either values or data", t);
  }
  if (t.data === undefined) return undefined;
  if (!(t.data instanceof Uint8Array))
    throw argumentError(fn, `${arg}.data`, "a Uint8Array", t.data);
  if (t.data.byteLength !== byteLength) {
    throw argumentError(
      fn,
      `${arg}.data`,
      `${byteLength} bytes (${typeName} of shape [${shape.join(", ")}])`,
      t.data,
      RangeError,
      `${t.data.byteLength} bytes`,
    );
  }
  return t.data;
}

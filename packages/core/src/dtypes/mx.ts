/**
 * The OCP Microscaling (MX v1.0) block formats: one row each, the single source of truth for their
 * element type, bits and the exponent their shared scale is measured against. The kernels are in
 * ../kernels/mx.ts, the public functions in ../blocks/mx.ts.
 */
import { FLOAT_FORMATS } from "./table.js";

/** An MX block format, by the standard's name (MXFP8 has two element types). */
export type MxFormat = "mxfp8e4m3" | "mxfp8e5m2" | "mxfp6e3m2" | "mxfp6e2m3" | "mxfp4" | "mxint8";

/**
 * How an MX element rounds: to nearest with ties to the even code (`"even"`, the standard's
 * roundTiesToEven, torchao's `to_mx`) or ties away from zero (`"away"`, microxcaling's default).
 */
export type MxRounding = "even" | "away";

export const MX_ROUNDINGS: readonly MxRounding[] = Object.freeze(["even", "away"]);

/** The block size the standard fixes: 32 elements share one scale. */
export const MX_BLOCK_SIZE = 32;

/** What an MX format is: its element type, widths, and the exponent of its largest element. */
export interface MxFormatInfo {
  readonly name: MxFormat;
  /** The element's type: a float format of FLOAT_FORMATS, or `"int8"` (k / 64, |k| <= 127). */
  readonly element:
    | "float8e4m3fn"
    | "float8e5m2"
    | "float6e3m2"
    | "float6e2m3"
    | "float4e2m1"
    | "int8";
  /** Bits of one element code. */
  readonly elementBits: 8 | 6 | 4;
  /** `emax_elem`: floor(log2) of the element's largest normal value (8, 15, 4, 2, 2, 0). */
  readonly emax: number;
  /** The element's largest magnitude: 448, 57344, 28, 7.5, 6, and 127/64 for int8. */
  readonly maxElement: number;
  /** Bits per value with the standard's block of 32: `elementBits + 8 / 32`. */
  readonly bitsPerWeight: number;
  /** What the codes, scales and values are. */
  readonly layout: string;
  /** Who defines the bits. */
  readonly oracle: string;
}

const ORACLE =
  'OCP Microscaling Formats (MX) v1.0; microsoft/microxcaling 7bc41952 _quantize_mx (values), torchao to_mx (codes, "even")';

function info(
  name: MxFormat,
  element: MxFormatInfo["element"],
  emax: number,
  maxElement: number,
): MxFormatInfo {
  const elementBits = (element === "int8" ? 8 : FLOAT_FORMATS[element].bits) as 8 | 6 | 4;
  const what = element === "int8" ? "int8 k, value k / 64" : element;
  return Object.freeze({
    name,
    element,
    elementBits,
    emax,
    maxElement,
    bitsPerWeight: elementBits + 8 / MX_BLOCK_SIZE,
    layout: `scales: one float8e8m0 code per block (2^(c - 127), 0xFF NaN); codes: one ${what} code per value; value = element · 2^(c - 127)`,
    oracle: ORACLE,
  });
}

/**
 * Every MX format: element type and bits, emax, largest element, bits per weight, layout, oracle.
 *
 * @example
 * [MX_FORMATS.mxfp4.element, MX_FORMATS.mxfp4.emax, MX_FORMATS.mxfp4.bitsPerWeight]
 * // => ["float4e2m1", 2, 4.25]
 */
export const MX_FORMATS: Readonly<Record<MxFormat, MxFormatInfo>> = Object.freeze({
  mxfp8e4m3: info("mxfp8e4m3", "float8e4m3fn", 8, 448),
  mxfp8e5m2: info("mxfp8e5m2", "float8e5m2", 15, 57344),
  mxfp6e3m2: info("mxfp6e3m2", "float6e3m2", 4, 28),
  mxfp6e2m3: info("mxfp6e2m3", "float6e2m3", 2, 7.5),
  mxfp4: info("mxfp4", "float4e2m1", 2, 6),
  mxint8: info("mxint8", "int8", 0, 127 / 64),
});

/** The format names, in the table's order. */
export const MX_FORMAT_NAMES = Object.freeze(Object.keys(MX_FORMATS)) as readonly MxFormat[];

/**
 * Whether a value names an MX format of `MX_FORMATS`.
 *
 * @example
 * [isMxFormat("mxfp4"), isMxFormat("MXFP4"), isMxFormat("mxfp8")]
 * // => [true, false, false]
 */
export function isMxFormat(value: unknown): value is MxFormat {
  return typeof value === "string" && Object.hasOwn(MX_FORMATS, value);
}

// The fast path: WebAssembly SIMD kernels, written in AssemblyScript (compiled by
// packages/core/scripts/build-wasm.mjs into src/generated/kernels-wasm.ts).
//
// Every kernel reads `n` values at `src` and writes at `dst`, both in this module's memory (the JS
// side copies a chunk in, calls a kernel, copies the result out). Kernels work in whole vectors:
// they read and write up to one vector group past `n` (the JS side leaves slack after each
// buffer and copies out only `n` results), so there is no scalar tail and no branch per element.
//
// The formulas are those of src/kernels/reference.ts, bit for bit:
//   ONNX     q = saturate(rint(fround(x / s)) + zp)        a real f32x4.div, not a reciprocal
//   PyTorch  q = saturate(fround(zp + rint(fround(x * inv))))   inv = fround(1 / s)
//   dequant  x = fround(fround(q - zp) * s)
// With t = fround(x / s) (or fround(x * inv)), lo = qmin - zp and hi = qmax - zp (integers):
//   saturate(rint(t) + zp) = rint(clamp(t, lo, hi)) + zp
// because rint is monotonic and leaves the integer bounds alone. The clamp is f32x4.pmin/pmax
// (±Infinity lands on a bound); then |t| <= 131070 < 2^22, so adding M = 1.5 * 2^23 rounds t to an
// integer, ties to even (M is even, the float adder rounds to nearest even), and the low bits of
// t + M are that integer: bits(t + M) - bits(M) = rint(t) as an int32. The zero point is then added
// in int32, after rounding, as the reference does. This is exact for every float32 t, replaces
// f32x4.nearest + i32x4.trunc_sat_f32x4_s (a long sequence on x86), and the narrowing instructions
// only repack values that are already in [qmin, qmax].
//
// NaN has no code (the public functions reject it), and the check is fused into the quantize loops
// so that nobody reads the input twice: each loop ORs `x != x` (true exactly for NaN lanes) into
// an accumulator and returns whether any lane was NaN. The JS side then finds the first NaN of the
// chunk with a plain scan (the error path may be slow). The lanes past `n` that a loop reads are
// zeroed by the JS side before the call, so they cannot report a NaN that is not there. A NaN
// lane's code is unspecified (some code, never a trap).
//
// Compile-time specialisation: the type parameter `M` selects the semantics (`Onnx` or `Torch`),
// `T` the storage type; AssemblyScript evaluates `sizeof<M>()` and `isSigned<T>()` at compile time,
// so each instantiation is a branch-free loop.

import { KIND_INT8, KIND_INT16, KIND_UINT8, KIND_UINT16 } from "../src/kernels/fast/abi";
import {
  c_bfInf,
  c_bfNaN,
  c_bfNaNFrom,
  c_biasOffset,
  c_cutoff,
  c_expMask,
  c_expOffset,
  c_expScale,
  c_floatNaN,
  c_half,
  c_halfExp,
  c_halfMantissa,
  c_halfNaN,
  c_halfSign,
  c_magicMask,
  c_magnitude,
  c_minBias,
  c_one,
  c_scaleToInf,
  c_scaleToZero,
  c_sign,
  k,
  toHalfLanes,
} from "./common";

type Onnx = u8;
type Torch = u16;

/** First byte free for the working buffers (64 KiB aligned, after static data and stack). */
export function bufferBase(): usize {
  return (__heap_base + 0xffff) & ~(<usize>0xffff);
}

// ---------------------------------------------------------------------------------------------
// Quantize

function scaled<M>(x: v128, s: v128): v128 {
  if (sizeof<M>() === sizeof<Torch>()) return f32x4.mul(x, s);
  return f32x4.div(x, s);
}

/**
 * The bits of MAGIC = 1.5 * 2^23 (entry 0 of K): adding MAGIC to a float32 of magnitude < 2^22
 * rounds it to an integer (ties to even).
 */
const MAGIC_BITS: i32 = 0x4b400000;

/** rint(clamp(t, lo, hi)) as integer-valued float32 (lo, hi integers of magnitude < 2^22). */
function roundedLanes(t: v128, lo: v128, hi: v128, m: v128): v128 {
  return f32x4.sub(f32x4.add(f32x4.pmax(f32x4.pmin(t, hi), lo), m), m);
}

/** Four lanes: rint(clamp(x / s, lo, hi)) + zp as int32; `zpm` holds zp - bits(MAGIC). */
function quantizeLanes<M>(x: v128, s: v128, zpm: v128, lo: v128, hi: v128, m: v128): v128 {
  const t = f32x4.pmax(f32x4.pmin(scaled<M>(x, s), hi), lo);
  return i32x4.add(f32x4.add(t, m), zpm);
}

/** All-ones lanes where any of a, b, c, d is NaN (NaN is the only value not equal to itself). */
function anyNaN(a: v128, b: v128, c: v128, d: v128): v128 {
  return v128.or(v128.or(f32x4.ne(a, a), f32x4.ne(b, b)), v128.or(f32x4.ne(c, c), f32x4.ne(d, d)));
}

/**
 * Stores 16 int32 codes (lanes of a, b, c, d, already in T's range) as T at element `i` of `dst`:
 * one 16-byte store for 8-bit T, two for 16-bit T. Specialised at compile time.
 */
function storeCodes<T>(dst: usize, i: usize, a: v128, b: v128, c: v128, d: v128): void {
  if (sizeof<T>() === 1) {
    const ab = i16x8.narrow_i32x4_s(a, b);
    const cd = i16x8.narrow_i32x4_s(c, d);
    if (isSigned<T>()) v128.store(dst + i, i8x16.narrow_i16x8_s(ab, cd));
    else v128.store(dst + i, i8x16.narrow_i16x8_u(ab, cd));
  } else if (isSigned<T>()) {
    v128.store(dst + (i << 1), i16x8.narrow_i32x4_s(a, b));
    v128.store(dst + (i << 1), i16x8.narrow_i32x4_s(c, d), 16);
  } else {
    v128.store(dst + (i << 1), i16x8.narrow_i32x4_u(a, b));
    v128.store(dst + (i << 1), i16x8.narrow_i32x4_u(c, d), 16);
  }
}

/** 16 values per iteration into T storage. True when some x was NaN. */
function quantizeStorage<M, T>(
  src: usize,
  dst: usize,
  n: usize,
  s: v128,
  zp: v128,
  lo: v128,
  hi: v128,
): bool {
  const m = k(0);
  let nan = i32x4.splat(0);
  for (let i: usize = 0; i < n; i += 16) {
    const p = src + (i << 2);
    const xa = v128.load(p);
    const xb = v128.load(p, 16);
    const xc = v128.load(p, 32);
    const xd = v128.load(p, 48);
    nan = v128.or(nan, anyNaN(xa, xb, xc, xd));
    storeCodes<T>(
      dst,
      i,
      quantizeLanes<M>(xa, s, zp, lo, hi, m),
      quantizeLanes<M>(xb, s, zp, lo, hi, m),
      quantizeLanes<M>(xc, s, zp, lo, hi, m),
      quantizeLanes<M>(xd, s, zp, lo, hi, m),
    );
  }
  return v128.any_true(nan);
}

// Storage kinds: src/kernels/fast/abi.ts numbers them for both sides.
const I8 = KIND_INT8;
const U8 = KIND_UINT8;
const I16 = KIND_INT16;
const U16 = KIND_UINT16;

/**
 * `qmin`, `qmax` are the dtype's bounds; the clamp works on t with bounds qmin - zp, qmax - zp.
 * True when some x was NaN.
 */
function quantizeKind<M>(
  kind: i32,
  src: usize,
  dst: usize,
  n: usize,
  s: f32,
  zp: i32,
  qmin: i32,
  qmax: i32,
): bool {
  const vs = f32x4.splat(s);
  const vz = i32x4.splat(zp - MAGIC_BITS);
  const vl = f32x4.splat(<f32>(qmin - zp));
  const vh = f32x4.splat(<f32>(qmax - zp));
  if (kind === I8) return quantizeStorage<M, i8>(src, dst, n, vs, vz, vl, vh);
  if (kind === U8) return quantizeStorage<M, u8>(src, dst, n, vs, vz, vl, vh);
  if (kind === I16) return quantizeStorage<M, i16>(src, dst, n, vs, vz, vl, vh);
  if (kind === U16) return quantizeStorage<M, u16>(src, dst, n, vs, vz, vl, vh);
  return false;
}

/**
 * Per-tensor quantize of `n` float32 at `src` into `kind` storage at `dst`: ONNX QuantizeLinear, or
 * PyTorch's quantize_val with `torch` (then the product with fround(1 / s), an f32 division here).
 * Returns 1 when some x was NaN (its code is then unspecified), else 0; so do all the quantize kernels.
 */
export function quantizeTensor(
  torch: bool,
  kind: i32,
  src: usize,
  dst: usize,
  n: usize,
  s: f32,
  zp: i32,
  qmin: i32,
  qmax: i32,
): bool {
  if (torch) return quantizeKind<Torch>(kind, src, dst, n, <f32>1.0 / s, zp, qmin, qmax);
  return quantizeKind<Onnx>(kind, src, dst, n, s, zp, qmin, qmax);
}

/**
 * Per-axis and blocked layouts as rows with one parameter each: `rows` rows of `len` values, row r uses scale `scales[r]` (float32)
 * and zero point `zps[r]` (int32). Rows are written in order, each in whole vectors: a row's
 * overshoot is overwritten by the next row (and its overshoot reads the next row's values, which
 * belong to the same call: the NaN flag is the call's).
 */
export function quantizeLayoutRows(
  torch: bool,
  kind: i32,
  src: usize,
  dst: usize,
  rows: usize,
  len: usize,
  scales: usize,
  zps: usize,
  qmin: i32,
  qmax: i32,
): bool {
  const width: usize = kind >= I16 ? 2 : 1;
  let nan = false;
  for (let r: usize = 0; r < rows; r++) {
    const s = load<f32>(scales + (r << 2));
    const zp = load<i32>(zps + (r << 2));
    const x = src + ((r * len) << 2);
    const q = dst + r * len * width;
    const rowNaN = torch
      ? quantizeKind<Torch>(kind, x, q, len, <f32>1.0 / s, zp, qmin, qmax)
      : quantizeKind<Onnx>(kind, x, q, len, s, zp, qmin, qmax);
    nan = nan || rowNaN;
  }
  return nan;
}

/** Four lanes with their own parameters (scale float32, zero point int32). */
function quantizeLanesEach<M>(
  x: v128,
  s: v128,
  zp: v128,
  qmin: v128,
  qmax: v128,
  m: v128,
  mb: v128,
): v128 {
  const z = f32x4.convert_i32x4_s(zp);
  let t: v128;
  if (sizeof<M>() === sizeof<Torch>())
    t = f32x4.mul(x, f32x4.div(f32x4.splat(1.0), s)); // (one constant: cheap)
  else t = f32x4.div(x, s);
  t = f32x4.pmax(f32x4.pmin(t, f32x4.sub(qmax, z)), f32x4.sub(qmin, z));
  return i32x4.add(f32x4.add(t, m), i32x4.sub(zp, mb));
}

/** 16 values per iteration, each with its parameters, into T storage. True when some x was NaN. */
function quantizeElemsStorage<M, T>(
  src: usize,
  dst: usize,
  n: usize,
  ps: usize,
  pz: usize,
  lo: v128,
  hi: v128,
): bool {
  const m = k(0);
  let nan = i32x4.splat(0);
  for (let i: usize = 0; i < n; i += 16) {
    const o = i << 2;
    const xa = v128.load(src + o);
    const xb = v128.load(src + o, 16);
    const xc = v128.load(src + o, 32);
    const xd = v128.load(src + o, 48);
    nan = v128.or(nan, anyNaN(xa, xb, xc, xd));
    storeCodes<T>(
      dst,
      i,
      quantizeLanesEach<M>(xa, v128.load(ps + o), v128.load(pz + o), lo, hi, m, m),
      quantizeLanesEach<M>(xb, v128.load(ps + o, 16), v128.load(pz + o, 16), lo, hi, m, m),
      quantizeLanesEach<M>(xc, v128.load(ps + o, 32), v128.load(pz + o, 32), lo, hi, m, m),
      quantizeLanesEach<M>(xd, v128.load(ps + o, 48), v128.load(pz + o, 48), lo, hi, m, m),
    );
  }
  return v128.any_true(nan);
}

function quantizeElemsKind<M>(
  kind: i32,
  src: usize,
  dst: usize,
  n: usize,
  ps: usize,
  pz: usize,
  qmin: i32,
  qmax: i32,
): bool {
  const vl = f32x4.splat(<f32>qmin);
  const vh = f32x4.splat(<f32>qmax);
  if (kind === I8) return quantizeElemsStorage<M, i8>(src, dst, n, ps, pz, vl, vh);
  if (kind === U8) return quantizeElemsStorage<M, u8>(src, dst, n, ps, pz, vl, vh);
  if (kind === I16) return quantizeElemsStorage<M, i16>(src, dst, n, ps, pz, vl, vh);
  if (kind === U16) return quantizeElemsStorage<M, u16>(src, dst, n, ps, pz, vl, vh);
  return false;
}

/**
 * Each value with its own parameters: scale at `ps + 4i` (float32), zero point at `pz + 4i`
 * (int32). True when some x was NaN.
 */
export function quantizeLayoutElems(
  torch: bool,
  kind: i32,
  src: usize,
  dst: usize,
  n: usize,
  ps: usize,
  pz: usize,
  qmin: i32,
  qmax: i32,
): bool {
  if (torch) return quantizeElemsKind<Torch>(kind, src, dst, n, ps, pz, qmin, qmax);
  return quantizeElemsKind<Onnx>(kind, src, dst, n, ps, pz, qmin, qmax);
}

// ---------------------------------------------------------------------------------------------
// Fake quantize and packed int4

function fake<M>(
  src: usize,
  dst: usize,
  n: usize,
  s: f32,
  scaleOp: f32,
  zp: i32,
  qmin: i32,
  qmax: i32,
): bool {
  const vo = f32x4.splat(scaleOp);
  const vs = f32x4.splat(s);
  const vl = f32x4.splat(<f32>(qmin - zp));
  const vh = f32x4.splat(<f32>(qmax - zp));
  const m = k(0);
  let nan = i32x4.splat(0);
  for (let i: usize = 0; i < n; i += 8) {
    const p = src + (i << 2);
    const q = dst + (i << 2);
    const xa = v128.load(p);
    const xb = v128.load(p, 16);
    nan = v128.or(nan, v128.or(f32x4.ne(xa, xa), f32x4.ne(xb, xb)));
    // q - zp = rint(clamp(t, qmin - zp, qmax - zp)), exact; the product rounds once, as
    // fround(fround(q - zp) * s).
    v128.store(q, f32x4.mul(roundedLanes(scaled<M>(xa, vo), vl, vh, m), vs));
    v128.store(q, f32x4.mul(roundedLanes(scaled<M>(xb, vo), vl, vh, m), vs), 16);
  }
  return v128.any_true(nan);
}

/**
 * Fake quantize (quantize then dequantize) of float32 to float32, ONNX's or (`torch`) PyTorch's
 * arithmetic. True when some x was NaN.
 */
export function fakeQuantizeTensor(
  torch: bool,
  src: usize,
  dst: usize,
  n: usize,
  s: f32,
  zp: i32,
  qmin: i32,
  qmax: i32,
): bool {
  if (torch) return fake<Torch>(src, dst, n, s, <f32>1.0 / s, zp, qmin, qmax);
  return fake<Onnx>(src, dst, n, s, s, zp, qmin, qmax);
}

function packPairs(v: v128): v128 {
  // Little-endian i16 lane w = even | odd << 8: (w & 0x0F) | ((w >> 4) & 0xF0).
  const lowNibble = v128.and(v, i16x8.splat(0x0f));
  const highNibble = v128.and(i16x8.shr_u(v, 4), i16x8.splat(0xf0));
  return v128.or(lowNibble, highNibble);
}

function packed4<M>(src: usize, dst: usize, n: usize, s: f32, zp: i32, qmin: i32, qmax: i32): bool {
  const vs = f32x4.splat(s);
  const vz = i32x4.splat(zp - MAGIC_BITS);
  const vl = f32x4.splat(<f32>(qmin - zp));
  const vh = f32x4.splat(<f32>(qmax - zp));
  const m = k(0);
  let nan = i32x4.splat(0);
  for (let i: usize = 0; i < n; i += 32) {
    const p = src + (i << 2);
    const x0 = v128.load(p);
    const x1 = v128.load(p, 16);
    const x2 = v128.load(p, 32);
    const x3 = v128.load(p, 48);
    const x4 = v128.load(p, 64);
    const x5 = v128.load(p, 80);
    const x6 = v128.load(p, 96);
    const x7 = v128.load(p, 112);
    nan = v128.or(nan, v128.or(anyNaN(x0, x1, x2, x3), anyNaN(x4, x5, x6, x7)));
    const a = i16x8.narrow_i32x4_s(
      quantizeLanes<M>(x0, vs, vz, vl, vh, m),
      quantizeLanes<M>(x1, vs, vz, vl, vh, m),
    );
    const b = i16x8.narrow_i32x4_s(
      quantizeLanes<M>(x2, vs, vz, vl, vh, m),
      quantizeLanes<M>(x3, vs, vz, vl, vh, m),
    );
    const c = i16x8.narrow_i32x4_s(
      quantizeLanes<M>(x4, vs, vz, vl, vh, m),
      quantizeLanes<M>(x5, vs, vz, vl, vh, m),
    );
    const d = i16x8.narrow_i32x4_s(
      quantizeLanes<M>(x6, vs, vz, vl, vh, m),
      quantizeLanes<M>(x7, vs, vz, vl, vh, m),
    );
    const first = packPairs(i8x16.narrow_i16x8_s(a, b));
    const second = packPairs(i8x16.narrow_i16x8_s(c, d));
    v128.store(dst + (i >> 1), i8x16.narrow_i16x8_u(first, second));
  }
  return v128.any_true(nan);
}

/**
 * Quantize to 4-bit codes in [lo, hi] packed two per byte, the first in the low nibble. True when
 * some x was NaN.
 */
export function quantizeInt4Packed(
  torch: bool,
  src: usize,
  dst: usize,
  n: usize,
  s: f32,
  zp: i32,
  qmin: i32,
  qmax: i32,
): bool {
  if (torch) return packed4<Torch>(src, dst, n, <f32>1.0 / s, zp, qmin, qmax);
  return packed4<Onnx>(src, dst, n, s, zp, qmin, qmax);
}

// ---------------------------------------------------------------------------------------------
// Dequantize

function dequantizeLanes(q: v128, zp: v128, s: v128): v128 {
  return f32x4.mul(f32x4.convert_i32x4_s(i32x4.sub(q, zp)), s);
}

/** Dequantizes the 16 codes of T storage at element `i` of `src` into float32 at `dst`. */
function dequantizeCodes<T>(src: usize, dst: usize, i: usize, s: v128, zp: v128): void {
  let a: v128, b: v128, c: v128, d: v128;
  if (sizeof<T>() === 1) {
    const v = v128.load(src + i);
    const lo = isSigned<T>() ? i16x8.extend_low_i8x16_s(v) : i16x8.extend_low_i8x16_u(v);
    const hi = isSigned<T>() ? i16x8.extend_high_i8x16_s(v) : i16x8.extend_high_i8x16_u(v);
    // After the 8 -> 16 extension every lane is a valid signed i16: the signed 16 -> 32 one is right.
    a = i32x4.extend_low_i16x8_s(lo);
    b = i32x4.extend_high_i16x8_s(lo);
    c = i32x4.extend_low_i16x8_s(hi);
    d = i32x4.extend_high_i16x8_s(hi);
  } else {
    const u = v128.load(src + (i << 1));
    const w = v128.load(src + (i << 1), 16);
    a = isSigned<T>() ? i32x4.extend_low_i16x8_s(u) : i32x4.extend_low_i16x8_u(u);
    b = isSigned<T>() ? i32x4.extend_high_i16x8_s(u) : i32x4.extend_high_i16x8_u(u);
    c = isSigned<T>() ? i32x4.extend_low_i16x8_s(w) : i32x4.extend_low_i16x8_u(w);
    d = isSigned<T>() ? i32x4.extend_high_i16x8_s(w) : i32x4.extend_high_i16x8_u(w);
  }
  const q = dst + (i << 2);
  v128.store(q, dequantizeLanes(a, zp, s));
  v128.store(q, dequantizeLanes(b, zp, s), 16);
  v128.store(q, dequantizeLanes(c, zp, s), 32);
  v128.store(q, dequantizeLanes(d, zp, s), 48);
}

function dequantizeStorage<T>(src: usize, dst: usize, n: usize, s: v128, zp: v128): void {
  for (let i: usize = 0; i < n; i += 16) dequantizeCodes<T>(src, dst, i, s, zp);
}

/**
 * Dequantize `n` codes of `kind` storage at `src` to float32 at `dst`: fround(fround(q - zp) * s).
 * q - zp is an exact int32 and exactly representable in float32 for 8- and 16-bit codes, so ONNX
 * and PyTorch semantics agree here.
 */
export function dequantizeTensor(
  kind: i32,
  src: usize,
  dst: usize,
  n: usize,
  s: f32,
  zp: i32,
): void {
  const vs = f32x4.splat(s);
  const vz = i32x4.splat(zp);
  if (kind === I8) dequantizeStorage<i8>(src, dst, n, vs, vz);
  else if (kind === U8) dequantizeStorage<u8>(src, dst, n, vs, vz);
  else if (kind === I16) dequantizeStorage<i16>(src, dst, n, vs, vz);
  else if (kind === U16) dequantizeStorage<u16>(src, dst, n, vs, vz);
}

/** Rows with one parameter each (see quantizeLayoutRows). */
export function dequantizeLayoutRows(
  kind: i32,
  src: usize,
  dst: usize,
  rows: usize,
  len: usize,
  scales: usize,
  zps: usize,
): void {
  const width: usize = kind >= I16 ? 2 : 1;
  for (let r: usize = 0; r < rows; r++) {
    const off = r * len;
    dequantizeTensor(
      kind,
      src + off * width,
      dst + (off << 2),
      len,
      load<f32>(scales + (r << 2)),
      load<i32>(zps + (r << 2)),
    );
  }
}

function loadCodes4<T>(src: usize, i: usize): v128 {
  if (sizeof<T>() === 1) {
    if (isSigned<T>())
      return i32x4.extend_low_i16x8_s(i16x8.extend_low_i8x16_s(v128.load32_zero(src + i)));
    return i32x4.extend_low_i16x8_u(i16x8.extend_low_i8x16_u(v128.load32_zero(src + i)));
  }
  if (isSigned<T>()) return i32x4.extend_low_i16x8_s(v128.load64_zero(src + (i << 1)));
  return i32x4.extend_low_i16x8_u(v128.load64_zero(src + (i << 1)));
}

function dequantizeElemsT<T>(src: usize, dst: usize, n: usize, ps: usize, pz: usize): void {
  for (let i: usize = 0; i < n; i += 4) {
    const o = i << 2;
    v128.store(
      dst + o,
      dequantizeLanes(loadCodes4<T>(src, i), v128.load(pz + o), v128.load(ps + o)),
    );
  }
}

/** Each code with its own parameters (see quantizeLayoutElems). */
export function dequantizeLayoutElems(
  kind: i32,
  src: usize,
  dst: usize,
  n: usize,
  ps: usize,
  pz: usize,
): void {
  if (kind === I8) dequantizeElemsT<i8>(src, dst, n, ps, pz);
  else if (kind === U8) dequantizeElemsT<u8>(src, dst, n, ps, pz);
  else if (kind === I16) dequantizeElemsT<i16>(src, dst, n, ps, pz);
  else if (kind === U16) dequantizeElemsT<u16>(src, dst, n, ps, pz);
}

// ---------------------------------------------------------------------------------------------
// float16 and bfloat16 (the rules of src/dtypes/floats.ts: nearest, ties to even; subnormals kept;
// overflow to ±Infinity; every NaN to 0x7E00 / 0x7FC0 on encode and to 0x7FC00000 on decode).

// The float16 conversions follow the FP16 library (M. Dukhan, fp16_ieee_from_fp32_value and
// fp16_ieee_to_fp32_value): the float adder and multiplier do the rounding, so the lanes need no
// per-range branches. NaN is then mapped to the canonical codes of src/dtypes/floats.ts.

/** float16 codes (i32x4, 0..0xFFFF) to float32 bits. */
function fromHalfLanes(
  h: v128,
  signMask: v128,
  expOffset: v128,
  expScale: v128,
  magicMask: v128,
  half: v128,
  cutoff: v128,
  magnitudeMask: v128,
  halfExp: v128,
  floatNaN: v128,
): v128 {
  const w = i32x4.shl(h, 16);
  const sign = v128.and(w, signMask);
  const twoW = i32x4.add(w, w);
  // Normal codes: rebias by moving the exponent into place and scaling by 2^-112 (exact).
  const normal = f32x4.mul(i32x4.add(i32x4.shr_u(twoW, 4), expOffset), expScale);
  // Subnormal codes: m * 2^-24 as (0.5 + m * 2^-24) - 0.5, exact.
  const sub = f32x4.sub(v128.or(i32x4.shr_u(twoW, 17), magicMask), half);
  const magnitude = v128.bitselect(sub, normal, i32x4.lt_u(twoW, cutoff));
  const nan = i32x4.gt_u(v128.and(h, magnitudeMask), halfExp);
  return v128.bitselect(floatNaN, v128.or(sign, magnitude), nan);
}

/** float32 bits to bfloat16 codes: add 0x7FFF plus the kept lsb, shift (nearest, ties to even). */
function toBfloatLanes(u: v128, one: v128, roundBias: v128, infBits2: v128, bfNaN: v128): v128 {
  const odd = v128.and(i32x4.shr_u(u, 16), one);
  const r = i32x4.shr_u(i32x4.add(i32x4.add(u, roundBias), odd), 16);
  return v128.bitselect(bfNaN, r, i32x4.gt_u(i32x4.shl(u, 1), infBits2));
}

function fromBfloatLanes(h: v128, magnitudeMask: v128, bfInf: v128, floatNaN: v128): v128 {
  const nan = i32x4.gt_s(v128.and(h, magnitudeMask), bfInf);
  return v128.bitselect(floatNaN, i32x4.shl(h, 16), nan);
}

/** float32 at `src` to float16 (`bf` false) or bfloat16 (`bf` true) codes at `dst`, 16 per iteration. */
export function encodeHalf(bf: bool, src: usize, dst: usize, n: usize): void {
  if (bf) {
    const one = k(c_one);
    const roundBias = k(c_magnitude);
    const infBits2 = i32x4.shl(k(c_bfNaNFrom), 1);
    const bfNaN = k(c_bfNaN);
    for (let i: usize = 0; i < n; i += 16) {
      const p = src + (i << 2);
      const q = dst + (i << 1);
      const a = toBfloatLanes(v128.load(p), one, roundBias, infBits2, bfNaN);
      const b = toBfloatLanes(v128.load(p, 16), one, roundBias, infBits2, bfNaN);
      const c = toBfloatLanes(v128.load(p, 32), one, roundBias, infBits2, bfNaN);
      const d = toBfloatLanes(v128.load(p, 48), one, roundBias, infBits2, bfNaN);
      v128.store(q, i16x8.narrow_i32x4_u(a, b));
      v128.store(q, i16x8.narrow_i32x4_u(c, d), 16);
    }
  } else {
    const k1 = k(c_scaleToInf);
    const k2 = k(c_scaleToZero);
    const k3 = k(c_expMask);
    const k4 = k(c_minBias);
    const k5 = k(c_biasOffset);
    const k6 = k(c_halfExp);
    const k7 = k(c_halfMantissa);
    const k8 = k(c_halfSign);
    const k9 = k(c_halfNaN);
    for (let i: usize = 0; i < n; i += 16) {
      const p = src + (i << 2);
      const q = dst + (i << 1);
      const a = toHalfLanes(v128.load(p), k1, k2, k3, k4, k5, k6, k7, k8, k9);
      const b = toHalfLanes(v128.load(p, 16), k1, k2, k3, k4, k5, k6, k7, k8, k9);
      const c = toHalfLanes(v128.load(p, 32), k1, k2, k3, k4, k5, k6, k7, k8, k9);
      const d = toHalfLanes(v128.load(p, 48), k1, k2, k3, k4, k5, k6, k7, k8, k9);
      v128.store(q, i16x8.narrow_i32x4_u(a, b));
      v128.store(q, i16x8.narrow_i32x4_u(c, d), 16);
    }
  }
}

/** float16 / bfloat16 codes at `src` to float32 at `dst`, 16 per iteration. */
export function decodeHalf(bf: bool, src: usize, dst: usize, n: usize): void {
  if (bf) {
    const mask = k(c_magnitude);
    const inf = k(c_bfInf);
    const nan = k(c_floatNaN);
    for (let i: usize = 0; i < n; i += 16) {
      const a = v128.load(src + (i << 1));
      const b = v128.load(src + (i << 1), 16);
      const q = dst + (i << 2);
      v128.store(q, fromBfloatLanes(i32x4.extend_low_i16x8_u(a), mask, inf, nan));
      v128.store(q, fromBfloatLanes(i32x4.extend_high_i16x8_u(a), mask, inf, nan), 16);
      v128.store(q, fromBfloatLanes(i32x4.extend_low_i16x8_u(b), mask, inf, nan), 32);
      v128.store(q, fromBfloatLanes(i32x4.extend_high_i16x8_u(b), mask, inf, nan), 48);
    }
  } else {
    const k1 = k(c_sign);
    const k2 = k(c_expOffset);
    const k3 = k(c_expScale);
    const k4 = k(c_magicMask);
    const k5 = k(c_half);
    const k6 = k(c_cutoff);
    const k7 = k(c_magnitude);
    const k8 = k(c_halfExp);
    const k9 = k(c_floatNaN);
    for (let i: usize = 0; i < n; i += 16) {
      const a = v128.load(src + (i << 1));
      const b = v128.load(src + (i << 1), 16);
      const q = dst + (i << 2);
      v128.store(q, fromHalfLanes(i32x4.extend_low_i16x8_u(a), k1, k2, k3, k4, k5, k6, k7, k8, k9));
      v128.store(
        q,
        fromHalfLanes(i32x4.extend_high_i16x8_u(a), k1, k2, k3, k4, k5, k6, k7, k8, k9),
        16,
      );
      v128.store(
        q,
        fromHalfLanes(i32x4.extend_low_i16x8_u(b), k1, k2, k3, k4, k5, k6, k7, k8, k9),
        32,
      );
      v128.store(
        q,
        fromHalfLanes(i32x4.extend_high_i16x8_u(b), k1, k2, k3, k4, k5, k6, k7, k8, k9),
        48,
      );
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The block formats (./blocks.ts)

export {
  dequantize4bit,
  dequantizeMxfp4,
  dequantizeQ4_0,
  dequantizeQ4_K,
  dequantizeQ6_K,
  dequantizeQ8_0,
  quantize4bit,
  quantizeMxfp4,
  quantizeQ4_0,
  quantizeQ4_K,
  quantizeQ6_K,
  quantizeQ8_0,
  useScratch,
} from "./blocks";

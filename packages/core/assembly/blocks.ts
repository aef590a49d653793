// The block formats' fast kernels: ggml's q8_0, q4_0, q4_K and q6_K, OCP MXFP4 and bitsandbytes'
// 4-bit formats (NF4, FP4), with the bits of src/kernels/ggml/, src/kernels/mx.ts and
// src/kernels/bnb.ts.
//
// Every kernel reads and writes exactly its blocks at the pointers it is given (no overshoot, no
// padding read), so it runs on any range of this module's memory: the JS side streams chunks of
// whole blocks through the working buffers (src/kernels/fast/blocks.ts).
//
// Exactness. Every float32 operation of the reference is one f32x4 operation here, in the same
// order (WebAssembly's float arithmetic is IEEE 754 binary32, round to nearest even, subnormals
// kept, no fused multiply-add). Where the reference runs a sum over a block in order, the lanes of
// a vector hold different sub-blocks (transposed), so each lane runs its own sum in the reference's
// order. ggml's `nearest_int` is reproduced on its bits (`nearestLanes`), so that huge, infinite
// and NaN arguments give what ggml gives, not only those below 2^22.

import { BNB_BOOK_ORDER, BNB_TABLE_PLANE } from "../src/kernels/fast/abi";
import {
  c_biasOffset,
  c_expMask,
  c_halfExp,
  c_halfMantissa,
  c_halfNaN,
  c_halfSign,
  c_minBias,
  c_scaleToInf,
  c_scaleToZero,
  k,
  toHalfLanes,
} from "./common";

// V8 does not hoist v128 constants out of loops: the kernels load theirs from this table into
// locals first (see ./common.ts).
const B = memory.data<i32>(
  [
    0x4b400000, // 0: MAGIC, 1.5 * 2^23
    0x007fffff, // 1: the float32 mantissa
    0x00400000, // 2: 2^22
    0x3f800000, // 3: 1
    <i32>0x80000000, // 4: the sign bit
    0x42fe0000, // 5: 127
    0x7c00, // 6: the fp16 exponent field
    0x7f800000, // 7: +Infinity
    0x41080000, // 8: 8.5
    0x41700000, // 9: 15
    0x0f0f0f0f, // 10: the low nibble of each byte
    0x08080808, // 11: 8 in each byte
    0x7fffffff, // 12: the float32 magnitude
    0x42000000, // 13: 32
    0x0000000f, // 14: 15
    <i32>0xffffffe0, // 15: -32
    0x0000001f, // 16: 31
    0x00000020, // 17: 32
    0x26901d7d, // 18: 1e-15 (ggml's GROUP_MAX_EPS)
    0x03030303, // 19: 3 in each byte
    <i32>0xbf800000, // 20: -1
    // 21-27: the e2m1 midpoints 0.25, 0.75, 1.25, 1.75, 2.5, 3.5, 5 (ties away from zero: a
    // magnitude on one takes the larger code)
    0x3e800000,
    0x3f400000,
    0x3fa00000,
    0x3fe00000,
    0x40200000,
    0x40600000,
    0x40a00000,
    // 28-34: the same for ties to the even code: a tie on 0.25, 1.25, 2.5 or 5 takes the smaller
    // (even) code, so m > t there, which is m >= the next float32 above t
    0x3e800001,
    0x3f400000,
    0x3fa00001,
    0x3fe00000,
    0x40200001,
    0x40600000,
    0x40a00001,
    0x4a800000, // 35: 2^22
  ],
  16,
);

const c_magic = 0;
const c_mantissa = 1;
const c_bias22 = 2;
const c_one = 3;
const c_sign = 4;
const c_127 = 5;
const c_fp16Exp = 6;
const c_inf = 7;
const c_8_5 = 8;
const c_15f = 9;
const c_nibble = 10;
const c_eights = 11;
const c_magnitude = 12;
const c_32f = 13;
const c_15 = 14;
const c_minus32 = 15;
const c_31 = 16;
const c_32 = 17;
const c_eps = 18;
const c_threes = 19;
const c_minusOne = 20;
const c_e2m1Away = 21;
const c_e2m1Even = 28;
const c_2p22 = 35;

/** Constant `i` of the table B, in every lane. */
function b(i: i32): v128 {
  return v128.load32_splat(B + ((<usize>i) << 2));
}

/**
 * Scratch space of the kernels: 16-byte aligned areas of one region, by default static data; each
 * instance sharing a memory with others (one a worker thread) points them at its own region with
 * `useScratch`, since the instances of one module share its static data.
 */
let TAIL_IN: usize = 0;
let TAIL_OUT: usize = 0;
/** Transposed values of a super-block: lane k of vector i is value i of sub-block k of a group. */
let XT: usize = 0;
/** Per-value weights (q4_K) or x * x (q6_K), transposed as XT. */
let WT: usize = 0;
/** q6_K: (x * x) * x, transposed as XT. */
let VT: usize = 0;
/** The levels a search keeps (float32), transposed as XT. */
let LT: usize = 0;
/** The levels of the current candidate (float32), transposed like one group of XT. */
let AT: usize = 0;
/** A super-block's levels, one byte a value, in natural order. */
let LB: usize = 0;
/** Per sub-block: scales (16 float32), mins (16 float32), and the float32 divisors (16 + 16). */
let SC: usize = 0;
let MN: usize = 0;
let DJ: usize = 0;
let DM: usize = 0;

/** Bytes of the scratch region (SCRATCH_BYTES in src/kernels/fast/abi.ts is at least this). */
const SCRATCH_USED: usize = 5888;
/** Points this instance's scratch areas at `base` (16-byte aligned, SCRATCH_BYTES long). */
export function useScratch(base: usize): void {
  TAIL_IN = base + 0;
  TAIL_OUT = base + 512;
  XT = base + 768;
  WT = base + 1792;
  VT = base + 2816;
  LT = base + 3840;
  AT = base + 4864;
  LB = base + 5376;
  SC = base + 5632;
  MN = base + 5696;
  DJ = base + 5760;
  DM = base + 5824;
}
useScratch(memory.data(<i32>SCRATCH_USED, 16));

// ---------------------------------------------------------------------------------------------
// Shared lanes

/** ggml's nearest_int on four lanes: the low 22 mantissa bits of t + 1.5 * 2^23, less 2^22. */
function nearestLanes(t: v128, magic: v128, mantissa: v128, bias: v128): v128 {
  return i32x4.sub(v128.and(f32x4.add(t, magic), mantissa), bias);
}

/** ggml's nearest_int on one float32. */
function nearestInt(v: f32): i32 {
  return (reinterpret<i32>(v + <f32>12582912.0) & 0x7fffff) - 0x400000;
}

/** float32 lanes to fp16 codes (nearest, ties to even; overflow to Infinity; NaN to 0x7E00). */
function halfLanes(v: v128): v128 {
  return toHalfLanes(
    v,
    k(c_scaleToInf),
    k(c_scaleToZero),
    k(c_expMask),
    k(c_minBias),
    k(c_biasOffset),
    k(c_halfExp),
    k(c_halfMantissa),
    k(c_halfSign),
    k(c_halfNaN),
  );
}

/** One float32 to its fp16 code. */
function halfBits(v: f32): i32 {
  return i32x4.extract_lane(halfLanes(f32x4.splat(v)), 0);
}

/** The value of an fp16 code, exactly (every NaN code gives 0x7FC00000, as the reference's NaN). */
function halfValue(h: i32): f32 {
  const sign = (h & 0x8000) << 16;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0x1f) return reinterpret<f32>(m !== 0 ? 0x7fc00000 : sign | 0x7f800000);
  if (e === 0) {
    const v = <f32>m * <f32>5.9604644775390625e-8; // m * 2^-24, exact
    return sign !== 0 ? -v : v;
  }
  return reinterpret<f32>(sign | ((e + 112) << 23) | (m << 13));
}

// f32x4.max and f32x4.min carry WebAssembly's NaN and signed-zero rules, several instructions
// each on x86; f32x4.pmax/pmin (a < b ? b : a, b < a ? b : a) are one. Largest magnitudes are
// found on the bits instead (|x| as an unsigned integer orders like |x|, and NaN above Infinity).

/** Lane k of the result: the largest unsigned lane of the k-th argument. */
function maxAcrossU(a: v128, b: v128, c: v128, d: v128): v128 {
  const ab = i32x4.max_u(v128.shuffle<i32>(a, b, 0, 1, 4, 5), v128.shuffle<i32>(a, b, 2, 3, 6, 7));
  const cd = i32x4.max_u(v128.shuffle<i32>(c, d, 0, 1, 4, 5), v128.shuffle<i32>(c, d, 2, 3, 6, 7));
  return i32x4.max_u(v128.shuffle<i32>(ab, cd, 0, 2, 4, 6), v128.shuffle<i32>(ab, cd, 1, 3, 5, 7));
}

/** Lane k of the result: pmax over the lanes of the k-th argument (no NaN). */
function pmaxAcross(a: v128, b: v128, c: v128, d: v128): v128 {
  const ab = f32x4.pmax(v128.shuffle<f32>(a, b, 0, 1, 4, 5), v128.shuffle<f32>(a, b, 2, 3, 6, 7));
  const cd = f32x4.pmax(v128.shuffle<f32>(c, d, 0, 1, 4, 5), v128.shuffle<f32>(c, d, 2, 3, 6, 7));
  return f32x4.pmax(v128.shuffle<f32>(ab, cd, 0, 2, 4, 6), v128.shuffle<f32>(ab, cd, 1, 3, 5, 7));
}

/** As pmaxAcross, with pmin. */
function pminAcross(a: v128, b: v128, c: v128, d: v128): v128 {
  const ab = f32x4.pmin(v128.shuffle<f32>(a, b, 0, 1, 4, 5), v128.shuffle<f32>(a, b, 2, 3, 6, 7));
  const cd = f32x4.pmin(v128.shuffle<f32>(c, d, 0, 1, 4, 5), v128.shuffle<f32>(c, d, 2, 3, 6, 7));
  return f32x4.pmin(v128.shuffle<f32>(ab, cd, 0, 2, 4, 6), v128.shuffle<f32>(ab, cd, 1, 3, 5, 7));
}

/** The bits of the largest |x| of the 32 float32 at p, in four lanes (NaN bits above all). */
function absBitsMax32(p: usize, magnitude: v128): v128 {
  const a = i32x4.max_u(v128.and(v128.load(p), magnitude), v128.and(v128.load(p, 16), magnitude));
  const b = i32x4.max_u(
    v128.and(v128.load(p, 32), magnitude),
    v128.and(v128.load(p, 48), magnitude),
  );
  const c = i32x4.max_u(
    v128.and(v128.load(p, 64), magnitude),
    v128.and(v128.load(p, 80), magnitude),
  );
  const d = i32x4.max_u(
    v128.and(v128.load(p, 96), magnitude),
    v128.and(v128.load(p, 112), magnitude),
  );
  return i32x4.max_u(i32x4.max_u(a, b), i32x4.max_u(c, d));
}

/** The largest x of the 32 float32 at p by pmax, in four lanes (no NaN; either zero's sign). */
function max32(p: usize): v128 {
  const a = f32x4.pmax(v128.load(p), v128.load(p, 16));
  const b = f32x4.pmax(v128.load(p, 32), v128.load(p, 48));
  const c = f32x4.pmax(v128.load(p, 64), v128.load(p, 80));
  const d = f32x4.pmax(v128.load(p, 96), v128.load(p, 112));
  return f32x4.pmax(f32x4.pmax(a, b), f32x4.pmax(c, d));
}

/** As max32, the smallest by pmin. */
function min32(p: usize): v128 {
  const a = f32x4.pmin(v128.load(p), v128.load(p, 16));
  const b = f32x4.pmin(v128.load(p, 32), v128.load(p, 48));
  const c = f32x4.pmin(v128.load(p, 64), v128.load(p, 80));
  const d = f32x4.pmin(v128.load(p, 96), v128.load(p, 112));
  return f32x4.pmin(f32x4.pmin(a, b), f32x4.pmin(c, d));
}

/** 16 int32 lanes in [-128, 255] (a, b, c, d) as 16 bytes, signed saturation (exact in range). */
function bytesOf(a: v128, b: v128, c: v128, d: v128): v128 {
  return i8x16.narrow_i16x8_s(i16x8.narrow_i32x4_s(a, b), i16x8.narrow_i32x4_s(c, d));
}

/** 16 int32 lanes in [0, 255] as 16 bytes. */
function ubytesOf(a: v128, b: v128, c: v128, d: v128): v128 {
  return i8x16.narrow_i16x8_u(i16x8.narrow_i32x4_s(a, b), i16x8.narrow_i32x4_s(c, d));
}

/**
 * Transposes `groups` groups of four sub-blocks of `len` float32 (sub-block k of group g at
 * src + 4 * len * (4g + k)) into dst: vector g * len + i holds value i of the group's four
 * sub-blocks. `len` is a multiple of 4. Also returns all-ones lanes where some value was NaN or
 * ±Infinity (x - x is then NaN, else 0).
 */
function transpose(src: usize, len: usize, groups: usize, dst: usize): v128 {
  const stride = len << 2;
  const zero = i32x4.splat(0);
  let bad = zero;
  for (let g: usize = 0; g < groups; g++) {
    const s = src + g * (stride << 2);
    const t = dst + ((g * len) << 4);
    for (let i: usize = 0; i < len; i += 4) {
      const r0 = v128.load(s + (i << 2));
      const r1 = v128.load(s + stride + (i << 2));
      const r2 = v128.load(s + 2 * stride + (i << 2));
      const r3 = v128.load(s + 3 * stride + (i << 2));
      bad = v128.or(
        bad,
        v128.or(
          v128.or(f32x4.ne(f32x4.sub(r0, r0), zero), f32x4.ne(f32x4.sub(r1, r1), zero)),
          v128.or(f32x4.ne(f32x4.sub(r2, r2), zero), f32x4.ne(f32x4.sub(r3, r3), zero)),
        ),
      );
      const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5);
      const t1 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7);
      const t2 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
      const t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
      const o = t + (i << 4);
      v128.store(o, v128.shuffle<f32>(t0, t2, 0, 1, 4, 5));
      v128.store(o, v128.shuffle<f32>(t0, t2, 2, 3, 6, 7), 16);
      v128.store(o, v128.shuffle<f32>(t1, t3, 0, 1, 4, 5), 32);
      v128.store(o, v128.shuffle<f32>(t1, t3, 2, 3, 6, 7), 48);
    }
  }
  return bad;
}

/** Stores the low byte of each int32 lane of v at p, p + len, p + 2 len, p + 3 len. */
function scatterBytes(p: usize, len: usize, v: v128): void {
  v128.store8_lane(p, v, 0);
  v128.store8_lane(p + len, v, 4);
  v128.store8_lane(p + 2 * len, v, 8);
  v128.store8_lane(p + 3 * len, v, 12);
}

// ---------------------------------------------------------------------------------------------
// q8_0: d = amax / 127, id = d ? 1 / d : 0, qs = roundf(x * id)

const Q8_0_BYTES: usize = 34;

/**
 * roundf (nearest, ties away from zero) of four lanes of magnitude < 2^22, as int32: t = trunc(v)
 * and f = v - t are exact, and trunc(2f) is sign(f) where |f| >= 0.5, else 0.
 */
function roundAwayLanes(v: v128, magic: v128): v128 {
  const t = f32x4.trunc(v);
  const f = f32x4.sub(v, t);
  const r = f32x4.add(t, f32x4.trunc(f32x4.add(f, f)));
  return i32x4.sub(f32x4.add(r, magic), magic);
}

function q8_0Block(src: usize, dst: usize, h: i32, id: v128, magic: v128): void {
  store<u16>(dst, <u16>h);
  const a = roundAwayLanes(f32x4.mul(v128.load(src), id), magic);
  const b = roundAwayLanes(f32x4.mul(v128.load(src, 16), id), magic);
  const c = roundAwayLanes(f32x4.mul(v128.load(src, 32), id), magic);
  const d = roundAwayLanes(f32x4.mul(v128.load(src, 48), id), magic);
  v128.store(dst, bytesOf(a, b, c, d), 2);
  const e = roundAwayLanes(f32x4.mul(v128.load(src, 64), id), magic);
  const f = roundAwayLanes(f32x4.mul(v128.load(src, 80), id), magic);
  const g = roundAwayLanes(f32x4.mul(v128.load(src, 96), id), magic);
  const i = roundAwayLanes(f32x4.mul(v128.load(src, 112), id), magic);
  v128.store(dst, bytesOf(e, f, g, i), 18);
}

/**
 * Four q8_0 blocks (128 float32 at src, 136 bytes at dst), the scales in lanes. Returns -1, or
 * the first of the four (0-3) that cannot be stored (d not finite in fp16 or 1 / d infinite:
 * which a NaN or ±Infinity in the block also gives); nothing is written then.
 */
function q8_0Group(src: usize, dst: usize): i32 {
  const zero = i32x4.splat(0);
  const one = b(c_one);
  const magic = b(c_magic);
  const magnitude = b(c_magnitude);
  // The bits of each block's amax: a NaN there gives a NaN d, an infinity an infinite one.
  const amax = maxAcrossU(
    absBitsMax32(src, magnitude),
    absBitsMax32(src + 128, magnitude),
    absBitsMax32(src + 256, magnitude),
    absBitsMax32(src + 384, magnitude),
  );
  const d = f32x4.div(amax, b(c_127));
  const id = v128.and(f32x4.div(one, d), f32x4.ne(d, zero));
  const h = halfLanes(d);
  const exp = b(c_fp16Exp);
  const bad = i32x4.bitmask(v128.or(i32x4.eq(v128.and(h, exp), exp), f32x4.eq(id, b(c_inf))));
  if (bad !== 0) return ctz(bad);
  q8_0Block(src, dst, i32x4.extract_lane(h, 0), v128.shuffle<f32>(id, id, 0, 0, 0, 0), magic);
  q8_0Block(
    src + 128,
    dst + 34,
    i32x4.extract_lane(h, 1),
    v128.shuffle<f32>(id, id, 1, 1, 1, 1),
    magic,
  );
  q8_0Block(
    src + 256,
    dst + 68,
    i32x4.extract_lane(h, 2),
    v128.shuffle<f32>(id, id, 2, 2, 2, 2),
    magic,
  );
  q8_0Block(
    src + 384,
    dst + 102,
    i32x4.extract_lane(h, 3),
    v128.shuffle<f32>(id, id, 3, 3, 3, 3),
    magic,
  );
  return -1;
}

/** The format of groupsOf4, chosen at compile time: q8_0 (`Q8`) or q4_0 (`Q4`). */
type Q8 = u8;
type Q4 = u16;

function group<F>(src: usize, dst: usize): i32 {
  if (sizeof<F>() === sizeof<Q8>()) return q8_0Group(src, dst);
  return q4_0Group(src, dst);
}

/**
 * Runs the group kernel of F (four blocks of 32 values, `bytes` a block) over `blocks` blocks; a
 * last group of one to three blocks goes through zeroed scratch, so nothing past the blocks is
 * read or written. Returns -1, or the first block that cannot be stored.
 */
function groupsOf4<F>(src: usize, dst: usize, blocks: usize, bytes: usize): i32 {
  let i: usize = 0;
  for (; i + 4 <= blocks; i += 4) {
    const bad = group<F>(src + (i << 7), dst + i * bytes);
    if (bad >= 0) return <i32>i + bad;
  }
  if (i < blocks) {
    const rest = blocks - i;
    memory.fill(TAIL_IN, 0, 512);
    memory.copy(TAIL_IN, src + (i << 7), rest << 7);
    // The zero blocks after the last are storable (d = 0): a failure is a real block's.
    const bad = group<F>(TAIL_IN, TAIL_OUT);
    if (bad >= 0) return <i32>i + bad;
    memory.copy(dst + i * bytes, TAIL_OUT, rest * bytes);
  }
  return -1;
}

/**
 * ggml's quantize_row_q8_0_ref: `blocks` blocks of 32 float32 at src to 34 bytes each at dst.
 * Returns -1, or the index of the first block that cannot be stored or that holds NaN or
 * ±Infinity (dst is then unspecified from that block's group on).
 */
export function quantizeQ8_0(src: usize, dst: usize, blocks: usize): i32 {
  return groupsOf4<Q8>(src, dst, blocks, Q8_0_BYTES);
}

/** ggml's dequantize_row_q8_0: qs * d, `blocks` blocks of 34 bytes to 32 float32 each. */
export function dequantizeQ8_0(src: usize, dst: usize, blocks: usize): void {
  for (let i: usize = 0; i < blocks; i++) {
    const p = src + i * Q8_0_BYTES;
    const q = dst + (i << 7);
    const d = f32x4.splat(halfValue(<i32>load<u16>(p)));
    const u = v128.load(p, 2);
    const w = v128.load(p, 18);
    const u0 = i16x8.extend_low_i8x16_s(u);
    const u1 = i16x8.extend_high_i8x16_s(u);
    const w0 = i16x8.extend_low_i8x16_s(w);
    const w1 = i16x8.extend_high_i8x16_s(w);
    v128.store(q, f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_s(u0)), d));
    v128.store(q, f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_s(u0)), d), 16);
    v128.store(q, f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_s(u1)), d), 32);
    v128.store(q, f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_s(u1)), d), 48);
    v128.store(q, f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_s(w0)), d), 64);
    v128.store(q, f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_s(w0)), d), 80);
    v128.store(q, f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_s(w1)), d), 96);
    v128.store(q, f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_s(w1)), d), 112);
  }
}

// ---------------------------------------------------------------------------------------------
// q4_0: d = max / -8 (max: the signed value of largest magnitude, the first of a tie),
// id = d ? 1 / d : 0, n = min(15, trunc(x * id + 8.5)); qs[j] = n_j | n_(j+16) << 4

const Q4_0_BYTES: usize = 18;

/** The signed max of the block at p (ggml's scan, the first of equal magnitudes wins). */
function signedMaxScalar(p: usize, n: usize): f32 {
  let amax: f32 = 0;
  let max: f32 = 0;
  for (let i: usize = 0; i < n; i++) {
    const v = load<f32>(p + (i << 2));
    const a = Mathf.abs(v);
    if (a > amax) {
      amax = a;
      max = v;
    }
  }
  return max;
}

/** min(15, trunc(x * id + 8.5)) of four lanes, as int32 (magnitudes far below 2^22). */
function q4_0Lanes(x: v128, id: v128, bias: v128, top: v128, magic: v128): v128 {
  const n = f32x4.pmin(f32x4.trunc(f32x4.add(f32x4.mul(x, id), bias)), top);
  return i32x4.sub(f32x4.add(n, magic), magic);
}

function q4_0Block(
  src: usize,
  dst: usize,
  h: i32,
  id: v128,
  bias: v128,
  top: v128,
  magic: v128,
): void {
  store<u16>(dst, <u16>h);
  const lo = ubytesOf(
    q4_0Lanes(v128.load(src), id, bias, top, magic),
    q4_0Lanes(v128.load(src, 16), id, bias, top, magic),
    q4_0Lanes(v128.load(src, 32), id, bias, top, magic),
    q4_0Lanes(v128.load(src, 48), id, bias, top, magic),
  );
  const hi = ubytesOf(
    q4_0Lanes(v128.load(src, 64), id, bias, top, magic),
    q4_0Lanes(v128.load(src, 80), id, bias, top, magic),
    q4_0Lanes(v128.load(src, 96), id, bias, top, magic),
    q4_0Lanes(v128.load(src, 112), id, bias, top, magic),
  );
  // Nibbles below 16: shifting the 16-bit lanes moves no bit across a byte.
  v128.store(dst, v128.or(lo, i16x8.shl(hi, 4)), 2);
}

/** Four q4_0 blocks, as q8_0Group. */
function q4_0Group(src: usize, dst: usize): i32 {
  const zero = i32x4.splat(0);
  const hi = pmaxAcross(max32(src), max32(src + 128), max32(src + 256), max32(src + 384));
  const lo = pminAcross(min32(src), min32(src + 128), min32(src + 256), min32(src + 384));
  const magnitude = b(c_magnitude);
  const amaxBits = maxAcrossU(
    absBitsMax32(src, magnitude),
    absBitsMax32(src + 128, magnitude),
    absBitsMax32(src + 256, magnitude),
    absBitsMax32(src + 384, magnitude),
  );
  const negLo = f32x4.neg(lo);
  // max: +hi when it is the larger magnitude, lo when -lo is; a tie (+M and -M both in the block,
  // or an all-zero block) takes ggml's scan. A NaN anywhere (hi and lo are then any values) is
  // caught below, from the bits.
  const hiWins = f32x4.gt(hi, negLo);
  const loWins = f32x4.gt(negLo, hi);
  let max = v128.bitselect(hi, lo, hiWins);
  const tie = i32x4.bitmask(v128.not(v128.or(hiWins, loWins)));
  if (tie !== 0) {
    if (tie & 1) max = f32x4.replace_lane(max, 0, signedMaxScalar(src, 32));
    if (tie & 2) max = f32x4.replace_lane(max, 1, signedMaxScalar(src + 128, 32));
    if (tie & 4) max = f32x4.replace_lane(max, 2, signedMaxScalar(src + 256, 32));
    if (tie & 8) max = f32x4.replace_lane(max, 3, signedMaxScalar(src + 384, 32));
  }
  const d = f32x4.div(max, f32x4.splat(-8));
  const id = v128.and(f32x4.div(b(c_one), d), f32x4.ne(d, zero));
  const h = halfLanes(d);
  const exp = b(c_fp16Exp);
  const nan = i32x4.gt_u(amaxBits, b(c_inf));
  const bad = i32x4.bitmask(
    v128.or(v128.or(i32x4.eq(v128.and(h, exp), exp), f32x4.eq(f32x4.abs(id), b(c_inf))), nan),
  );
  if (bad !== 0) return ctz(bad);
  const bias = b(c_8_5);
  const top = b(c_15f);
  const magic = b(c_magic);
  q4_0Block(
    src,
    dst,
    i32x4.extract_lane(h, 0),
    v128.shuffle<f32>(id, id, 0, 0, 0, 0),
    bias,
    top,
    magic,
  );
  q4_0Block(
    src + 128,
    dst + 18,
    i32x4.extract_lane(h, 1),
    v128.shuffle<f32>(id, id, 1, 1, 1, 1),
    bias,
    top,
    magic,
  );
  q4_0Block(
    src + 256,
    dst + 36,
    i32x4.extract_lane(h, 2),
    v128.shuffle<f32>(id, id, 2, 2, 2, 2),
    bias,
    top,
    magic,
  );
  q4_0Block(
    src + 384,
    dst + 54,
    i32x4.extract_lane(h, 3),
    v128.shuffle<f32>(id, id, 3, 3, 3, 3),
    bias,
    top,
    magic,
  );
  return -1;
}

/** ggml's quantize_row_q4_0_ref: `blocks` blocks of 32 float32 to 18 bytes each (see quantizeQ8_0). */
export function quantizeQ4_0(src: usize, dst: usize, blocks: usize): i32 {
  return groupsOf4<Q4>(src, dst, blocks, Q4_0_BYTES);
}

/** ggml's dequantize_row_q4_0: (n - 8) * d, `blocks` blocks of 18 bytes to 32 float32 each. */
export function dequantizeQ4_0(src: usize, dst: usize, blocks: usize): void {
  const nibble = b(c_nibble);
  const eights = b(c_eights);
  for (let i: usize = 0; i < blocks; i++) {
    const p = src + i * Q4_0_BYTES;
    const q = dst + (i << 7);
    const d = f32x4.splat(halfValue(<i32>load<u16>(p)));
    const v = v128.load(p, 2);
    const lo = i8x16.sub(v128.and(v, nibble), eights);
    const hi = i8x16.sub(v128.and(i16x8.shr_u(v, 4), nibble), eights);
    const l0 = i16x8.extend_low_i8x16_s(lo);
    const l1 = i16x8.extend_high_i8x16_s(lo);
    const h0 = i16x8.extend_low_i8x16_s(hi);
    const h1 = i16x8.extend_high_i8x16_s(hi);
    v128.store(q, f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_s(l0)), d));
    v128.store(q, f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_s(l0)), d), 16);
    v128.store(q, f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_s(l1)), d), 32);
    v128.store(q, f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_s(l1)), d), 48);
    v128.store(q, f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_s(h0)), d), 64);
    v128.store(q, f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_s(h0)), d), 80);
    v128.store(q, f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_s(h1)), d), 96);
    v128.store(q, f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_s(h1)), d), 112);
  }
}

// ---------------------------------------------------------------------------------------------
// q4_K: per sub-block of 32, make_qkx2_quants (weights sqrt(sum(x^2) / 32) + |x|, nmax 15,
// rmin -1, 20 steps, squared error) on four sub-blocks at once, one a lane.

const Q4_K_BYTES: usize = 144;

/**
 * clamp(nearest_int(t), 0, top) as float32, four lanes. `exact`: ggml's nearest_int on the bits
 * (any t: huge, infinite, NaN); otherwise t + MAGIC - MAGIC, right for |t| < 2^22 only.
 */
function levelLanes(
  t: v128,
  exact: bool,
  magic: v128,
  mantissa: v128,
  bias: v128,
  top: v128,
  topF: v128,
  zero: v128,
): v128 {
  if (exact) {
    const n = nearestLanes(t, magic, mantissa, bias);
    return f32x4.convert_i32x4_s(i32x4.max_s(i32x4.min_s(n, top), zero));
  }
  return f32x4.pmax(f32x4.pmin(f32x4.sub(f32x4.add(t, magic), magic), topF), zero);
}

/**
 * Whether every lane that is not `flat` has |iscale * (v - min)| < 2^22 for all v in [lo, hi]
 * (so t + MAGIC - MAGIC is nearest_int): |iscale| * max(|hi - min|, |lo - min|) below 2^22, by
 * the monotonicity of rounding. NaN and Infinity fail.
 */
function roundsSafely(iscale: v128, min: v128, lo: v128, hi: v128, flat: v128, limit: v128): bool {
  const reach = f32x4.max(f32x4.abs(f32x4.sub(hi, min)), f32x4.abs(f32x4.sub(lo, min)));
  const ok = f32x4.lt(f32x4.mul(f32x4.abs(iscale), reach), limit);
  return !v128.any_true(v128.andnot(v128.not(ok), flat));
}

/**
 * make_qkx2_quants for the eight sub-blocks of 32 values of a q4_K super-block, four a vector:
 * group g's values at x + 512g (32 vectors), its weights at w + 512g, its kept levels (float32)
 * to l + 512g. Writes the scales to SC and the mins (ggml's `the_min`, -min) to MN, in sub-block
 * order. Float32 in ggml's order, lane by lane; the two groups run side by side (independent
 * chains of sums, so the adds overlap). nmax is 15.
 */
function qkx2Lanes(x: usize, w: usize, l: usize, rmin: f32, nstep: i32): void {
  const nmax: f32 = 15;
  const zero = i32x4.splat(0);
  const magic = b(c_magic);
  const mantissa = b(c_mantissa);
  const bias = b(c_bias22);
  const top = b(c_15);
  const topF = b(c_15f);
  const limit = b(c_2p22);
  let minA = v128.load(x);
  let minB = v128.load(x, 512);
  let maxA = minA;
  let maxB = minB;
  let sumWA = v128.load(w);
  let sumWB = v128.load(w, 512);
  let sumXA = f32x4.mul(sumWA, minA);
  let sumXB = f32x4.mul(sumWB, minB);
  for (let i: usize = 16; i < 512; i += 16) {
    const va = v128.load(x + i);
    const vb = v128.load(x + i, 512);
    const wa = v128.load(w + i);
    const wb = v128.load(w + i, 512);
    minA = f32x4.pmin(minA, va); // v < min ? v : min
    minB = f32x4.pmin(minB, vb);
    maxA = f32x4.pmax(maxA, va); // max < v ? v : max
    maxB = f32x4.pmax(maxB, vb);
    sumWA = f32x4.add(sumWA, wa);
    sumWB = f32x4.add(sumWB, wb);
    sumXA = f32x4.add(sumXA, f32x4.mul(wa, va));
    sumXB = f32x4.add(sumXB, f32x4.mul(wb, vb));
  }
  const loA = minA;
  const loB = minB;
  minA = v128.bitselect(zero, minA, f32x4.gt(minA, zero));
  minB = v128.bitselect(zero, minB, f32x4.gt(minB, zero));
  const flatA = f32x4.eq(maxA, minA);
  const flatB = f32x4.eq(maxB, minB);
  const min0A = minA;
  const min0B = minB;
  let iscaleA = f32x4.div(f32x4.splat(nmax), f32x4.sub(maxA, minA));
  let iscaleB = f32x4.div(f32x4.splat(nmax), f32x4.sub(maxB, minB));
  let scaleA = f32x4.div(b(c_one), iscaleA);
  let scaleB = f32x4.div(b(c_one), iscaleB);
  let bestA = zero;
  let bestB = zero;
  let exact =
    !roundsSafely(iscaleA, minA, loA, maxA, flatA, limit) ||
    !roundsSafely(iscaleB, minB, loB, maxB, flatB, limit);
  for (let i: usize = 0; i < 512; i += 16) {
    const va = v128.load(x + i);
    const vb = v128.load(x + i, 512);
    const la = levelLanes(
      f32x4.mul(iscaleA, f32x4.sub(va, minA)),
      exact,
      magic,
      mantissa,
      bias,
      top,
      topF,
      zero,
    );
    const lb = levelLanes(
      f32x4.mul(iscaleB, f32x4.sub(vb, minB)),
      exact,
      magic,
      mantissa,
      bias,
      top,
      topF,
      zero,
    );
    v128.store(l + i, la);
    v128.store(l + i, lb, 512);
    const da = f32x4.sub(f32x4.add(f32x4.mul(scaleA, la), minA), va);
    const db = f32x4.sub(f32x4.add(f32x4.mul(scaleB, lb), minB), vb);
    bestA = f32x4.add(bestA, f32x4.mul(v128.load(w + i), f32x4.mul(da, da)));
    bestB = f32x4.add(bestB, f32x4.mul(v128.load(w + i, 512), f32x4.mul(db, db)));
  }
  for (let is = 0; is <= nstep; is++) {
    const numerator = f32x4.splat(rmin + <f32>0.1 * <f32>is + nmax);
    iscaleA = f32x4.div(numerator, f32x4.sub(maxA, minA));
    iscaleB = f32x4.div(numerator, f32x4.sub(maxB, minB));
    exact =
      !roundsSafely(iscaleA, minA, loA, maxA, flatA, limit) ||
      !roundsSafely(iscaleB, minB, loB, maxB, flatB, limit);
    let sumLA = zero;
    let sumLB = zero;
    let sumL2A = zero;
    let sumL2B = zero;
    let sumXLA = zero;
    let sumXLB = zero;
    for (let i: usize = 0; i < 512; i += 16) {
      const va = v128.load(x + i);
      const vb = v128.load(x + i, 512);
      const la = levelLanes(
        f32x4.mul(iscaleA, f32x4.sub(va, minA)),
        exact,
        magic,
        mantissa,
        bias,
        top,
        topF,
        zero,
      );
      const lb = levelLanes(
        f32x4.mul(iscaleB, f32x4.sub(vb, minB)),
        exact,
        magic,
        mantissa,
        bias,
        top,
        topF,
        zero,
      );
      v128.store(AT + i, la);
      v128.store(AT + i, lb, 512);
      const wla = f32x4.mul(v128.load(w + i), la);
      const wlb = f32x4.mul(v128.load(w + i, 512), lb);
      sumLA = f32x4.add(sumLA, wla);
      sumLB = f32x4.add(sumLB, wlb);
      sumL2A = f32x4.add(sumL2A, f32x4.mul(wla, la));
      sumL2B = f32x4.add(sumL2B, f32x4.mul(wlb, lb));
      sumXLA = f32x4.add(sumXLA, f32x4.mul(wla, va));
      sumXLB = f32x4.add(sumXLB, f32x4.mul(wlb, vb));
    }
    const DA = f32x4.sub(f32x4.mul(sumWA, sumL2A), f32x4.mul(sumLA, sumLA));
    const DB = f32x4.sub(f32x4.mul(sumWB, sumL2B), f32x4.mul(sumLB, sumLB));
    const okA = f32x4.gt(DA, zero);
    const okB = f32x4.gt(DB, zero);
    if (!v128.any_true(v128.or(okA, okB))) continue;
    let scaleNA = f32x4.div(f32x4.sub(f32x4.mul(sumWA, sumXLA), f32x4.mul(sumXA, sumLA)), DA);
    let scaleNB = f32x4.div(f32x4.sub(f32x4.mul(sumWB, sumXLB), f32x4.mul(sumXB, sumLB)), DB);
    let minNA = f32x4.div(f32x4.sub(f32x4.mul(sumL2A, sumXA), f32x4.mul(sumLA, sumXLA)), DA);
    let minNB = f32x4.div(f32x4.sub(f32x4.mul(sumL2B, sumXB), f32x4.mul(sumLB, sumXLB)), DB);
    const positiveA = f32x4.gt(minNA, zero);
    const positiveB = f32x4.gt(minNB, zero);
    minNA = v128.bitselect(zero, minNA, positiveA);
    minNB = v128.bitselect(zero, minNB, positiveB);
    scaleNA = v128.bitselect(f32x4.div(sumXLA, sumL2A), scaleNA, positiveA);
    scaleNB = v128.bitselect(f32x4.div(sumXLB, sumL2B), scaleNB, positiveB);
    let errorA = zero;
    let errorB = zero;
    for (let i: usize = 0; i < 512; i += 16) {
      const da = f32x4.sub(
        f32x4.add(f32x4.mul(scaleNA, v128.load(AT + i)), minNA),
        v128.load(x + i),
      );
      const db = f32x4.sub(
        f32x4.add(f32x4.mul(scaleNB, v128.load(AT + i, 512)), minNB),
        v128.load(x + i, 512),
      );
      errorA = f32x4.add(errorA, f32x4.mul(v128.load(w + i), f32x4.mul(da, da)));
      errorB = f32x4.add(errorB, f32x4.mul(v128.load(w + i, 512), f32x4.mul(db, db)));
    }
    const takeA = v128.and(okA, f32x4.lt(errorA, bestA));
    const takeB = v128.and(okB, f32x4.lt(errorB, bestB));
    if (!v128.any_true(v128.or(takeA, takeB))) continue;
    for (let i: usize = 0; i < 512; i += 16) {
      v128.store(l + i, v128.bitselect(v128.load(AT + i), v128.load(l + i), takeA));
      v128.store(l + i, v128.bitselect(v128.load(AT + i, 512), v128.load(l + i, 512), takeB), 512);
    }
    bestA = v128.bitselect(errorA, bestA, takeA);
    bestB = v128.bitselect(errorB, bestB, takeB);
    scaleA = v128.bitselect(scaleNA, scaleA, takeA);
    scaleB = v128.bitselect(scaleNB, scaleB, takeB);
    minA = v128.bitselect(minNA, minA, takeA);
    minB = v128.bitselect(minNB, minB, takeB);
  }
  // A sub-block whose max equals its min: levels 0, scale 0, the min as clamped.
  for (let i: usize = 0; i < 512; i += 16) {
    v128.store(l + i, v128.andnot(v128.load(l + i), flatA));
    v128.store(l + i, v128.andnot(v128.load(l + i, 512), flatB), 512);
  }
  v128.store(MN, f32x4.neg(v128.bitselect(min0A, minA, flatA)));
  v128.store(MN, f32x4.neg(v128.bitselect(min0B, minB, flatB)), 16);
  v128.store(SC, v128.bitselect(zero, scaleA, flatA));
  v128.store(SC, v128.bitselect(zero, scaleB, flatB), 16);
}

/** The 6-bit scale and min of sub-block j (ggml's get_scale_min_k4), as scale | min << 8. */
function scaleMinK4(j: usize, q: usize): i32 {
  if (j < 4) return (<i32>load<u8>(q + j) & 63) | ((<i32>load<u8>(q + j + 4) & 63) << 8);
  const sc = (<i32>load<u8>(q + j + 4) & 0x0f) | ((<i32>load<u8>(q + j - 4) >> 6) << 4);
  const mn = (<i32>load<u8>(q + j + 4) >> 4) | ((<i32>load<u8>(q + j) >> 6) << 4);
  return sc | (mn << 8);
}

/** One q4_K super-block: 256 float32 at p to 144 bytes at q. False when it cannot be stored. */
function q4_KBlock(p: usize, q: usize): bool {
  const zero = i32x4.splat(0);
  const bad = transpose(p, 32, 2, XT);
  if (v128.any_true(bad)) return false;
  for (let g: usize = 0; g < 2; g++) {
    const x = XT + (g << 9);
    const w = WT + (g << 9);
    let sumX2 = zero;
    for (let i: usize = 0; i < 512; i += 16) {
      const v = v128.load(x + i);
      sumX2 = f32x4.add(sumX2, f32x4.mul(v, v));
    }
    const avX = f32x4.sqrt(f32x4.div(sumX2, b(c_32f)));
    for (let i: usize = 0; i < 512; i += 16) {
      v128.store(w + i, f32x4.add(avX, f32x4.abs(v128.load(x + i))));
    }
  }
  qkx2Lanes(XT, WT, LT, -1, 20);
  let maxScale: f32 = 0;
  let maxMin: f32 = 0;
  for (let j: usize = 0; j < 8; j++) {
    const s = load<f32>(SC + (j << 2));
    if (s > maxScale) maxScale = s;
    const m = load<f32>(MN + (j << 2));
    if (m > maxMin) maxMin = m;
  }
  const invScale: f32 = maxScale > 0 ? <f32>63 / maxScale : 0;
  const invMin: f32 = maxMin > 0 ? <f32>63 / maxMin : 0;
  const o = q + 4;
  for (let j: usize = 0; j < 8; j++) {
    const ls = min<i32>(63, nearestInt(invScale * load<f32>(SC + (j << 2))) & 0xff);
    const lm = min<i32>(63, nearestInt(invMin * load<f32>(MN + (j << 2))) & 0xff);
    if (j < 4) {
      store<u8>(o + j, <u8>ls);
      store<u8>(o + j + 4, <u8>lm);
    } else {
      store<u8>(o + j + 4, <u8>((ls & 0x0f) | ((lm & 0x0f) << 4)));
      store<u8>(o + j - 4, <u8>(<i32>load<u8>(o + j - 4) | ((ls >> 4) << 6)));
      store<u8>(o + j, <u8>(<i32>load<u8>(o + j) | ((lm >> 4) << 6)));
    }
  }
  const hd = halfBits(maxScale / <f32>63);
  const hm = halfBits(maxMin / <f32>63);
  if ((hd & 0x7c00) === 0x7c00 || (hm & 0x7c00) === 0x7c00) return false;
  store<u16>(q, <u16>hd);
  store<u16>(q + 2, <u16>hm);
  const d = halfValue(hd);
  const dmin = halfValue(hm);
  for (let j: usize = 0; j < 8; j++) {
    const sm = scaleMinK4(j, o);
    store<f32>(DJ + (j << 2), d * <f32>(sm & 0xff));
    store<f32>(DM + (j << 2), dmin * <f32>(sm >> 8));
  }
  // The levels again from the stored fields: clamp(nearest((x + dm) / dj), 0, 15) where dj != 0.
  const magic = b(c_magic);
  const mantissa = b(c_mantissa);
  const bias = b(c_bias22);
  const top = b(c_15);
  for (let g: usize = 0; g < 2; g++) {
    const dj = v128.load(DJ + (g << 4));
    const dm = v128.load(DM + (g << 4));
    const keep = f32x4.eq(dj, zero);
    const x = XT + (g << 9);
    const l = LT + (g << 9);
    const out = LB + (g << 7);
    for (let i: usize = 0; i < 32; i++) {
      const t = f32x4.div(f32x4.add(v128.load(x + (i << 4)), dm), dj);
      const level = i32x4.max_s(i32x4.min_s(nearestLanes(t, magic, mantissa, bias), top), zero);
      const kept = i32x4.sub(f32x4.add(v128.load(l + (i << 4)), magic), magic);
      scatterBytes(out + i, 32, v128.bitselect(kept, level, keep));
    }
  }
  // qs[32a + c]: level 64a + c in the low nibble, 64a + 32 + c in the high one.
  for (let a: usize = 0; a < 4; a++) {
    const s = LB + (a << 6);
    v128.store(q + 16 + (a << 5), v128.or(v128.load(s), i16x8.shl(v128.load(s, 32), 4)));
    v128.store(q + 16 + (a << 5), v128.or(v128.load(s, 16), i16x8.shl(v128.load(s, 48), 4)), 16);
  }
  return true;
}

/**
 * ggml's quantize_row_q4_K_ref: `blocks` super-blocks of 256 float32 at src to 144 bytes each at
 * dst. Returns -1, or the first super-block that holds NaN or ±Infinity or whose d or dmin is
 * not finite in fp16 (dst is then unspecified from that super-block on).
 */
export function quantizeQ4_K(src: usize, dst: usize, blocks: usize): i32 {
  for (let i: usize = 0; i < blocks; i++) {
    if (!q4_KBlock(src + (i << 10), dst + i * Q4_K_BYTES)) return <i32>i;
  }
  return -1;
}

/** ggml's dequantize_row_q4_K: (d * sc) * q - dmin * mn, 144 bytes to 256 float32 a block. */
export function dequantizeQ4_K(src: usize, dst: usize, blocks: usize): void {
  const nibble = b(c_nibble);
  for (let i: usize = 0; i < blocks; i++) {
    const p = src + i * Q4_K_BYTES;
    const d = halfValue(<i32>load<u16>(p));
    const dmin = halfValue(<i32>load<u16>(p + 2));
    for (let j: usize = 0; j < 8; j++) {
      const sm = scaleMinK4(j, p + 4);
      const dl = f32x4.splat(d * <f32>(sm & 0xff));
      const ml = f32x4.splat(dmin * <f32>(sm >> 8));
      const s = p + 16 + ((j >> 1) << 5);
      let u = v128.load(s);
      let w = v128.load(s, 16);
      if (j & 1) {
        u = i16x8.shr_u(u, 4);
        w = i16x8.shr_u(w, 4);
      }
      u = v128.and(u, nibble);
      w = v128.and(w, nibble);
      const q = dst + (i << 10) + (j << 7);
      const u0 = i16x8.extend_low_i8x16_u(u);
      const u1 = i16x8.extend_high_i8x16_u(u);
      const w0 = i16x8.extend_low_i8x16_u(w);
      const w1 = i16x8.extend_high_i8x16_u(w);
      v128.store(
        q,
        f32x4.sub(f32x4.mul(dl, f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_u(u0))), ml),
      );
      v128.store(
        q,
        f32x4.sub(f32x4.mul(dl, f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_u(u0))), ml),
        16,
      );
      v128.store(
        q,
        f32x4.sub(f32x4.mul(dl, f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_u(u1))), ml),
        32,
      );
      v128.store(
        q,
        f32x4.sub(f32x4.mul(dl, f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_u(u1))), ml),
        48,
      );
      v128.store(
        q,
        f32x4.sub(f32x4.mul(dl, f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_u(w0))), ml),
        64,
      );
      v128.store(
        q,
        f32x4.sub(f32x4.mul(dl, f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_u(w0))), ml),
        80,
      );
      v128.store(
        q,
        f32x4.sub(f32x4.mul(dl, f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_u(w1))), ml),
        96,
      );
      v128.store(
        q,
        f32x4.sub(f32x4.mul(dl, f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_u(w1))), ml),
        112,
      );
    }
  }
}

// ---------------------------------------------------------------------------------------------
// q6_K: per sub-block of 16, make_qx_quants (nmax 32, weights x * x) on four sub-blocks at once.

const Q6_K_BYTES: usize = 210;

/**
 * make_qx_quants(16, 32, x, L, 1, x * x) for eight sub-blocks of 16 values, four a vector: group
 * A's values at x (16 vectors), group B's at x + 256; x * x at w, (x * x) * x at wv, likewise;
 * the kept levels l - 32 (float32) to `levels` (+ 256 for B). Writes the eight scales to `scales`.
 *
 * Rounding: |iscale * x| <= |iscale| * |max| is about 33 in every lane whose largest magnitude is
 * 1e-15 or more (others are flat: levels 0, scale 0), so t + MAGIC - MAGIC is ggml's nearest_int.
 */
function qxLanes(x: usize, w: usize, wv: usize, levels: usize, scales: usize): void {
  const zero = i32x4.splat(0);
  const magic = b(c_magic);
  const lo = f32x4.convert_i32x4_s(b(c_minus32));
  const hi = f32x4.convert_i32x4_s(b(c_31));
  let amaxA = zero;
  let amaxB = zero;
  let maxA = zero;
  let maxB = zero;
  for (let i: usize = 0; i < 256; i += 16) {
    const va = v128.load(x + i);
    const vb = v128.load(x + i, 256);
    const aa = f32x4.abs(va);
    const ab = f32x4.abs(vb);
    const largerA = f32x4.gt(aa, amaxA);
    const largerB = f32x4.gt(ab, amaxB);
    amaxA = v128.bitselect(aa, amaxA, largerA);
    amaxB = v128.bitselect(ab, amaxB, largerB);
    maxA = v128.bitselect(va, maxA, largerA);
    maxB = v128.bitselect(vb, maxB, largerB);
  }
  const eps = b(c_eps);
  const flatA = f32x4.lt(f32x4.abs(maxA), eps);
  const flatB = f32x4.lt(f32x4.abs(maxB), eps);
  let iscaleA = f32x4.div(f32x4.splat(-32), maxA);
  let iscaleB = f32x4.div(f32x4.splat(-32), maxB);
  let sumlxA = zero;
  let sumlxB = zero;
  let suml2A = zero;
  let suml2B = zero;
  for (let i: usize = 0; i < 256; i += 16) {
    const la = f32x4.pmax(
      f32x4.pmin(f32x4.sub(f32x4.add(f32x4.mul(iscaleA, v128.load(x + i)), magic), magic), hi),
      lo,
    );
    const lb = f32x4.pmax(
      f32x4.pmin(f32x4.sub(f32x4.add(f32x4.mul(iscaleB, v128.load(x + i, 256)), magic), magic), hi),
      lo,
    );
    v128.store(levels + i, la);
    v128.store(levels + i, lb, 256);
    sumlxA = f32x4.add(sumlxA, f32x4.mul(v128.load(wv + i), la));
    sumlxB = f32x4.add(sumlxB, f32x4.mul(v128.load(wv + i, 256), lb));
    suml2A = f32x4.add(suml2A, f32x4.mul(f32x4.mul(v128.load(w + i), la), la));
    suml2B = f32x4.add(suml2B, f32x4.mul(f32x4.mul(v128.load(w + i, 256), lb), lb));
  }
  let scaleA = v128.and(f32x4.div(sumlxA, suml2A), f32x4.ne(suml2A, zero));
  let scaleB = v128.and(f32x4.div(sumlxB, suml2B), f32x4.ne(suml2B, zero));
  let bestA = f32x4.mul(scaleA, sumlxA);
  let bestB = f32x4.mul(scaleB, sumlxB);
  for (let is = -9; is <= 9; is++) {
    if (is === 0) continue;
    const numerator = f32x4.splat(-(<f32>32 + <f32>0.1 * <f32>is));
    iscaleA = f32x4.div(numerator, maxA);
    iscaleB = f32x4.div(numerator, maxB);
    sumlxA = zero;
    sumlxB = zero;
    suml2A = zero;
    suml2B = zero;
    for (let i: usize = 0; i < 256; i += 16) {
      const la = f32x4.pmax(
        f32x4.pmin(f32x4.sub(f32x4.add(f32x4.mul(iscaleA, v128.load(x + i)), magic), magic), hi),
        lo,
      );
      const lb = f32x4.pmax(
        f32x4.pmin(
          f32x4.sub(f32x4.add(f32x4.mul(iscaleB, v128.load(x + i, 256)), magic), magic),
          hi,
        ),
        lo,
      );
      v128.store(AT + i, la);
      v128.store(AT + i, lb, 256);
      sumlxA = f32x4.add(sumlxA, f32x4.mul(v128.load(wv + i), la));
      sumlxB = f32x4.add(sumlxB, f32x4.mul(v128.load(wv + i, 256), lb));
      suml2A = f32x4.add(suml2A, f32x4.mul(f32x4.mul(v128.load(w + i), la), la));
      suml2B = f32x4.add(suml2B, f32x4.mul(f32x4.mul(v128.load(w + i, 256), lb), lb));
    }
    const takeA = v128.and(
      f32x4.gt(suml2A, zero),
      f32x4.gt(f32x4.mul(sumlxA, sumlxA), f32x4.mul(bestA, suml2A)),
    );
    const takeB = v128.and(
      f32x4.gt(suml2B, zero),
      f32x4.gt(f32x4.mul(sumlxB, sumlxB), f32x4.mul(bestB, suml2B)),
    );
    if (!v128.any_true(v128.or(takeA, takeB))) continue;
    for (let i: usize = 0; i < 256; i += 16) {
      v128.store(levels + i, v128.bitselect(v128.load(AT + i), v128.load(levels + i), takeA));
      v128.store(
        levels + i,
        v128.bitselect(v128.load(AT + i, 256), v128.load(levels + i, 256), takeB),
        256,
      );
    }
    scaleA = v128.bitselect(f32x4.div(sumlxA, suml2A), scaleA, takeA);
    scaleB = v128.bitselect(f32x4.div(sumlxB, suml2B), scaleB, takeB);
    bestA = v128.bitselect(f32x4.mul(scaleA, sumlxA), bestA, takeA);
    bestB = v128.bitselect(f32x4.mul(scaleB, sumlxB), bestB, takeB);
  }
  // A sub-block of magnitudes below 1e-15: levels 0 (l = -32), scale 0.
  for (let i: usize = 0; i < 256; i += 16) {
    v128.store(levels + i, v128.bitselect(lo, v128.load(levels + i), flatA));
    v128.store(levels + i, v128.bitselect(lo, v128.load(levels + i, 256), flatB), 256);
  }
  v128.store(scales, v128.bitselect(zero, scaleA, flatA));
  v128.store(scales, v128.bitselect(zero, scaleB, flatB), 16);
}

/** One q6_K super-block: 256 float32 at p to 210 bytes at q. False when it cannot be stored. */
function q6_KBlock(p: usize, q: usize): bool {
  const zero = i32x4.splat(0);
  if (v128.any_true(transpose(p, 16, 4, XT))) return false;
  for (let i: usize = 0; i < 1024; i += 16) {
    const v = v128.load(XT + i);
    const ww = f32x4.mul(v, v);
    v128.store(WT + i, ww);
    v128.store(VT + i, f32x4.mul(ww, v));
  }
  qxLanes(XT, WT, VT, LT, SC);
  qxLanes(XT + 512, WT + 512, VT + 512, LT + 512, SC + 32);
  for (let j: usize = 0; j < 64; j += 16) {
    const scale = v128.load(SC + j);
    if (v128.any_true(f32x4.ne(scale, scale))) return false;
  }
  let amax: f32 = 0;
  let maxScale: f32 = 0;
  for (let j: usize = 0; j < 16; j++) {
    const s = load<f32>(SC + (j << 2));
    if (Mathf.abs(s) > amax) {
      amax = Mathf.abs(s);
      maxScale = s;
    }
  }
  if (amax < <f32>1e-15) {
    memory.fill(q, 0, Q6_K_BYTES);
    return true;
  }
  const iscale = <f32>-128 / maxScale;
  const hd = halfBits(<f32>1 / iscale);
  if ((hd & 0x7c00) === 0x7c00) return false;
  store<u16>(q + 208, <u16>hd);
  const d = halfValue(hd);
  for (let j: usize = 0; j < 16; j++) {
    const s = <i32>(<i8>min<i32>(127, nearestInt(iscale * load<f32>(SC + (j << 2)))));
    store<i8>(q + 192 + j, <i8>s);
    store<f32>(DJ + (j << 2), d * <f32>s);
  }
  // The levels again: clamp(nearest(x / dj), -32, 31) + 32 where dj != 0.
  const magic = b(c_magic);
  const mantissa = b(c_mantissa);
  const bias = b(c_bias22);
  const lo = b(c_minus32);
  const hi = b(c_31);
  const offset = b(c_32);
  for (let g: usize = 0; g < 4; g++) {
    const dj = v128.load(DJ + (g << 4));
    const keep = f32x4.eq(dj, zero);
    const x = XT + (g << 8);
    const l = LT + (g << 8);
    const out = LB + (g << 6);
    for (let i: usize = 0; i < 16; i++) {
      const t = f32x4.div(v128.load(x + (i << 4)), dj);
      const level = i32x4.max_s(i32x4.min_s(nearestLanes(t, magic, mantissa, bias), hi), lo);
      const kept = i32x4.sub(f32x4.add(v128.load(l + (i << 4)), magic), magic);
      scatterBytes(out + i, 16, i32x4.add(v128.bitselect(kept, level, keep), offset));
    }
  }
  // ql, qh: with i = 128a + 32b + c, the low 4 bits of level i in ql[64a + 32(b % 2) + c]
  // (nibble b / 2), its high 2 bits at bit 2b of qh[32a + c].
  const nibble = b(c_nibble);
  const threes = b(c_threes);
  for (let a: usize = 0; a < 2; a++) {
    for (let h: usize = 0; h < 32; h += 16) {
      const s = LB + (a << 7) + h;
      const l0 = v128.load(s);
      const l1 = v128.load(s, 32);
      const l2 = v128.load(s, 64);
      const l3 = v128.load(s, 96);
      v128.store(
        q + (a << 6) + h,
        v128.or(v128.and(l0, nibble), i16x8.shl(v128.and(l2, nibble), 4)),
      );
      v128.store(
        q + (a << 6) + 32 + h,
        v128.or(v128.and(l1, nibble), i16x8.shl(v128.and(l3, nibble), 4)),
      );
      const h0 = v128.and(i16x8.shr_u(l0, 4), threes);
      const h1 = v128.and(i16x8.shr_u(l1, 4), threes);
      const h2 = v128.and(i16x8.shr_u(l2, 4), threes);
      const h3 = v128.and(i16x8.shr_u(l3, 4), threes);
      v128.store(
        q + 128 + (a << 5) + h,
        v128.or(v128.or(h0, i16x8.shl(h1, 2)), v128.or(i16x8.shl(h2, 4), i16x8.shl(h3, 6))),
      );
    }
  }
  return true;
}

/**
 * ggml's quantize_row_q6_K_ref: `blocks` super-blocks of 256 float32 at src to 210 bytes each.
 * Returns -1, or the first super-block that holds NaN or ±Infinity, whose sums overflow into a
 * NaN scale, or whose d is not finite in fp16.
 */
export function quantizeQ6_K(src: usize, dst: usize, blocks: usize): i32 {
  for (let i: usize = 0; i < blocks; i++) {
    if (!q6_KBlock(src + (i << 10), dst + i * Q6_K_BYTES)) return <i32>i;
  }
  return -1;
}

/** ggml's dequantize_row_q6_K: (d * scales[i / 16]) * (q - 32), 210 bytes to 256 float32 a block. */
export function dequantizeQ6_K(src: usize, dst: usize, blocks: usize): void {
  const nibble = b(c_nibble);
  const threes = b(c_threes);
  const offset = i8x16.splat(32);
  for (let i: usize = 0; i < blocks; i++) {
    const p = src + i * Q6_K_BYTES;
    const d = halfValue(<i32>load<u16>(p + 208));
    for (let a: usize = 0; a < 2; a++) {
      for (let bb: usize = 0; bb < 4; bb++) {
        for (let h: usize = 0; h < 32; h += 16) {
          let low = v128.load(p + (a << 6) + ((bb & 1) << 5) + h);
          if (bb >= 2) low = i16x8.shr_u(low, 4);
          low = v128.and(low, nibble);
          let high = v128.load(p + 128 + (a << 5) + h);
          if (bb > 0) high = i16x8.shr_u(high, <i32>(bb << 1));
          high = v128.and(high, threes);
          const codes = i8x16.sub(v128.or(low, i16x8.shl(high, 4)), offset);
          const j = (a << 3) + (bb << 1) + (h >> 4);
          const dl = f32x4.splat(d * <f32>load<i8>(p + 192 + j));
          const q = dst + (i << 10) + (j << 6);
          const c0 = i16x8.extend_low_i8x16_s(codes);
          const c1 = i16x8.extend_high_i8x16_s(codes);
          v128.store(q, f32x4.mul(dl, f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_s(c0))));
          v128.store(q, f32x4.mul(dl, f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_s(c0))), 16);
          v128.store(q, f32x4.mul(dl, f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_s(c1))), 32);
          v128.store(q, f32x4.mul(dl, f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_s(c1))), 48);
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// MXFP4 (OCP MX v1.0): blocks of 32 consecutive values, an E8M0 scale each, float4e2m1 elements.

/** The E8M0 code of a block whose largest magnitude has float32 bits `amax` (sign cleared). */
function sharedScaleCode(amax: u32): u32 {
  if (amax >= 0x7f800000) return 0xff; // NaN or an infinity in the block
  if (amax === 0) return 0;
  const e = amax >> 23;
  // floor(log2 amax), exact: the exponent field, or a subnormal's leading bit; emax of e2m1 is 2.
  const log2 = e > 0 ? <i32>e - 127 : 31 - <i32>clz(amax) - 149;
  return <u32>(max<i32>(log2 - 2, -127) + 127);
}

/**
 * e2m1 codes of four lanes v (x / 2^shared; |v| < 8): the number of midpoints t_k with |v| >= t_k
 * (the thresholds at t: c_e2m1Away's or c_e2m1Even's), and 8 for a negative sign (-0 included).
 */
function e2m1Lanes(v: v128, t: usize, sign: v128): v128 {
  const m = f32x4.abs(v);
  const a = i32x4.add(f32x4.ge(m, v128.load(t)), f32x4.ge(m, v128.load(t, 16)));
  const b = i32x4.add(f32x4.ge(m, v128.load(t, 32)), f32x4.ge(m, v128.load(t, 48)));
  const c = i32x4.add(f32x4.ge(m, v128.load(t, 64)), f32x4.ge(m, v128.load(t, 80)));
  const count = i32x4.add(i32x4.add(a, b), i32x4.add(c, f32x4.ge(m, v128.load(t, 96))));
  // Each comparison is -1 where it holds: the count is the negated sum.
  return v128.or(i32x4.neg(count), i32x4.shr_u(v128.and(v, sign), 28));
}

/** The codes of the 16 float32 at p times `factor`, 16 bytes. */
function e2m1Bytes(p: usize, factor: v128, t: usize, sign: v128): v128 {
  return ubytesOf(
    e2m1Lanes(f32x4.mul(v128.load(p), factor), t, sign),
    e2m1Lanes(f32x4.mul(v128.load(p, 16), factor), t, sign),
    e2m1Lanes(f32x4.mul(v128.load(p, 32), factor), t, sign),
    e2m1Lanes(f32x4.mul(v128.load(p, 48), factor), t, sign),
  );
}

/** Scratch: the seven thresholds of a call, each in four lanes. */
const E2M1_T = memory.data(112, 16);

/** Bytes of two 4-bit codes (pairs of bytes of v) packed, the first in the low nibble: 8 lanes. */
function packLowFirst(v: v128): v128 {
  // Little-endian i16 lane w = even | odd << 8: (w & 0x0F) | ((w >> 4) & 0xF0).
  return v128.or(v128.and(v, i16x8.splat(0x0f)), v128.and(i16x8.shr_u(v, 4), i16x8.splat(0xf0)));
}

/**
 * OCP MXFP4 quantize of `blocks` blocks of 32 float32 at src: the E8M0 scale codes to `scales`
 * (one byte a block), the e2m1 codes to `codes`, one a byte, or with `packed` two a byte (the
 * first in the low nibble, 16 bytes a block). `away`: ties away from zero, else to the even code.
 * A block holding NaN or ±Infinity gets scale 0xFF and codes 0.
 */
export function quantizeMxfp4(
  away: bool,
  src: usize,
  scales: usize,
  codes: usize,
  blocks: usize,
  packed: bool,
): void {
  const magnitude = b(c_magnitude);
  const sign = b(c_sign);
  const zero = i32x4.splat(0);
  const first = away ? c_e2m1Away : c_e2m1Even;
  for (let j = 0; j < 7; j++) v128.store(E2M1_T + ((<usize>j) << 4), b(first + j));
  for (let i: usize = 0; i < blocks; i++) {
    const p = src + (i << 7);
    const a = i32x4.max_u(
      i32x4.max_u(
        i32x4.max_u(v128.and(v128.load(p), magnitude), v128.and(v128.load(p, 16), magnitude)),
        i32x4.max_u(v128.and(v128.load(p, 32), magnitude), v128.and(v128.load(p, 48), magnitude)),
      ),
      i32x4.max_u(
        i32x4.max_u(v128.and(v128.load(p, 64), magnitude), v128.and(v128.load(p, 80), magnitude)),
        i32x4.max_u(v128.and(v128.load(p, 96), magnitude), v128.and(v128.load(p, 112), magnitude)),
      ),
    );
    const a2 = i32x4.max_u(a, v128.shuffle<i32>(a, a, 2, 3, 0, 1));
    const amax = <u32>i32x4.extract_lane(i32x4.max_u(a2, v128.shuffle<i32>(a2, a2, 1, 0, 3, 2)), 0);
    const code = sharedScaleCode(amax);
    store<u8>(scales + i, <u8>code);
    let lo = zero;
    let hi = zero;
    if (code !== 0xff) {
      // 2^(127 - code): a normal float32 for every code a finite block gets (0 to 252).
      const factor = i32x4.splat((<i32>(254 - code)) << 23);
      lo = e2m1Bytes(p, factor, E2M1_T, sign);
      hi = e2m1Bytes(p + 64, factor, E2M1_T, sign);
    }
    if (packed) {
      v128.store(codes + (i << 4), i8x16.narrow_i16x8_u(packLowFirst(lo), packLowFirst(hi)));
    } else {
      v128.store(codes + (i << 5), lo);
      v128.store(codes + (i << 5), hi, 16);
    }
  }
}

/** The float32 bits of the 16 e2m1 codes' values: their high halves (low halves are 0). */
const E2M1_HIGH = memory.data<u16>(
  [
    0x0000, 0x3f00, 0x3f80, 0x3fc0, 0x4000, 0x4040, 0x4080, 0x40c0, 0x8000, 0xbf00, 0xbf80, 0xbfc0,
    0xc000, 0xc040, 0xc080, 0xc0c0,
  ],
  16,
);

/** The values of 16 e2m1 codes (bytes of c) times `factor`, stored as 16 float32 at q. */
function e2m1Values(c: v128, lowPlane: v128, highPlane: v128, factor: v128, q: usize): void {
  const lo = i8x16.swizzle(lowPlane, c);
  const hi = i8x16.swizzle(highPlane, c);
  const w0 = i8x16.shuffle(lo, hi, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
  const w1 = i8x16.shuffle(lo, hi, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
  const zero = i32x4.splat(0);
  v128.store(q, f32x4.mul(v128.shuffle<u16>(zero, w0, 0, 8, 0, 9, 0, 10, 0, 11), factor));
  v128.store(q, f32x4.mul(v128.shuffle<u16>(zero, w0, 0, 12, 0, 13, 0, 14, 0, 15), factor), 16);
  v128.store(q, f32x4.mul(v128.shuffle<u16>(zero, w1, 0, 8, 0, 9, 0, 10, 0, 11), factor), 32);
  v128.store(q, f32x4.mul(v128.shuffle<u16>(zero, w1, 0, 12, 0, 13, 0, 14, 0, 15), factor), 48);
}

/**
 * OCP MXFP4 dequantize of `blocks` blocks of 32: element value · 2^(scale - 127), NaN for a
 * scale of 0xFF; `codes` one a byte (each below 16), or `packed` two a byte, the first low.
 */
export function dequantizeMxfp4(
  scales: usize,
  codes: usize,
  dst: usize,
  blocks: usize,
  packed: bool,
): void {
  // Byte planes of E2M1_HIGH: the low bytes and the high bytes of the 16 halves.
  const table = v128.load(E2M1_HIGH);
  const table2 = v128.load(E2M1_HIGH, 16);
  const lowPlane = i8x16.shuffle(
    table,
    table2,
    0,
    2,
    4,
    6,
    8,
    10,
    12,
    14,
    16,
    18,
    20,
    22,
    24,
    26,
    28,
    30,
  );
  const highPlane = i8x16.shuffle(
    table,
    table2,
    1,
    3,
    5,
    7,
    9,
    11,
    13,
    15,
    17,
    19,
    21,
    23,
    25,
    27,
    29,
    31,
  );
  const nibble = b(c_nibble);
  for (let i: usize = 0; i < blocks; i++) {
    const s = <i32>load<u8>(scales + i);
    // 2^(s - 127) exactly (s = 0: the subnormal 2^-127); 0xFF: NaN.
    const bits = s === 0xff ? 0x7fc00000 : s === 0 ? 0x00400000 : s << 23;
    const factor = i32x4.splat(bits);
    let c0: v128;
    let c1: v128;
    if (packed) {
      const v = v128.load(codes + (i << 4));
      const lo = v128.and(v, nibble);
      const hi = v128.and(i16x8.shr_u(v, 4), nibble);
      c0 = i8x16.shuffle(lo, hi, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
      c1 = i8x16.shuffle(lo, hi, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
    } else {
      c0 = v128.load(codes + (i << 5));
      c1 = v128.load(codes + (i << 5), 16);
    }
    const q = dst + (i << 7);
    e2m1Values(c0, lowPlane, highPlane, factor, q);
    e2m1Values(c1, lowPlane, highPlane, factor, q + 64);
  }
}

// ---------------------------------------------------------------------------------------------
// bitsandbytes 4-bit (NF4, FP4): absmax per block, y = x * (1 / max(absmax, 1e-38)) clamped to
// [-1, 1], the code of the first sorted table value whose upper midpoint is >= y.

/**
 * bitsandbytes' quantize_4bit (default backend) on `blocks` full blocks of `blockSize` float32
 * (a multiple of 32) at src: the absmax of each block to `absmax` (float32), the code of each
 * value to `codes` (one a byte) and to `packed` (two a byte, the first in the HIGH nibble). The
 * codebook at `book`: 15 float32 midpoints of the sorted table (ascending), then at
 * BNB_BOOK_ORDER the 16 codes of the sorted values. Returns true when some value was NaN or
 * ±Infinity (the codes are then unspecified).
 */
export function quantize4bit(
  src: usize,
  blocks: usize,
  blockSize: usize,
  book: usize,
  codes: usize,
  packed: usize,
  absmax: usize,
): bool {
  const order = v128.load(book + BNB_BOOK_ORDER);
  const magnitude = b(c_magnitude);
  const one = b(c_one);
  const minusOne = b(c_minusOne);
  let bad = false;
  for (let i: usize = 0; i < blocks; i++) {
    const p = src + ((i * blockSize) << 2);
    let m = absBitsMax32(p, magnitude);
    for (let j: usize = 32; j < blockSize; j += 32) {
      m = i32x4.max_u(m, absBitsMax32(p + (j << 2), magnitude));
    }
    const m2 = i32x4.max_u(m, v128.shuffle<i32>(m, m, 2, 3, 0, 1));
    const bits = <u32>i32x4.extract_lane(i32x4.max_u(m2, v128.shuffle<i32>(m2, m2, 1, 0, 3, 2)), 0);
    // Infinity and NaN: bits from 0x7F800000 up.
    if (bits >= 0x7f800000) bad = true;
    const amax = reinterpret<f32>(bits);
    store<f32>(absmax + (i << 2), amax);
    const floored = amax < ABSMAX_FLOOR ? ABSMAX_FLOOR : amax;
    const inverse = f32x4.splat(<f32>1 / floored);
    for (let j: usize = 0; j < blockSize; j += 32) {
      const e = i * blockSize + j;
      const c0 = codes16(p + (j << 2), inverse, minusOne, one, book, order);
      const c1 = codes16(p + (j << 2) + 64, inverse, minusOne, one, book, order);
      v128.store(codes + e, c0);
      v128.store(codes + e, c1, 16);
      v128.store(packed + (e >> 1), i8x16.narrow_i16x8_u(packHighFirst(c0), packHighFirst(c1)));
    }
  }
  return bad;
}

/** bitsandbytes' floor under a block's absmax: 1e-38 as float32 (a subnormal). */
const ABSMAX_FLOOR = reinterpret<f32>(0x006ce3ee);

/** The codes of the 16 float32 at x: clamp(x * inverse, -1, 1), bucketed, mapped by `order`. */
function codes16(x: usize, inverse: v128, lo: v128, hi: v128, bounds: usize, order: v128): v128 {
  const y0 = f32x4.pmax(f32x4.pmin(f32x4.mul(v128.load(x), inverse), hi), lo);
  const y1 = f32x4.pmax(f32x4.pmin(f32x4.mul(v128.load(x, 16), inverse), hi), lo);
  const y2 = f32x4.pmax(f32x4.pmin(f32x4.mul(v128.load(x, 32), inverse), hi), lo);
  const y3 = f32x4.pmax(f32x4.pmin(f32x4.mul(v128.load(x, 48), inverse), hi), lo);
  // The sorted index: the number of midpoints below y (each comparison is -1 where it holds).
  let c0 = i32x4.splat(0);
  let c1 = c0;
  let c2 = c0;
  let c3 = c0;
  for (let k: usize = 0; k < 60; k += 4) {
    const bound = v128.load32_splat(bounds + k);
    c0 = i32x4.sub(c0, f32x4.lt(bound, y0));
    c1 = i32x4.sub(c1, f32x4.lt(bound, y1));
    c2 = i32x4.sub(c2, f32x4.lt(bound, y2));
    c3 = i32x4.sub(c3, f32x4.lt(bound, y3));
  }
  return i8x16.swizzle(order, ubytesOf(c0, c1, c2, c3));
}

/** Bytes of two 4-bit codes (pairs of bytes of v) packed, the first in the HIGH nibble: 8 lanes. */
function packHighFirst(v: v128): v128 {
  // Little-endian i16 lane w = first | second << 8: (w << 4 & 0xF0) | (w >> 8).
  return v128.or(v128.and(i16x8.shl(v, 4), i16x8.splat(0xf0)), i16x8.shr_u(v, 8));
}

/**
 * bitsandbytes' dequantize_4bit on `blocks` full blocks of `blockSize` values (a multiple of
 * 32): table[code] · absmax of the block, the codes two a byte at `packed` (the first in the
 * high nibble). `table` holds the 16 values' float32 bits as four byte planes of 16 bytes
 * (BNB_TABLE_PLANE apart): plane k has byte k of every value.
 */
export function dequantize4bit(
  packed: usize,
  absmax: usize,
  blocks: usize,
  blockSize: usize,
  table: usize,
  dst: usize,
): void {
  const t0 = v128.load(table);
  const t1 = v128.load(table + BNB_TABLE_PLANE);
  const t2 = v128.load(table + 2 * BNB_TABLE_PLANE);
  const t3 = v128.load(table + 3 * BNB_TABLE_PLANE);
  const nibble = b(c_nibble);
  for (let i: usize = 0; i < blocks; i++) {
    const scale = v128.load32_splat(absmax + (i << 2));
    for (let j: usize = 0; j < blockSize; j += 32) {
      const e = i * blockSize + j;
      const v = v128.load(packed + (e >> 1));
      const first = v128.and(i16x8.shr_u(v, 4), nibble);
      const second = v128.and(v, nibble);
      const c0 = i8x16.shuffle(
        first,
        second,
        0,
        16,
        1,
        17,
        2,
        18,
        3,
        19,
        4,
        20,
        5,
        21,
        6,
        22,
        7,
        23,
      );
      const c1 = i8x16.shuffle(
        first,
        second,
        8,
        24,
        9,
        25,
        10,
        26,
        11,
        27,
        12,
        28,
        13,
        29,
        14,
        30,
        15,
        31,
      );
      tableValues(c0, t0, t1, t2, t3, scale, dst + (e << 2));
      tableValues(c1, t0, t1, t2, t3, scale, dst + (e << 2) + 64);
    }
  }
}

/** The table values of 16 codes (bytes of c) times `scale`, as 16 float32 at q. */
function tableValues(c: v128, t0: v128, t1: v128, t2: v128, t3: v128, scale: v128, q: usize): void {
  const b0 = i8x16.swizzle(t0, c);
  const b1 = i8x16.swizzle(t1, c);
  const b2 = i8x16.swizzle(t2, c);
  const b3 = i8x16.swizzle(t3, c);
  const lo0 = i8x16.shuffle(b0, b1, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
  const lo1 = i8x16.shuffle(b0, b1, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
  const hi0 = i8x16.shuffle(b2, b3, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
  const hi1 = i8x16.shuffle(b2, b3, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
  v128.store(q, f32x4.mul(v128.shuffle<u16>(lo0, hi0, 0, 8, 1, 9, 2, 10, 3, 11), scale));
  v128.store(q, f32x4.mul(v128.shuffle<u16>(lo0, hi0, 4, 12, 5, 13, 6, 14, 7, 15), scale), 16);
  v128.store(q, f32x4.mul(v128.shuffle<u16>(lo1, hi1, 0, 8, 1, 9, 2, 10, 3, 11), scale), 32);
  v128.store(q, f32x4.mul(v128.shuffle<u16>(lo1, hi1, 4, 12, 5, 13, 6, 14, 7, 15), scale), 48);
}

/**
 * Matrices as the algorithms take them, and the float64 linear algebra they need. A matrix is
 * `{ data, shape: [rows, cols] }`, row-major: weights `[out, in]`, calibration activations
 * `[samples, in]`. The readers here are the one place where unknown input becomes checked values;
 * their errors follow core's template (`fn(): argument 'x' must be ...; received ....`).
 */
import { describe, rangeError, typeError } from "@quantlab/core/validate";

/** A row-major matrix: `data` holds `shape[0] × shape[1]` numbers. */
export interface Matrix {
  readonly data: ArrayLike<number>;
  readonly shape: readonly number[];
}

/** A checked matrix: its values and dimensions. */
export interface Checked {
  readonly data: ArrayLike<number>;
  readonly rows: number;
  readonly cols: number;
}

/**
 * Reads a matrix argument: `{ data, shape: [rows, cols] }` with finite values. `expect` fixes a
 * dimension (`cols` to match the layer, say), with the reason named in the message.
 */
export function readMatrix(
  fn: string,
  arg: string,
  value: unknown,
  expect: { rows?: number; cols?: number; why?: string; rowsName?: string } = {},
): Checked {
  if (typeof value !== "object" || value === null || !("data" in value) || !("shape" in value)) {
    throw typeError(fn, arg, "a matrix { data, shape: [rows, cols] }", value);
  }
  const { data, shape } = value as { data: unknown; shape: unknown };
  if (
    !Array.isArray(shape) ||
    shape.length !== 2 ||
    !shape.every((d) => Number.isInteger(d) && d >= 0)
  ) {
    throw typeError(
      fn,
      `${arg}.shape`,
      "[rows, cols], two non-negative integers",
      Array.isArray(shape) ? `[${shape.map(describe).join(", ")}]` : shape,
    );
  }
  const [rows, cols] = shape as [number, number];
  const wanted = `[${expect.rows ?? expect.rowsName ?? "rows"}, ${expect.cols ?? "cols"}]`;
  if (
    (expect.rows !== undefined && rows !== expect.rows) ||
    (expect.cols !== undefined && cols !== expect.cols)
  ) {
    throw rangeError(
      fn,
      `${arg}.shape`,
      `${wanted}${expect.why ? ` (${expect.why})` : ""}`,
      shape,
      `[${rows}, ${cols}]`,
    );
  }
  if (rows === 0 || cols === 0) {
    throw rangeError(
      fn,
      `${arg}.shape`,
      "a shape with rows > 0 and cols > 0",
      shape,
      `[${rows}, ${cols}]`,
    );
  }
  const isArrayLike =
    Array.isArray(data) || (ArrayBuffer.isView(data) && !(data instanceof DataView));
  if (!isArrayLike) throw typeError(fn, `${arg}.data`, "an array or typed array of numbers", data);
  const values = data as ArrayLike<unknown>;
  if (values.length !== rows * cols) {
    throw rangeError(
      fn,
      `${arg}.data`,
      `${rows * cols} values (shape [${rows}, ${cols}])`,
      data,
      `${values.length} values`,
    );
  }
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== "number" || !Number.isFinite(v)) {
      const where = `row ${Math.floor(i / cols)}, column ${i % cols}`;
      if (typeof v !== "number") throw typeError(fn, `${arg}.data[${i}]`, `a number (${where})`, v);
      throw rangeError(fn, `${arg}.data[${i}]`, `a finite number (${where})`, v);
    }
  }
  return { data: values as ArrayLike<number>, rows, cols };
}

/** Reads calibration inputs of weight `w`: a matrix `[samples, in]`, one column per input. */
export function readCalibration(fn: string, calibration: unknown, w: Checked): Checked {
  return readMatrix(fn, "calibration", calibration, {
    cols: w.cols,
    why: `one column per input of weight [${w.rows}, ${w.cols}]`,
    rowsName: "samples",
  });
}

/** Reads a quantized weight: a matrix of the shape of weight `w`. */
export function readQuantized(fn: string, quantized: unknown, w: Checked): Checked {
  return readMatrix(fn, "quantized", quantized, {
    rows: w.rows,
    cols: w.cols,
    why: "the weight's shape",
  });
}

/** Reads an options object: unknown keys are refused, naming the ones allowed. */
export function readOptions<T extends object>(
  fn: string,
  arg: string,
  value: unknown,
  keys: readonly string[],
): Partial<T> {
  if (value === undefined) return {};
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw typeError(
      fn,
      arg,
      `an object (keys ${keys.map((k) => `'${k}'`).join(", ")}) or undefined`,
      value,
    );
  }
  for (const key of Object.keys(value)) {
    if (!keys.includes(key)) {
      throw rangeError(
        fn,
        arg,
        `an object with keys among ${keys.map((k) => `'${k}'`).join(", ")}`,
        value,
        `an object with key ${JSON.stringify(key)}`,
      );
    }
  }
  return value as Partial<T>;
}

/** The reader of a number option in [min, max] (an integer where `integer`), or its default. */
function rangedReader(integer: boolean) {
  return (
    fn: string,
    arg: string,
    value: unknown,
    min: number,
    max: number,
    fallback: number,
  ): number => {
    if (value === undefined) return fallback;
    const expected = `${integer ? "an integer" : "a number"} in [${min}, ${max}]`;
    if (typeof value !== "number") throw typeError(fn, arg, expected, value);
    if (!(value >= min && value <= max) || (integer && !Number.isInteger(value)))
      throw rangeError(fn, arg, expected, value);
    return value;
  };
}

/** An integer option in [min, max], or its default. */
export const readInteger = rangedReader(true);

/** A finite number option in [min, max], or its default. */
export const readNumber = rangedReader(false);

/** A vector of `length` finite numbers (a per-channel quantity). */
export function readVector(
  fn: string,
  arg: string,
  value: unknown,
  length: number,
  why: string,
): ArrayLike<number> {
  const isArrayLike =
    Array.isArray(value) || (ArrayBuffer.isView(value) && !(value instanceof DataView));
  if (!isArrayLike) throw typeError(fn, arg, `an array of ${length} numbers (${why})`, value);
  const v = value as ArrayLike<unknown>;
  if (v.length !== length)
    throw rangeError(fn, arg, `${length} values (${why})`, value, `${v.length} values`);
  for (let i = 0; i < v.length; i++) {
    const x = v[i];
    if (typeof x !== "number") throw typeError(fn, `${arg}[${i}]`, "a number", x);
    if (!Number.isFinite(x)) throw rangeError(fn, `${arg}[${i}]`, "a finite number", x);
  }
  return v as ArrayLike<number>;
}

/**
 * `2 XᵀX / n` of `x` `[n, k]` in float64: the Hessian of the layer-wise squared error
 * `||X Wᵀ − X Ŵᵀ||² / n` with respect to one row of W. Only the upper triangle is summed; the
 * lower one is mirrored.
 */
export function hessianOf(x: Checked): Float64Array {
  const { rows: n, cols: k, data } = x;
  const h = new Float64Array(k * k);
  // Samples in blocks of B, transposed (xt[a·B + s]): each entry of H takes a dot product over the
  // block in a register, so H is read and written once a block, not once a sample.
  const B = 32;
  const xt = new Float64Array(k * B);
  for (let s0 = 0; s0 < n; s0 += B) {
    const m = Math.min(B, n - s0);
    xt.fill(0);
    for (let s = 0; s < m; s++) {
      const o = (s0 + s) * k;
      for (let a = 0; a < k; a++) xt[a * B + s] = data[o + a] as number;
    }
    for (let a = 0; a < k; a++) {
      const xa = a * B;
      const ha = a * k;
      let b = a;
      for (; b + 4 <= k; b += 4) {
        const x0 = b * B;
        let d0 = 0;
        let d1 = 0;
        let d2 = 0;
        let d3 = 0;
        for (let s = 0; s < m; s++) {
          const v = xt[xa + s] as number;
          d0 += v * (xt[x0 + s] as number);
          d1 += v * (xt[x0 + B + s] as number);
          d2 += v * (xt[x0 + 2 * B + s] as number);
          d3 += v * (xt[x0 + 3 * B + s] as number);
        }
        h[ha + b] = (h[ha + b] as number) + d0;
        h[ha + b + 1] = (h[ha + b + 1] as number) + d1;
        h[ha + b + 2] = (h[ha + b + 2] as number) + d2;
        h[ha + b + 3] = (h[ha + b + 3] as number) + d3;
      }
      for (; b < k; b++) {
        const xb = b * B;
        let dot = 0;
        for (let s = 0; s < m; s++) dot += (xt[xa + s] as number) * (xt[xb + s] as number);
        h[ha + b] = (h[ha + b] as number) + dot;
      }
    }
  }
  const f = 2 / n;
  for (let a = 0; a < k; a++) {
    for (let b = a; b < k; b++) {
      const v = (h[a * k + b] as number) * f;
      h[a * k + b] = v;
      h[b * k + a] = v;
    }
  }
  return h;
}

/**
 * Cholesky factorization in place: `a` (symmetric, `n × n`, row-major) becomes the lower factor L
 * with `A = L Lᵀ` (the upper triangle is zeroed). Returns -1, or the index of the first pivot that
 * is not positive: at most `n·ε` of its diagonal entry (not positive definite in float64).
 */
export function choleskyLower(a: Float64Array, n: number): number {
  // A pivot that cancels down to rounding noise of its diagonal entry (n·ε of it) is not positive:
  // the matrix is singular to working precision, and its inverse would be noise.
  const tolerance = n * Number.EPSILON;
  for (let j = 0; j < n; j++) {
    const rj = j * n;
    const diagonal = a[rj + j] as number;
    let d = diagonal;
    for (let k = 0; k < j; k++) d -= (a[rj + k] as number) ** 2;
    if (!(d > tolerance * Math.abs(diagonal))) return j;
    const l = Math.sqrt(d);
    a[rj + j] = l;
    for (let i = j + 1; i < n; i++) {
      const ri = i * n;
      let s = a[ri + j] as number;
      for (let k = 0; k < j; k++) s -= (a[ri + k] as number) * (a[rj + k] as number);
      a[ri + j] = s / l;
    }
    for (let k = j + 1; k < n; k++) a[rj + k] = 0;
  }
  return -1;
}

/**
 * The upper-triangular U with `(H + λI)⁻¹ = Uᵀ U` (the factor GPTQ iterates with), or undefined
 * when `H + λI` is not positive definite in float64. One Cholesky factorization and one triangular
 * inverse: with J the reversal permutation and `J (H + λI) J = L Lᵀ`, `H + λI = R Rᵀ` for the
 * upper `R = J L J`, so `U = R⁻¹ = J L⁻¹ J` (the Cholesky factor is unique, so this is the matrix
 * `cholesky(cholesky_inverse(cholesky(H)), upper=True)` computes, up to rounding).
 */
export function upperInverseFactor(
  h: Float64Array,
  n: number,
  damp: number,
): Float64Array | undefined {
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) a[i * n + j] = h[(n - 1 - i) * n + (n - 1 - j)] as number;
  for (let i = 0; i < n; i++) a[i * n + i] = (a[i * n + i] as number) + damp;
  if (choleskyLower(a, n) >= 0) return undefined;
  // M = L⁻¹ (lower), row by row: M[i, :i] = −(Σ_{k<i} L[i, k] M[k, :k+1]) / L[i, i].
  const m = new Float64Array(n * n);
  const acc = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    acc.fill(0, 0, i);
    for (let k = 0; k < i; k++) {
      const lik = a[ri + k] as number;
      if (lik === 0) continue;
      const rk = k * n;
      for (let j = 0; j <= k; j++) acc[j] = (acc[j] as number) + lik * (m[rk + j] as number);
    }
    const lii = a[ri + i] as number;
    for (let j = 0; j < i; j++) m[ri + j] = -(acc[j] as number) / lii;
    m[ri + i] = 1 / lii;
  }
  const u = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = i; j < n; j++) u[i * n + j] = m[(n - 1 - i) * n + (n - 1 - j)] as number;
  return u;
}

/** Float32 copy of a checked matrix's data (a Float32Array is used as it is). */
export function float32Of(x: Checked): Float32Array {
  return x.data instanceof Float32Array ? x.data : Float32Array.from(x.data);
}

/**
 * A layer's inputs as rows of the matrix its weight multiplies: a Conv's patches (im2col), so
 * that the data-aware methods treat a convolution as the matrix product it is.
 */

/** A convolution's geometry, as ONNX's Conv attributes give it (pads: begins, then ends). */
export interface ConvGeometry {
  readonly group: number;
  readonly kernel: readonly number[];
  readonly strides: readonly number[];
  readonly pads: readonly number[];
  readonly dilations: readonly number[];
}

/**
 * Output spatial dims of a convolution on input spatial dims `space`.
 *
 * @example
 * convOutputSpace({ group: 1, kernel: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], dilations: [1, 1] }, [8, 8]) // => [4, 4]
 */
export function convOutputSpace(conv: ConvGeometry, space: readonly number[]): number[] {
  const d = space.length;
  return space.map((s, a) => {
    const padded = s + (conv.pads[a] as number) + (conv.pads[a + d] as number);
    const span = (conv.dilations[a] as number) * ((conv.kernel[a] as number) - 1) + 1;
    return Math.floor((padded - span) / (conv.strides[a] as number)) + 1;
  });
}

/**
 * Patches of a convolution's input `x` (`[N, C, ...space]`, row-major) for the weights of group
 * `group`: one row per output position in `pick` (indices over `N · ∏ outputSpace`, image-major),
 * `(C / conv.group) · ∏ kernel` values each, ordered as the weight's `[c, ...kernel]`; positions
 * in the padding are 0. The rows times the group's weight `[out, C/group · ∏kernel]` transposed
 * are the convolution's outputs at those positions (without bias).
 *
 * @example
 * const x = { data: Float32Array.of(1, 2, 3, 4), dims: [1, 1, 2, 2] };
 * const conv = { group: 1, kernel: [2, 2], strides: [1, 1], pads: [0, 0, 0, 0], dilations: [1, 1] };
 * Array.from(convPatches(x, conv, 0, [0])) // => [1, 2, 3, 4]
 */
export function convPatches(
  x: { readonly data: ArrayLike<number>; readonly dims: readonly number[] },
  conv: ConvGeometry,
  group: number,
  pick: readonly number[],
): Float32Array {
  const [, c, ...space] = x.dims as [number, number, ...number[]];
  const cg = c / conv.group;
  const kernel = conv.kernel;
  const outSpace = convOutputSpace(conv, space);
  const kSize = kernel.reduce((a, b) => a * b, 1);
  const cols = cg * kSize;
  const out = new Float32Array(pick.length * cols);
  const d = space.length;
  const strideOf = (dims: readonly number[]) =>
    dims.map((_, i) => dims.slice(i + 1).reduce((a, b) => a * b, 1));
  const inStrides = strideOf(space);
  const outStrides = strideOf(outSpace);
  const kStrides = strideOf(kernel);
  const perImage = outSpace.reduce((a, b) => a * b, 1);
  const inImage = space.reduce((a, b) => a * b, 1);
  pick.forEach((p, row) => {
    const image = Math.floor(p / perImage);
    let rest = p % perImage;
    const o = outStrides.map((s) => {
      const v = Math.floor(rest / s);
      rest %= s;
      return v;
    });
    for (let ch = 0; ch < cg; ch++) {
      const base = (image * c + group * cg + ch) * inImage;
      for (let k = 0; k < kSize; k++) {
        let r2 = k;
        let inside = true;
        let offset = 0;
        for (let a = 0; a < d; a++) {
          const kk = Math.floor(r2 / (kStrides[a] as number));
          r2 %= kStrides[a] as number;
          const pos =
            (o[a] as number) * (conv.strides[a] as number) -
            (conv.pads[a] as number) +
            kk * (conv.dilations[a] as number);
          if (pos < 0 || pos >= (space[a] as number)) {
            inside = false;
            break;
          }
          offset += pos * (inStrides[a] as number);
        }
        out[row * cols + ch * kSize + k] = inside ? (x.data[base + offset] as number) : 0;
      }
    }
  });
  return out;
}

/**
 * The rows a convolution's input `[N, C, ...space]` offers: its output positions over the batch.
 *
 * @example
 * convRowCount({ group: 1, kernel: [3], strides: [1], pads: [1, 1], dilations: [1] }, [2, 4, 10]) // => 20
 */
export function convRowCount(conv: ConvGeometry, dims: readonly number[]): number {
  return (dims[0] as number) * convOutputSpace(conv, dims.slice(2)).reduce((a, b) => a * b, 1);
}

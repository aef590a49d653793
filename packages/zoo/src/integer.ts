/**
 * The digit classifier's integer-only forward pass, read from the same W8A8 QDQ model that
 * onnxruntime runs (`quantizeOnnx` with static activations) and computed as onnxruntime computes
 * it at its default optimization level:
 *
 * - the pixels quantized once (`quantize`, ONNX's QuantizeLinear);
 * - each DequantizeLinear → MatMul → QuantizeLinear fused into QLinearMatMul: int8 × uint8 (or
 *   int8) codes into int32 accumulators (`matmulInteger`), requantized with onnxruntime's float32
 *   multiplier (`qlinearMultiplier`, `requantizeFloat32`);
 * - DequantizeLinear → Add(bias) → Relu → QuantizeLinear between layers: a function from the 256
 *   codes of the MatMul's output to the codes of the next layer's input, per output channel,
 *   computed once into a table (the layer's epilogue). Its Relu is saturation at the zero point:
 *   onnxruntime drops the Relu node when that zero point is the dtype's minimum.
 * - the last layer's codes dequantized and the float bias added: the logits, as the graph says.
 *
 * With `requantization: "fixed-point"` the multiply is gemmlowp's and TFLite's instead
 * (`quantizeMultiplier`, `requantize`): integer-only, and off by one code now and then.
 */
import {
  dequantize,
  INTEGER_FORMATS,
  type Int8DType,
  type Int8Matrix,
  matmulInteger,
  qlinearMultiplier,
  quantize,
  quantizeMultiplier,
  requantize,
  requantizeFloat32,
} from "@quantlab/core";
import { type ActivationParams, readOnnx, type StoredTensor } from "@quantlab/models";

/** How accumulators become codes: onnxruntime's float32 multiply, or gemmlowp's fixed point. */
export type Requantization = "float32" | "fixed-point";

/** One dense layer of the integer pass, with every number it uses. */
export interface IntegerLayer {
  /** "fc1", "fc2", "fc3". */
  readonly name: string;
  readonly inputs: number;
  readonly outputs: number;
  /** The int8 weight codes, `[inputs, outputs]` row-major (the MatMul's right operand). */
  readonly weight: Int8Array;
  /** One scale per output channel (zero points 0: symmetric). */
  readonly weightScale: Float32Array;
  /** The codes the layer reads: the pixels' or the previous layer's ReLU output. */
  readonly input: ActivationParams;
  /** The codes of the MatMul's output (`fcN.matmul`). */
  readonly output: ActivationParams;
  readonly bias: Float32Array;
  /** onnxruntime's multiplier per output channel, `qlinearMultiplier(input, weight, output)`. */
  readonly multiplier: Float32Array;
  /** The codes of the next layer's input (`fcN.relu`); absent for the last layer. */
  readonly next?: ActivationParams;
  /**
   * Hidden layers: code of `fcN.relu` for each output channel j and code c of `fcN.matmul`, at
   * `epilogue[j * 256 + (c - qmin)]`: quantize(relu(dequantize(c) + bias[j])), float32 throughout.
   */
  readonly epilogue?: Uint8Array | Int8Array;
}

/** What {@link IntegerClassifier.run} returns. */
export interface IntegerRun {
  /** The pixels' codes, `[count, 784]`. */
  readonly pixels: Uint8Array | Int8Array;
  /** Each layer's int32 accumulators, `[count, outputs]`. */
  readonly accumulators: readonly Int32Array[];
  /** Each layer's MatMul output codes after requantization, `[count, outputs]`. */
  readonly codes: readonly (Uint8Array | Int8Array)[];
  /** Each hidden layer's ReLU output codes (the next layer's input), `[count, outputs]`. */
  readonly activations: readonly (Uint8Array | Int8Array)[];
  /** `dequantize(last codes) + bias`, float32, `[count, 10]`. */
  readonly logits: Float32Array;
}

/** The classifier's integer pass, ready to run. */
export interface IntegerClassifier {
  readonly pixels: ActivationParams;
  readonly layers: readonly IntegerLayer[];
  /** Runs `count` images (`count × 784` floats in [0, 1]). */
  run(images: Float32Array, count: number, requantization?: Requantization): IntegerRun;
}

function tensorOf(tensors: Map<string, StoredTensor>, name: string): StoredTensor {
  const t = tensors.get(name);
  if (t === undefined) throw new Error(`integerClassifier(): the model has no tensor '${name}'`);
  return t;
}

function activationOf(tensors: Map<string, StoredTensor>, tensor: string): ActivationParams {
  const zero = tensorOf(tensors, `${tensor}_zero_point`);
  const dtype = zero.storedType.toLowerCase();
  if (dtype !== "uint8" && dtype !== "int8") {
    throw new Error(`integerClassifier(): '${tensor}' is ${zero.storedType}, not INT8 or UINT8`);
  }
  return {
    dtype,
    scale: tensorOf(tensors, `${tensor}_scale`).values()[0] as number,
    zeroPoint: zero.values()[0] as number,
  };
}

/** The epilogue table of a hidden layer (see {@link IntegerLayer.epilogue}). */
function epilogueOf(
  output: ActivationParams,
  bias: Float32Array,
  next: ActivationParams,
): Uint8Array | Int8Array {
  const { min } = INTEGER_FORMATS[output.dtype];
  const n = bias.length;
  const codes = new Int32Array(256 * n);
  for (let j = 0; j < n; j++) for (let c = 0; c < 256; c++) codes[j * 256 + c] = min + c;
  const levels = dequantize(codes, output).data; // (c - z) · s, float32
  const x = new Float32Array(levels.length);
  for (let i = 0; i < x.length; i++) {
    x[i] = Math.max(Math.fround((levels[i] as number) + (bias[i >> 8] as number)), 0); // Add, Relu
  }
  return quantize(x, next).data as Uint8Array | Int8Array;
}

/**
 * Reads the integer pass from a W8A8 model of the classifier (`mlpToOnnx` then `quantizeOnnx`
 * with int8 per-channel weights and static activations from `calibrateOnnx`).
 *
 * @example
 * const integer = integerClassifier(w8a8.bytes);
 * const { logits } = integer.run(test.images, test.count); // equal to onnxruntime's, bit for bit
 */
export function integerClassifier(model: Uint8Array): IntegerClassifier {
  const file = readOnnx(model, { file: "classifier (W8A8)" });
  const tensors = new Map(file.tensors.map((t) => [t.name, t]));
  const pixels = activationOf(tensors, "pixels");
  const layers: IntegerLayer[] = [];
  let input = pixels;
  for (let l = 1; tensors.has(`fc${l}.weight_quantized`); l++) {
    const name = `fc${l}`;
    const w = tensorOf(tensors, `${name}.weight_quantized`);
    const q = w.quantization;
    if (w.storedType !== "INT8" || q?.kind !== "linear" || q.axis !== 1) {
      throw new Error(
        `integerClassifier(): ${name}.weight must be INT8 per output channel (axis 1)`,
      );
    }
    const [inputs, outputs] = w.shape as [number, number];
    const bytes = w.bytes();
    const weight = new Int8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength).slice();
    const weightScale = Float32Array.from(q.scale as Float32Array);
    const output = activationOf(tensors, `${name}.matmul`);
    const bias = tensorOf(tensors, `${name}.bias`).values();
    const multiplier = qlinearMultiplier(input.scale, weightScale, output.scale);
    const hidden = tensors.has(`fc${l + 1}.weight_quantized`);
    const layer: IntegerLayer = {
      name,
      inputs,
      outputs,
      weight,
      weightScale,
      input,
      output,
      bias,
      multiplier,
    };
    if (hidden) {
      const next = activationOf(tensors, `${name}.relu`);
      layers.push({ ...layer, next, epilogue: epilogueOf(output, bias, next) });
      input = next;
    } else {
      layers.push(layer);
    }
  }
  return { pixels, layers, run: (images, count, how) => run(pixels, layers, images, count, how) };
}

/** gemmlowp's requantization with one fixed-point multiplier per column. */
function requantizeFixedPoint(acc: Int32Array, layer: IntegerLayer): Int8Array | Uint8Array {
  const { outputs: n, input, output, weightScale } = layer;
  const rows = acc.length / n;
  const dtype: Int8DType = output.dtype;
  const out = new INTEGER_FORMATS[dtype].storage(acc.length) as Int8Array | Uint8Array;
  const column = new Int32Array(rows);
  for (let j = 0; j < n; j++) {
    for (let r = 0; r < rows; r++) column[r] = acc[r * n + j] as number;
    // TFLite's real multiplier, in float64 from the float32 scales.
    const real = (input.scale * (weightScale[j] as number)) / output.scale;
    const q = requantize(column, {
      multiplier: quantizeMultiplier(real),
      outputZeroPoint: output.zeroPoint,
      dtype,
    });
    for (let r = 0; r < rows; r++) out[r * n + j] = q[r] as number;
  }
  return out;
}

function run(
  pixels: ActivationParams,
  layers: readonly IntegerLayer[],
  images: Float32Array,
  count: number,
  requantization: Requantization = "float32",
): IntegerRun {
  if (requantization !== "float32" && requantization !== "fixed-point") {
    throw new RangeError(
      `integerClassifier().run(): argument 'requantization' must be "float32" or "fixed-point"; received ${String(requantization)}.`,
    );
  }
  const first = layers[0] as IntegerLayer;
  if (images.length !== count * first.inputs) {
    throw new RangeError(
      `integerClassifier().run(): argument 'images' must hold count × ${first.inputs} = ${count * first.inputs} values; received ${images.length}.`,
    );
  }
  const inputCodes = quantize(images, pixels).data as Uint8Array | Int8Array;
  const accumulators: Int32Array[] = [];
  const codes: (Uint8Array | Int8Array)[] = [];
  const activations: (Uint8Array | Int8Array)[] = [];
  let x = inputCodes;
  let logits = new Float32Array(0);
  for (const layer of layers) {
    const acc = matmulInteger(
      { data: x, shape: [count, layer.inputs] } as Int8Matrix,
      { data: layer.weight, shape: [layer.inputs, layer.outputs] },
      { aZeroPoint: layer.input.zeroPoint },
    ).data;
    accumulators.push(acc);
    const q =
      requantization === "float32"
        ? requantizeFloat32(acc, {
            multiplier: layer.multiplier,
            outputZeroPoint: layer.output.zeroPoint,
            dtype: layer.output.dtype,
          })
        : requantizeFixedPoint(acc, layer);
    codes.push(q);
    if (layer.epilogue !== undefined && layer.next !== undefined) {
      const table = layer.epilogue;
      const min = INTEGER_FORMATS[layer.output.dtype].min;
      const n = layer.outputs;
      const y = new INTEGER_FORMATS[layer.next.dtype].storage(q.length) as Uint8Array | Int8Array;
      for (let i = 0; i < q.length; i++) {
        y[i] = table[(i % n) * 256 + (q[i] as number) - min] as number;
      }
      activations.push(y);
      x = y;
    } else {
      const levels = dequantize(q, layer.output).data;
      logits = new Float32Array(levels.length);
      for (let i = 0; i < levels.length; i++) {
        logits[i] = Math.fround((levels[i] as number) + (layer.bias[i % layer.outputs] as number));
      }
    }
  }
  return { pixels: inputCodes, accumulators, codes, activations, logits };
}

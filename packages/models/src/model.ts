/**
 * What every reader returns: a model file as a list of stored tensors, whatever its format. The
 * readers are browser-safe: they take the file's bytes (and, for formats that span several files,
 * a function that returns another file's bytes by its relative path); nothing here touches a disk.
 */

/** The file formats this package reads and writes. */
export type ModelFormat = "onnx" | "gguf" | "safetensors" | "tfjs";

/** How a stored tensor's values were quantized, as the file records it. */
export type StoredQuantization =
  /** Integer codes with a scale and zero point (ONNX QDQ: a DequantizeLinear on the initializer). */
  | {
      readonly kind: "linear";
      readonly dtype: string;
      readonly scale: number | Float32Array;
      readonly zeroPoint: number | Int32Array;
      readonly axis?: number;
      readonly blockSize?: number;
    }
  /** A block format whose scales live inside the data (GGUF's q4_K, ONNX MatMulNBits, ...). */
  | { readonly kind: "blocks"; readonly format: string; readonly blockSize: number }
  /** tfjs weight quantization: `value = code * scale + min` (uint8 / uint16), or float16. */
  | {
      readonly kind: "tfjs";
      readonly dtype: "uint8" | "uint16" | "float16";
      readonly min?: number;
      readonly scale?: number;
    };

/** One tensor of a model file, as stored. */
export interface StoredTensor {
  readonly name: string;
  /** The type as the file names it: ONNX's "FLOAT", GGUF's "Q4_K", safetensors' "F16", ... */
  readonly storedType: string;
  readonly shape: readonly number[];
  /** Bytes the tensor takes in the file. */
  readonly byteLength: number;
  /** Set when the stored values are quantized codes rather than floats. */
  readonly quantization?: StoredQuantization;
  /** The values as float32 (decoded, and dequantized where the tensor is quantized). */
  values(): Float32Array;
  /** The stored bytes, as they are in the file (a view: do not write to it). */
  bytes(): Uint8Array;
}

/** A model file, read. */
export interface ModelFile {
  readonly format: ModelFormat;
  /** The file's name or path, as given to the reader (used in messages). */
  readonly file: string;
  readonly tensors: readonly StoredTensor[];
  /** Format-specific metadata: ONNX opsets and graph inputs/outputs, GGUF key-values, ... */
  readonly metadata: Readonly<Record<string, unknown>>;
}

/**
 * A bad model file: names the file, the field and what was wrong, e.g.
 * `model.gguf: tensor_infos[3].offset: 4096 + 2048 bytes runs past the end of the file (5000 bytes)`.
 */
export class ModelFileError extends Error {
  override readonly name = "ModelFileError";
  constructor(
    readonly file: string,
    readonly field: string,
    readonly problem: string,
  ) {
    super(`${file}: ${field}: ${problem}`);
  }
}

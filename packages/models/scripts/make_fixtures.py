"""Writes the reference fixtures of packages/models/test/fixtures with the reference libraries.

Run through `node scripts/make-fixtures.mjs` (from packages/models), which makes the venv. Each
fixture is a model file written by the format's own library, and a JSON file of what that
library's own reader (and dequantizer) finds in it: the oracle the TypeScript readers are tested
against. Float values are given as their float32 bit patterns; 64-bit integers as strings.

- gguf-py.gguf, gguf-py.json: gguf-py's GGUFWriter (gguf 0.19.0, from llama.cpp), metadata of
  every value type (arrays and nested arrays too), tensors F32, F16, BF16, F64, I8, I16, I32,
  Q8_0 and Q4_0 (quantized by gguf.quants.quantize from the F32 tensor q.source), and seeded random blocks of the other block
  formats; values from gguf.quants.dequantize.
- gguf-py-align64.gguf, gguf-py-align64.json: the same writer with general.alignment = 64.
- numpy.safetensors, numpy.json: safetensors.numpy.save_file (safetensors 0.8.0), every dtype
  numpy has, with __metadata__.
"""

import json
import sys
from pathlib import Path

import gguf
import numpy as np
import safetensors.numpy
from gguf import GGMLQuantizationType as T
from gguf import GGUFValueType as V

OUT = Path(sys.argv[1])
rng = np.random.default_rng(20240611)


def bits32(values):
    return np.asarray(values, dtype=np.float32).reshape(-1).view(np.uint32).tolist()


def jsonable(value):
    if isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, np.integer)):
        return str(int(value)) if abs(int(value)) >= 2**53 else int(value)
    if isinstance(value, (float, np.floating)):
        return float(value)
    if isinstance(value, bytes):
        return value.decode("utf-8")
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    raise TypeError(type(value))


def random_blocks(qtype, rows, cols):
    """Seeded random bytes for `rows` rows of `cols` elements of `qtype`, with the float16
    scales set to small finite values (random bits would give infinities and NaN)."""
    block, size = gguf.GGML_QUANT_SIZES[qtype]
    n = rows * cols // block
    data = rng.integers(0, 256, size=(n, size), dtype=np.uint8)
    halves = {  # byte offsets of the float16 d (and dmin) in each block
        T.Q2_K: [size - 4, size - 2],
        T.Q3_K: [size - 2],
        T.Q4_K: [0, 2],
        T.Q5_K: [0, 2],
        T.Q6_K: [size - 2],
        T.Q4_1: [0, 2],
        T.Q5_0: [0],
        T.Q5_1: [0, 2],
        T.IQ4_NL: [0],
    }[qtype]
    for at in halves:
        scales = rng.uniform(0.001, 0.1, size=n).astype(np.float16)
        data[:, at : at + 2] = scales.view(np.uint8).reshape(n, 2)
    return data.reshape(rows, cols // block * size)


def gguf_fixture(name, alignment=None):
    path = OUT / f"{name}.gguf"
    writer = gguf.GGUFWriter(str(path), "quantlab-test")
    if alignment is not None:
        writer.add_custom_alignment(alignment)
    writer.add_name("quantlab fixture")
    writer.add_uint8("test.uint8", 200)
    writer.add_int8("test.int8", -100)
    writer.add_uint16("test.uint16", 60000)
    writer.add_int16("test.int16", -30000)
    writer.add_uint32("test.uint32", 4000000000)
    writer.add_int32("test.int32", -2000000000)
    writer.add_float32("test.float32", 0.1)
    writer.add_bool("test.bool", True)
    writer.add_string("test.string", "héllo, wörld ✓")
    writer.add_uint64("test.uint64", 2**64 - 2)
    writer.add_int64("test.int64", -(2**62) - 3)
    writer.add_float64("test.float64", 1 / 3)
    writer.add_array("test.array.int32", [1, -2, 3])
    writer.add_key_value("test.array.float32", [0.5, -1.25, 3.0e-8], V.ARRAY, V.FLOAT32)
    writer.add_key_value("test.array.uint8", [0, 255, 7], V.ARRAY, V.UINT8)
    writer.add_key_value("test.array.int64", [-(2**63), 2**63 - 1], V.ARRAY, V.INT64)
    writer.add_array("test.array.string", ["a", "", "ünï"])
    writer.add_array("test.array.bool", [True, False, True])
    writer.add_array("test.array.nested", [["x", "y"], ["z"]])

    f32 = rng.standard_normal((2, 3)).astype(np.float32)
    writer.add_tensor("f32", f32)
    f16 = rng.standard_normal((4, 8)).astype(np.float16)
    writer.add_tensor("f16", f16)
    writer.add_tensor("f64", rng.standard_normal(5).astype(np.float64))
    writer.add_tensor("i8", np.array([-128, -1, 0, 1, 127], dtype=np.int8))
    writer.add_tensor("i16", np.array([[-32768, 5], [6, 32767]], dtype=np.int16))
    writer.add_tensor("i32", np.array([-(2**31), 0, 2**31 - 1], dtype=np.int32))
    bf16 = gguf.quants.quantize(rng.standard_normal((3, 4)).astype(np.float32), T.BF16)
    writer.add_tensor("bf16", bf16, raw_dtype=T.BF16)
    x = rng.standard_normal((2, 64)).astype(np.float32) * 3
    writer.add_tensor("q.source", x)  # what q8_0 and q4_0 quantize
    for qtype in (T.Q8_0, T.Q4_0):
        writer.add_tensor(qtype.name.lower(), gguf.quants.quantize(x, qtype), raw_dtype=qtype)
    for qtype, cols in (
        (T.Q4_1, 64),
        (T.Q5_0, 64),
        (T.Q5_1, 64),
        (T.IQ4_NL, 64),
        (T.Q2_K, 256),
        (T.Q3_K, 256),
        (T.Q4_K, 256),
        (T.Q5_K, 256),
        (T.Q6_K, 256),
    ):
        writer.add_tensor(qtype.name.lower(), random_blocks(qtype, 2, cols), raw_dtype=qtype)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()

    # What gguf-py's own reader finds in the file.
    reader = gguf.GGUFReader(str(path))
    metadata = {}
    for field in reader.fields.values():
        if field.name.startswith("GGUF."):
            continue
        types = [t.name.lower() for t in field.types]
        metadata[field.name] = {"types": types, "value": jsonable(field.contents())}
    tensors = []
    for t in reader.tensors:
        plain = (T.F32, T.F16, T.F64, T.I8, T.I16, T.I32, T.I64)
        if t.tensor_type in plain:
            values = np.asarray(t.data).astype(np.float32)
        else:
            values = gguf.quants.dequantize(t.data, t.tensor_type)
        tensors.append(
            {
                "name": t.name,
                "type": t.tensor_type.name,
                "dims": [int(d) for d in t.shape],  # gguf-py's shape is ne, innermost first
                "offset": int(t.data_offset),  # from the start of the file
                "bytes": int(t.n_bytes),
                "valueBits": bits32(values),
            }
        )
    data_offset = reader.data_offset
    (OUT / f"{name}.json").write_text(
        json.dumps(
            {
                "madeBy": f"gguf-py {gguf.__version__ if hasattr(gguf, '__version__') else '0.19.0'} GGUFWriter; read back by its GGUFReader",
                "alignment": int(reader.alignment),
                "dataOffset": int(data_offset),
                "metadata": metadata,
                "tensors": tensors,
            },
            separators=(",", ":"),
        )
        + "\n"
    )


def safetensors_fixture():
    tensors = {
        "f64": rng.standard_normal(3).astype(np.float64),
        "f32": rng.standard_normal((2, 3)).astype(np.float32),
        "f16": np.array([0, -0.0, 1, 65504, 6e-8, np.inf, -np.inf], dtype=np.float16),
        "i64": np.array([-(2**40), 7], dtype=np.int64),
        "i32": np.array([[-(2**31)], [2**31 - 1]], dtype=np.int32),
        "i16": np.array([-32768, 32767], dtype=np.int16),
        "i8": np.array([-128, 0, 127], dtype=np.int8),
        "u8": np.array([0, 128, 255], dtype=np.uint8),
        "u16": np.array([65535], dtype=np.uint16),
        "u32": np.array([4294967295], dtype=np.uint32),
        "b": np.array([True, False, True]),
        "empty": np.zeros((0, 4), dtype=np.float32),
    }
    path = OUT / "numpy.safetensors"
    safetensors.numpy.save_file(tensors, str(path), metadata={"format": "np", "note": "quantlab"})
    loaded = safetensors.numpy.load_file(str(path))
    with open(path, "rb") as f:
        n = int.from_bytes(f.read(8), "little")
        header = json.loads(f.read(n))
    out = {
        "madeBy": "safetensors 0.8.0 safetensors.numpy.save_file; read back by load_file",
        "metadata": header.get("__metadata__", {}),
        "tensors": {
            k: {
                "dtype": header[k]["dtype"],
                "shape": list(v.shape),
                "dataOffsets": header[k]["data_offsets"],
                "valueBits": bits32(v.astype(np.float32)),
            }
            for k, v in loaded.items()
        },
    }
    (OUT / "numpy.json").write_text(json.dumps(out, separators=(",", ":")) + "\n")


OUT.mkdir(parents=True, exist_ok=True)
gguf_fixture("gguf-py")
gguf_fixture("gguf-py-align64", alignment=64)
safetensors_fixture()
print(f"wrote {sorted(p.name for p in OUT.iterdir())}")

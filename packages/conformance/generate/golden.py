"""Writes packages/conformance/golden: reference cases computed by the frameworks that define them.

Run by `npm run golden` (scripts/golden.mjs), in the venv build/venv/golden made from
requirements.txt beside this file. Every case is computed by the oracle that defines its
semantics and cross-checked against the others:

- ONNX QuantizeLinear / DequantizeLinear / MatMulInteger / Cast: onnxruntime-node (ort.mjs runs
  the models written here), cross-checked with onnx.reference and the numpy float32 formula
  (int2 / uint2 at opset 25: where onnxruntime alone differs, onnx.reference's result is kept);
- PyTorch quantize_per_tensor / quantize_per_channel / dequantize and the torch.ao observers:
  torch, cross-checked with the numpy float32 formula;
- float16 / bfloat16 / float8 encodings and decodings: numpy and ml_dtypes (ONNX's Cast rules for
  saturation via onnx.reference), cross-checked with onnxruntime's Cast;
- float4 / float6 / fnuz float8 / float8e8m0 casts and decodes: ml_dtypes through onnx.reference's
  Cast, cross-checked with an exhaustive nearest-code search of the rule and (fnuz, e8m0)
  onnxruntime's Cast; inputs where ONNX's sources disagree are left out;
- GGUF: the gguf package (Q8_0 ... Q5_1 quantizers, every dequantizer it has), cross-checked with
  ggml's reference rules transcribed to numpy float32;
- metrics: numpy float64; int4 / int2 packing: numpy int64, cross-checked with ONNX's own packing.

Where the oracles disagree the case keeps the one that defines its semantics and says so in its
`note`. A case whose oracle differs from the semantics the format (and core) documents, evaluated
here in numpy float32, is written unchanged to golden/disagreements/, which the runner reads only
when named. README.md lists both kinds. Inputs come from generators seeded by the case id, so a
run writes the same bytes every time.

The cases of oracles that do not install with pip here (ggml's K-quant and IQ4_NL quantizers,
microxcaling, torchao, bitsandbytes) are carried unchanged from ../shared/golden/next (`CARRIED`):
a run checks they are there; `--carry DIR` copies them again.

Usage: python golden.py --node NODE [--out DIR] [--work DIR] [--carry DIR]
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import importlib.metadata
import io
import json
import math
import platform
import shutil
import subprocess
import sys
import warnings
import zlib
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Callable

import gguf
import gguf.quants
import ml_dtypes
import numpy as np
import onnx
import torch
from onnx import TensorProto, helper, numpy_helper
from onnx.reference import ReferenceEvaluator

import onnx_backend  # ONNX's own backend test vectors (onnx-backend.json), beside this file
from onnx_backend import jfloat  # a float32 as the format writes it (a JSON number or a special string)

warnings.filterwarnings("ignore", category=UserWarning)  # torch's quantized-dtype deprecation notice
np.seterr(all="ignore")  # overflow to Infinity and NaN comparisons are the point of the edge cases
warnings.filterwarnings("ignore", category=RuntimeWarning)

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
F32 = np.float32
FLT_MAX = F32(3.4028234663852886e38)

# ---------------------------------------------------------------------------------------------
# Formats


@dataclass(frozen=True)
class IntFormat:
    name: str
    lo: int
    hi: int
    onnx: int
    numpy: type

    @property
    def signed(self) -> bool:
        return self.lo < 0


INT = {
    f.name: f
    for f in [
        IntFormat("int2", -2, 1, TensorProto.INT2, np.int8),
        IntFormat("uint2", 0, 3, TensorProto.UINT2, np.uint8),
        IntFormat("int4", -8, 7, TensorProto.INT4, np.int8),
        IntFormat("uint4", 0, 15, TensorProto.UINT4, np.uint8),
        IntFormat("int8", -128, 127, TensorProto.INT8, np.int8),
        IntFormat("uint8", 0, 255, TensorProto.UINT8, np.uint8),
        IntFormat("int16", -(2**15), 2**15 - 1, TensorProto.INT16, np.int16),
        IntFormat("uint16", 0, 2**16 - 1, TensorProto.UINT16, np.uint16),
        IntFormat("int32", -(2**31), 2**31 - 1, TensorProto.INT32, np.int32),
    ]
}
# int2/uint2/int4/uint4 travel to and from onnxruntime-node as int8/uint8 (the binding has no 2-
# or 4-bit tensors).
CARRIER = {"int2": INT["int8"], "uint2": INT["uint8"], "int4": INT["int8"], "uint4": INT["uint8"]}

FLOATS = {
    # name: (onnx type, numpy/ml_dtypes type, bits dtype)
    "float16": (TensorProto.FLOAT16, np.float16, np.uint16),
    "bfloat16": (TensorProto.BFLOAT16, ml_dtypes.bfloat16, np.uint16),
    "float8e4m3fn": (TensorProto.FLOAT8E4M3FN, ml_dtypes.float8_e4m3fn, np.uint8),
    "float8e5m2": (TensorProto.FLOAT8E5M2, ml_dtypes.float8_e5m2, np.uint8),
}

QUIET_NAN = np.array([0x7FC00000], dtype=np.uint32).view(F32)[0]

# ---------------------------------------------------------------------------------------------
# JSON


def tensor(dtype: str, array: np.ndarray) -> dict:
    array = np.asarray(array)
    if dtype == "float32":
        data = [jfloat(v) for v in array.astype(F32).ravel()]
    else:
        data = [int(v) for v in array.ravel()]
    return {"dtype": dtype, "shape": [int(d) for d in array.shape], "data": data}


def rng_for(case_id: str) -> np.random.Generator:
    """A generator seeded by the case id: a case's inputs do not depend on any other case."""
    return np.random.default_rng(zlib.crc32(case_id.encode()))


def bits_of(x: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(x, dtype=F32).view(np.uint32)


def same_floats(a: np.ndarray, b: np.ndarray) -> bool:
    """Bit-equal float32 arrays, any NaN equal to any NaN."""
    a = np.asarray(a, dtype=F32).ravel()
    b = np.asarray(b, dtype=F32).ravel()
    if a.shape != b.shape:
        return False
    nan = np.isnan(a)
    return bool(np.array_equal(nan, np.isnan(b)) and np.array_equal(bits_of(a[~nan]), bits_of(b[~nan])))


def show(v) -> str:
    return str(jfloat(v)) if np.issubdtype(np.asarray(v).dtype, np.floating) else str(int(v))


def differences(expected: np.ndarray, other: np.ndarray, inputs: np.ndarray | None = None, limit: int = 4) -> str:
    """Where `other` differs from `expected`: "k of n values: [i] x=...: other instead of expected"."""
    e = np.asarray(expected).ravel()
    o = np.asarray(other).ravel()
    if e.shape != o.shape:
        return f"{o.size} values instead of {e.size}"
    if np.issubdtype(e.dtype, np.floating) or np.issubdtype(o.dtype, np.floating):
        bad = [i for i in range(e.size) if not same_floats(e[i : i + 1], o[i : i + 1])]
    else:
        bad = list(np.flatnonzero(e.astype(np.int64) != o.astype(np.int64)))
    x = None if inputs is None else np.asarray(inputs).ravel()
    parts = [f"[{i}]{'' if x is None else f' x={show(x[i])}'}: {show(o[i])} instead of {show(e[i])}" for i in bad[:limit]]
    return f"{len(bad)} of {e.size} values: " + ", ".join(parts) + (", ..." if len(bad) > limit else "")


# ---------------------------------------------------------------------------------------------
# onnxruntime: models are collected, run in one onnxruntime-node process, then read back


@dataclass
class OrtCall:
    model: onnx.ModelProto
    feeds: dict[str, np.ndarray]
    reference: dict[str, np.ndarray] | str
    outputs: dict[str, np.ndarray] | None = None
    error: str | None = None


class Ort:
    """Collects ONNX models with their inputs; `run()` executes them all in onnxruntime-node."""

    def __init__(self, work: Path, node: str):
        self.work = work
        self.node = node
        self.calls: list[OrtCall] = []
        self.version = "?"

    def submit(self, model: onnx.ModelProto, feeds: dict[str, np.ndarray]) -> OrtCall:
        onnx.checker.check_model(model, full_check=True)
        try:
            ref = ReferenceEvaluator(model).run(None, feeds)
            reference: dict[str, np.ndarray] | str = {
                o.name: np.asarray(v) for o, v in zip(model.graph.output, ref)
            }
        except Exception as error:  # noqa: BLE001 - recorded as a disagreement, not fatal
            reference = f"onnx.reference failed: {type(error).__name__}: {error}"
        call = OrtCall(model, feeds, reference)
        self.calls.append(call)
        return call

    def run(self) -> None:
        models = self.work / "models"
        shutil.rmtree(models, ignore_errors=True)
        models.mkdir(parents=True)
        requests = []
        for i, call in enumerate(self.calls):
            path = models / f"{i:04d}.onnx"
            onnx.save(call.model, path)
            requests.append({"model": str(path.relative_to(self.work)), "feeds": {
                name: encode_feed(value) for name, value in call.feeds.items()
            }})
        request_path = self.work / "ort-requests.json"
        result_path = self.work / "ort-results.json"
        request_path.write_text(json.dumps({"requests": requests}))
        subprocess.run([self.node, str(HERE / "ort.mjs"), str(request_path), str(result_path)], check=True)
        answer = json.loads(result_path.read_text())
        self.version = answer["onnxruntime"]
        for call, result in zip(self.calls, answer["results"], strict=True):
            if "error" in result:
                call.error = result["error"]
            else:
                call.outputs = {name: decode_output(t) for name, t in result["outputs"].items()}


def encode_feed(value: np.ndarray) -> dict:
    value = np.asarray(value)
    dims = [int(d) for d in value.shape]
    if value.dtype == F32:
        return {"type": "float32", "dims": dims, "data": [int(b) for b in bits_of(value).ravel()]}
    if value.dtype == np.float16:
        return {"type": "float16", "dims": dims, "data": [int(b) for b in value.view(np.uint16).ravel()]}
    return {"type": value.dtype.name, "dims": dims, "data": [int(v) for v in value.ravel()]}


def decode_output(t: dict) -> np.ndarray:
    shape = tuple(t["dims"])
    if t["type"] == "float32":
        return np.array(t["data"], dtype=np.uint32).view(F32).reshape(shape)
    if t["type"] == "float16":
        return np.array(t["data"], dtype=np.uint16).reshape(shape)  # bit patterns
    return np.array(t["data"], dtype=np.dtype(t["type"])).reshape(shape)


def onnx_model(nodes, inputs, outputs, initializers=(), opset=21) -> onnx.ModelProto:
    graph = helper.make_graph(nodes, "golden", inputs, outputs, list(initializers))
    return helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", opset)],
        ir_version=10,
        producer_name="quantlab golden.py",
    )


def initializer(name: str, onnx_type: int, values: np.ndarray) -> TensorProto:
    values = np.asarray(values)
    flat = [float(v) for v in values.ravel()] if onnx_type == TensorProto.FLOAT else [int(v) for v in values.ravel()]
    return helper.make_tensor(name, onnx_type, list(values.shape), flat)


# ---------------------------------------------------------------------------------------------
# Suites


@dataclass
class Suite:
    file: str
    title: str
    ops: str
    oracle: Callable[[], str]
    cases: list[Callable[[], dict]] = field(default_factory=list)


SUITES: list[Suite] = []


def suite(file: str, title: str, ops: str, oracle: Callable[[], str]) -> Suite:
    s = Suite(file, title, ops, oracle)
    SUITES.append(s)
    return s


def with_note(case: dict, notes: list[str]) -> dict:
    if notes:
        case["note"] = "; ".join(notes)
    return case


def ort_result(call: OrtCall, name: str, what: str) -> np.ndarray:
    if call.error is not None or call.outputs is None:
        raise RuntimeError(f"onnxruntime failed on {what}: {call.error}")
    return call.outputs[name]


def reference_check(call: OrtCall, name: str, got: np.ndarray, inputs: np.ndarray | None = None) -> list[str]:
    """Notes where onnx.reference disagrees with onnxruntime's `got`."""
    if isinstance(call.reference, str):
        return [call.reference]
    ref = call.reference[name]
    if np.issubdtype(np.asarray(got).dtype, np.floating):
        agree = same_floats(got, ref)
    else:
        agree = np.array_equal(np.asarray(got).astype(np.int64), np.asarray(ref).astype(np.int64))
    return [] if agree else [f"onnx.reference gives another result on {differences(got, ref, inputs)}"]


RULE = "the format's float32 rule (numpy)"


def formula_check(label: str, expected: np.ndarray, formula: np.ndarray, inputs: np.ndarray | None = None) -> list[str]:
    e = np.asarray(expected)
    if np.issubdtype(e.dtype, np.floating):
        agree = same_floats(e, formula)
    else:
        agree = np.array_equal(e.astype(np.int64), np.asarray(formula).astype(np.int64))
    return [] if agree else [f"{label} gives another result on {differences(e, formula, inputs)}"]


def against_rule(case: dict, notes: list[str], rule_notes: list[str]) -> dict:
    """A case whose oracle differs from the format's rule (what core implements) is written to
    golden/disagreements/ instead, with the oracle's result, for the lead to decide."""
    case = with_note(case, rule_notes + notes)
    if rule_notes:
        case["_disagreement"] = True
    return case


# ---------------------------------------------------------------------------------------------
# Input data

DISTRIBUTIONS = ["normal", "uniform", "relu", "outliers", "wide", "tiny"]


def draw(kind: str, rng: np.random.Generator, shape) -> np.ndarray:
    """Float32 values of a named distribution (the shared suites' vocabulary)."""
    n = int(np.prod(shape))
    if kind == "normal":
        x = rng.standard_normal(n) * rng.uniform(0.5, 2)
    elif kind == "uniform":
        x = rng.uniform(-rng.uniform(0.5, 3), rng.uniform(0.5, 3), n)
    elif kind == "relu":
        x = np.maximum(rng.standard_normal(n), 0) * rng.uniform(0.5, 2)
    elif kind == "outliers":
        x = rng.standard_normal(n) * 0.1
        spikes = rng.choice(n, size=min(n, int(rng.integers(1, 4))), replace=False)
        x[spikes] = rng.choice([-1, 1], size=spikes.size) * rng.uniform(5, 20, spikes.size)
    elif kind == "wide":
        x = rng.standard_normal(n) * 10 ** rng.uniform(3, 4.5)
    elif kind == "tiny":
        x = rng.standard_normal(n) * 10 ** rng.uniform(-7, -5)
    else:
        raise ValueError(kind)
    return x.astype(F32).reshape(shape)


def length(rng: np.random.Generator) -> int:
    return int(rng.integers(8, 41))


def range_params(rng, x: np.ndarray, fmt: IntFormat, symmetric: bool) -> tuple[np.float32, int]:
    """A scale and zero point a calibrator would pick for x, perturbed so some values saturate."""
    lo = min(float(np.min(x)), 0.0)
    hi = max(float(np.max(x)), 0.0)
    if hi == lo:
        hi = lo + 1.0
    if symmetric:
        scale = max(-lo, hi) / ((fmt.hi - fmt.lo) / 2)
        zp = 0 if fmt.signed else (fmt.hi + 1) // 2
    else:
        scale = (hi - lo) / (fmt.hi - fmt.lo)
        zp = int(np.clip(round(fmt.lo - lo / scale), fmt.lo, fmt.hi))
    scale = F32(scale * rng.uniform(0.85, 1.05))
    return scale, zp


def ties(rng, fmt: IntFormat, scale: np.float32, zp: int, semantics: str, n: int = 16) -> np.ndarray:
    """Inputs whose scaled value is exactly k + 1/2 in float32 (12 of them) or one ulp beside it."""
    inverse = F32(F32(1) / scale)
    lo, hi = max(fmt.lo - zp, -(2**20)), min(fmt.hi - zp, 2**20) - 1
    values: list[np.float32] = []
    while len(values) < n - 4:
        k = int(rng.integers(lo, hi + 1))
        x = F32(F32(k + 0.5) * scale)
        scaled = F32(x / scale) if semantics == "onnx" else F32(x * inverse)
        if scaled == F32(k + 0.5):
            values.append(x)
    for v in values[:4]:
        values.append(np.nextafter(v, F32(np.inf) if rng.random() < 0.5 else F32(-np.inf)))
    out = np.array(values, dtype=F32)
    rng.shuffle(out)
    return out


def saturating(fmt: IntFormat, scale: np.float32, zp: int) -> np.ndarray:
    """Edges: infinities, the float32 extremes, the codes' bounds and the ties just past them."""
    s = float(scale)
    return np.array(
        [
            np.inf,
            -np.inf,
            3.4028234663852886e38,
            -3.4028234663852886e38,
            (fmt.hi - zp) * s,
            (fmt.lo - zp) * s,
            (fmt.hi - zp + 0.5) * s,
            (fmt.lo - zp - 0.5) * s,
            (fmt.hi - zp + 1) * s,
            (fmt.lo - zp - 1) * s,
            -0.0,
            0.0,
            1.401298464324817e-45,
            -1.401298464324817e-45,
            0.5 * s,
            -0.5 * s,
            1.5 * s,
            -1.5 * s,
        ],
        dtype=F32,
    )


# ---------------------------------------------------------------------------------------------
# numpy float32 formulas (the cross-checks; the README's definitions)


def expand(params: np.ndarray, shape, axis: int | None, block: int | None) -> np.ndarray:
    """Per-axis or blocked parameters broadcast to the input's shape."""
    params = np.asarray(params)
    if axis is None:
        return np.broadcast_to(params, shape)
    axis %= len(shape)
    if block is None:
        view = [1] * len(shape)
        view[axis] = shape[axis]
        return np.broadcast_to(params.reshape(view), shape)
    repeated = np.repeat(params, block, axis=axis)
    return np.take(repeated, np.arange(shape[axis]), axis=axis)


def onnx_quantize_formula(x, scale, zp, fmt: IntFormat) -> np.ndarray:
    with np.errstate(over="ignore", invalid="ignore"):
        q = np.rint(np.asarray(x, F32) / np.asarray(scale, F32)).astype(np.float64) + zp
    return np.clip(q, fmt.lo, fmt.hi).astype(np.int64)


def onnx_dequantize_formula(q, scale, zp) -> np.ndarray:
    centred = (np.asarray(q, np.int64) - np.asarray(zp, np.int64)).astype(F32)
    return centred * np.asarray(scale, F32)


def torch_quantize_formula(x, scale, zp, fmt: IntFormat) -> np.ndarray:
    inverse = F32(1) / np.asarray(scale, F32)
    with np.errstate(over="ignore", invalid="ignore"):
        q = np.asarray(zp, F32) + np.rint(np.asarray(x, F32) * inverse)
    return np.clip(q.astype(np.float64), fmt.lo, fmt.hi).astype(np.int64)


def torch_dequantize_formula(q, scale, zp) -> np.ndarray:
    return (np.asarray(q).astype(F32) - np.asarray(zp, F32)) * np.asarray(scale, F32)


# ---------------------------------------------------------------------------------------------
# ONNX QuantizeLinear / DequantizeLinear through onnxruntime


def params_json(fmt: IntFormat, scale, zp, axis=None, block=None) -> dict:
    if axis is None:
        p = {"dtype": fmt.name, "scale": jfloat(scale), "zeroPoint": int(zp)}
    elif block is None:
        p = {"dtype": fmt.name, "scale": [jfloat(s) for s in np.ravel(scale)],
             "zeroPoint": [int(z) for z in np.ravel(zp)], "axis": axis}
    else:
        p = {"dtype": fmt.name, "scale": tensor("float32", scale), "zeroPoint": tensor(fmt.name, zp),
             "axis": axis, "blockSize": block}
    return p


def layout_attrs(axis, block) -> dict:
    attrs = {}
    if axis is not None:
        attrs["axis"] = axis
    if block is not None:
        attrs["block_size"] = block
    return attrs


def quantize_model(shape, fmt: IntFormat, scale, zp, axis=None, block=None, opset=21) -> onnx.ModelProto:
    vi = helper.make_tensor_value_info
    carrier = CARRIER.get(fmt.name)
    q_out = "q" if carrier else "y"
    nodes = [helper.make_node("QuantizeLinear", ["x", "scale", "zp"], [q_out], **layout_attrs(axis, block))]
    if carrier:
        nodes.append(helper.make_node("Cast", ["q"], ["y"], to=carrier.onnx))
    out_type = carrier.onnx if carrier else fmt.onnx
    return onnx_model(
        nodes,
        [vi("x", TensorProto.FLOAT, list(shape))],
        [vi("y", out_type, list(shape))],
        [initializer("scale", TensorProto.FLOAT, scale), initializer("zp", fmt.onnx, zp)],
        opset,
    )


def dequantize_model(shape, fmt: IntFormat, scale, zp, axis=None, block=None, opset=21) -> onnx.ModelProto:
    vi = helper.make_tensor_value_info
    carrier = CARRIER.get(fmt.name)
    nodes = []
    x_in = "x"
    if carrier:
        nodes.append(helper.make_node("Cast", ["x"], ["x4"], to=fmt.onnx))
        x_in = "x4"
    nodes.append(helper.make_node("DequantizeLinear", [x_in, "scale", "zp"], ["y"], **layout_attrs(axis, block)))
    in_type = carrier.onnx if carrier else fmt.onnx
    return onnx_model(
        nodes,
        [vi("x", in_type, list(shape))],
        [vi("y", TensorProto.FLOAT, list(shape))],
        [initializer("scale", TensorProto.FLOAT, scale), initializer("zp", fmt.onnx, zp)],
        opset,
    )


def onnx_quantize_case(ort: Ort, case_id: str, x: np.ndarray, fmt: IntFormat, scale, zp, axis=None, block=None,
                       opset=21, stated: np.ndarray | None = None, prefer_reference: bool = False):
    """A QuantizeLinear case; `stated` is the result ONNX's own test states for these inputs, if any.
    With `prefer_reference`, where onnxruntime differs from both onnx.reference and the float32 rule
    while those two agree, the case keeps onnx.reference's result and notes onnxruntime's."""
    x = np.asarray(x, F32)
    scale = np.asarray(scale, F32)
    zp = np.asarray(zp, np.int64)
    call = ort.submit(quantize_model(x.shape, fmt, scale, zp, axis, block, opset), {"x": x})

    def build() -> dict:
        got = ort_result(call, "y", case_id)
        full_scale = expand(scale, x.shape, axis, block)
        full_zp = expand(zp, x.shape, axis, block)
        formula = onnx_quantize_formula(x, full_scale, full_zp, fmt)
        got, notes = outvoted(ort, call, got, formula, x) if prefer_reference else (got, reference_check(call, "y", got, x))
        rule = formula_check(RULE, got, formula, x)
        if stated is not None:
            notes += formula_check("ONNX's test vector", got, stated, x)
        return against_rule({
            "id": case_id, "op": "quantize", "semantics": "onnx",
            "input": tensor("float32", x),
            "params": params_json(fmt, scale, zp, axis, block),
            "expected": tensor(fmt.name, got),
        }, notes, rule)

    return build


def onnx_dequantize_case(ort: Ort, case_id: str, q: np.ndarray, fmt: IntFormat, scale, zp, axis=None, block=None,
                         opset=21, stated: np.ndarray | None = None, prefer_reference: bool = False):
    q = np.asarray(q, np.int64)
    scale = np.asarray(scale, F32)
    zp = np.asarray(zp, np.int64)
    feed_type = (CARRIER.get(fmt.name) or fmt).numpy
    call = ort.submit(dequantize_model(q.shape, fmt, scale, zp, axis, block, opset), {"x": q.astype(feed_type)})

    def build() -> dict:
        got = ort_result(call, "y", case_id)
        full_scale = expand(scale, q.shape, axis, block)
        full_zp = expand(zp, q.shape, axis, block)
        formula = onnx_dequantize_formula(q, full_scale, full_zp)
        got, notes = outvoted(ort, call, got, formula, q) if prefer_reference else (got, reference_check(call, "y", got, q))
        rule = formula_check(RULE, got, formula, q)
        if stated is not None:
            notes += formula_check("ONNX's test vector", got, stated, q)
        return against_rule({
            "id": case_id, "op": "dequantize", "semantics": "onnx",
            "input": tensor(fmt.name, q),
            "params": params_json(fmt, scale, zp, axis, block),
            "expected": tensor("float32", got),
        }, notes, rule)

    return build


def outvoted(ort: Ort, call: OrtCall, got: np.ndarray, formula: np.ndarray, inputs: np.ndarray):
    """onnxruntime's result, or onnx.reference's where the float32 rule agrees with it and not with
    onnxruntime (two of ONNX's three definitions against one), with the notes that say so."""
    if isinstance(call.reference, str):
        return got, [call.reference]
    ref = np.asarray(call.reference["y"])
    if not formula_check("", got, ref) or formula_check("", ref, formula):
        return got, reference_check(call, "y", got, inputs)
    note = (f"onnxruntime {ort.version} gives another result on {differences(ref, got, inputs)}; kept: "
            "onnx.reference's, which the float32 rule agrees with")
    return (ref.astype(got.dtype) if np.issubdtype(got.dtype, np.floating) else ref.astype(np.int64)), [note]


def ort_oracle(op: str, ort: Ort, opset: int = 21) -> Callable[[], str]:
    return lambda: (
        f"onnxruntime-node {ort.version} (CPU execution provider, one thread, {op} opset {opset}); "
        f"cross-checked with onnx {onnx.__version__} onnx.reference and numpy {np.__version__} "
        "float32 arithmetic"
    )


def per_tensor_inputs(case_id: str, kind: str, fmt: IntFormat):
    rng = rng_for(case_id)
    if kind == "ties":
        scale = F32(rng.uniform(0.02, 0.2) * (16 if fmt.name in ("int4", "uint4") else 1))
        zp = 0 if fmt.signed else int(rng.integers(fmt.lo + (fmt.hi - fmt.lo) // 4, fmt.hi - (fmt.hi - fmt.lo) // 4))
        return ties(rng, fmt, scale, zp, "onnx"), scale, zp
    if kind == "saturate":
        x = draw("normal", rng, (8,))
        scale, zp = range_params(rng, x, fmt, symmetric=fmt.signed)
        return np.concatenate([saturating(fmt, scale, zp), x]), scale, zp
    x = draw(kind, rng, (length(rng),))
    scale, zp = range_params(rng, x, fmt, symmetric=fmt.signed and rng.random() < 0.5)
    return x, scale, zp


AXIS_SHAPES = [((3, 5), 0), ((4, 3, 2), 1), ((2, 3, 4), -1)]
BLOCK_SHAPES = [((3, 8), 1, 4), ((10, 2), 0, 3), ((2, 7), 1, 2), ((2, 9, 3), 1, 4)]


def per_axis_inputs(case_id: str, fmt: IntFormat, shape, axis):
    rng = rng_for(case_id)
    x = draw(rng.choice(["normal", "uniform", "relu"]), rng, shape)
    moved = np.moveaxis(x, axis, 0).reshape(shape[axis], -1)
    pairs = [range_params(rng, row, fmt, symmetric=fmt.signed and rng.random() < 0.5) for row in moved]
    return x, np.array([p[0] for p in pairs], F32), np.array([p[1] for p in pairs], np.int64)


def blocked_inputs(case_id: str, fmt: IntFormat, shape, axis, block):
    rng = rng_for(case_id)
    x = draw(rng.choice(["normal", "uniform", "outliers"]), rng, shape)
    nblocks = -(-shape[axis] // block)
    pshape = list(shape)
    pshape[axis] = nblocks
    scale = np.empty(pshape, F32)
    zp = np.empty(pshape, np.int64)
    moved_x = np.moveaxis(x, axis, -1)
    moved_s = np.moveaxis(scale, axis, -1)
    moved_z = np.moveaxis(zp, axis, -1)
    for index in np.ndindex(moved_x.shape[:-1]):
        for b in range(nblocks):
            values = moved_x[index][b * block:(b + 1) * block]
            s, z = range_params(rng, values, fmt, symmetric=fmt.signed and rng.random() < 0.5)
            moved_s[index + (b,)] = s
            moved_z[index + (b,)] = z
    return x, scale, zp


def build_onnx_suites(ort: Ort) -> None:
    q = suite("onnx-quantize.json",
              "QuantizeLinear: y = saturate(rint(x / scale) + zero_point), float32 division, ties to even; per tensor",
              "quantize", ort_oracle("QuantizeLinear", ort))
    for name in ["int8", "uint8", "int16", "uint16"]:
        q.cases.extend(onnx_quantize_tensor_cases(ort, name, INT[name]))

    q4 = suite("onnx-quantize-int4.json",
               "QuantizeLinear to int4 and uint4 (one value per element): per tensor, per axis and blocked",
               "quantize", ort_oracle("QuantizeLinear", ort))
    for name in ["int4", "uint4"]:
        q4.cases.extend(onnx_quantize_tensor_cases(ort, name, INT[name]))
        q4.cases.extend(onnx_quantize_axis_cases(ort, name, INT[name]))

    qa = suite("onnx-quantize-axis.json",
               "QuantizeLinear per axis and blocked (block_size, opset 21), 8 and 16 bits",
               "quantize", ort_oracle("QuantizeLinear", ort))
    for name in ["int8", "uint8", "int16", "uint16"]:
        qa.cases.extend(onnx_quantize_axis_cases(ort, name, INT[name]))

    dq = suite("onnx-dequantize.json",
               "DequantizeLinear: y = (x - zero_point) * scale in float32, x - zero_point rounded first; per tensor",
               "dequantize", ort_oracle("DequantizeLinear", ort))
    for name in ["int8", "uint8", "int16", "uint16", "int32"]:
        fmt = INT[name]
        for variant in ["random", "extremes"] + (["zero-point"] if name == "int32" else []):
            case_id = f"onnx-dq-{name}-{variant}"
            rng = rng_for(case_id)
            codes = dequantize_codes(rng, fmt, variant)
            scale = F32(10 ** rng.uniform(-9, -5) if name == "int32" else 10 ** rng.uniform(-4, 0.5))
            zp = 0 if (name == "int32" and variant != "zero-point") else int(rng.integers(fmt.lo, fmt.hi, endpoint=True) // 2)
            dq.cases.append(onnx_dequantize_case(ort, case_id, codes, fmt, scale, zp))

    dqa = suite("onnx-dequantize-axis.json",
                "DequantizeLinear per axis and blocked (block_size, opset 21)",
                "dequantize", ort_oracle("DequantizeLinear", ort))
    for name in ["int8", "uint8", "int16", "uint16", "int32"]:
        fmt = INT[name]
        for shape, axis in AXIS_SHAPES[:2]:
            dqa.cases.append(onnx_dequantize_axis_case(ort, name, fmt, shape, axis, -3, 0))
        if name == "int32":
            continue
        for shape, axis, block in BLOCK_SHAPES[1:3]:
            dqa.cases.append(onnx_dequantize_block_case(ort, name, fmt, shape, axis, block, -3, 0))

    dq4 = suite("onnx-dequantize-int4.json",
                "DequantizeLinear from int4 and uint4: per tensor, per axis and blocked",
                "dequantize", ort_oracle("DequantizeLinear", ort))
    for name in ["int4", "uint4"]:
        fmt = INT[name]
        dq4.cases.extend(onnx_dequantize_tensor_cases(ort, name, fmt))
        shape, axis = AXIS_SHAPES[2]
        dq4.cases.append(onnx_dequantize_axis_case(ort, name, fmt, shape, axis, -2, 0.5))
        for shape, axis, block in [BLOCK_SHAPES[0], BLOCK_SHAPES[3]]:
            dq4.cases.append(onnx_dequantize_block_case(ort, name, fmt, shape, axis, block, -2, 0.5))


def onnx_quantize_tensor_cases(ort: Ort, name: str, fmt: IntFormat) -> list[Callable[[], dict]]:
    """QuantizeLinear per tensor, one case a distribution, then ties and saturation."""
    cases = []
    for kind in DISTRIBUTIONS + ["ties", "saturate"]:
        case_id = f"onnx-q-{name}-{kind}"
        x, scale, zp = per_tensor_inputs(case_id, kind, fmt)
        cases.append(onnx_quantize_case(ort, case_id, x, fmt, scale, zp))
    return cases


def onnx_quantize_axis_cases(ort: Ort, name: str, fmt: IntFormat, **options) -> list[Callable[[], dict]]:
    """QuantizeLinear per axis (AXIS_SHAPES), then blocked (BLOCK_SHAPES); `options` go to onnx_quantize_case."""
    cases = []
    for shape, axis in AXIS_SHAPES:
        case_id = f"onnx-q-{name}-axis{axis}-{'x'.join(map(str, shape))}"
        x, scale, zp = per_axis_inputs(case_id, fmt, shape, axis)
        cases.append(onnx_quantize_case(ort, case_id, x, fmt, scale, zp, axis, **options))
    for shape, axis, block in BLOCK_SHAPES:
        case_id = f"onnx-q-{name}-block{block}-axis{axis}-{'x'.join(map(str, shape))}"
        x, scale, zp = blocked_inputs(case_id, fmt, shape, axis, block)
        cases.append(onnx_quantize_case(ort, case_id, x, fmt, scale, zp, axis, block, **options))
    return cases


def onnx_dequantize_tensor_cases(ort: Ort, name: str, fmt: IntFormat, **options) -> list[Callable[[], dict]]:
    """DequantizeLinear per tensor of the narrow formats: random and extreme codes, scale 10 ** uniform(-2, 0.5);
    `options` go to onnx_dequantize_case."""
    cases = []
    for variant in ["random", "extremes"]:
        case_id = f"onnx-dq-{name}-{variant}"
        rng = rng_for(case_id)
        codes = dequantize_codes(rng, fmt, variant)
        scale = F32(10 ** rng.uniform(-2, 0.5))
        zp = int(rng.integers(fmt.lo, fmt.hi, endpoint=True))
        cases.append(onnx_dequantize_case(ort, case_id, codes, fmt, scale, zp, **options))
    return cases


def onnx_dequantize_axis_case(ort: Ort, name: str, fmt: IntFormat, shape, axis, lo, hi,
                              **options) -> Callable[[], dict]:
    """DequantizeLinear per axis: random codes, scales 10 ** uniform(lo, hi), zero points 0 for int32;
    `options` go to onnx_dequantize_case."""
    case_id = f"onnx-dq-{name}-axis{axis}-{'x'.join(map(str, shape))}"
    rng = rng_for(case_id)
    codes = rng.integers(fmt.lo, fmt.hi, size=shape, endpoint=True)
    scale = (10 ** rng.uniform(lo, hi, shape[axis])).astype(F32)
    zp = np.zeros(shape[axis], np.int64) if name == "int32" else rng.integers(fmt.lo, fmt.hi, size=shape[axis], endpoint=True)
    return onnx_dequantize_case(ort, case_id, codes, fmt, scale, zp, axis, **options)


def onnx_dequantize_block_case(ort: Ort, name: str, fmt: IntFormat, shape, axis, block, lo, hi,
                               **options) -> Callable[[], dict]:
    """DequantizeLinear blocked: random codes and zero points, scales 10 ** uniform(lo, hi);
    `options` go to onnx_dequantize_case."""
    case_id = f"onnx-dq-{name}-block{block}-axis{axis}-{'x'.join(map(str, shape))}"
    rng = rng_for(case_id)
    codes = rng.integers(fmt.lo, fmt.hi, size=shape, endpoint=True)
    pshape = list(shape)
    pshape[axis] = -(-shape[axis] // block)
    scale = (10 ** rng.uniform(lo, hi, pshape)).astype(F32)
    zp = rng.integers(fmt.lo, fmt.hi, size=pshape, endpoint=True)
    return onnx_dequantize_case(ort, case_id, codes, fmt, scale, zp, axis, block, **options)


def dequantize_codes(rng, fmt: IntFormat, variant: str) -> np.ndarray:
    if variant == "extremes":
        edge = [fmt.lo, fmt.lo + 1, fmt.hi - 1, fmt.hi, 0, 1, -1 if fmt.signed else 2]
        if fmt.name == "int32":
            edge += [2**24 - 1, 2**24 + 1, 2**25 + 3, -(2**24) - 1, 2**31 - 65, -(2**31) + 65]
        return np.array(edge + list(rng.integers(fmt.lo, fmt.hi, size=9, endpoint=True)), np.int64)
    return rng.integers(fmt.lo, fmt.hi, size=length(rng), endpoint=True)


# ---------------------------------------------------------------------------------------------
# PyTorch quantize_per_tensor / quantize_per_channel / dequantize

TORCH_QDTYPE = {"int8": torch.qint8, "uint8": torch.quint8, "int32": torch.qint32, "uint4": torch.quint4x2}


def torch_codes(q: torch.Tensor, fmt: IntFormat, n: int) -> np.ndarray:
    codes = q.int_repr().numpy().astype(np.int64).ravel()
    if fmt.name == "uint4":  # quint4x2 stores two per byte, the first in the low nibble
        codes = np.stack([codes & 15, codes >> 4], axis=1).ravel()[:n]
    return codes


def torch_oracle() -> str:
    return (
        f"torch {torch.__version__} (CPU; quantize_per_tensor / quantize_per_channel, int_repr, "
        f"dequantize); cross-checked with numpy {np.__version__} float32 arithmetic (ATen's quantize_val)"
    )


def torch_per_tensor(case_id: str, x: np.ndarray, fmt: IntFormat, scale, zp) -> list[dict]:
    """A quantize case and the dequantize case of its codes (plus the extreme codes)."""
    x = np.asarray(x, F32)
    q = torch.quantize_per_tensor(torch.from_numpy(x.copy()), float(scale), int(zp), TORCH_QDTYPE[fmt.name])
    codes = torch_codes(q, fmt, x.size).reshape(x.shape)
    rule = formula_check(RULE, codes, torch_quantize_formula(x, scale, zp, fmt), x)
    params = params_json(fmt, scale, zp)
    quantize = against_rule({"id": case_id, "op": "quantize", "semantics": "pytorch",
                             "input": tensor("float32", x), "params": params,
                             "expected": tensor(fmt.name, codes)}, [], rule)
    if fmt.name == "uint4":
        dq_codes = codes.ravel()
        y = q.dequantize().numpy()
    else:
        dq_codes = np.concatenate([codes.ravel(), extreme_codes(fmt, int(zp)), [int(zp)]])
        int_tensor = torch.from_numpy(dq_codes.astype(fmt.numpy))
        y = torch._make_per_tensor_quantized_tensor(int_tensor, float(scale), int(zp)).dequantize().numpy()
    dq_id = case_id.replace("torch-q-", "torch-dq-")
    rule = formula_check(RULE, y, torch_dequantize_formula(dq_codes, scale, zp), dq_codes)
    dequantize = against_rule({"id": dq_id, "op": "dequantize", "semantics": "pytorch",
                               "input": tensor(fmt.name, dq_codes), "params": params,
                               "expected": tensor("float32", y)}, [], rule)
    return [quantize, dequantize]


def extreme_codes(fmt: IntFormat, zp: int) -> list[int]:
    """The smallest and largest codes whose difference with the zero point fits the dtype's storage:
    for int32, torch subtracts in int32 and wraps (see `torch_int32_wrap`)."""
    if fmt.name != "int32":
        return [fmt.lo, fmt.hi]
    return [fmt.lo + max(zp, 0), fmt.hi + min(zp, 0)]


def torch_int32_wrap(case_id: str) -> dict:
    """Dequantize int32 codes whose difference with the zero point leaves int32."""
    fmt = INT["int32"]
    rng = rng_for(case_id)
    zp = int(rng.integers(100, 1000))
    scale = F32(10 ** rng.uniform(-9, -7))
    codes = np.array([fmt.lo, fmt.lo + 1, fmt.lo + zp - 1, fmt.lo + zp, fmt.hi, -zp, zp], np.int64)
    y = torch._make_per_tensor_quantized_tensor(
        torch.from_numpy(codes.astype(np.int32)), float(scale), zp).dequantize().numpy()
    rule = formula_check(RULE, y, torch_dequantize_formula(codes, scale, zp), codes)
    return against_rule({"id": case_id, "op": "dequantize", "semantics": "pytorch", "input": tensor("int32", codes),
                         "params": params_json(fmt, scale, zp), "expected": tensor("float32", y)}, [], rule)


def torch_int32_codes(case_id: str) -> dict:
    """Dequantize random int32 codes (most of them not float32 values), q - zp inside int32."""
    fmt = INT["int32"]
    rng = rng_for(case_id)
    zp = int(rng.integers(-1000, 1000))
    scale = F32(10 ** rng.uniform(-9, -7))
    codes = rng.integers(fmt.lo + 1000, fmt.hi - 1000, size=24, endpoint=True)
    y = torch._make_per_tensor_quantized_tensor(
        torch.from_numpy(codes.astype(np.int32)), float(scale), zp).dequantize().numpy()
    rule = formula_check(RULE, y, torch_dequantize_formula(codes, scale, zp), codes)
    return against_rule({"id": case_id, "op": "dequantize", "semantics": "pytorch", "input": tensor("int32", codes),
                         "params": params_json(fmt, scale, zp), "expected": tensor("float32", y)}, [], rule)


def torch_per_channel(case_id: str, x: np.ndarray, fmt: IntFormat, scale, zp, axis: int) -> list[dict]:
    x = np.asarray(x, F32)
    torch_axis = axis % x.ndim
    scales = torch.from_numpy(np.asarray(scale, F32).astype(np.float64))
    zps = torch.from_numpy(np.asarray(zp, np.int64))
    q = torch.quantize_per_channel(torch.from_numpy(x.copy()), scales, zps, torch_axis, TORCH_QDTYPE[fmt.name])
    codes = torch_codes(q, fmt, x.size).reshape(x.shape)
    full_s = expand(scale, x.shape, axis, None)
    full_z = expand(zp, x.shape, axis, None)
    rule = formula_check(RULE, codes, torch_quantize_formula(x, full_s, full_z, fmt), x)
    params = params_json(fmt, scale, zp, axis)
    quantize = against_rule({"id": case_id, "op": "quantize", "semantics": "pytorch",
                             "input": tensor("float32", x), "params": params,
                             "expected": tensor(fmt.name, codes)}, [], rule)
    rng = rng_for(case_id + "/codes")
    dq_codes = codes.copy()
    flat = dq_codes.reshape(-1)
    where = rng.choice(flat.size, size=2, replace=False)
    channel_zp = full_z.reshape(-1)[where]
    flat[where] = [extreme_codes(fmt, int(channel_zp[0]))[0], extreme_codes(fmt, int(channel_zp[1]))[1]]
    y = torch._make_per_channel_quantized_tensor(
        torch.from_numpy(dq_codes.astype(fmt.numpy)), scales, zps, torch_axis).dequantize().numpy()
    rule = formula_check(RULE, y, torch_dequantize_formula(dq_codes, full_s, full_z), dq_codes)
    dequantize = against_rule({"id": case_id.replace("torch-q-", "torch-dq-"), "op": "dequantize",
                               "semantics": "pytorch", "input": tensor(fmt.name, dq_codes), "params": params,
                               "expected": tensor("float32", y)}, [], rule)
    return [quantize, dequantize]


def torch_ties(rng, fmt: IntFormat) -> tuple[np.ndarray, np.float32, int]:
    scale = F32(rng.uniform(0.02, 0.2) * (16 if fmt.name == "uint4" else 1))
    zp = 0 if fmt.signed else (fmt.hi + 1) // 2
    return ties(rng, fmt, scale, zp, "pytorch"), scale, zp


def build_torch_suites() -> None:
    pq = suite("pytorch-quantize.json",
               "torch.quantize_per_tensor / dequantize: q = saturate(zp + nearbyint(x * fround(1 / scale))); per tensor",
               "quantize, dequantize", torch_oracle)
    for name in ["int8", "uint8", "int32", "uint4"]:
        fmt = INT[name]
        for kind in DISTRIBUTIONS + (["ties"] if name != "int32" else ["large"]):
            case_id = f"torch-q-{name}-{kind}"
            rng = rng_for(case_id)
            if kind == "ties":
                x, scale, zp = torch_ties(rng, fmt)
            elif kind == "large":
                # codes past 2^24, where the float32 sum zp + nearbyint(...) rounds
                x = draw("normal", rng, (length(rng),))
                scale = F32(float(np.max(np.abs(x))) / rng.uniform(2**25, 2**30))
                zp = int(rng.integers(1, 1000)) * 2 + 1
            elif name == "int32":
                x = draw(kind, rng, (length(rng),))
                scale = F32(float(np.max(np.abs(x))) / rng.uniform(2**20, 2**28))
                zp = int(rng.integers(-1000, 1000))
            else:
                x = draw(kind, rng, (length(rng),))
                scale, zp = range_params(rng, x, fmt, symmetric=fmt.signed and rng.random() < 0.5)
            pq.cases.extend(case_list(torch_per_tensor(case_id, x, fmt, scale, zp)))
    pq.cases.append(lambda: torch_int32_wrap("torch-dq-int32-wrap"))
    pq.cases.append(lambda: torch_int32_codes("torch-dq-int32-random-codes"))
    seed = seed_tensor()
    pq.cases.extend(case_list(torch_per_tensor("torch-q-int8-seed-tensor", seed, INT["int8"], seed_scale(), 0)))

    pc = suite("pytorch-quantize-channel.json",
               "torch.quantize_per_channel / dequantize; one scale and zero point per index along the axis",
               "quantize, dequantize", torch_oracle)
    for name in ["int8", "uint8", "int32"]:
        fmt = INT[name]
        for shape, axis in AXIS_SHAPES:
            case_id = f"torch-q-{name}-perchannel-axis{axis}-{'x'.join(map(str, shape))}"
            rng = rng_for(case_id)
            x = draw(rng.choice(["normal", "uniform", "relu"]), rng, shape)
            moved = np.moveaxis(x, axis, 0).reshape(shape[axis], -1)
            if name == "int32":
                scale = np.array([float(np.max(np.abs(r))) / rng.uniform(2**20, 2**28) for r in moved], F32)
                zp = rng.integers(-1000, 1000, size=shape[axis])
            else:
                pairs = [range_params(rng, r, fmt, symmetric=fmt.signed and rng.random() < 0.5) for r in moved]
                scale = np.array([p[0] for p in pairs], F32)
                zp = np.array([p[1] for p in pairs], np.int64)
            pc.cases.extend(case_list(torch_per_channel(case_id, x, fmt, scale, zp, axis)))


def case_list(cases: list[dict]) -> list[Callable[[], dict]]:
    return [lambda c=c: c for c in cases]


# ---------------------------------------------------------------------------------------------
# PyTorch observers

OBSERVER_DTYPE = {
    "int8": torch.qint8, "uint8": torch.quint8, "int16": torch.int16, "uint16": torch.uint16,
    "int32": torch.qint32, "uint4": torch.quint4x2,
}


def observer_oracle() -> str:
    return (
        f"torch {torch.__version__} torch.ao.quantization MinMaxObserver, MovingAverageMinMaxObserver, "
        "PerChannelMinMaxObserver, MovingAveragePerChannelMinMaxObserver (calculate_qparams); "
        f"cross-checked with numpy {np.__version__} float32 arithmetic"
    )


def observer_formula(batches, fmt: IntFormat, method, scheme, axis, reduce_range, c,
                     c_in_float64: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """The observer rule core documents, in numpy float32: the running range (minimum and maximum,
    or their moving average), widened to include 0; reduceRange drops one bit of any width; scale
    max(|lo|, hi) / ((qmax - qmin) / 2) (symmetric, zero point 0 or the middle code) or
    (hi - lo) / (qmax - qmin) (affine, zero point qmin - rint(lo / scale), clamped); eps 2^-23."""
    lo_q, hi_q = fmt.lo, fmt.hi
    bits = int(round(math.log2(fmt.hi - fmt.lo + 1)))
    if reduce_range:  # one bit less, whatever the width
        lo_q, hi_q = (-(2 ** (bits - 2)), 2 ** (bits - 2) - 1) if fmt.signed else (0, 2 ** (bits - 1) - 1)

    def extent(b):
        if axis is None:
            return np.array([b.min()], F32), np.array([b.max()], F32)
        m = np.moveaxis(b, axis, 0).reshape(b.shape[axis], -1)
        return m.min(axis=1).astype(F32), m.max(axis=1).astype(F32)

    mn, mx = extent(batches[0])
    for b in batches[1:]:
        bmn, bmx = extent(b)
        if method == "minmax":
            mn, mx = np.minimum(mn, bmn), np.maximum(mx, bmx)
        else:
            if c_in_float64:  # c as written, the product rounded once (not the format's rule)
                mn = mn + (np.float64(c) * (bmn - mn)).astype(F32)
                mx = mx + (np.float64(c) * (bmx - mx)).astype(F32)
            else:
                mn = mn + F32(c) * (bmn - mn)
                mx = mx + F32(c) * (bmx - mx)
    lo = np.minimum(mn, F32(0))
    hi = np.maximum(mx, F32(0))
    eps = F32(2.0**-23)
    if scheme == "symmetric":
        scale = np.maximum(np.maximum(-lo, hi) / F32((hi_q - lo_q) / 2), eps)
        zp = np.full(scale.shape, 0 if fmt.signed else 2 ** (bits - 1), np.int64)  # the middle code
    else:
        scale = np.maximum((hi - lo) / F32(hi_q - lo_q), eps)
        zp = np.clip(lo_q - np.rint(lo / scale).astype(np.int64), lo_q, hi_q)
    return scale.astype(F32), zp


def observer_case(case_id: str, batches: list[np.ndarray], fmt: IntFormat, method: str, scheme: str,
                  axis: int | None = None, reduce_range: bool | None = None, c: float | None = None) -> dict:
    from torch.ao.quantization import observer as obs

    per_channel = axis is not None
    qscheme = {
        (False, "symmetric"): torch.per_tensor_symmetric, (False, "affine"): torch.per_tensor_affine,
        (True, "symmetric"): torch.per_channel_symmetric, (True, "affine"): torch.per_channel_affine,
    }[(per_channel, scheme)]
    kwargs = {"dtype": OBSERVER_DTYPE[fmt.name], "qscheme": qscheme, "reduce_range": bool(reduce_range)}
    if method == "minmax":
        cls = obs.PerChannelMinMaxObserver if per_channel else obs.MinMaxObserver
    else:
        cls = obs.MovingAveragePerChannelMinMaxObserver if per_channel else obs.MovingAverageMinMaxObserver
        kwargs["averaging_constant"] = c
    if per_channel:
        kwargs["ch_axis"] = axis % batches[0].ndim
    observer = cls(**kwargs)
    for b in batches:
        observer(torch.from_numpy(np.asarray(b, F32).copy()))
    scale, zp = observer.calculate_qparams()
    scale = scale.numpy().astype(F32).ravel()
    zp = zp.numpy().astype(np.int64).ravel()
    fs, fz = observer_formula([np.asarray(b, F32) for b in batches], fmt, method, scheme, axis, reduce_range, c)
    rule = formula_check(f"{RULE} for the scale", scale, fs)
    rule += formula_check(f"{RULE} for the zero point", zp, fz)
    spec: dict = {"method": "minmax" if method == "minmax" else "moving_average_minmax",
                  "scheme": scheme, "dtype": fmt.name}
    if axis is not None:
        spec["axis"] = axis
    if reduce_range is not None:
        spec["reduceRange"] = reduce_range
    if c is not None:
        spec["averagingConstant"] = c
    return against_rule({"id": case_id, "op": "qparams", "semantics": "pytorch",
                      "batches": [tensor("float32", b) for b in batches], "observer": spec,
                      "expected": {"scale": [jfloat(s) for s in scale], "zeroPoint": [int(z) for z in zp]}},
                        [], rule)


def default_constant_case(case_id: str, fmt: IntFormat, scheme: str, axis: int | None) -> Callable[[], dict]:
    c = 0.01
    for attempt in range(1000):
        rng = rng_for(f"{case_id}/{attempt}")
        batches = [draw("normal", rng, (16,) if axis is None else (3, 8)) * F32(1 + i) for i in range(5)]
        case = observer_case(case_id, batches, fmt, "moving_average_minmax", scheme, axis=axis, c=c)
        fs, _ = observer_formula(batches, fmt, "moving_average_minmax", scheme, axis, None, c, c_in_float64=True)
        got = np.array([readback(v) for v in case["expected"]["scale"]], F32)
        if not same_floats(got, fs):
            # core multiplies by fround(c) too, as torch does: the case is kept, its note says why.
            case = with_note(case, [f"averagingConstant {c} is not a float32: torch (and core) multiply by "
                                    f"fround({c}) = {float(F32(c))!r}; with {c} itself (the product rounded "
                                    f"once) the scale would differ on {differences(got, fs)}"])
            return lambda: case
    raise RuntimeError(f"{case_id}: no seed shows the rounding of the constant")


def readback(v) -> float:
    return {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf, "-0": -0.0}.get(v, v) if isinstance(v, str) else v


def build_observer_suites() -> None:
    po = suite("pytorch-observers.json",
               "torch.ao.quantization observers, per tensor: MinMaxObserver and MovingAverageMinMaxObserver",
               "qparams", observer_oracle)
    for name in ["int8", "uint8"]:
        fmt = INT[name]
        for scheme in ["symmetric", "affine"]:
            for kind in ["normal", "relu", "outliers", "uniform", "wide", "tiny"]:
                for rr in [False, True]:
                    if rr and (kind in ("wide", "tiny") or (name, scheme) == ("uint8", "symmetric")):
                        continue  # torch: "Cannot reduce range for symmetric quantization for quint8"
                    case_id = f"torch-obs-minmax-{name}-{scheme}-{kind}{'-rr' if rr else ''}"
                    rng = rng_for(case_id)
                    batches = [draw(kind, rng, (length(rng),)) for _ in range(int(rng.integers(1, 4)))]
                    po.cases.append(lambda a=(case_id, batches, fmt, scheme, rr): observer_case(
                        a[0], a[1], a[2], "minmax", a[3], reduce_range=a[4]))
            for c in [float(F32(0.01)), 0.25]:  # float32 values, as the format asks of every float
                case_id = f"torch-obs-movingavg-{name}-{scheme}-c{'0.01' if c < 0.1 else c}"
                rng = rng_for(case_id)
                batches = [draw("normal", rng, (16,)) * F32(1 + i) for i in range(5)]
                po.cases.append(lambda a=(case_id, batches, fmt, scheme, c): observer_case(
                    a[0], a[1], a[2], "moving_average_minmax", a[3], c=a[4]))
    for name in ["int16", "uint16", "int32", "uint4"]:
        fmt = INT[name]
        for scheme in ["symmetric", "affine"]:
            case_id = f"torch-obs-minmax-{name}-{scheme}-normal"
            rng = rng_for(case_id)
            batches = [draw("normal", rng, (length(rng),))]
            po.cases.append(lambda a=(case_id, batches, fmt, scheme): observer_case(
                a[0], a[1], a[2], "minmax", a[3]))
    for name in ["int16", "uint16"]:
        case_id = f"torch-obs-minmax-{name}-affine-normal-rr"
        rng = rng_for(case_id)
        batches = [draw("normal", rng, (length(rng),))]
        po.cases.append(lambda a=(case_id, batches, INT[name]): observer_case(
            a[0], a[1], a[2], "minmax", "affine", reduce_range=True))

    # PyTorch's default averaging constant 0.01 is no float32: torch multiplies by fround(0.01), and
    # so does core. These cases hold it as written (the one float of the folder that is no float32);
    # each is the first seed whose result shows the rounding of the constant.
    for name, scheme in [("int8", "affine"), ("uint8", "symmetric")]:
        po.cases.append(default_constant_case(f"torch-obs-movingavg-{name}-{scheme}-default-c", INT[name], scheme, None))

    pc = suite("pytorch-observers-channel.json",
               "torch.ao.quantization per-channel observers: PerChannelMinMaxObserver, MovingAveragePerChannelMinMaxObserver",
               "qparams", observer_oracle)
    for name in ["int8", "uint8"]:
        fmt = INT[name]
        for scheme in ["symmetric", "affine"]:
            for shape, axis in [((4, 10), 0), ((3, 4, 5), 1), ((2, 3, 6), -1)]:
                case_id = f"torch-obs-perchannel-{name}-{scheme}-axis{axis}"
                rng = rng_for(case_id)
                batches = [draw(rng.choice(["normal", "relu", "uniform"]), rng, shape) for _ in range(2)]
                pc.cases.append(lambda a=(case_id, batches, fmt, scheme, axis): observer_case(
                    a[0], a[1], a[2], "minmax", a[3], axis=a[4]))
            case_id = f"torch-obs-perchannel-movingavg-{name}-{scheme}"
            rng = rng_for(case_id)
            batches = [draw("normal", rng, (3, 8)) * F32(1 + i) for i in range(4)]
            pc.cases.append(lambda a=(case_id, batches, fmt, scheme): observer_case(
                a[0], a[1], a[2], "moving_average_minmax", a[3], axis=0, c=float(F32(0.1))))
            if name == "uint8" and scheme == "symmetric":
                continue  # torch: "Cannot reduce range for symmetric quantization for quint8"
            case_id = f"torch-obs-perchannel-{name}-{scheme}-rr"
            rng = rng_for(case_id)
            batches = [draw("normal", rng, (4, 6))]
            pc.cases.append(lambda a=(case_id, batches, fmt, scheme): observer_case(
                a[0], a[1], a[2], "minmax", a[3], axis=0, reduce_range=True))


# ---------------------------------------------------------------------------------------------
# Float casts and decodes


def cast_oracle(ort: Ort) -> Callable[[], str]:
    return lambda: (
        f"numpy {np.__version__} astype(float16), ml_dtypes {ml_dtypes.__version__} bfloat16; float8: onnx "
        f"{onnx.__version__} onnx.reference Cast opset 21 (ml_dtypes {ml_dtypes.__version__}, saturate by "
        f"clipping) and onnxruntime-node {ort.version} Cast opset 21, onnxruntime's NaN codes kept; every "
        f"case cross-checked with onnxruntime-node {ort.version} Cast"
    )


def decode_oracle(ort: Ort) -> Callable[[], str]:
    return lambda: (
        f"numpy {np.__version__} float16, ml_dtypes {ml_dtypes.__version__} bfloat16 / float8_e4m3fn / "
        f"float8_e5m2 (bit patterns viewed, widened to float32); cross-checked with onnxruntime-node "
        f"{ort.version} Cast to float32"
    )


def encode_reference(dtype: str, x: np.ndarray, saturate: bool | None) -> np.ndarray:
    """The numpy / ml_dtypes / onnx.reference encoding of float32 values, as bit patterns."""
    onnx_type, np_type, bits = FLOATS[dtype]
    if dtype == "float16":
        return x.astype(np.float16).view(bits)
    if dtype == "bfloat16":
        return x.astype(ml_dtypes.bfloat16).view(bits)
    model = onnx_model([helper.make_node("Cast", ["x"], ["y"], to=onnx_type, saturate=int(saturate is not False))],
                       [helper.make_tensor_value_info("x", TensorProto.FLOAT, list(x.shape))],
                       [helper.make_tensor_value_info("y", onnx_type, list(x.shape))])
    (y,) = ReferenceEvaluator(model).run(None, {"x": x})
    return np.asarray(y).view(bits)


def decode_values(dtype: str, codes: np.ndarray) -> np.ndarray:
    _, np_type, bits = FLOATS[dtype]
    return np.asarray(codes).astype(bits).view(np_type).astype(F32)


def codes_from_values(dtype: str, values: np.ndarray) -> np.ndarray:
    """The code of each float32 value (exact for every value but NaN, whose code is 0x7F | sign,
    as onnxruntime's Float8 constructors and its float16 conversion write it)."""
    _, np_type, bits = FLOATS[dtype]
    table = decode_values(dtype, np.arange(2 ** (8 * np.dtype(bits).itemsize), dtype=np.int64))
    lookup = {int(b): code for code, b in reversed(list(enumerate(bits_of(table))))}
    out = []
    for v in np.asarray(values, F32).ravel():
        if np.isnan(v):
            sign = 0x80 if np.signbit(v) else 0
            out.append((0x7F if bits == np.uint8 else 0x7FC0) | (sign if bits == np.uint8 else sign << 8))
        else:
            out.append(lookup[int(bits_of(np.array([v]))[0])])
    return np.array(out, np.int64).reshape(np.shape(values))


def is_nan_code(dtype: str, code: int) -> bool:
    value = decode_values(dtype, np.array([code]))[0]
    return bool(np.isnan(value))


def ort_cast_call(ort: Ort, dtype: str, x: np.ndarray, saturate: bool | None) -> OrtCall:
    """Cast float32 -> dtype in onnxruntime; float8 and bfloat16 come back through a second Cast
    to float32 (the Node binding has no such tensors)."""
    onnx_type = FLOATS[dtype][0]
    attrs = {} if saturate is None else {"saturate": int(saturate)}
    vi = helper.make_tensor_value_info
    if dtype == "float16":
        nodes = [helper.make_node("Cast", ["x"], ["y"], to=onnx_type, **attrs)]
        outputs = [vi("y", onnx_type, list(x.shape))]
    else:
        nodes = [helper.make_node("Cast", ["x"], ["c"], to=onnx_type, **attrs),
                 helper.make_node("Cast", ["c"], ["y"], to=TensorProto.FLOAT)]
        outputs = [vi("y", TensorProto.FLOAT, list(x.shape))]
    model = onnx_model(nodes, [vi("x", TensorProto.FLOAT, list(x.shape))], outputs)
    return ort.submit(model, {"x": x})


def cast_case(ort: Ort, case_id: str, dtype: str, x: np.ndarray, saturate: bool | None):
    x = np.asarray(x, F32)
    reference = encode_reference(dtype, x, saturate)
    call = ort_cast_call(ort, dtype, x, None if dtype in ("float16", "bfloat16") else (saturate is not False))

    def build() -> dict:
        out = ort_result(call, "y", case_id)
        got = out.astype(np.int64) if dtype == "float16" else codes_from_values(dtype, out)
        expected = reference.astype(np.int64).copy()
        notes = []
        bad = np.flatnonzero(got.ravel() != expected.ravel())
        nan_choice = [i for i in bad if is_nan_code(dtype, got.ravel()[i]) and is_nan_code(dtype, expected.ravel()[i])]
        spec = [i for i in bad if i not in nan_choice]
        source = "numpy" if dtype == "float16" else "ml_dtypes" if dtype == "bfloat16" else "onnx.reference (ml_dtypes)"

        def listed(indices) -> str:
            return ", ".join(f"x={show(x.ravel()[i])}: onnxruntime {int(got.ravel()[i]):#04x}, {source} "
                             f"{int(expected.ravel()[i]):#04x}" for i in indices)

        if nan_choice:
            # ONNX's Cast table says only "NaN": which NaN code is onnxruntime's choice, kept here.
            notes.append(f"NaN codes from onnxruntime, where {source} writes another NaN: {listed(nan_choice)}")
            expected.ravel()[nan_choice] = got.ravel()[nan_choice]
        if spec:
            # onnxruntime contradicts ONNX's Cast table (RNE, then [x] > FLT_MAX is NaN for e4m3fn and
            # Inf for e5m2 without saturate): the table's result, which onnx.reference gives, is kept.
            if dtype.startswith("float8"):
                notes.append(f"onnxruntime contradicts ONNX's Cast table, whose result ({source}) is kept: "
                             f"{listed(spec)}")
            else:
                notes.append(f"onnxruntime differs from {source}, which is kept: {listed(spec)}")
        case = {"id": case_id, "op": "cast", "to": dtype}
        if saturate is not None:
            case["saturate"] = saturate
        case["input"] = tensor("float32", x)
        case["expected"] = tensor("uint16" if FLOATS[dtype][2] == np.uint16 else "uint8", expected)
        return with_note(case, notes)

    return build


def specials() -> list[float]:
    return [0.0, -0.0, np.inf, -np.inf, float(QUIET_NAN), 1.0, -1.0, 3.4028234663852886e38,
            -3.4028234663852886e38, 1.1754943508222875e-38, 1.401298464324817e-45, -1.401298464324817e-45]


def neighbours_of_ties(dtype: str, rng, n: int) -> np.ndarray:
    """Midpoints between adjacent finite codes (exact float32 values) and the float32 beside them."""
    _, _, bits = FLOATS[dtype]
    count = 2 ** (8 * np.dtype(bits).itemsize)
    values = decode_values(dtype, np.arange(count, dtype=np.int64))
    positive = values[: count // 2]
    finite = np.flatnonzero(np.isfinite(positive))
    picks = rng.choice(finite[:-1], size=n, replace=False)
    out = []
    for code in picks:
        lo, hi = positive[code], positive[code + 1]
        if not np.isfinite(hi):
            continue
        mid = F32((np.float64(lo) + np.float64(hi)) / 2)
        assert np.float64(mid) == (np.float64(lo) + np.float64(hi)) / 2
        sign = F32(-1) if rng.random() < 0.5 else F32(1)
        out += [sign * mid, sign * np.nextafter(mid, F32(np.inf)), sign * np.nextafter(mid, F32(0))]
    return np.array(out, F32)


def float_range(dtype: str) -> tuple[float, float, float]:
    """(smallest subnormal, smallest normal, largest finite) of a format."""
    return {
        "float16": (2.0**-24, 2.0**-14, 65504.0),
        "bfloat16": (2.0**-133, 2.0**-126, 3.3895313892515355e38),
        "float8e4m3fn": (2.0**-9, 2.0**-6, 448.0),
        "float8e5m2": (2.0**-16, 2.0**-14, 57344.0),
    }[dtype]


def cast_inputs(dtype: str, kind: str, rng) -> np.ndarray:
    sub, normal, top = float_range(dtype)
    if kind == "edges":
        extra = [top, -top, top * (1 + 2.0**-12), np.nextafter(F32(top), F32(np.inf)), 2 * top, 1e6, -1e6,
                 normal, -normal, np.nextafter(F32(normal), F32(0)), sub, -sub, sub / 2, -sub / 2,
                 sub * 0.75, sub * 1.5, sub * 2.5]
        if dtype == "float8e4m3fn":
            extra += [464.0, -464.0, 465.0, 480.0, 449.0]
        if dtype == "float8e5m2":
            extra += [61440.0, -61440.0, 61439.996, 65536.0]
        if dtype == "float16":
            extra += [65520.0, 65519.996, 70000.0]
        if dtype == "bfloat16":
            extra += [3.3961775292304957e38, 3.396177e38]
        return np.array(specials() + extra, F32)
    if kind == "ties":
        return neighbours_of_ties(dtype, rng, 24)
    if kind == "normal":
        return (rng.standard_normal(48) * rng.uniform(0.5, 4)).astype(F32)
    if kind == "range":
        # log-uniform over the whole finite range of the format, both signs
        e = rng.uniform(math.log2(sub) - 2, math.log2(top) + 1, 64)
        return (np.exp2(e) * rng.choice([-1, 1], 64)).astype(F32)
    if kind == "subnormal":
        return (rng.uniform(-normal, normal, 40)).astype(F32)
    if kind == "bits":
        b = rng.integers(0, 2**32, size=64, dtype=np.uint64).astype(np.uint32)
        x = b.view(F32)
        return x[~np.isnan(x)]  # NaN payloads: numpy keeps them, the others make a quiet NaN
    raise ValueError(kind)


def decode_codes(dtype: str, rng) -> list[tuple[str, np.ndarray]]:
    """Codes to decode: every code of a float8 format; for 16 bits, every code of the smallest and
    largest exponents (zero, subnormals, infinities, NaNs) and a sample of every other exponent."""
    if dtype.startswith("float8"):
        return [("all", np.arange(256))]
    mantissa_bits = 10 if dtype == "float16" else 7
    exponents = 2 ** (15 - mantissa_bits)
    m_max = 2**mantissa_bits - 1
    edges = []
    for sign in (0, 1):
        for e in (0, exponents - 1):
            edges.extend((sign << 15) | (e << mantissa_bits) | m for m in range(m_max + 1))
    sample = []
    for sign in (0, 1):
        for e in range(1, exponents - 1):
            ms = {0, 1, 2, 3, m_max, m_max - 1, (m_max + 1) // 2, (m_max + 1) // 2 + 1}
            ms |= {int(v) for v in rng.integers(0, m_max + 1, size=6)}
            sample.extend((sign << 15) | (e << mantissa_bits) | m for m in sorted(ms))
    return [("edge-exponents", np.array(edges)), ("every-exponent", np.array(sample))]


def decode_case(ort: Ort, case_id: str, dtype: str, codes: np.ndarray):
    codes = np.asarray(codes, np.int64)
    values = decode_values(dtype, codes)
    onnx_type, _, bits = FLOATS[dtype]
    vi = helper.make_tensor_value_info
    if dtype == "float16":
        model = onnx_model([helper.make_node("Cast", ["x"], ["y"], to=TensorProto.FLOAT)],
                           [vi("x", onnx_type, [codes.size])], [vi("y", TensorProto.FLOAT, [codes.size])])
        call = ort.submit(model, {"x": codes.astype(np.uint16).view(np.float16)})
    else:
        # the codes as an initializer: the Node binding has no bfloat16 / float8 inputs
        raw = codes.astype(bits).view(FLOATS[dtype][1])
        init = numpy_helper.from_array(raw, name="c")
        model = onnx_model([helper.make_node("Cast", ["c"], ["y"], to=TensorProto.FLOAT)],
                           [], [vi("y", TensorProto.FLOAT, [codes.size])], [init])
        call = ort.submit(model, {})

    def build() -> dict:
        got = ort_result(call, "y", case_id)
        notes = [] if same_floats(got, values) else [f"onnxruntime disagrees on {differences(values, got, codes)}"]
        return with_note({"id": case_id, "op": "decode", "from": dtype,
                          "input": tensor("uint16" if bits == np.uint16 else "uint8", codes),
                          "expected": tensor("float32", values)}, notes)

    return build


def build_float_suites(ort: Ort) -> None:
    casts = suite("float-casts.json",
                  "float32 to float16, bfloat16 (round to nearest even) and float8 e4m3fn / e5m2 (ONNX Cast, "
                  "with and without saturate)", "cast", cast_oracle(ort))
    for dtype in FLOATS:
        saturations = [True, False, None] if dtype.startswith("float8") else [None]
        for saturate in saturations:
            kinds = ["edges", "ties", "normal", "range", "subnormal", "bits"] if saturate is not None else ["edges"]
            for kind in kinds:
                tag = "" if saturate is None else ("-saturate" if saturate else "-nosaturate")
                if saturate is None and dtype.startswith("float8"):
                    tag = "-default"
                case_id = f"cast-{dtype}{tag}-{kind}"
                x = cast_inputs(dtype, kind, rng_for(case_id))
                casts.cases.append(cast_case(ort, case_id, dtype, x, saturate))

    decodes = suite("float-decodes.json",
                    "float16, bfloat16, float8 e4m3fn / e5m2 bit patterns to float32 (exact)", "decode",
                    decode_oracle(ort))
    for dtype in FLOATS:
        for label, codes in decode_codes(dtype, rng_for(f"decode-{dtype}")):
            decodes.cases.append(decode_case(ort, f"decode-{dtype}-{label}", dtype, codes))


# ---------------------------------------------------------------------------------------------
# Low-bit floats: float4e2m1, float6e2m3 / e3m2, the fnuz float8s and float8e8m0


@dataclass(frozen=True)
class LowFloat:
    """A low-bit float type: its fields (README's table), ml_dtypes type and where ONNX casts it."""

    name: str
    onnx: int
    numpy: type
    bits: int
    exponent: int
    mantissa: int
    bias: int
    opset: int  # the Cast opset onnx.reference runs (float6 arrived in opset 28)
    ort: bool  # whether onnxruntime-node implements Cast to and from it

    @property
    def codes(self) -> int:
        return 2**self.bits


LOWBIT = {
    f.name: f
    for f in [
        LowFloat("float4e2m1", TensorProto.FLOAT4E2M1, ml_dtypes.float4_e2m1fn, 4, 2, 1, 1, 25, False),
        LowFloat("float6e2m3", TensorProto.FLOAT6E2M3, ml_dtypes.float6_e2m3fn, 6, 2, 3, 1, 28, False),
        LowFloat("float6e3m2", TensorProto.FLOAT6E3M2, ml_dtypes.float6_e3m2fn, 6, 3, 2, 3, 28, False),
        LowFloat("float8e4m3fnuz", TensorProto.FLOAT8E4M3FNUZ, ml_dtypes.float8_e4m3fnuz, 8, 4, 3, 8, 25, True),
        LowFloat("float8e5m2fnuz", TensorProto.FLOAT8E5M2FNUZ, ml_dtypes.float8_e5m2fnuz, 8, 5, 2, 16, 25, True),
        LowFloat("float8e8m0", TensorProto.FLOAT8E8M0, ml_dtypes.float8_e8m0fnu, 8, 8, 0, 127, 25, True),
    ]
}
E8M0 = LOWBIT["float8e8m0"]
ROUND_MODES = ["up", "down", "nearest"]


def is_fnuz(f: LowFloat) -> bool:
    return f.name.endswith("fnuz")


def field_value(f: LowFloat, code: int) -> float:
    """The value of a code from its fields (the README's formula), in float64: exact."""
    if f is E8M0:
        return math.nan if code == 0xFF else 2.0 ** (code - 127)
    if is_fnuz(f) and code == 0x80:
        return math.nan
    sign = code >> (f.bits - 1)
    e = (code >> f.mantissa) & (2**f.exponent - 1)
    m = code & (2**f.mantissa - 1)
    if e:
        v = 2.0 ** (e - f.bias) * (1 + m / 2**f.mantissa)
    else:
        v = 2.0 ** (1 - f.bias) * m / 2**f.mantissa
    return -v if sign else v


def lowbit_decode_values(f: LowFloat, codes: np.ndarray) -> np.ndarray:
    """ml_dtypes' value of each code (the oracle), widened to float32."""
    return np.asarray(codes).astype(np.uint8).view(f.numpy).astype(F32)


def lowbit_limits(f: LowFloat) -> tuple[float, float, float]:
    """(smallest subnormal, smallest normal, largest finite)."""
    if f is E8M0:
        return 2.0**-127, 2.0**-127, 2.0**127
    values = [field_value(f, c) for c in range(f.codes // 2)]
    return values[1], 2.0 ** (1 - f.bias), max(v for v in values if not math.isnan(v))


def nearest_code(f: LowFloat, x: np.float32, saturate: bool, round_mode: str | None) -> int | None:
    """The README's cast rule by an exhaustive search over the codes, or None for an input the
    rule leaves out because the sources disagree on it (see `LOWBIT_LEFT_OUT`)."""
    if f is E8M0:
        return e8m0_code(x, saturate, round_mode or "up")
    if np.isnan(x):
        return 0x80 if is_fnuz(f) else None
    half = f.codes // 2
    positive = [(Fraction(field_value(f, c)), c) for c in range(half)]
    top, top_code = positive[-1]
    # the value the next code would have with one more exponent: where rounding leaves the format
    beyond = top + Fraction(2) ** (math.floor(math.log2(top)) - f.mantissa)
    if np.isinf(x):
        code = None
    else:
        a = abs(Fraction(float(x)))  # exact: distances are compared without rounding
        best = min(positive + [(beyond, None)],
                   key=lambda vc: (abs(a - vc[0]), 0 if vc[1] is None or vc[1] % 2 == 0 else 1))
        code = best[1]
    negative = bool(np.signbit(x))
    if code is None:  # past the largest finite value
        if is_fnuz(f) and not saturate:
            return 0x80
        code = top_code
    if is_fnuz(f):
        return code | 0x80 if negative and code != 0 else code
    return code | (half if negative else 0)


def e8m0_code(x: np.float32, saturate: bool, round_mode: str) -> int | None:
    if np.isnan(x):
        return 0xFF
    if np.signbit(x):
        return None  # negative inputs (and -0): ONNX's table and its reference differ
    a = float(x)
    if math.isinf(a):
        return 0xFF if not saturate else None  # saturate: table 0xFE, reference 0xFF
    smallest = 2.0**-127
    if a < smallest and not saturate:
        return None  # 0 and values below 2^-127 without saturate: table NaN, reference 0x00 or 0x01
    if round_mode == "up" and 0 < a <= smallest:
        return None  # float32 subnormals: ONNX's reference reads the exponent field and gives 0x01
    if round_mode == "nearest" and smallest < a < 1.5 * smallest:
        return None  # the same
    if a < smallest:
        return 0x00
    k = math.floor(math.log2(a))  # exact for a float32 (float64 log2 of a power of two is exact)
    while 2.0**k > a:
        k -= 1
    while 2.0 ** (k + 1) <= a:
        k += 1
    if round_mode == "down":
        code = k + 127
    elif round_mode == "up":
        code = k + 127 + (1 if a > 2.0**k else 0)
    else:
        code = k + 127 + (1 if a >= 1.5 * 2.0**k else 0)
    if code > 0xFE:
        return 0xFE if saturate else 0xFF
    return code


LOWBIT_LEFT_OUT = [
    "NaN to float4e2m1 / float6: no code (ONNX's float4 table says 6; its reference, through ml_dtypes, "
    "gives -0 for +NaN and +0 for -NaN; torchao's bit-level cast an arbitrary code)",
    "float8e8m0 from negative inputs and -0 (ONNX's table and its reference differ)",
    "float8e8m0 from Infinity with saturate (ONNX's table: 0xFE, its reference: 0xFF)",
    "float8e8m0 from 0 and values below 2^-127 without saturate (table: NaN; reference: 0x00 or 0x01)",
    "float8e8m0 from float32 subnormals where ONNX's reference, reading the exponent field, gives 0x01: "
    "x <= 2^-127 with roundMode up, 2^-127 < x < 1.5 * 2^-127 with roundMode nearest",
]


def lowbit_reference(f: LowFloat, x: np.ndarray, saturate: bool | None, round_mode: str | None) -> np.ndarray:
    """onnx.reference's Cast (ml_dtypes under ONNX's saturation and rounding rules): codes."""
    attrs = {}
    if saturate is not None:
        attrs["saturate"] = int(saturate)
    if round_mode is not None:
        attrs["round_mode"] = round_mode
    vi = helper.make_tensor_value_info
    model = onnx_model([helper.make_node("Cast", ["x"], ["y"], to=f.onnx, **attrs)],
                       [vi("x", TensorProto.FLOAT, list(x.shape))], [vi("y", f.onnx, list(x.shape))], opset=f.opset)
    (y,) = ReferenceEvaluator(model).run(None, {"x": x})
    return np.asarray(y).view(np.uint8).astype(np.int64)


def lowbit_codes_of_values(f: LowFloat, values: np.ndarray) -> np.ndarray:
    """The code of each float32 value (onnxruntime's results come back as float32)."""
    table = lowbit_decode_values(f, np.arange(f.codes))
    lookup = {int(b): c for c, b in reversed(list(enumerate(bits_of(table)))) if not np.isnan(table[c])}
    nan = 0xFF if f is E8M0 else 0x80
    return np.array([nan if np.isnan(v) else lookup[int(bits_of(np.array([v]))[0])]
                     for v in np.asarray(values, F32).ravel()], np.int64)


def lowbit_cast_case(ort: Ort, case_id: str, f: LowFloat, x: np.ndarray, saturate: bool | None,
                     round_mode: str | None):
    """A cast case: onnx.reference's codes, cross-checked with the exhaustive search of the README's
    rule and, where it implements the type, onnxruntime's Cast. Inputs the rule leaves out are dropped."""
    x = np.asarray(x, F32)
    effective = saturate is not False  # ONNX's default: saturate = 1
    rule = [nearest_code(f, v, effective, round_mode) for v in x]
    x = np.array([v for v, r in zip(x, rule) if r is not None], F32)
    rule_codes = np.array([r for r in rule if r is not None], np.int64)
    expected = lowbit_reference(f, x, saturate, round_mode)
    call = None
    if f.ort:
        attrs = {} if saturate is None else {"saturate": int(saturate)}
        if round_mode is not None:
            attrs["round_mode"] = round_mode
        vi = helper.make_tensor_value_info
        nodes = [helper.make_node("Cast", ["x"], ["c"], to=f.onnx, **attrs),
                 helper.make_node("Cast", ["c"], ["y"], to=TensorProto.FLOAT)]
        call = ort.submit(onnx_model(nodes, [vi("x", TensorProto.FLOAT, list(x.shape))],
                                     [vi("y", TensorProto.FLOAT, list(x.shape))], opset=25), {"x": x})

    def build() -> dict:
        rule_notes = formula_check("the exhaustive nearest-code search (the README's rule)", expected, rule_codes, x)
        notes = []
        if call is not None:
            got = lowbit_codes_of_values(f, ort_result(call, "y", case_id))
            bad = np.flatnonzero(got != expected)
            if bad.size:
                listed = ", ".join(f"x={show(x[i])}: onnxruntime {int(got[i]):#04x}, onnx.reference "
                                   f"{int(expected[i]):#04x}" for i in bad[:6])
                notes.append(f"onnxruntime differs from onnx.reference (kept, as the rule) on {bad.size} of "
                             f"{x.size} values: {listed}" + (", ..." if bad.size > 6 else ""))
        case = {"id": case_id, "op": "cast", "to": f.name}
        if saturate is not None:
            case["saturate"] = saturate
        if round_mode is not None:
            case["roundMode"] = round_mode
        case["input"] = tensor("float32", x)
        case["expected"] = tensor("uint8", expected)
        return against_rule(case, notes, rule_notes)

    return build


def lowbit_cast_inputs(f: LowFloat, kind: str, rng) -> np.ndarray:
    sub, normal, top = lowbit_limits(f)
    ulp_top = top - lowbit_limits_below_top(f)
    if kind == "edges":
        values = [0.0, -0.0, np.inf, -np.inf, 1.0, -1.0, 3.4028234663852886e38, -3.4028234663852886e38,
                  1.1754943508222875e-38, 1.401298464324817e-45, -1.401298464324817e-45,
                  top, -top, top + ulp_top / 4, -(top + ulp_top / 4), top + ulp_top / 2, -(top + ulp_top / 2),
                  float(np.nextafter(F32(top + ulp_top / 2), F32(0))), 2 * top, -2 * top, 1e6, -1e6,
                  normal, -normal, float(np.nextafter(F32(normal), F32(0))), sub, -sub, sub / 2, -sub / 2,
                  float(np.nextafter(F32(sub / 2), F32(1))), -float(np.nextafter(F32(sub / 2), F32(1))),
                  sub / 4, -sub / 4, sub * 0.75, sub * 1.5, -sub * 1.5, sub * 2.5, -sub * 2.5]
        if not f.name.startswith(("float4", "float6")):
            values += [float(QUIET_NAN), -float(QUIET_NAN)]
        return np.array(values, F32)
    if kind == "ties":
        positive = [field_value(f, c) for c in range(f.codes // 2)]
        pairs = list(range(len(positive) - 1))
        if len(pairs) > 24:
            pairs = sorted(rng.choice(pairs, size=24, replace=False).tolist())
        out = []
        for c in pairs:
            mid = F32((positive[c] + positive[c + 1]) / 2)
            assert float(mid) == (positive[c] + positive[c + 1]) / 2
            sign = F32(-1) if rng.random() < 0.5 else F32(1)
            out += [sign * mid, sign * np.nextafter(mid, F32(np.inf)), sign * np.nextafter(mid, F32(0))]
        return np.array(out, F32)
    if kind == "normal":
        return (rng.standard_normal(40) * top / 4).astype(F32)
    if kind == "range":
        e = rng.uniform(math.log2(sub) - 2, math.log2(top) + 1, 40)
        return (np.exp2(e) * rng.choice([-1, 1], 40)).astype(F32)
    if kind == "subnormal":
        return rng.uniform(-normal, normal, 24).astype(F32)
    if kind == "bits":
        x = rng.integers(0, 2**32, size=40, dtype=np.uint64).astype(np.uint32).view(F32)
        return x[~np.isnan(x)]
    raise ValueError(kind)


def lowbit_limits_below_top(f: LowFloat) -> float:
    """The largest finite value's neighbour below it."""
    values = sorted(v for v in (field_value(f, c) for c in range(f.codes // 2)) if not math.isnan(v))
    return values[-2]


def e8m0_inputs(kind: str, rng) -> np.ndarray:
    """Positive inputs for float8e8m0 (negative ones are left out: see LOWBIT_LEFT_OUT)."""
    if kind == "edges":
        return np.array([0.0, np.inf, float(QUIET_NAN), 3.4028234663852886e38, 2.0**127,
                         float(np.nextafter(F32(2.0**127), F32(0))), float(np.nextafter(F32(2.0**127), F32(np.inf))),
                         1.5 * 2.0**127, float(np.nextafter(F32(1.5 * 2.0**127), F32(0))), 1.0, 2.0**-126,
                         float(np.nextafter(F32(2.0**-126), F32(0))), float(np.nextafter(F32(2.0**-126), F32(1))),
                         1.5 * 2.0**-126, 2.0**-127, 1.5 * 2.0**-127, 1.75 * 2.0**-127, 2.0**-128,
                         1.401298464324817e-45, 0.75, 1.5, 3.0], F32)
    if kind == "powers":
        k = np.sort(rng.choice(np.arange(-126, 128), size=14, replace=False))
        p = np.exp2(k.astype(np.float64)).astype(F32)
        return np.concatenate([p, np.nextafter(p, F32(0)), np.nextafter(p, F32(np.inf))])
    if kind == "ties":
        k = np.sort(rng.choice(np.arange(-126, 127), size=14, replace=False))
        t = (1.5 * np.exp2(k.astype(np.float64))).astype(F32)
        return np.concatenate([t, np.nextafter(t, F32(0)), np.nextafter(t, F32(np.inf))])
    if kind == "range":
        return np.exp2(rng.uniform(-126, 128, 40)).astype(F32)
    if kind == "normal":
        return np.abs(rng.standard_normal(32) * 10 ** rng.uniform(-3, 3)).astype(F32)
    if kind == "subnormal":
        return rng.uniform(0, 2.0**-126, 24).astype(F32)
    raise ValueError(kind)


def lowbit_decode_case(ort: Ort, case_id: str, f: LowFloat):
    codes = np.arange(f.codes, dtype=np.int64)
    values = lowbit_decode_values(f, codes)
    fields = np.array([field_value(f, int(c)) for c in codes], np.float64).astype(F32)
    vi = helper.make_tensor_value_info
    model = onnx_model([helper.make_node("Cast", ["c"], ["y"], to=TensorProto.FLOAT)], [],
                       [vi("y", TensorProto.FLOAT, [codes.size])],
                       [numpy_helper.from_array(codes.astype(np.uint8).view(f.numpy), name="c")], opset=f.opset)
    (reference,) = ReferenceEvaluator(model).run(None, {})
    call = ort.submit(model, {}) if f.ort else None

    def build() -> dict:
        notes = formula_check("onnx.reference Cast", values, np.asarray(reference, F32), codes)
        rule = formula_check("the README's field formula", values, fields, codes)
        if call is not None:
            notes += formula_check("onnxruntime Cast", values, ort_result(call, "y", case_id), codes)
        return against_rule({"id": case_id, "op": "decode", "from": f.name, "input": tensor("uint8", codes),
                             "expected": tensor("float32", values)}, notes, rule)

    return build


def lowbit_oracle(ort: Ort, what: str) -> Callable[[], str]:
    return lambda: (
        f"ml_dtypes {ml_dtypes.__version__} ({what}) through onnx {onnx.__version__} onnx.reference Cast "
        "(opset 25; float6 opset 28: numpy_helper.saturate_cast, to_float8e8m0), every value cross-checked "
        "with an exhaustive nearest-code search of the rule; fnuz and float8e8m0 also with onnxruntime-node "
        f"{ort.version} Cast opset 25 (no float4 / float6 Cast there)"
    )


def build_lowbit_float_suites(ort: Ort) -> None:
    casts = suite("lowbit-casts.json",
                  "float32 to float4e2m1, float6e2m3 / e3m2 (nearest even, always saturating), float8e4m3fnuz / "
                  "e5m2fnuz (nearest even, with and without saturate) and float8e8m0 (roundMode up / down / "
                  "nearest, with and without saturate)", "cast", lowbit_oracle(ort, "astype"))
    kinds = ["edges", "ties", "normal", "range", "subnormal", "bits"]
    for f in LOWBIT.values():
        if f is E8M0:
            for round_mode in ROUND_MODES:
                for saturate in [True, False]:
                    for kind in ["edges", "powers", "ties", "range", "normal", "subnormal"]:
                        case_id = f"cast-{f.name}-{round_mode}{'-saturate' if saturate else '-nosaturate'}-{kind}"
                        x = e8m0_inputs(kind, rng_for(case_id))
                        casts.cases.append(lowbit_cast_case(ort, case_id, f, x, saturate, round_mode))
            case_id = f"cast-{f.name}-default-edges"  # ONNX's defaults: round_mode up, saturate 1
            casts.cases.append(lowbit_cast_case(ort, case_id, f, e8m0_inputs("edges", rng_for(case_id)), None, None))
        elif is_fnuz(f):
            for saturate in [True, False]:
                for kind in kinds:
                    case_id = f"cast-{f.name}{'-saturate' if saturate else '-nosaturate'}-{kind}"
                    x = lowbit_cast_inputs(f, kind, rng_for(case_id))
                    casts.cases.append(lowbit_cast_case(ort, case_id, f, x, saturate, None))
            case_id = f"cast-{f.name}-default-edges"
            casts.cases.append(lowbit_cast_case(ort, case_id, f, lowbit_cast_inputs(f, "edges", rng_for(case_id)),
                                                None, None))
        else:
            for kind in kinds:
                case_id = f"cast-{f.name}-{kind}"
                x = lowbit_cast_inputs(f, kind, rng_for(case_id))
                casts.cases.append(lowbit_cast_case(ort, case_id, f, x, None, None))

    decodes = suite("lowbit-decodes.json",
                    "every code of float4e2m1, float6e2m3 / e3m2, float8e4m3fnuz / e5m2fnuz and float8e8m0 to "
                    "float32 (exact)", "decode",
                    lambda: (f"ml_dtypes {ml_dtypes.__version__} (codes viewed as float4_e2m1fn, float6_e2m3fn, "
                             "float6_e3m2fn, float8_e4m3fnuz, float8_e5m2fnuz, float8_e8m0fnu, widened to float32); "
                             "cross-checked with the README's field formula, onnx "
                             f"{onnx.__version__} onnx.reference Cast and (fnuz, e8m0) onnxruntime-node "
                             f"{ort.version} Cast"))
    for f in LOWBIT.values():
        decodes.cases.append(lowbit_decode_case(ort, f"decode-{f.name}-all", f))


# ---------------------------------------------------------------------------------------------
# int2 / uint2 QuantizeLinear and DequantizeLinear (opset 25) through onnxruntime

INT2_OPSET = 25

# ONNX's own test vectors (onnx/backend/test/case/node/quantizelinear.py and dequantizelinear.py,
# export_int2 / export_uint2): inputs, scales (axis 0, zero points 0) and the results ONNX states.
ONNX_INT2_QUANTIZE = {
    "int2": ([[0.0, 2.5, 4.8, 8.6], [-4.0, -3.0, 1.0, 2.0], [-0.0, -2.5, -4.8, -8.6]], [2.0, 3.0, 4.0],
             [0, 1, 1, 1, -1, -1, 0, 1, 0, -1, -1, -2]),
    "uint2": ([[0.0, 2.5, 4.8, 8.6], [-2.0, -1.0, 1.0, 3.0], [4.0, 5.0, 6.0, 7.0]], [2.0, 3.0, 4.0],
              [0, 1, 2, 3, 0, 0, 0, 1, 1, 1, 2, 2]),
}
ONNX_INT2_DEQUANTIZE = {  # codes, scale, zero point, stated result
    "int2": ([0, 1, -1, -2], 2.0, 1, [-2.0, 0.0, -4.0, -6.0]),
    "uint2": ([0, 1, 2, 3], 2.0, 1, [-2.0, 0.0, 2.0, 4.0]),
}


def build_int2_suites(ort: Ort) -> None:
    oracle = lambda op: ort_oracle(op, ort, INT2_OPSET)  # noqa: E731
    q = suite("onnx-quantize-int2.json",
              "QuantizeLinear to int2 and uint2 (opset 25, one value per element): per tensor, per axis and blocked",
              "quantize", oracle("QuantizeLinear"))
    dq = suite("onnx-dequantize-int2.json",
               "DequantizeLinear from int2 and uint2 (opset 25): per tensor, per axis and blocked",
               "dequantize", oracle("DequantizeLinear"))
    for name in ["int2", "uint2"]:
        fmt = INT[name]
        x, scales, stated = ONNX_INT2_QUANTIZE[name]
        q.cases.append(onnx_quantize_case(ort, f"onnx-q-{name}-onnx-example", np.array(x, F32), fmt,
                                          np.array(scales, F32), np.zeros(3, np.int64), 0, None, INT2_OPSET,
                                          np.array(stated, np.int64).reshape(3, 4), True))
        for kind in DISTRIBUTIONS + ["ties", "saturate"]:
            case_id = f"onnx-q-{name}-{kind}"
            x, scale, zp = per_tensor_inputs(case_id, kind, fmt)
            if kind == "saturate":
                # ±Infinity and ±FLT_MAX apart: onnxruntime and onnx.reference both wrap +Infinity and
                # +FLT_MAX around for int2 / uint2 (see disagreements/), which would take the whole case
                extreme = np.isinf(x) | (np.abs(x) == FLT_MAX)
                q.cases.append(onnx_quantize_case(ort, f"{case_id}-float32-extremes", x[extreme], fmt, scale, zp,
                                                  opset=INT2_OPSET, prefer_reference=True))
                x = x[~extreme]
            q.cases.append(onnx_quantize_case(ort, case_id, x, fmt, scale, zp, opset=INT2_OPSET,
                                              prefer_reference=True))
        q.cases.extend(onnx_quantize_axis_cases(ort, name, fmt, opset=INT2_OPSET, prefer_reference=True))

        codes, scale, zp, stated = ONNX_INT2_DEQUANTIZE[name]
        dq.cases.append(onnx_dequantize_case(ort, f"onnx-dq-{name}-onnx-example", np.array(codes), fmt, F32(scale),
                                             zp, opset=INT2_OPSET, stated=np.array(stated, F32), prefer_reference=True))
        dq.cases.extend(onnx_dequantize_tensor_cases(ort, name, fmt, opset=INT2_OPSET, prefer_reference=True))
        for shape, axis in AXIS_SHAPES:
            dq.cases.append(onnx_dequantize_axis_case(ort, name, fmt, shape, axis, -2, 0.5,
                                                      opset=INT2_OPSET, prefer_reference=True))
        for shape, axis, block in [BLOCK_SHAPES[0], BLOCK_SHAPES[3]]:
            dq.cases.append(onnx_dequantize_block_case(ort, name, fmt, shape, axis, block, -2, 0.5,
                                                       opset=INT2_OPSET, prefer_reference=True))


# ---------------------------------------------------------------------------------------------
# GGUF block formats: the gguf Python package (llama.cpp's gguf-py), ggml's rules in numpy float32


@dataclass(frozen=True)
class GgmlFormat:
    name: str
    block: int
    size: int  # bytes a block
    quantize: bool  # whether the gguf package's quantizer is ggml's (byte-identical) and core has the type


GGML = {
    f.name: f
    for f in [
        GgmlFormat("q8_0", 32, 34, True),
        GgmlFormat("q4_0", 32, 18, True),
        GgmlFormat("q4_1", 32, 20, True),
        GgmlFormat("q5_0", 32, 22, True),
        GgmlFormat("q5_1", 32, 24, True),
        GgmlFormat("iq4_nl", 32, 18, False),
        GgmlFormat("q2_K", 256, 84, False),
        GgmlFormat("q3_K", 256, 110, False),
        GgmlFormat("q4_K", 256, 144, False),
        GgmlFormat("q5_K", 256, 176, False),
        GgmlFormat("q6_K", 256, 210, False),
    ]
}
IQ4NL = np.array([-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113], F32)
GGUF_VERSION = importlib.metadata.version("gguf")


def gguf_type(name: str):
    return getattr(gguf.GGMLQuantizationType, name.upper())


def fp16(v) -> list[int]:
    """float32 to IEEE binary16 bytes, little-endian, rounding to nearest even (numpy's astype)."""
    return [int(b) for b in np.array([v], F32).astype(np.float16).view(np.uint8)]


def half(b: np.ndarray, at: int) -> np.float32:
    return F32(np.frombuffer(bytes(int(v) for v in b[at:at + 2]), np.float16)[0])


def roundf(v: np.float32) -> int:
    """C's roundf: to nearest, ties away from zero (computed exactly in float64)."""
    a = math.floor(abs(float(v)) + 0.5)
    return -a if v < 0 else a


def signed_max(x: np.ndarray) -> np.float32:
    """ggml's "max": the value of largest magnitude, the first of a tie, +0 for a block of zeros."""
    amax, m = F32(0), F32(0)
    for v in x:
        if amax < abs(v):
            amax, m = F32(abs(v)), v
    return m


def nibbles(q: np.ndarray) -> list[int]:
    """Values 0..15 of a 32-value block as qs: value i < 16 in the low nibble of byte i, i >= 16 high."""
    return [int(q[j] & 15) | int(q[j + 16] & 15) << 4 for j in range(16)]


def high_bits(q: np.ndarray) -> list[int]:
    """The fifth bit of each of 32 values as qh: bit i of a little-endian uint32."""
    h = sum(int((q[i] >> 4) & 1) << i for i in range(32))
    return list(h.to_bytes(4, "little"))


def ggml_quantize_block(fmt: str, x: np.ndarray) -> list[int]:
    """quantize_row_<fmt>_ref of one block, as golden/README.md (../shared/golden/README.md) writes
    ggml's reference quantizers: float32 operations in order, none fused."""
    x = np.asarray(x, F32)
    if fmt == "q8_0":
        amax = F32(np.max(np.abs(x)))
        d = F32(amax / F32(127))
        inv = F32(F32(1) / d) if d else F32(0)
        return fp16(d) + [roundf(F32(v * inv)) & 0xFF for v in x]
    if fmt in ("q4_0", "q5_0"):
        top, half_range = (15, 8) if fmt == "q4_0" else (31, 16)
        d = F32(signed_max(x) / F32(-half_range))
        inv = F32(F32(1) / d) if d else F32(0)
        q = np.array([min(top, int(np.trunc(F32(F32(v * inv) + F32(half_range + 0.5))))) for v in x], np.int64)
        return fp16(d) + (nibbles(q) if fmt == "q4_0" else high_bits(q) + nibbles(q))
    if fmt in ("q4_1", "q5_1"):
        lo, hi = FLT_MAX, -FLT_MAX
        for v in x:
            if v < lo:
                lo = v
            if v > hi:
                hi = v
        d = F32(F32(hi - lo) / F32(15 if fmt == "q4_1" else 31))
        inv = F32(F32(1) / d) if d else F32(0)
        q = [int(np.trunc(F32(F32(F32(v - lo) * inv) + F32(0.5)))) for v in x]
        q = np.array([min(15, v) for v in q] if fmt == "q4_1" else q, np.int64)
        return fp16(d) + fp16(lo) + (nibbles(q) if fmt == "q4_1" else high_bits(q) + nibbles(q))
    raise ValueError(fmt)


def ggml_quantize_rows(fmt: str, x: np.ndarray) -> np.ndarray:
    f = GGML[fmt]
    rows = [sum((ggml_quantize_block(fmt, row[b:b + f.block]) for b in range(0, row.size, f.block)), [])
            for row in np.asarray(x, F32)]
    return np.array(rows, np.int64)


def k_scale_min(scales: np.ndarray, j: int) -> tuple[int, int]:
    """The 6-bit scale and min of sub-block j of q4_K / q5_K."""
    if j < 4:
        return int(scales[j] & 63), int(scales[j + 4] & 63)
    return (int(scales[j + 4] & 15) | (int(scales[j - 4]) >> 6) << 4,
            (int(scales[j + 4]) >> 4) | (int(scales[j]) >> 6) << 4)


def ggml_dequantize_block(fmt: str, b: np.ndarray) -> np.ndarray:
    """dequantize_row_<fmt> of one block, from the layouts of golden/README.md, every operation in float32."""
    b = np.asarray(b, np.int64)
    out = np.empty(GGML[fmt].block, F32)
    if fmt == "q8_0":
        d = half(b, 0)
        for i in range(32):
            out[i] = d * F32(b[2 + i] - 256 if b[2 + i] > 127 else b[2 + i])
        return out
    if fmt in ("q4_0", "q4_1", "q5_0", "q5_1", "iq4_nl"):
        d = half(b, 0)
        m = half(b, 2) if fmt in ("q4_1", "q5_1") else None
        qs_at = {"q4_0": 2, "q4_1": 4, "q5_0": 6, "q5_1": 8, "iq4_nl": 2}[fmt]
        qh = int.from_bytes(bytes(int(v) for v in b[qs_at - 4:qs_at]), "little") if fmt in ("q5_0", "q5_1") else 0
        for i in range(32):
            n = int(b[qs_at + i] & 15) if i < 16 else int(b[qs_at + i - 16] >> 4)
            n |= ((qh >> i) & 1) << 4
            if fmt == "q4_0":
                out[i] = F32(n - 8) * d
            elif fmt == "q5_0":
                out[i] = F32(n - 16) * d
            elif fmt == "iq4_nl":
                out[i] = d * IQ4NL[n]
            else:
                out[i] = F32(F32(n) * d) + m
        return out
    if fmt == "q2_K":
        scales, qs, d, dmin = b[:16], b[16:80], half(b, 80), half(b, 82)
        for i in range(256):
            a, r = divmod(i, 128)
            bb, c = divmod(r, 32)
            q = (int(qs[32 * a + c]) >> (2 * bb)) & 3
            sc = int(scales[i // 16])
            out[i] = F32(F32(d * F32(sc & 15)) * F32(q)) - F32(dmin * F32(sc >> 4))
        return out
    if fmt == "q3_K":
        hmask, qs, scales, d = b[:32], b[32:96], b[96:108], half(b, 108)
        for i in range(256):
            a, r = divmod(i, 128)
            bb, c = divmod(r, 32)
            q = (int(qs[32 * a + c]) >> (2 * bb)) & 3
            h = (int(hmask[i % 32]) >> (i // 32)) & 1
            j = i // 16
            low = int(scales[j] & 15) if j < 8 else int(scales[j - 8]) >> 4
            s = low | ((int(scales[8 + j % 4]) >> (2 * (j // 4))) & 3) << 4
            out[i] = F32(d * F32(s - 32)) * F32(q + 4 * h - 4)
        return out
    if fmt in ("q4_K", "q5_K"):
        d, dmin, scales = half(b, 0), half(b, 2), b[4:16]
        qh, qs = (None, b[16:144]) if fmt == "q4_K" else (b[16:48], b[48:176])
        for i in range(256):
            a, r = divmod(i, 64)
            bb, c = divmod(r, 32)
            q = (int(qs[32 * a + c]) >> (4 * bb)) & 15
            if qh is not None:
                q += 16 * ((int(qh[i % 32]) >> (i // 32)) & 1)
            sc, mn = k_scale_min(scales, i // 32)
            out[i] = F32(F32(d * F32(sc)) * F32(q)) - F32(dmin * F32(mn))
        return out
    if fmt == "q6_K":
        ql, qh, scales, d = b[:128], b[128:192], b[192:208], half(b, 208)
        for i in range(256):
            a, r = divmod(i, 128)
            bb, c = divmod(r, 32)
            low = (int(ql[64 * a + 32 * (bb % 2) + c]) >> (0 if bb < 2 else 4)) & 15
            q = low | ((int(qh[32 * a + c]) >> (2 * bb)) & 3) << 4
            sc = int(scales[i // 16])
            sc = sc - 256 if sc > 127 else sc
            out[i] = F32(d * F32(sc)) * F32(q - 32)
        return out
    raise ValueError(fmt)


def ggml_dequantize_rows(fmt: str, data: np.ndarray) -> np.ndarray:
    f = GGML[fmt]
    return np.array([np.concatenate([ggml_dequantize_block(fmt, row[k:k + f.size]) for k in range(0, row.size, f.size)])
                     for row in np.asarray(data, np.int64)], F32)


def gguf_oracle(what: str) -> Callable[[], str]:
    return lambda: (
        f"gguf {GGUF_VERSION} (llama.cpp's gguf-py, numpy "
        f"{np.__version__}) gguf.quants.{what}; cross-checked with ggml's reference rules (golden/README.md) in "
        "numpy float32"
    )


def gguf_quantize_inputs(fmt: str, kind: str, rng) -> np.ndarray:
    block = GGML[fmt].block
    if kind == "normal":
        return (rng.standard_normal((1, 2 * block)) * rng.uniform(0.5, 2)).astype(F32)
    if kind == "uniform-outliers":
        x = rng.uniform(-1, 1, (1, 2 * block))
        for row in x:
            spikes = rng.choice(row.size, size=3, replace=False)
            row[spikes] = rng.choice([-1, 1], 3) * rng.uniform(5, 40, 3)
        return x.astype(F32)
    if kind == "scale":
        # one magnitude a block, from 1e-6 to 1e4 (inside every format's storable range)
        x = rng.standard_normal((1, 4 * block))
        return (x * 10 ** rng.uniform(-6, 4, (1, 4, 1)).repeat(block, axis=2).reshape(1, 4 * block)).astype(F32)
    if kind == "edge":
        blocks = [
            np.zeros(block),  # zeros (of both signs: "zero-blocks")
            np.full(block, 0.75),  # constant
            np.concatenate([[3.0, -3.0], rng.uniform(-2, 2, block - 2)]),  # +M before -M: +M wins
            np.concatenate([[-3.0, 3.0], rng.uniform(-2, 2, block - 2)]),  # -M before +M: -M wins
            np.concatenate([np.zeros(block - 1), [-1.5]]),  # one nonzero, negative
            np.concatenate([[2.0**-20], np.zeros(block - 1)]),  # one tiny value (fp16 d subnormal or 0)
            rng.uniform(0.5, 1.0, block),  # all positive: q4_1's min > 0
            -rng.uniform(0.5, 1.0, block),  # all negative
        ]
        return np.array(blocks, F32).reshape(4, 2 * block)
    if kind == "ties":
        # scaled values on rounding boundaries: x * id = k + 1/2 (and one float32 step above, every
        # fifth), the block's extreme set so that d is the chosen step
        lo, hi = {"q8_0": (-127, 126), "q4_0": (-8, 7), "q5_0": (-16, 15), "q4_1": (0, 14), "q5_1": (0, 30)}[fmt]
        extreme = {"q8_0": 127, "q4_0": -8, "q5_0": -16, "q4_1": 15, "q5_1": 31}[fmt]
        blocks = []
        for _ in range(2):
            d = float(F32(rng.uniform(0.01, 0.1)))
            x = ((rng.integers(lo, hi, block, endpoint=True) + 0.5) * d).astype(F32)
            x[0] = extreme * d
            x[1] = 0.0
            x[2::5] = np.nextafter(x[2::5], F32(np.inf))
            blocks.append(x)
        return np.array(blocks, F32).reshape(1, 2 * block)
    if kind == "zero-blocks":
        # blocks of zeros of both signs: the first +0 (row 0), the first -0 (row 1)
        x = np.where(rng.random((2, block)) < 0.5, 0.0, -0.0)
        x[0, 0], x[1, 0] = 0.0, -0.0
        return x.astype(F32)
    raise ValueError(kind)


def gguf_quantize_case(case_id: str, fmt: str, x: np.ndarray) -> dict:
    q = gguf.quants.quantize(x, gguf_type(fmt)).astype(np.int64)
    y = gguf.quants.dequantize(q.astype(np.uint8), gguf_type(fmt))
    rule = formula_check("ggml's reference quantizer (numpy float32)", q, ggml_quantize_rows(fmt, x))
    rule += formula_check("ggml's reference dequantizer (numpy float32)", y, ggml_dequantize_rows(fmt, q))
    return against_rule({"id": case_id, "op": "gguf_quantize", "format": fmt, "input": tensor("float32", x),
                         "expected": {"bytes": tensor("uint8", q), "dequantized": tensor("float32", y)}}, [], rule)


def random_blocks(fmt: str, rng, rows: int, blocks: int, kind: str) -> np.ndarray:
    """Random bytes with finite fp16 fields (d, dmin, m); "extremes" puts the largest, the smallest
    subnormal and zeros of both signs in those fields."""
    f = GGML[fmt]
    data = rng.integers(0, 256, (rows, blocks, f.size))
    fields = {"q8_0": [0], "q4_0": [0], "q5_0": [0], "iq4_nl": [0], "q4_1": [0, 2], "q5_1": [0, 2],
              "q2_K": [80, 82], "q3_K": [108], "q4_K": [0, 2], "q5_K": [0, 2], "q6_K": [208]}[fmt]
    special = [0x7BFF, 0xFBFF, 0x0001, 0x8001, 0x0000, 0x8000, 0x0400, 0x3C00]
    for index in np.ndindex(rows, blocks):
        for at in fields:
            if kind == "extremes":
                h = special[int(rng.integers(0, len(special)))]
            else:  # sign, exponent 1..20 (magnitudes 2^-14 .. 2^5), any mantissa: finite, mostly normal
                h = int(rng.integers(0, 2)) << 15 | int(rng.integers(1, 21)) << 10 | int(rng.integers(0, 1024))
            data[index][at:at + 2] = [h & 0xFF, h >> 8]
    return data.reshape(rows, blocks * f.size)


def gguf_dequantize_case(case_id: str, fmt: str, data: np.ndarray) -> dict:
    f = GGML[fmt]
    y = gguf.quants.dequantize(data.astype(np.uint8), gguf_type(fmt))
    rule = formula_check("ggml's reference dequantizer (numpy float32)", y, ggml_dequantize_rows(fmt, data))
    shape = [int(data.shape[0]), int(data.shape[1] // f.size * f.block)]
    return against_rule({"id": case_id, "op": "gguf_dequantize", "format": fmt, "input": tensor("uint8", data),
                         "shape": shape, "expected": tensor("float32", y)}, [], rule)


def build_gguf_suites() -> None:
    q = suite("gguf-quantize.json",
              "GGUF Q8_0, Q4_0, Q4_1, Q5_0, Q5_1: quantize_row_<fmt>_ref bytes and dequantize_row_<fmt> values",
              "gguf_quantize", gguf_oracle("quantize / dequantize"))
    for fmt, f in GGML.items():
        if not f.quantize:
            continue
        for kind in ["normal", "uniform-outliers", "scale", "edge", "ties", "zero-blocks"]:
            case_id = f"gguf-py-{fmt}-{kind}"
            x = gguf_quantize_inputs(fmt, kind, rng_for(case_id))
            q.cases.append(lambda a=(case_id, fmt, x): gguf_quantize_case(*a))
    dq = suite("gguf-dequantize.json",
               "GGUF dequantize_row_<fmt> of random valid blocks (finite fp16 fields): Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, "
               "IQ4_NL, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K", "gguf_dequantize", gguf_oracle("dequantize"))
    for fmt, f in GGML.items():
        for kind in ["random", "extremes"]:
            case_id = f"gguf-py-{fmt}-dq-{kind}"
            rng = rng_for(case_id)
            rows, blocks = (2, 2) if f.block == 32 else (1, 1)
            data = random_blocks(fmt, rng, rows, blocks, kind)
            dq.cases.append(lambda a=(case_id, fmt, data): gguf_dequantize_case(*a))


# ---------------------------------------------------------------------------------------------
# Carried data: cases of oracles that do not install with pip here, kept unchanged with their
# provenance. `--carry DIR` copies them from DIR (../shared/golden/next); every other run only
# checks that they are there and lists them in the README.

SHARED_NEXT = {  # file of ../shared/golden/next: the sha256 of the copy the cases were carried from
    "gguf.json": "cbf489e9160090e23b0e0cf66594c0edf9b02404ae593a6e29dd1508074cc4b3",
    "lowbit-mx.json": "b33d1fb6577801c0cb3be280f0fbc2887e6e3eec75d757ea496a87f5de9b1e9c",
    "lowbit-nvfp4.json": "7fac3a234306cc9a20ecc8a0729f0195ec171c39b2657ba01a7085f79d9d17d3",
    "lowbit-bnb.json": "276980c0932b7cdc38787c19de22ccab7583aca17dc99bbf516bbd15fd0e86e5",
}

GGML_PROVENANCE = (
    "ggml's scalar reference code, ggml-org/ggml commit d99724f2b141fed9e1a9f402213506c081433465, "
    "src/ggml-quants.c `quantize_row_<format>_ref` and `dequantize_row_<format>`, built with gcc 12 for plain "
    "x86-64 (float32, no fused multiply-add; -O2 and -O0 agree byte for byte); inputs from numpy 1.24"
)
MX_PROVENANCE = (
    "microsoft/microxcaling 7bc41952de394f5cc5e782baf132e7c7542eb4e4 `mx_ops._quantize_mx` (python path, torch "
    "1.13 CPU) for the dequantized values; scales and codes from the exact OCP MX v1.0 rule, checked against "
    "transcriptions of its C++ kernels and of torchao's `to_mx`"
)
NVFP4_PROVENANCE = (
    "pytorch/ao 36027d82d1ad9949597ea16002ff4940374b1b94 torchao/prototype/mx_formats/nvfp4_tensor.py "
    "`nvfp4_quantize`, `per_tensor_amax_to_scale`, `NVFP4Tensor.dequantize`, transcribed to numpy float32 (torch "
    "1.13 has no float8); e2m1 codes by torchao's own cast run on torch 1.13"
)
BNB_PROVENANCE = (
    "bitsandbytes-foundation/bitsandbytes 95f9af309d4d5793847169c39288dcd3fcbdf564 default (pure torch) backend "
    "`quantize_4bit`, `quantize_blockwise`, `dequantize_4bit`, `dequantize_blockwise` and `functional.quantize_4bit`'s "
    "double-quant glue, run on torch 1.13 CPU, matched by an independent numpy transcription"
)


@dataclass(frozen=True)
class Carried:
    file: str  # under golden/; pending/ for suites whose ops the runner does not know yet
    source: str  # the file of ../shared/golden/next
    ids: tuple[str, ...] | None  # the source's cases carried here, in its order; None: the rest
    why: str  # why the cases are carried rather than generated
    provenance: str


def ggml_ids(formats: list[str], ops=("gguf_quantize",), extra: tuple[str, ...] = ()) -> tuple[str, ...]:
    ids = []
    for fmt in formats:
        if "gguf_quantize" in ops:
            ids += [f"gguf-{fmt}-{k}" for k in ["normal", "uniform-outliers", "edge", "scale"]]
        if "gguf_dequantize" in ops:
            ids.append(f"gguf-{fmt}-dq-random")
    return tuple(ids) + extra


NO_QUANTIZER = "the gguf package (0.19.0) has no quantizer for these formats"
CARRIED = [
    Carried("gguf-ggml-q2_K-q4_K.json", "gguf.json", ggml_ids(["q2_K", "q3_K", "q4_K"]), NO_QUANTIZER,
            GGML_PROVENANCE),
    Carried("gguf-ggml-q5_K-q8_K.json", "gguf.json",
            ggml_ids(["q5_K", "q6_K"]) + ggml_ids(["q8_K"], ("gguf_quantize", "gguf_dequantize")),
            NO_QUANTIZER + " (and no Q8_K dequantizer)", GGML_PROVENANCE),
    Carried("gguf-ggml-iq4_nl-zeros.json", "gguf.json",
            ggml_ids(["iq4_nl"], extra=("gguf-q4_0-edge", "gguf-q5_0-edge", "gguf-q5_1-edge")),
            "the gguf package has no IQ4_NL quantizer; on the three `edge` cases its Q4_0 / Q5_0 / Q5_1 "
            "quantizers differ from ggml (the sign of zero in all-zero blocks: see below)", GGML_PROVENANCE),
    Carried("lowbit-mx.json", "lowbit-mx.json", None,
            "microxcaling and torchao do not install with pip here", MX_PROVENANCE),
    Carried("lowbit-nvfp4.json", "lowbit-nvfp4.json", None, "torchao does not install with pip here",
            NVFP4_PROVENANCE),
    Carried("lowbit-bnb.json", "lowbit-bnb.json", None, "bitsandbytes does not install with pip here",
            BNB_PROVENANCE),
    # its one case is 699 KB of JSON: gzipped (229 KB), which the runner reads as it is
    Carried("lowbit-bnb-nested-full.json.gz", "lowbit-bnb.json", ("bnb-nf4-dq-nested-full",),
            "bitsandbytes does not install with pip here", BNB_PROVENANCE),
]


def case_text(case: dict) -> str:
    return json.dumps(case, separators=(",", ":"), allow_nan=False, ensure_ascii=False)


def suite_text(head: dict, cases: list[dict]) -> str:
    """A suite in this folder's layout: one case a line."""
    top = json.dumps(head, separators=(",", ":"), allow_nan=False, ensure_ascii=False)
    return "\n".join([top[:-1] + ',"cases":[', ",\n".join(case_text(c) for c in cases), "]}"]) + "\n"


def read_suite_file(path: Path) -> dict:
    raw = path.read_bytes()
    return json.loads(gzip.decompress(raw) if path.name.endswith(".gz") else raw)


def carry(source_dir: Path, out: Path) -> None:
    """Copies the carried cases from source_dir, unchanged (each case's JSON text as in the source)."""
    for c in CARRIED:
        src = source_dir / c.source
        raw = src.read_bytes()
        digest = hashlib.sha256(raw).hexdigest()
        if digest != SHARED_NEXT[c.source]:
            raise RuntimeError(f"--carry: {src} has sha256 {digest}, not the pinned {SHARED_NEXT[c.source]}")
        text = raw.decode()
        data = json.loads(text)
        elsewhere = {i for other in CARRIED if other.source == c.source and other.ids for i in other.ids}
        wanted = set(c.ids) if c.ids else None
        cases = [k for k in data["cases"] if (k["id"] in wanted if wanted is not None else k["id"] not in elsewhere)]
        if wanted is not None and {k["id"] for k in cases} != wanted:
            raise RuntimeError(f"--carry: {src} lacks {sorted(wanted - {k['id'] for k in cases})}")
        for k in cases:
            if case_text(k) not in text:
                raise RuntimeError(f"--carry: case {k['id']} does not read back to its text in {src}")
        body = suite_text({"suite": data["suite"], "oracle": data["oracle"]}, cases).encode()
        path = out / c.file
        path.parent.mkdir(parents=True, exist_ok=True)
        if c.file.endswith(".gz"):
            buffer = io.BytesIO()
            with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, mtime=0, compresslevel=9) as z:
                z.write(body)
            body = buffer.getvalue()
        path.write_bytes(body)
        print(f"  carried {c.file}: {len(cases)} cases of {c.source}")


def carried_suites(out: Path) -> list[tuple[Carried, dict, int]]:
    """The carried files as they are in the folder (suite, byte size); a missing one is an error."""
    found = []
    for c in CARRIED:
        path = out / c.file
        if not path.exists():
            raise RuntimeError(f"{path} is missing: it is carried data, not generated; restore it with git, or "
                               "copy it again with `golden.py --carry ../shared/golden/next`")
        data = read_suite_file(path)
        if c.ids is not None and sorted(k["id"] for k in data["cases"]) != sorted(c.ids):
            raise RuntimeError(f"{path}: its cases are not the carried ones ({', '.join(c.ids)})")
        found.append((c, data, path.stat().st_size))
    return found


def gguf_against_ggml(carried: list[tuple[Carried, dict, int]]) -> list[str]:
    """README lines: the gguf package run on ggml's own carried cases."""
    agree, total, lacking, lines = 0, 0, set(), []
    rule_agree, rule_total = 0, 0
    for c, data, _ in carried:
        if c.source != "gguf.json":
            continue
        for k in data["cases"]:
            fmt = k["format"]
            stored = k["expected"]["bytes"] if k["op"] == "gguf_quantize" else k["input"]
            want = k["expected"]["dequantized"] if k["op"] == "gguf_quantize" else k["expected"]
            codes = np.array(stored["data"], np.uint8).reshape(stored["shape"])
            if fmt in GGML:  # the cross-check's own transcription of ggml, against ggml
                rule_total += 1
                ok = same_floats(ggml_dequantize_rows(fmt, codes), np.array([readback(v) for v in want["data"]], F32))
                if k["op"] == "gguf_quantize" and GGML[fmt].quantize:
                    x = np.array([readback(v) for v in k["input"]["data"]], F32).reshape(k["input"]["shape"])
                    ok = ok and np.array_equal(ggml_quantize_rows(fmt, x), codes.astype(np.int64))
                rule_agree += bool(ok)
            try:
                y = gguf.quants.dequantize(codes, gguf_type(fmt))
            except NotImplementedError:
                lacking.add(fmt)
                continue
            total += 1
            agree += same_floats(y, np.array([readback(v) for v in want["data"]], F32))
            if k["op"] == "gguf_quantize" and fmt in GGML and GGML[fmt].quantize:
                x = np.array([readback(v) for v in k["input"]["data"]], F32).reshape(k["input"]["shape"])
                q = gguf.quants.quantize(x, gguf_type(fmt)).ravel()
                bad = np.flatnonzero(q != codes.ravel())
                f = GGML[fmt]
                where = "; ".join(
                    f"row {i // (codes.shape[1])}, block {(i % codes.shape[1]) // f.size}, byte {(i % codes.shape[1]) % f.size}: "
                    f"gguf {int(q[i]):#04x}, ggml {int(codes.ravel()[i]):#04x}" for i in bad)
                lines.append(f"- `{k['id']}`: gguf {GGUF_VERSION} quantizes {bad.size} byte(s) otherwise: {where}"
                             if bad.size else f"- `{k['id']}`: gguf {GGUF_VERSION} writes the same bytes")
    head = [f"gguf {GGUF_VERSION} dequantizes the bytes of {agree} of {total} carried ggml cases to ggml's values, "
            "bit for bit" + (f" (it has no dequantizer for {', '.join(sorted(lacking))})" if lacking else "") + ". "
            f"The cross-check's numpy transcription of ggml's rules reproduces ggml on {rule_agree} of {rule_total} "
            "of them (its dequantizers, and for Q4_0 / Q5_0 / Q5_1 its quantizers)."]
    return head + ([""] + lines if lines else [])


# ---------------------------------------------------------------------------------------------
# Metrics, MatMulInteger, packing


def metrics_expected(x: np.ndarray, y: np.ndarray, keys) -> dict:
    x64 = np.asarray(x, F32).astype(np.float64)
    y64 = np.asarray(y, F32).astype(np.float64)
    d = y64 - x64
    with np.errstate(divide="ignore", invalid="ignore"):
        values = {
            "mse": float(np.mean(d * d)),
            "rmse": float(np.sqrt(np.mean(d * d))),
            "maxAbs": float(np.max(np.abs(d))),
            "meanAbs": float(np.mean(np.abs(d))),
            "sqnrDb": float(20 * np.log10(np.linalg.norm(x64) / np.linalg.norm(d))),
            "cosine": float(np.dot(x64, y64) / (np.linalg.norm(x64) * np.linalg.norm(y64))),
            "absPercentage": [float(v) for v in np.where(x64 == 0, 0.0, 100 * np.abs(d) / np.abs(x64))],
        }
    return {k: values[k] for k in keys}


METRIC_KEYS = ["mse", "rmse", "maxAbs", "meanAbs", "sqnrDb", "cosine", "absPercentage"]


def build_metrics_suite() -> None:
    s = suite("metrics.json",
              "error metrics in float64: mse, rmse, maxAbs, meanAbs, sqnrDb = 20 log10(|x| / |x - y|), cosine, "
              "absPercentage = 100 |y - x| / |x| (0 where x = 0)", "metrics",
              lambda: f"numpy {np.__version__} float64")
    for kind in DISTRIBUTIONS + ["int4-grid"]:
        case_id = f"metrics-{kind}"
        rng = rng_for(case_id)
        x = draw("normal" if kind == "int4-grid" else kind, rng, (length(rng),))
        fmt = INT["int4" if kind == "int4-grid" else "int8"]
        scale, zp = range_params(rng, x, fmt, symmetric=True)
        y = onnx_dequantize_formula(onnx_quantize_formula(x, scale, zp, fmt), scale, zp)
        s.cases.append(lambda a=(case_id, x, y): {"id": a[0], "op": "metrics", "x": tensor("float32", a[1]),
                                                   "y": tensor("float32", a[2]), "tolerance": {"rel": 1e-9},
                                                   "expected": metrics_expected(a[1], a[2], METRIC_KEYS)})
    case_id = "metrics-noise-partial"
    rng = rng_for(case_id)
    x = draw("uniform", rng, (24,))
    y = (x + rng.standard_normal(24) * 0.01).astype(F32)
    s.cases.append(lambda: {"id": case_id, "op": "metrics", "x": tensor("float32", x), "y": tensor("float32", y),
                            "tolerance": {"rel": 1e-9},
                            "expected": metrics_expected(x, y, ["sqnrDb", "cosine", "maxAbs"])})


def build_matmul_suite(ort: Ort) -> None:
    s = suite("onnx-matmul-integer.json",
              "MatMulInteger: int32 y = (a - a_zero_point) @ (b - b_zero_point), scalar zero points",
              "matmul_integer", lambda: (
                  f"onnxruntime-node {ort.version} (CPU execution provider, one thread, MatMulInteger opset 10); "
                  f"cross-checked with onnx {onnx.__version__} onnx.reference and numpy {np.__version__} int64"))
    shapes = [(5, 3, 8), (7, 3, 1), (1, 1, 1), (4, 64, 3), (16, 16, 16)]
    for a_name in ["int8", "uint8"]:
        for b_name in ["int8", "uint8"]:
            fa, fb = INT[a_name], INT[b_name]
            for m, k, n in shapes + [("extreme", 32, 2)]:
                extreme = m == "extreme"
                rows = 2 if extreme else m
                case_id = f"matmul-integer-{a_name}-{b_name}-{'extreme' if extreme else f'{m}x{k}x{n}'}"
                rng = rng_for(case_id)
                if extreme:
                    a = np.full((rows, k), fa.lo, np.int64)
                    a[1] = fa.hi
                    b = np.full((k, n), fb.lo, np.int64)
                    b[:, 1] = fb.hi
                    az, bz = fa.hi, fb.hi
                else:
                    a = rng.integers(fa.lo, fa.hi, size=(rows, k), endpoint=True)
                    b = rng.integers(fb.lo, fb.hi, size=(k, n), endpoint=True)
                    az = int(rng.integers(fa.lo, fa.hi, endpoint=True))
                    bz = int(rng.integers(fb.lo, fb.hi, endpoint=True))
                s.cases.append(matmul_case(ort, case_id, a, b, fa, fb, az, bz))


def matmul_case(ort: Ort, case_id, a, b, fa: IntFormat, fb: IntFormat, az: int, bz: int):
    vi = helper.make_tensor_value_info
    model = onnx_model([helper.make_node("MatMulInteger", ["a", "b", "az", "bz"], ["y"])],
                       [vi("a", fa.onnx, list(a.shape)), vi("b", fb.onnx, list(b.shape))],
                       [vi("y", TensorProto.INT32, [a.shape[0], b.shape[1]])],
                       [initializer("az", fa.onnx, np.array(az)), initializer("bz", fb.onnx, np.array(bz))], opset=10)
    call = ort.submit(model, {"a": a.astype(fa.numpy), "b": b.astype(fb.numpy)})

    def build() -> dict:
        got = ort_result(call, "y", case_id)
        notes = reference_check(call, "y", got)
        notes += formula_check("numpy int64", got, (a - az) @ (b - bz))
        return with_note({"id": case_id, "op": "matmul_integer", "a": tensor(fa.name, a), "b": tensor(fb.name, b),
                          "aZeroPoint": az, "bZeroPoint": bz, "expected": tensor("int32", got)}, notes)

    return build


def pack_bytes(v: np.ndarray, bits: int) -> np.ndarray:
    """ONNX's packing: 8 / bits values a byte, the first in the lowest bits, a short last byte padded with 0."""
    per = 8 // bits
    codes = np.asarray(v, np.int64) & (2**bits - 1)
    padded = np.concatenate([codes, np.zeros(-codes.size % per, np.int64)]).reshape(-1, per)
    return (padded << (bits * np.arange(per))).sum(axis=1)


def build_pack_suite() -> None:
    s = suite("integer-pack.json",
              "int4 / uint4 packing (two values a byte, the first in the low nibble) and int2 / uint2 packing (four "
              "a byte, the first in bits 0-1); a short last byte padded with 0",
              "pack", lambda: (f"numpy {np.__version__} int64 bit arithmetic; cross-checked with onnx "
                               f"{onnx.__version__} numpy_helper.from_array (ONNX's int4 / uint4 / int2 / uint2 "
                               "raw_data)"))
    for name, bits, lengths in [("int4", 4, [1, 2, 3, 7, 8, 16, 33]), ("uint4", 4, [1, 2, 3, 7, 8, 16, 33]),
                                ("int2", 2, [1, 2, 3, 4, 5, 7, 8, 13, 33]), ("uint2", 2, [1, 2, 3, 4, 5, 7, 8, 13, 33])]:
        fmt = INT[name]
        for n in lengths:
            case_id = f"pack-{name}-{n}"
            rng = rng_for(case_id)
            v = rng.integers(fmt.lo, fmt.hi, size=n, endpoint=True)
            v[: min(n, 2)] = [fmt.lo, fmt.hi][: min(n, 2)]
            packed = pack_bytes(v, bits)
            sub_byte = {"int4": ml_dtypes.int4, "uint4": ml_dtypes.uint4, "int2": ml_dtypes.int2, "uint2": ml_dtypes.uint2}
            onnx_bytes = np.frombuffer(numpy_helper.from_array(v.astype(sub_byte[name])).raw_data, np.uint8)
            notes = formula_check("onnx numpy_helper", packed, onnx_bytes)
            s.cases.append(lambda c=with_note({"id": case_id, "op": "pack", "input": tensor(name, v),
                                               "expected": tensor("uint8", packed)}, notes): c)


# ---------------------------------------------------------------------------------------------
# The seed example: t = [-10, -5, 0, 5, 10], scale = 20 / 255 (the source post's simple scaling)


def seed_tensor() -> np.ndarray:
    return np.array([-10, -5, 0, 5, 10], F32)


def seed_scale() -> np.float32:
    t = torch.from_numpy(seed_tensor())
    return F32(((t.max() - t.min()) / (127 - (-128))).item())  # the post's min-max scaling, in float32


def build_seed_suite(ort: Ort) -> None:
    s = suite("seed-example.json",
              "the worked example of the source post: t = [-10, -5, 0, 5, 10], scale = (max - min) / (127 - (-128)) "
              "= fround(20 / 255), zero point 0, int8", "quantize, dequantize, metrics, qparams",
              lambda: (f"onnxruntime-node {ort.version} (QuantizeLinear / DequantizeLinear opset 21), torch "
                       f"{torch.__version__} (quantize_per_tensor, MinMaxObserver), numpy {np.__version__} float64 "
                       "(metrics)"))
    t = seed_tensor()
    scale = seed_scale()
    assert scale == F32(20 / 255)
    fmt = INT["int8"]
    q_build = onnx_quantize_case(ort, "seed-onnx-quantize", t, fmt, scale, 0)
    s.cases.append(q_build)
    codes = onnx_quantize_formula(t, scale, 0, fmt)
    dq_build = onnx_dequantize_case(ort, "seed-onnx-dequantize", codes, fmt, scale, 0)
    s.cases.append(dq_build)
    torch_cases = torch_per_tensor("seed-torch-quantize", t, fmt, scale, 0)
    torch_cases[1]["id"] = "seed-torch-dequantize"
    s.cases.extend(case_list(torch_cases))

    def metrics() -> dict:
        y = np.array(dq_build()["expected"]["data"], F32)
        return {"id": "seed-metrics", "op": "metrics", "x": tensor("float32", t), "y": tensor("float32", y),
                "tolerance": {"rel": 1e-9}, "expected": metrics_expected(t, y, METRIC_KEYS)}

    s.cases.append(metrics)
    for scheme in ["symmetric", "affine"]:
        s.cases.append(lambda sc=scheme: observer_case(f"seed-observer-{sc}", [t], fmt, "minmax", sc,
                                                       reduce_range=False))


# ---------------------------------------------------------------------------------------------
# Writing


def write_suite(path: Path, s: Suite, cases: list[dict]) -> None:
    """One suite, one case per line (readable diffs), keys in a fixed order, floats exact."""
    ids = [c["id"] for c in cases]
    if len(set(ids)) != len(ids):
        raise RuntimeError(f"{s.file}: duplicate case ids")
    head = json.dumps({"suite": s.title, "oracle": s.oracle()}, separators=(",", ":"), allow_nan=False)
    body = [json.dumps(c, separators=(",", ":"), allow_nan=False) for c in cases]
    lines = [head[:-1] + ',"cases":[', ",\n".join(body), "]}"]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")


README_HEAD = """# Golden reference cases

Reference results for `@quantlab/core`, computed by the frameworks that define each semantics
(onnxruntime, PyTorch, numpy, ml_dtypes, onnx, the `gguf` package) or, where an oracle does not
install with pip, carried unchanged from the reference cases of `../shared/golden/next` with their
provenance. `npm run conformance` (with no folder named) and the conformance unit test
(`packages/conformance/test/golden.test.ts`, on both backends) run every `*.json` (and `*.json.gz`)
file of this folder through core's public API; not its subfolders.

**Generated: do not edit by hand.** `npm run golden` rewrites every file here but the carried
ones, this README included:

1. it creates the virtual environment `build/venv/golden` (git-ignored) from
   `packages/conformance/generate/requirements.txt` on first use (again only when that file
   changes): numpy, ml_dtypes, onnx, protobuf, the CPU build of torch and gguf, with torch's
   dependencies (filelock, fsspec, jinja2, markupsafe, mpmath, networkx, setuptools, sympy,
   typing_extensions) and gguf's (pyyaml, requests, tqdm, certifi, charset-normalizer, idna,
   urllib3), every version pinned;
2. it runs `packages/conformance/generate/golden.py` in it: the inputs come from numpy generators
   seeded by each case's id, PyTorch, gguf and numpy compute their cases in process, and the ONNX
   cases are tiny one-operator models (built with `onnx.helper`, checked by `onnx.checker`) written
   to `build/golden/models/`;
3. golden.py runs those models in onnxruntime-node (`packages/conformance/generate/ort.mjs`, the
   `onnxruntime-node` devDependency of `@quantlab/conformance`), and the same models in
   `onnx.reference`, then writes the suites.

A second run writes the same bytes, so `git status` stays clean. `npm test` never runs the
generator; it reads the committed files. The carried files (listed below) are not generated: a run
checks that they are there with their cases, and `golden.py --carry ../shared/golden/next` copies
them again from those files (whose sha256 golden.py pins).

The models are built in Python because `onnx.helper` and `onnx.checker` are ONNX's own builder and
validator (int2 / int4 packing in initializers included), and because the same model object then
runs in `onnx.reference` for the cross-check. onnxruntime-node's binding has no int2 / int4,
bfloat16 or float8 tensors, so the models carry Cast nodes around the operator: int2 / int4 codes
travel as int8/uint8, bfloat16 and float8 results come back as float32 values (every non-NaN value
names its code; a NaN is written 0x7F with its sign for e4m3fn / e5m2, which is what onnxruntime's
Float8 constructors store, 0x80 for the fnuz types, 0xFF for e8m0), and codes to decode are
initializers.

## Format

Each file is one suite: `{ "suite": text, "oracle": text, "cases": [case, ...] }`, one case a line
(a `.json.gz` file is such a file, gzipped). A case has an `id`, an `op`, its inputs, `expected`,
and sometimes a `note` (which changes nothing). An unknown op is a failure, never a skip.

- **Tensor**: `{ "dtype", "shape", "data" }`, data flat in row-major order. dtypes `float32`,
  `int2`, `uint2`, `int4`, `uint4` (one value per element), `int8`, `uint8`, `int16`, `uint16`,
  `int32`, and `uint8`/`uint16` bit patterns for the float formats (a low-bit float's code in the
  low bits of a `uint8`). A float is the exact float32 value as a JSON number (Python's `repr` of
  it as a float64: the shortest decimal that reads back to that float64, hence to the same float32
  through `Math.fround`) or one of `"NaN"`, `"Infinity"`, `"-Infinity"`, `"-0"`. Compare float
  results bit for bit (any NaN equals any NaN; -0 is not 0).
- **Parameters**: `{ "dtype", "scale", "zeroPoint", "axis"?, "blockSize"? }`. Numbers: per
  tensor. Arrays with `axis` (negative counts from the end): one per index along the axis.
  Tensors with `axis` and `blockSize`: blocked, shaped like the input with that dimension
  replaced by `ceil(dim / blockSize)`.
- **Semantics** (every step float32): `"onnx"`: `q = saturate(rint(x / scale) + zp)`, ties to
  even, the zero point added after rounding; dequantize `(q - zp) * scale` with `q - zp` rounded
  to float32 first. `"pytorch"` (ATen's `quantize_val`, what core implements):
  `q = saturate(zp + nearbyint(x * fround(1 / scale)))`, the sum in float32; dequantize
  `(fround(q) - zp) * scale`. Casts round to nearest even; the quiet NaN (the only NaN input
  here) is 0x7E00 (float16), 0x7FC0 (bfloat16), 0x7F (float8); with `saturate` float8 values
  past the largest finite, infinities included, become ±448 (e4m3fn) or ±57344 (e5m2); without
  it they become NaN (e4m3fn, 0x7F with the sign) or ±Infinity (e5m2).
- **Low-bit floats** (value of a code with sign s, exponent field E, mantissa field M of m bits:
  `(-1)^s 2^(E - bias) (1 + M / 2^m)`, or `(-1)^s 2^(1 - bias) M / 2^m` when E = 0):
  `float4e2m1` (s ee m, bias 1, largest 6), `float6e2m3` (s ee mmm, bias 1, largest 7.5),
  `float6e3m2` (s eee mm, bias 3, largest 28), `float8e4m3fnuz` (bias 8, largest 240) and
  `float8e5m2fnuz` (bias 16, largest 57344), where 0x80 is the only NaN and there is no -0 and
  no Infinity, and `float8e8m0` (eeeeeeee: 2^(c - 127), 0xFF NaN, no sign, no zero). Casts:
  float4 / float6 round to nearest even and always saturate (±Infinity too), the sign kept (-0
  code for negatives that round to 0); fnuz round to nearest even, with `saturate` (absent: true)
  a rounded magnitude past the largest and ±Infinity become ±largest, without it 0x80; NaN is
  0x80; negatives that round to 0 give 0x00. `float8e8m0` with `roundMode` (absent: `"up"`):
  `"up"` the smallest code >= x, `"down"` the largest code <= x, `"nearest"` the nearer in
  linear distance (a tie 1.5 2^k goes up); NaN 0xFF; with `saturate` (absent: true) results past
  2^127 give 0xFE and below 2^-127 (and 0) 0x00, without it past 2^127 (and Infinity) 0xFF.

| op | fields | expected |
|---|---|---|
| `quantize` | `input` (float32), `params`, `semantics` | integer tensor of `params.dtype` |
| `dequantize` | `input` (integers), `params`, `semantics` | float32 tensor |
| `qparams` | `batches` (float32 tensors, observed in order), `observer` `{ method: "minmax" \\| "moving_average_minmax", scheme: "symmetric" \\| "affine", dtype, axis?, reduceRange?, averagingConstant? }`, `semantics: "pytorch"` | `{ scale: [...], zeroPoint: [...] }` (scale bit-exact) |
| `cast` | `input` (float32), `to` (`float16`, `bfloat16`, a float8, float6 or float4 type), `saturate`? (float8 only; absent means true), `roundMode`? (`float8e8m0` only: `up`, `down`, `nearest`; absent means up) | bit patterns |
| `decode` | `from`, `input` (bit patterns) | float32 tensor |
| `metrics` | `x`, `y` (float32), `tolerance: { rel }` | any of `mse`, `rmse`, `maxAbs`, `meanAbs`, `sqnrDb` (20 log10(‖x‖ / ‖x − y‖)), `cosine`, `absPercentage` (100 \\|y − x\\| / \\|x\\|, 0 where x = 0), float64, within `rel` |
| `matmul_integer` | `a`, `b` (2-D int8/uint8), `aZeroPoint`, `bZeroPoint` | int32 `(a − a_zp) @ (b − b_zp)` |
| `pack` | `input` (int4/uint4 or int2/uint2 values) | uint8 bytes: two int4 values a byte, the first in the low nibble, or four int2 values a byte, the first in bits 0-1; a short last byte padded with 0 |
| `gguf_quantize` | `format` (ggml's type name: `q8_0`, `q4_0`, `q4_1`, `q5_0`, `q5_1`, `iq4_nl`, `q2_K` ... `q6_K`, `q8_K`), `input` (float32 `[rows, cols]`, cols a multiple of the block: 32, or 256 for the K formats) | `{ bytes, dequantized }`: `bytes` (uint8 `[rows, bytesPerRow]`) what ggml's `quantize_row_<format>_ref` writes for each row, `dequantized` (float32) what `dequantize_row_<format>` gives back for them |
| `gguf_dequantize` | `format`, `input` (uint8 `[rows, bytesPerRow]`, valid blocks: finite fp16 fields), `shape` `[rows, cols]` | float32 `[rows, cols]` |

The GGUF layouts (the fields of each block and where every bit sits) and ggml's reference
quantizers, operation by operation, are written out in `../shared/golden/README.md` ("GGUF block
formats"); core's `GGML_TYPES` table (`packages/core/src/dtypes/ggml.ts`) gives each block's
fields and value formula.

The suites `lowbit-mx`, `lowbit-nvfp4` and `lowbit-bnb` (ops `mx_quantize`, `nvfp4_quantize`,
`bnb_quantize`, and `decode` from `bnb_nf4`, `bnb_fp4`, `bnb_dynamic8`) hold OCP microscaling
blocks of 32 with E8M0 scales, NVFP4 (e2m1 elements, an e4m3 scale per 16, a float32 tensor scale)
and bitsandbytes NF4 / FP4 (absmax per block of 64, optional double quantization). Their fields and
rules are those of `../shared/golden/README.md` ("Low-bit formats"), whose files they are copies of
(their oracles do not install with pip here).

Metric cases carry `tolerance: { rel: 1e-9 }`: a float64 sum taken in another order differs in
the last bits (core's largest relative difference on these cases was 3.3e-16 when they were
generated, so the margin is over a million).

Any folder of files in this format runs with `npm run conformance -- DIR...`.
"""


def torch_survey() -> list[str]:
    """Measures, on seeded random data, which float32 formula torch's CPU kernels follow: the
    format's rule, or the variants these runs found (README lines)."""
    rng = np.random.default_rng(20240501)
    rows = []
    for name in ["int8", "uint8", "int32"]:
        fmt = INT[name]
        counts = {"rule": 0, "sum": 0, "fma": 0}
        total = 0
        for _ in range(256):
            x = (rng.standard_normal(4096) * rng.uniform(0.1, 5)).astype(F32)
            if name == "int32":
                scale, zp = F32(rng.uniform(1e-9, 1e-6)), int(rng.integers(-1000, 1000))
            else:
                scale, zp = F32(rng.uniform(0.005, 0.05)), int(rng.integers(fmt.lo, fmt.hi))
            q = torch.quantize_per_tensor(torch.from_numpy(x), float(scale), zp, TORCH_QDTYPE[name])
            got = q.int_repr().numpy().astype(np.int64)
            inverse = F32(1) / scale
            product = (x * inverse).astype(F32)
            variants = {
                "rule": torch_quantize_formula(x, scale, zp, fmt),
                "sum": np.rint((product + F32(zp)).astype(F32)),
                "fma": np.rint((x.astype(np.float64) * np.float64(inverse) + zp).astype(F32)),
            }
            for key, v in variants.items():
                counts[key] += int(np.sum(np.clip(v.astype(np.float64), fmt.lo, fmt.hi).astype(np.int64) != got))
            total += x.size
        rows.append(f"| quantize_per_tensor, {name} | {total} | {counts['rule']} | {counts['sum']} | {counts['fma']} |")
    codes = rng.integers(-(2**31) + 1000, 2**31 - 1000, size=262144)
    zp = 777
    scale = F32(3e-9)
    y = torch._make_per_tensor_quantized_tensor(
        torch.from_numpy(codes.astype(np.int32)), float(scale), zp).dequantize().numpy()
    rule = torch_dequantize_formula(codes, scale, zp)
    exact = (codes - zp).astype(F32) * scale
    return [
        f"Measured by golden.py on seeded random values (torch {torch.__version__}, this machine's CPU "
        "kernels): how many codes differ from torch for the format's rule `zp + nearbyint(fround(x * inv))`, "
        "for `nearbyint(fround(fround(x * inv) + zp))` (zero point added before rounding) and for "
        "`nearbyint(fround(x * inv + zp))` (the same with one rounding: a fused multiply-add).", "",
        "| torch op | values | rule | sum, then round | fused, then round |", "|---|---|---|---|---|", *rows, "",
        f"Dequantize, int32, {codes.size} random codes with q - zp inside int32: "
        f"`(fround(q) - zp) * scale` (the rule) differs on {int(np.sum(~np.equal(rule, y)))}, "
        f"`fround(q - zp) * scale` on {int(np.sum(~np.equal(exact, y)))}; codes whose q - zp leaves int32 "
        "wrap around in torch (`torch-dq-int32-wrap`).", "",
    ]


def escape_cell(text: str) -> str:
    return text.replace("|", "\\|")


def folder_size(out: Path) -> int:
    return sum(p.stat().st_size for p in out.rglob("*") if p.is_file() and p.name != "README.md")


def write_readme(out: Path, done: list[tuple[Suite, list[dict], list[dict]]], ort: Ort,
                 carried: list[tuple[Carried, dict, int]]) -> None:
    lines = [README_HEAD, "## Suites", "", "Generated by `npm run golden`:", "",
             "| file | cases | ops | oracle |", "|---|---|---|---|"]
    for s, kept, apart in done:
        count = f"{len(kept)}" + (f" (+{len(apart)} in disagreements/)" if apart else "")
        lines.append(f"| `{s.file}` | {count} | {s.ops} | {escape_cell(s.oracle())} |")
    lines += ["", "Carried unchanged from `../shared/golden/next` (each case's JSON text as in the source file, "
              "whose sha256 golden.py pins), because no oracle for them installs with pip here:", "",
              "| file | cases | ops | carried from | why | oracle (provenance) |", "|---|---|---|---|---|---|"]
    for c, data, _ in carried:
        ops = ", ".join(sorted({k["op"] for k in data["cases"]}))
        lines.append(f"| `{c.file}` | {len(data['cases'])} | {ops} | `{c.source}` (sha256 "
                     f"`{SHARED_NEXT[c.source][:12]}`) | {escape_cell(c.why)} | {escape_cell(c.provenance)} |")
    generated = sum(len(k) for _, k, _ in done)
    default_carried = [(c, d) for c, d, _ in carried if "/" not in c.file]
    pending = [(c, d) for c, d, _ in carried if c.file.startswith("pending/")]
    in_folder = generated + sum(len(d["cases"]) for _, d in default_carried)
    top_files = len(done) + len(default_carried)
    lines += ["", f"The default run reads {in_folder} cases in {top_files} files ({generated} generated, "
              f"{in_folder - generated} carried); `pending/` holds {sum(len(d['cases']) for _, d in pending)} more "
              f"in {len(pending)} files. All files together: {folder_size(out) / 1024:.0f} KiB. Generated with "
              f"Python {platform.python_version()}, numpy {np.__version__}, ml_dtypes {ml_dtypes.__version__}, onnx "
              f"{onnx.__version__}, torch {torch.__version__}, gguf {GGUF_VERSION}, onnxruntime-node {ort.version}.",
              ""]
    if pending:
        lines += ["## pending/: suites whose ops core does not have yet", "",
                  "They are not ops of the runner yet, so these suites would fail; the runner does not read "
                  "subfolders, and the conformance test checks that every op of `pending/` is still unknown to it, "
                  "so that the suites move here (`git mv`, and their rows in golden.py's `CARRIED`) when the ops "
                  "land. Run them meanwhile with `npm run conformance -- packages/conformance/golden/pending`.", ""]
    lines += ["## GGUF: the gguf package against ggml", "",
              f"The `gguf` package (llama.cpp's gguf-py, {GGUF_VERSION}) is the oracle for the Q8_0, Q4_0, Q4_1, "
              "Q5_0 and Q5_1 quantizers and for the dequantizers of every format it has; each of its cases is "
              "cross-checked with ggml's reference rules (golden/README.md's source, ../shared/golden/README.md) "
              "evaluated in numpy float32. It has no quantizer for IQ4_NL and the K formats and nothing for "
              "Q8_K (those cases are ggml's own, carried). Run on the carried ggml cases:", ""]
    lines += gguf_against_ggml(carried)
    lines += ["", "So the package differs from ggml's reference on blocks of zeros only: ggml's signed maximum "
              "starts at +0 and stays there for a block of zeros (d = +0 / -8 = -0), where the package takes the "
              "block's first element (a -0 gives d = +0); and Q4_1 / Q5_1 take the minimum with numpy, whose sign "
              "for mixed zeros is not ggml's first-element one. Cases with such blocks go to disagreements/ "
              "(`gguf-py-*-zero-blocks`). The package's MXFP4 (ggml's `block_mxfp4`) is no core type: the OCP "
              "format is `mx_quantize`.", ""]
    lines += ["## Low-bit casts: what is left out", "",
              "The cast cases drop the inputs where ONNX's Cast table, its reference implementation and the "
              "exhaustive search disagree (as ../shared/golden/README.md, \"Low-bit formats\", lists them):", ""]
    lines += [f"- {reason}" for reason in LOWBIT_LEFT_OUT]
    lines.append("")
    apart = [(s, d) for s, _, d in done if d]
    lines += ["## disagreements/: where the oracle and core's documented semantics differ", ""]
    if apart:
        lines += [
            "A case whose oracle gives something else than the rule written above (the rule core "
            "implements, evaluated in numpy float32 by golden.py) is written, with the oracle's result "
            "unchanged, to `disagreements/` instead of this folder. The conformance runner reads only "
            "this folder's own files, so these cases run only when named: "
            "`npm run conformance -- packages/conformance/golden/disagreements`. Each `note` lists the "
            "values where the rule differs.", "",
            "| file | cases |", "|---|---|"]
        lines += [f"| `disagreements/{s.file}` | {', '.join('`' + c['id'] + '`' for c in d)} |" for s, d in apart]
        lines.append("")
    else:
        lines += ["None: every oracle agrees with the rule on every case.", ""]
    lines += torch_survey()
    lines += ["## Where the oracles disagree with each other", ""]
    noted = [(s.file, c["id"], c["note"]) for s, kept, _ in done for c in kept if "note" in c]
    if noted:
        lines += ["Each case keeps the result of the oracle that defines its semantics (onnxruntime for "
                  "ONNX operators, except where it contradicts ONNX's own Cast table; torch for PyTorch; "
                  "onnx.reference for the low-bit casts, which onnxruntime lacks for float4 / float6); "
                  "its `note` says what the other one gives.", "", "| file | case | note |", "|---|---|---|"]
        lines += [f"| `{f}` | `{i}` | {escape_cell(n)} |" for f, i, n in noted]
    else:
        lines.append("Nowhere: on every case the cross-checks agree with the oracle bit for bit.")
    lines += ["", "Not generated: NaN inputs other than the quiet NaN 0x7FC00000 (numpy keeps a NaN's payload "
              "in float16, the others write a canonical NaN), NaN inputs to quantize (core rejects them), "
              "PyTorch semantics for int16 / uint16 / int4 (torch has no quantized tensors of those types), "
              "per-channel uint4 in torch (`quantize_per_channel` has no quint4x2 kernel), reduce_range "
              "with symmetric uint8 observers (torch refuses it), and GGUF inputs outside a format's storable "
              "range or with NaN / Infinity (ggml's result is undefined; core refuses them).", ""]
    lines += onnx_backend.readme_lines()
    (out / "README.md").write_text("\n".join(lines))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--node", required=True, help="the node executable that runs ort.mjs")
    parser.add_argument("--out", type=Path, default=ROOT / "packages" / "conformance" / "golden")
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "golden")
    parser.add_argument("--carry", type=Path, help="copy the carried cases again from this folder "
                        "(../shared/golden/next) before generating")
    args = parser.parse_args()
    torch.set_num_threads(1)
    args.work.mkdir(parents=True, exist_ok=True)
    ort = Ort(args.work, args.node)
    if args.carry is not None:
        carry(args.carry, args.out)
    carried = carried_suites(args.out)

    build_onnx_suites(ort)
    build_int2_suites(ort)
    build_torch_suites()
    build_observer_suites()
    build_float_suites(ort)
    build_lowbit_float_suites(ort)
    build_metrics_suite()
    build_matmul_suite(ort)
    build_pack_suite()
    build_gguf_suites()
    build_seed_suite(ort)
    onnx_backend.build(suite)

    print(f"  onnxruntime-node: {len(ort.calls)} models", flush=True)
    ort.run()
    apart_dir = args.out / "disagreements"
    keep = {c.file for c in CARRIED}
    for old in [*args.out.glob("*.json"), *args.out.glob("*.json.gz"), *apart_dir.glob("*.json")]:
        if str(old.relative_to(args.out)) not in keep:
            old.unlink()
    done = []
    for s in sorted(SUITES, key=lambda s: s.file):
        if s.file in keep:
            raise RuntimeError(f"{s.file} is both generated and carried")
        cases = [build() for build in s.cases]
        kept = [c for c in cases if not c.get("_disagreement")]
        apart = [{k: v for k, v in c.items() if k != "_disagreement"} for c in cases if c.get("_disagreement")]
        write_suite(args.out / s.file, s, kept)
        if apart:
            write_suite(apart_dir / s.file, s, apart)
        done.append((s, kept, apart))
        notes = sum("note" in c for c in kept)
        size = (args.out / s.file).stat().st_size
        print(f"  {s.file:32} {len(kept):4} cases {size / 1024:7.1f} KiB"
              + (f", {notes} with a note" if notes else "")
              + (f"; {len(apart)} in disagreements/" if apart else ""))
    for c, data, size in carried:
        print(f"  {c.file:32} {len(data['cases']):4} cases {size / 1024:7.1f} KiB (carried)")
    if apart_dir.exists() and not any(apart_dir.iterdir()):
        apart_dir.rmdir()
    ids = [c["id"] for _, kept, _ in done for c in kept]
    ids += [k["id"] for c, data, _ in carried if "/" not in c.file for k in data["cases"]]
    if len(set(ids)) != len(ids):
        raise RuntimeError("case ids repeat across the folder's suites")
    write_readme(args.out, done, ort, carried)
    print(f"  {sum(len(k) for _, k, _ in done)} cases in {len(done)} files, "
          f"{sum(len(a) for _, _, a in done)} in disagreements/; "
          f"{sum(len(d['cases']) for _, d, _ in carried)} carried in {len(carried)} files; "
          f"{folder_size(args.out) / 1024:.0f} KiB")


if __name__ == "__main__":
    sys.exit(main())

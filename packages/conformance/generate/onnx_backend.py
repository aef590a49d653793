"""ONNX's own backend test vectors for its quantization ops, as a golden suite (onnx-backend.json).

The `onnx` wheel pinned in requirements.txt carries the node tests of its backend test suite as the
Python that writes them (onnx/backend/test/case/node/*.py: the inputs, and the expected outputs
written out by hand or computed with numpy and ml_dtypes); `backend-test-tools generate-data`
turns them into onnx/backend/test/data/node/test_*/ (model.onnx, test_data_set_0/input_*.pb,
output_*.pb). This module collects the same test cases in process (`collect_testcases`, what
generate-data runs) and writes each selected one as an `onnx_node` case: the node's op type, its
attributes, its inputs and its expected outputs, tensors in the golden format.

Selected: every node test of QuantizeLinear, DequantizeLinear, DynamicQuantizeLinear,
QLinearMatMul and MatMulInteger, and every Cast / CastLike test from or to a low-precision type
(float8 incl. fnuz, float8e8m0, float4e2m1, int4, uint4, int2, uint2). A test whose graph is more
than one node (an `_expanded` function body of DynamicQuantizeLinear) is counted and listed in the
README but not written: the same vectors run as its one-node twin. Each case is also run in
onnx.reference; where it gives something else than the vector, the case's `note` says so.

Called from golden.py: `build(suite)` registers the suite, `readme_lines()` describes it.
"""

from __future__ import annotations

import warnings

import ml_dtypes
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from onnx.backend.test.case import node as node_cases
from onnx.reference import ReferenceEvaluator

FILE = "onnx-backend.json"

QUANT_OPS = ["QuantizeLinear", "DequantizeLinear", "DynamicQuantizeLinear", "QLinearMatMul", "MatMulInteger"]
CAST_OPS = ["Cast", "CastLike"]

# ONNX element types by the golden format's dtype names.
DTYPES = {
    TensorProto.FLOAT: "float32",
    TensorProto.FLOAT16: "float16",
    TensorProto.BFLOAT16: "bfloat16",
    TensorProto.DOUBLE: "float64",
    TensorProto.FLOAT8E4M3FN: "float8e4m3fn",
    TensorProto.FLOAT8E4M3FNUZ: "float8e4m3fnuz",
    TensorProto.FLOAT8E5M2: "float8e5m2",
    TensorProto.FLOAT8E5M2FNUZ: "float8e5m2fnuz",
    TensorProto.FLOAT8E8M0: "float8e8m0",
    TensorProto.FLOAT4E2M1: "float4e2m1",
    TensorProto.INT2: "int2",
    TensorProto.UINT2: "uint2",
    TensorProto.INT4: "int4",
    TensorProto.UINT4: "uint4",
    TensorProto.INT8: "int8",
    TensorProto.UINT8: "uint8",
    TensorProto.INT16: "int16",
    TensorProto.UINT16: "uint16",
    TensorProto.INT32: "int32",
    TensorProto.INT64: "int64",
}
LOW_PRECISION = {
    "float8e4m3fn", "float8e4m3fnuz", "float8e5m2", "float8e5m2fnuz", "float8e8m0",
    "float4e2m1", "int4", "uint4", "int2", "uint2",
}
# Formats stored as codes (bit patterns): the code of each element, as an unsigned integer.
CODES = {
    "float16": np.uint16, "bfloat16": np.uint16, "float8e4m3fn": np.uint8, "float8e4m3fnuz": np.uint8,
    "float8e5m2": np.uint8, "float8e5m2fnuz": np.uint8, "float8e8m0": np.uint8, "float4e2m1": np.uint8,
}
PACKED = {"int4", "uint4", "int2", "uint2", "float4e2m1"}
DTYPE_ATTRIBUTES = {"to", "output_dtype", "precision"}


def jfloat(v) -> float | str:
    """A float32 as the golden format writes it: the exact value as a JSON number, or a special string
    (golden.py writes its own float32 tensors with this too)."""
    v = np.float32(v)
    if np.isnan(v):
        return "NaN"
    if np.isinf(v):
        return "Infinity" if v > 0 else "-Infinity"
    if v == 0 and np.signbit(v):
        return "-0"
    return float(v)  # exact: repr() of this float64 reads back to the same float32


def _array(value, elem_type: int) -> np.ndarray:
    return numpy_helper.to_array(value) if isinstance(value, onnx.TensorProto) else np.asarray(value)


def _tensor(name: str, value, elem_type: int) -> dict:
    """A golden tensor: float32 values, codes of the other float formats, integers otherwise;
    the sub-byte types also carry `raw`, the bytes ONNX stores them in (numpy_helper.from_array)."""
    dtype = DTYPES[elem_type]
    array = _array(value, elem_type)
    shape = [int(d) for d in array.shape]
    if dtype == "float32":
        data = [jfloat(v) for v in array.astype(np.float32).ravel()]
    elif dtype in CODES:
        data = [int(v) for v in np.ascontiguousarray(array).view(CODES[dtype]).ravel()]
    else:
        data = [int(v) for v in array.astype(np.int64).ravel()]
    t = {"name": name, "dtype": dtype, "shape": shape, "data": data}
    if dtype in PACKED:
        t["raw"] = list(numpy_helper.from_array(array, name).raw_data)
    return t


def _attributes(node: onnx.NodeProto) -> dict:
    out = {}
    for a in node.attribute:
        v = helper.get_attribute_value(a)
        if isinstance(v, bytes):
            v = v.decode()
        if a.name in DTYPE_ATTRIBUTES:
            v = DTYPES[v]
        out[a.name] = v
    return out


def _types(model: onnx.ModelProto) -> list[str]:
    values = [*model.graph.input, *model.graph.output]
    return [DTYPES.get(v.type.tensor_type.elem_type, "?") for v in values]


def _selected(case) -> bool:
    ops = {n.op_type for n in case.model.graph.node}
    if ops & set(QUANT_OPS):
        return True
    name = case.name
    if not (name.startswith("test_cast_") or name.startswith("test_castlike_")):
        return False
    return bool(ops & set(CAST_OPS)) and bool(LOW_PRECISION & set(_types(case.model)))


def _same(expected: np.ndarray, got: np.ndarray) -> bool:
    """Equal values: integers exactly, floats (any format) bit for bit as float32, NaN equal to NaN."""
    e = np.asarray(expected)
    g = np.asarray(got)
    if e.shape != g.shape:
        return False
    if e.dtype.kind in "iu" and g.dtype.kind in "iu":
        return bool(np.array_equal(e.astype(np.int64), g.astype(np.int64)))
    ef = e.astype(np.float32).ravel()
    gf = g.astype(np.float32).ravel()
    nan = np.isnan(ef)
    if not np.array_equal(nan, np.isnan(gf)):
        return False
    return bool(np.array_equal(ef[~nan].view(np.uint32), gf[~nan].view(np.uint32)))


def _reference_note(case, feeds: dict, expected: list) -> str | None:
    """Where onnx.reference, run on the vector's model, gives something else than the vector."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            got = ReferenceEvaluator(case.model).run(None, feeds)
    except Exception as error:  # noqa: BLE001 - reported in the note
        return f"onnx.reference fails on this model: {type(error).__name__}: {error}"
    names = [o.name for o in case.model.graph.output]
    bad = [n for n, e, g in zip(names, expected, got) if not _same(e, g)]
    if not bad:
        return None
    parts = []
    for n, e, g in zip(names, expected, got):
        if n in bad:
            parts.append(f"{n}: {np.asarray(g).astype(np.float32).ravel().tolist()} "
                         f"instead of {np.asarray(e).astype(np.float32).ravel().tolist()}")
    return "onnx.reference gives another result: " + "; ".join(parts)


def _case(case) -> dict:
    graph = case.model.graph
    node = graph.node[0]
    inputs, outputs = case.data_sets[0]
    by_name = {}
    feeds = {}
    for vi, value in zip(graph.input, inputs):
        by_name[vi.name] = (value, vi.type.tensor_type.elem_type)
        feeds[vi.name] = _array(value, vi.type.tensor_type.elem_type)
    for init in graph.initializer:
        by_name[init.name] = (init, init.data_type)
    expected_arrays = [_array(v, o.type.tensor_type.elem_type) for o, v in zip(graph.output, outputs)]
    result = {
        "id": case.name,
        "op": "onnx_node",
        "opType": node.op_type,
        "opset": int(case.model.opset_import[0].version),
        "attributes": _attributes(node),
        "inputs": [None if name == "" else _tensor(name, *by_name[name]) for name in node.input],
        "expected": [_tensor(o.name, v, o.type.tensor_type.elem_type) for o, v in zip(graph.output, outputs)],
    }
    contradiction = _table_note(result)
    notes = [n for n in [_reference_note(case, feeds, expected_arrays), contradiction] if n]
    if notes:
        result["note"] = "; ".join(notes)
    if contradiction:
        # golden.py writes it to golden/disagreements/, which the runner reads only when named.
        result["_disagreement"] = True
    return result


def _table_note(case: dict) -> str | None:
    """Where the vector contradicts ONNX's own Cast table: float4e2m1 maps NaN to 6 (code 0x7) in
    docs/docsgen/source/technical/float4.md; the vectors hold ml_dtypes' code for NaN."""
    if case["opType"] not in CAST_OPS or case["expected"][0]["dtype"] != "float4e2m1":
        return None
    x = case["inputs"][0]
    if x["dtype"] == "float32":
        nan = [i for i, v in enumerate(x["data"]) if v == "NaN"]
    else:
        values = np.array(x["data"], dtype=CODES[x["dtype"]]).view(_numpy_type(x["dtype"]))
        nan = [int(i) for i in np.flatnonzero(np.isnan(values.astype(np.float32)))]
    got = case["expected"][0]["data"]
    wrong = [i for i in nan if got[i] != 0x7]
    if not wrong:
        return None
    codes = ", ".join(f"[{i}] NaN: 0x{got[i]:x}" for i in wrong)
    return (f"ONNX's Cast table for float4e2m1 maps NaN to 6 (code 0x7); this vector has ml_dtypes' codes "
            f"({codes}); core refuses NaN for float4e2m1, which has no NaN code")


def _numpy_type(dtype: str):
    return {"float16": np.float16, "bfloat16": ml_dtypes.bfloat16}[dtype]


_SUMMARY: dict = {}


def collect() -> tuple[list, list]:
    """The selected test cases: (one-node cases written, multi-node cases left out)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cases = node_cases.collect_testcases(None)
    chosen = sorted((c for c in cases if _selected(c)), key=lambda c: c.name)
    single = [c for c in chosen if len(c.model.graph.node) == 1 and len(c.data_sets) == 1]
    multi = [c for c in chosen if c not in single]
    return single, multi


def build(suite) -> None:
    """Registers onnx-backend.json with golden.py's `suite(file, title, ops, oracle)`."""
    single, multi = collect()
    s = suite(FILE, "ONNX backend test vectors of the quantization ops and low-precision casts",
              "onnx_node", lambda: f"onnx {onnx.__version__} backend node tests "
              "(onnx/backend/test/case/node: expected outputs as ONNX wrote them, numpy "
              f"{np.__version__}, ml_dtypes {ml_dtypes.__version__}); cross-checked with onnx.reference")
    for c in single:
        s.cases.append(lambda c=c: _case(c))
    counts: dict[str, int] = {}
    for c in single:
        op = c.model.graph.node[0].op_type
        counts[op] = counts.get(op, 0) + 1
    _SUMMARY.update(counts=counts, total=len(single), multi=[c.name for c in multi])


def readme_lines() -> list[str]:
    """The README section on onnx-backend.json (after build())."""
    counts = _SUMMARY.get("counts", {})
    table = ", ".join(f"{op} {n}" for op, n in sorted(counts.items()))
    multi = _SUMMARY.get("multi", [])
    return [
        "## onnx-backend.json: ONNX's own backend test vectors", "",
        f"Every node test of onnx {onnx.__version__}'s backend test suite for QuantizeLinear, DequantizeLinear, "
        "DynamicQuantizeLinear, QLinearMatMul and MatMulInteger, and every Cast / CastLike test from or to a "
        "low-precision type (float8 incl. fnuz, float8e8m0, float4e2m1, int4, uint4, int2, uint2). The wheel "
        "carries them as the Python that writes them (onnx/backend/test/case/node; `backend-test-tools "
        "generate-data` turns that into onnx/backend/test/data/node/test_*), read here in process by "
        "`generate/onnx_backend.py`: "
        f"{_SUMMARY.get('total', 0)} one-node tests ({table}). The `_expanded` CastLike tests are single Cast "
        "nodes and are kept. "
        + (f"Left out, being several nodes (function bodies of the same op on the same vectors): "
           f"{', '.join('`' + m + '`' for m in multi)}. " if multi else "")
        + "A test whose vector contradicts ONNX's own Cast table (NaN cast to float4e2m1: the table says 6, "
        "the vectors hold ml_dtypes' -0 / +0) is in `disagreements/onnx-backend.json`; core refuses NaN "
        "there. A `note` also says where onnx.reference, run on the test's model, gives another result.", "",
        "| op | fields | expected |", "|---|---|---|",
        "| `onnx_node` | `opType`, `opset`, `attributes` (dtype attributes `to`, `output_dtype`, `precision` as dtype "
        "names), `inputs` (tensors in the node's input order, `null` for an omitted optional input) | `expected`: the "
        "node's outputs, in order |", "",
        "Tensors carry their ONNX `name`. dtypes: `float32` values; `float16`, `bfloat16`, `float8e4m3fn`, "
        "`float8e4m3fnuz`, `float8e5m2`, `float8e5m2fnuz`, `float8e8m0`, `float4e2m1` as codes (bit patterns); "
        "integers (`int2`, `uint2`, `int4`, `uint4`, `int8` ... `int64`) as values. The sub-byte types "
        "(`int2`, `uint2`, `int4`, `uint4`, `float4e2m1`) also carry `raw`: the bytes ONNX stores them in "
        "(two or four a byte, the first element in the low bits), which the runner checks against core's "
        "`unpackCodes` / `packCodes`. Codes of a float format compare as the values they stand for, like every "
        "float here: any NaN code equals any NaN code (the vectors hold ml_dtypes' NaN codes: e5m2 0x7E, a fnuz "
        "NaN cast to float16 0xFE00; core writes onnxruntime's 0x7F and 0x7E00); every other code exactly.", "",
    ]

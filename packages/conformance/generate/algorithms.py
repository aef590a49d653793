"""Writes packages/algorithms/test/fixtures: reference results for @quantlab/algorithms.

Run by `npm run fixtures` in packages/algorithms (scripts/fixtures.mjs), in the venv
build/venv/algorithms made from requirements-algorithms.txt beside this file. Three files:

- hqq-onnxruntime.json: ONNX Runtime's own HQQ weight-only quantizer
  (onnxruntime.quantization.matmul_nbits_quantizer.HQQWeightOnlyQuantizer.quantize_internal, the
  function its MatMulNBits writer calls) on seeded weights, at 4, 3 and 2 bits: codes, scales
  (ORT's stored 1 / inverse scale) and float zero points. For 4 bits the whole writer runs too
  (MatMulNBitsQuantizer on a MatMul model), and its MatMulNBits initializers are checked here to
  hold the same numbers.
- gptq-reference.json: a float64 PyTorch transcription of GPTQ's Algorithm 1 (Frantar et al.
  2022), written here from the paper, run on seeded layers 64x128 and 128x256 with correlated
  calibration inputs: codes, scales, zero points and the layer output error.
- gptq-torchao-toy.json: the 2x2 example of torchao's gptq_quantize docstring
  (torchao/prototype/gptq/api.py), recomputed in float64 under the setting the docstring states.

Inputs come from the generator below (mulberry32 uniforms, normals as the sum of 12 uniforms
minus 6: exact float64 arithmetic), which @quantlab/zoo's seededRandom reproduces bit for bit, so
the fixtures store seeds and results, not the inputs; each case records a SHA-256 of its inputs'
float32 bytes so that both sides can check they generated the same numbers.

Usage: python algorithms.py --out DIR
"""

from __future__ import annotations

import argparse
import hashlib
import json
import platform
import sys
from pathlib import Path

import numpy as np
import onnx
import onnxruntime
import torch
from onnx import TensorProto, helper, numpy_helper
from onnxruntime.quantization.matmul_nbits_quantizer import (
    HQQWeightOnlyQuantConfig,
    HQQWeightOnlyQuantizer,
    MatMulNBitsQuantizer,
)

F32 = np.float32

# ---------------------------------------------------------------------------------------------
# Seeded inputs, the same numbers as the TypeScript side (test/data.ts).


def mulberry32(seed: int):
    a = seed & 0xFFFFFFFF

    def imul(x: int, y: int) -> int:
        return (x * y) & 0xFFFFFFFF

    def step() -> float:
        nonlocal a
        a = (a + 0x6D2B79F5) & 0xFFFFFFFF
        t = a
        t = imul(t ^ (t >> 15), t | 1)
        t = (t ^ ((t + imul(t ^ (t >> 7), t | 61)) & 0xFFFFFFFF)) & 0xFFFFFFFF
        return ((t ^ (t >> 14)) & 0xFFFFFFFF) / 4294967296

    return step


def normals(seed: int, n: int) -> np.ndarray:
    """n approximately standard normal numbers: the sum of 12 uniforms minus 6, in float64."""
    u = mulberry32(seed)
    out = np.empty(n, dtype=np.float64)
    for i in range(n):
        s = 0.0
        for _ in range(12):
            s += u()
        out[i] = s - 6.0
    return out


def weight(seed: int, rows: int, cols: int, outlier_every: int = 0) -> np.ndarray:
    """rows x cols float32, std 1/sqrt(cols); every outlier_every-th value (if any) times 8."""
    z = normals(seed, rows * cols)
    std = 1.0 / np.sqrt(float(cols))
    w = np.empty(rows * cols, dtype=F32)
    for i in range(rows * cols):
        v = z[i] * std
        if outlier_every and i % outlier_every == 0:
            v = v * 8.0
        w[i] = F32(v)
    return w.reshape(rows, cols)


def activations(seed: int, samples: int, cols: int) -> np.ndarray:
    """samples x cols float32, neighbouring inputs correlated, every 16th input 6 times larger."""
    z = normals(seed, samples * (cols + 1)).reshape(samples, cols + 1)
    x = np.empty((samples, cols), dtype=F32)
    for s in range(samples):
        for j in range(cols):
            v = z[s, j + 1] + 0.6 * z[s, j]
            x[s, j] = F32(F32(v) * (6.0 if j % 16 == 0 else 1.0))
    return x


def sha(*arrays: np.ndarray) -> str:
    h = hashlib.sha256()
    for a in arrays:
        h.update(np.ascontiguousarray(a, dtype=F32).tobytes())
    return h.hexdigest()


def floats(a) -> list:
    """float32 values as JSON numbers (shortest repr that reads back as the same float32)."""
    return [float(str(F32(v))) for v in np.asarray(a, dtype=F32).ravel()]


def hexcodes(q) -> str:
    return "".join("0123456789abcdef"[int(v)] for v in np.asarray(q).ravel())


# ---------------------------------------------------------------------------------------------
# HQQ: ONNX Runtime's quantizer


def hqq_cases() -> dict:
    cases = []
    quantizer = HQQWeightOnlyQuantizer(HQQWeightOnlyQuantConfig(block_size=64, bits=4))
    specs = [
        # id, seed, rows, cols, outlier_every, [(bits, group)]
        ("normal-32x256-outliers", 101, 32, 256, 37, [(4, 64), (3, 64), (2, 64), (4, 128)]),
        ("normal-64x128", 102, 64, 128, 0, [(4, 32), (3, 128), (2, 32)]),
    ]
    for cid, seed, rows, cols, every, settings in specs:
        w = weight(seed, rows, cols, every)
        for bits, group in settings:
            q, scale, zero = quantizer.quantize_internal(torch.from_numpy(w), bits=bits, group_size=group)
            q = q.numpy().reshape(rows, cols)
            scale = scale.numpy().reshape(rows, -1)
            zero = zero.numpy().reshape(rows, -1)
            cases.append(
                {
                    "id": f"{cid}-b{bits}-g{group}",
                    "input": {"seed": seed, "rows": rows, "cols": cols, "outlierEvery": every, "sha256": sha(w)},
                    "bits": bits,
                    "groupSize": group,
                    "codes": hexcodes(q),
                    "scale": floats(scale),
                    "zero": floats(zero),
                }
            )
    # The writer itself, once: a MatMul with weight [K, N] = w.T becomes MatMulNBits; its
    # initializers must hold what quantize_internal returned for w.
    w = weight(101, 32, 256, 37)
    k, n = w.shape[1], w.shape[0]
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "w"], ["y"], name="mm")],
        "hqq",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, k])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, n])],
        [numpy_helper.from_array(np.ascontiguousarray(w.T), "w")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 21)])
    mq = MatMulNBitsQuantizer(model, algo_config=HQQWeightOnlyQuantConfig(block_size=64, bits=4))
    mq.process()
    inits = {t.name: numpy_helper.to_array(t) for t in mq.model.model.graph.initializer}
    direct = next(c for c in cases if c["id"] == "normal-32x256-outliers-b4-g64")
    packed = inits["w_Q4"].reshape(n, -1)
    codes = np.empty((n, k), dtype=np.int64)
    codes[:, 0::2] = packed & 15
    codes[:, 1::2] = packed >> 4
    assert hexcodes(codes) == direct["codes"], "MatMulNBits codes differ from quantize_internal's"
    assert floats(inits["w_scales"]) == direct["scale"], "MatMulNBits scales differ"
    assert floats(inits["w_zero_points"]) == direct["zero"], "MatMulNBits zero points differ"
    return {
        "suite": "HQQ weight-only quantization, ONNX Runtime's HQQWeightOnlyQuantizer",
        "oracle": f"onnxruntime {onnxruntime.__version__} (matmul_nbits_quantizer.HQQWeightOnlyQuantizer.quantize_internal, axis 1, "
        "optimize_weights defaults lp_norm 0.7, beta 10, kappa 1.01, iters 20), torch "
        f"{torch.__version__} float32 on the CPU; the 4-bit block-64 case also through MatMulNBitsQuantizer, "
        "whose MatMulNBits initializers hold the same codes, scales and zero points",
        "layout": "weights [out, in] = the MatMul weight [K, N] transposed; codes [out, in] as hex digits; "
        "scale and zero [out, in / groupSize]; dequantized value (q - zero) * scale",
        "cases": cases,
    }


# ---------------------------------------------------------------------------------------------
# GPTQ: a float64 transcription of Algorithm 1


def grid_params(w: torch.Tensor, bits: int, symmetric: bool):
    """GPTQ's quant.py find_params per row of w (float64): the range widened to hold 0; float32 scales."""
    maxq = 2**bits - 1
    lo = torch.clamp(w.min(dim=1).values, max=0.0)
    hi = torch.clamp(w.max(dim=1).values, min=0.0)
    if symmetric:
        hi = torch.maximum(-lo, hi)
        lo = torch.where(lo < 0, -hi, lo)
    both = (lo == 0) & (hi == 0)
    lo = torch.where(both, torch.full_like(lo, -1.0), lo)
    hi = torch.where(both, torch.full_like(hi, 1.0), hi)
    scale = ((hi - lo) / maxq).to(torch.float32).to(torch.float64)
    if symmetric:
        zero = torch.full_like(scale, (maxq + 1) / 2)
    else:
        zero = torch.clamp(torch.round(-lo / scale), 0, maxq)
    return scale, zero


def gptq_reference(w32: np.ndarray, x32: np.ndarray, bits: int, group: int, symmetric: bool,
                   act_order: bool, percdamp: float = 0.01, block: int = 128):
    """Algorithm 1 with lazy batch updates, in float64. Group scales: from the updated weights when
    the loop reaches a group (batches hold whole groups), or from the weights before any update
    (static) with act-order."""
    W = torch.from_numpy(w32.astype(np.float64)).clone()
    X = torch.from_numpy(x32.astype(np.float64))
    rows, k = W.shape
    n = X.shape[0]
    H = 2.0 * X.T @ X / n
    maxq = 2**bits - 1
    dead = torch.diag(H) == 0
    H[dead, dead] = 1.0
    W[:, dead] = 0.0
    groups = (k + group - 1) // group
    static = act_order or groups == 1
    scales = torch.zeros(rows, groups, dtype=torch.float64)
    zeros = torch.zeros(rows, groups, dtype=torch.float64)
    if static:
        for g in range(groups):
            s, z = grid_params(W[:, g * group:(g + 1) * group], bits, symmetric)
            scales[:, g], zeros[:, g] = s, z
    perm = torch.arange(k)
    if act_order:
        perm = torch.argsort(torch.diag(H), descending=True, stable=True)
        W = W[:, perm]
        H = H[perm][:, perm]
    damp = percdamp * torch.mean(torch.diag(H))
    H = H + damp * torch.eye(k, dtype=torch.float64)
    U = torch.linalg.cholesky(torch.cholesky_inverse(torch.linalg.cholesky(H)), upper=True)
    batch = block if static else (block // group) * group if group <= block else group
    codes = torch.zeros(rows, k, dtype=torch.int64)
    for i1 in range(0, k, batch):
        i2 = min(i1 + batch, k)
        E = torch.zeros(rows, i2 - i1, dtype=torch.float64)
        for i in range(i1, i2):
            c = int(perm[i])
            g = c // group
            if not static and c % group == 0:
                s, z = grid_params(W[:, i:i + group], bits, symmetric)
                scales[:, g], zeros[:, g] = s, z
            w = W[:, i]
            q = torch.clamp(torch.round(w / scales[:, g]) + zeros[:, g], 0, maxq)
            codes[:, c] = q.to(torch.int64)
            dq = ((q - zeros[:, g]) * scales[:, g]).to(torch.float32).to(torch.float64)
            e = (w - dq) / U[i, i]
            W[:, i:i2] -= e.unsqueeze(1) * U[i, i:i2].unsqueeze(0)
            W[:, i] = dq
            E[:, i - i1] = e
        W[:, i2:] -= E @ U[i1:i2, i2:]
    return codes, scales, zeros


def dequantized(codes, scales, zeros, group):
    g = torch.arange(codes.shape[1]) // group
    return ((codes.to(torch.float64) - zeros[:, g]) * scales[:, g]).to(torch.float32).to(torch.float64)


def rtn(w32: np.ndarray, bits: int, group: int, symmetric: bool):
    W = torch.from_numpy(w32.astype(np.float64))
    rows, k = W.shape
    groups = (k + group - 1) // group
    codes = torch.zeros(rows, k, dtype=torch.int64)
    scales = torch.zeros(rows, groups, dtype=torch.float64)
    zeros = torch.zeros(rows, groups, dtype=torch.float64)
    for g in range(groups):
        s, z = grid_params(W[:, g * group:(g + 1) * group], bits, symmetric)
        scales[:, g], zeros[:, g] = s, z
        block = torch.from_numpy(w32[:, g * group:(g + 1) * group])
        quotient = (block / s.to(torch.float32).unsqueeze(1)).to(torch.float64)  # float32 division
        codes[:, g * group:(g + 1) * group] = torch.clamp(torch.round(quotient) + z.unsqueeze(1), 0, 2**bits - 1).to(torch.int64)
    return codes, scales, zeros


def output_error(w32, wq, x32) -> float:
    W = torch.from_numpy(w32.astype(np.float64))
    X = torch.from_numpy(x32.astype(np.float64))
    return float(((X @ (W - wq).T) ** 2).sum() / ((X @ W.T) ** 2).sum())


def gptq_cases() -> dict:
    layers = [("64x128", 201, 202, 64, 128, 512), ("128x256", 203, 204, 128, 256, 1024)]
    settings = [
        # bits, groupSize (0: per channel), symmetric, actOrder
        (4, 32, False, False),
        (3, 128, False, True),
        (2, 0, True, False),
        (4, 0, False, True),
    ]
    cases = []
    for lid, wseed, xseed, rows, cols, samples in layers:
        w = weight(wseed, rows, cols)
        x = activations(xseed, samples, cols)
        for bits, group, symmetric, act_order in settings:
            if lid == "128x256" and (bits, group) == (4, 0):
                continue
            g = group or cols
            codes, scales, zeros = gptq_reference(w, x, bits, g, symmetric, act_order)
            rc, rs, rz = rtn(w, bits, g, symmetric)
            cases.append(
                {
                    "id": f"{lid}-b{bits}-{'g' + str(group) if group else 'channel'}{'-sym' if symmetric else ''}{'-actorder' if act_order else ''}",
                    "weight": {"seed": wseed, "rows": rows, "cols": cols, "sha256": sha(w)},
                    "calibration": {"seed": xseed, "samples": samples, "sha256": sha(x)},
                    "options": {"bits": bits, **({"groupSize": group} if group else {}), "symmetric": symmetric,
                                "actOrder": act_order, "percdamp": 0.01, "blockSize": 128},
                    "codes": hexcodes(codes),
                    "scale": floats(scales),
                    "zeroPoint": [int(v) for v in zeros.ravel()],
                    "outputError": output_error(w, dequantized(codes, scales, zeros, g), x),
                    "rtnOutputError": output_error(w, dequantized(rc, rs, rz, g), x),
                }
            )
    return {
        "suite": "GPTQ, a float64 PyTorch transcription of Algorithm 1",
        "oracle": f"torch {torch.__version__} float64 on the CPU: H = 2 X^T X / n, dead inputs, dampening "
        "percdamp * mean(diag H), U = cholesky(cholesky_inverse(cholesky(H)), upper=True), columns in "
        "order or by decreasing diag(H) (act-order, stable), e = (w - q) / U[i, i], updates within a "
        "batch of 128 columns (whole groups) and lazily after it; the min-max grid of GPTQ's quant.py "
        "with float32 scales; group scales from the updated weights, or before any update with act-order",
        "layout": "weights [out, in]; codes [out, in] as hex digits; scale and zeroPoint [out, groups]; "
        "outputError = ||X W^T - X Wq^T||^2 / ||X W^T||^2 (float64)",
        "cases": cases,
    }


# ---------------------------------------------------------------------------------------------
# torchao's 2x2 example


def toy_case() -> dict:
    """The docstring of torchao's gptq_quantize (torchao/prototype/gptq/api.py) says: W = [[1.2, 0.5],
    [0.8, 1.5]], X = [[1.0, 1.0]], 2-bit symmetric, quantize column 0 = [1.2, 0.8] with scale
    max|w| / 2 = 0.6 and round(w / scale).clamp(0, 2), dequantize q * scale, move the error to
    column 1, then quantize the updated column 1 with its own scale (1.304 / 2 = 0.652). So W is
    W_t [N, K] (rows: outputs), a scale per column computed when the column is reached. Errors
    0.11 (RTN) and 0.09 (GPTQ) are claimed with X @ W as the output."""
    W = torch.tensor([[1.2, 0.5], [0.8, 1.5]], dtype=torch.float64)
    X = torch.tensor([[1.0, 1.0]], dtype=torch.float64)
    H = 2.0 * X.T @ X / X.shape[0]
    k = W.shape[1]
    H = H + 0.01 * torch.mean(torch.diag(H)) * torch.eye(k, dtype=torch.float64)
    U = torch.linalg.cholesky(torch.cholesky_inverse(torch.linalg.cholesky(H)), upper=True)

    def quant(col):
        s = col.abs().max() / 2
        return torch.clamp(torch.round(col / s), 0, 2) * s

    Wg = W.clone()
    for i in range(k):
        w = Wg[:, i].clone()
        dq = quant(w)
        e = (w - dq) / U[i, i]
        Wg[:, i:] -= e.unsqueeze(1) * U[i, i:].unsqueeze(0)
        Wg[:, i] = dq
    Wr = torch.stack([quant(W[:, i]) for i in range(k)], dim=1)

    def err(a, b, transpose):
        ya = X @ (a.T if transpose else a)
        yb = X @ (b.T if transpose else b)
        return float(((ya - yb) ** 2).sum())

    return {
        "suite": "torchao's GPTQ worked example (gptq_quantize docstring, torchao/prototype/gptq/api.py)",
        "oracle": f"torch {torch.__version__} float64: the docstring's setting, computed",
        "weight": W.tolist(),
        "calibration": X.tolist(),
        "percdamp": 0.01,
        "upperInverseCholesky": U.tolist(),
        "rtn": Wr.tolist(),
        "gptq": Wg.tolist(),
        "errors": {
            "rtn": {"outputsXWt": err(W, Wr, True), "outputsXW": err(W, Wr, False)},
            "gptq": {"outputsXWt": err(W, Wg, True), "outputsXW": err(W, Wg, False)},
        },
        "docstring": {
            "hinv": [[0.505, -0.495], [-0.495, 0.505]],
            "updatedColumn1": [0.5, 1.304],
            "gptq": [[1.2, 0.652], [0.6, 1.304]],
            "rtn": [[1.2, 0.75], [0.6, 1.5]],
            "errors": {"rtn": 0.11, "gptq": 0.09},
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    meta = {"python": platform.python_version(), "numpy": np.__version__, "onnx": onnx.__version__}
    files = {
        "hqq-onnxruntime.json": hqq_cases(),
        "gptq-reference.json": gptq_cases(),
        "gptq-torchao-toy.json": toy_case(),
    }
    for name, doc in files.items():
        doc = {**doc, "generator": {"script": "packages/conformance/generate/algorithms.py", **meta}}
        text = json.dumps(doc, separators=(",", ":"), ensure_ascii=False)
        (out / name).write_text(text + "\n")
        print(f"  {name}: {len(doc.get('cases', [1]))} cases, {len(text) // 1024} KiB", file=sys.stderr)


if __name__ == "__main__":
    main()

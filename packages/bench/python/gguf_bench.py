"""Times one block-format op of the gguf Python package (gguf.quants, numpy) for `npm run bench`.

    python gguf_bench.py REQUEST.json

The request (written by packages/bench/src/gguf.ts): {"op", "input", "source", "shape",
"output", "slowMs"}. `input` is a raw file: float32 values for a quantize op, the quantized bytes
for a dequantize op (ours, which are ggml's), or with `source` "quantize-first" float32 values that
gguf quantizes first, untimed (mxfp4: GGML's block_mxfp4 is not OCP MX's layout). The op runs as a user calls it, `gguf.quants.quantize(x, type)` or
`gguf.quants.dequantize(q, type)` on a [rows, cols] array, with the worker's rule for repeats:
one warm-up call (two when it takes under slowMs), then 7 timed calls (3 when slow). Prints one
JSON line: {"times": [ms, ...], "peakRssMiB"}; the first call's output goes to `output`.
"""

import json
import resource
import sys
import time

import numpy as np
from gguf import GGML_QUANT_SIZES, GGMLQuantizationType
from gguf import quants

TYPES = {
    "q8_0": GGMLQuantizationType.Q8_0,
    "q4_0": GGMLQuantizationType.Q4_0,
    "q4_K": GGMLQuantizationType.Q4_K,
    "q6_K": GGMLQuantizationType.Q6_K,
    "mxfp4": GGMLQuantizationType.MXFP4,
}


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as f:
        request = json.load(f)
    kind, name = request["op"].split("-", 1)
    qtype = TYPES[name]
    rows, cols = request["shape"]
    if kind == "quantize":
        data = np.fromfile(request["input"], dtype=np.float32).reshape(rows, cols)
        run = lambda: quants.quantize(data, qtype)  # noqa: E731
    else:
        if request["source"] == "quantize-first":
            values = np.fromfile(request["input"], dtype=np.float32).reshape(rows, cols)
            data = quants.quantize(values, qtype)
        else:
            block, size = GGML_QUANT_SIZES[qtype]
            data = np.fromfile(request["input"], dtype=np.uint8).reshape(rows, cols // block * size)
        run = lambda: quants.dequantize(data, qtype)  # noqa: E731

    t0 = time.perf_counter()
    first = run()
    warm = (time.perf_counter() - t0) * 1000
    if warm < request["slowMs"]:
        t0 = time.perf_counter()
        run()
        warm = (time.perf_counter() - t0) * 1000
    np.ascontiguousarray(first).tofile(request["output"])
    times = []
    for _ in range(3 if warm > request["slowMs"] else 7):
        t0 = time.perf_counter()
        run()
        times.append((time.perf_counter() - t0) * 1000)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(json.dumps({"times": times, "peakRssMiB": peak}))


if __name__ == "__main__":
    main()

"""What `npm run bench` needs to know about the PyTorch it compares against, printed as one line
`BENCH_RESULT {json}`: its version, the BLAS it was built with (torch.__config__.show()), the BLAS
library actually loaded (from /proc/self/maps, after a matrix product), and its measured single-thread
float32 GEMM rate (512³, best of repeated runs). A Debian python3-torch without OpenBLAS runs on the
reference BLAS (libblas3) at a few GFLOP/s: a comparison against that says nothing about PyTorch.
"""
import json
import os
import re
import sys
import time

_here = os.path.dirname(os.path.abspath(__file__))
sys.path = [p for p in sys.path if os.path.abspath(p or ".") != _here]

import torch  # noqa: E402


def loaded_blas():
    """The BLAS/LAPACK shared objects mapped into this process."""
    libs = set()
    try:
        with open("/proc/self/maps") as f:
            for line in f:
                path = line.split()[-1] if len(line.split()) >= 6 else ""
                name = os.path.basename(path)
                if any(k in name for k in ("blas", "mkl", "blis", "lapack")):
                    libs.add(os.path.realpath(path))
    except OSError:
        pass
    return sorted(libs)


def main():
    torch.set_num_threads(1)
    n = 512
    a, b = torch.rand(n, n), torch.rand(n, n)
    for _ in range(3):
        a @ b
    best = 0.0
    deadline = time.perf_counter() + 1.0
    while time.perf_counter() < deadline:
        t = time.perf_counter()
        a @ b
        best = max(best, 2 * n ** 3 / (time.perf_counter() - t) / 1e9)
    m = re.search(r"BLAS_INFO=([^,\s]+)", torch.__config__.show())
    build = m.group(1) if m else "not in torch.__config__.show()"
    print("BENCH_RESULT " + json.dumps({"version": torch.__version__, "buildBlas": build, "loadedBlas": loaded_blas(), "gemmGflops": best}))


if __name__ == "__main__":
    main()

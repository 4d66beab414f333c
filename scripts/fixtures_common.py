"""Shared helpers of the PyTorch fixture scripts: tensors go to JSON as {"shape": [...], "data": [...]}.

Python's float repr is the shortest string that round-trips, so float64 values reach the TypeScript
tests bit-exact; float32 values are widened to float64 exactly.
"""
import json
import os
import pathlib

import torch

FIXTURES = pathlib.Path(__file__).resolve().parent.parent / "test" / "fixtures"


def t2j(t):
    """A tensor as {"shape", "data"} with data flattened row-major, in float64."""
    t = t.detach().to(torch.float64).contiguous()
    return {"shape": list(t.shape), "data": t.reshape(-1).tolist()}


def write(name, obj):
    """Writes test/fixtures/<name>.json atomically (temp file, then rename)."""
    FIXTURES.mkdir(parents=True, exist_ok=True)
    path = FIXTURES / f"{name}.json"
    tmp = path.with_suffix(".json.tmp")
    with open(tmp, "w") as f:
        json.dump(obj, f, separators=(",", ":"))
        f.write("\n")
    os.replace(tmp, path)
    print(f"wrote {path.relative_to(FIXTURES.parent.parent)}")

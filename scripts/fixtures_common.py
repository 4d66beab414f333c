"""Shared helpers of the PyTorch fixture scripts: tensors go to JSON as {"shape": [...], "data": [...]}.

Python's float repr is the shortest string that round-trips, so float64 values reach the TypeScript
tests bit-exact; float32 values are widened to float64 exactly.
"""
import json
import os
import pathlib
import struct

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


def save_safetensors(path, tensors, metadata, encode):
    """Writes a safetensors file by hand, as the spec says (Debian has no `safetensors` package): the
    8-byte little-endian header length, the JSON header padded with spaces to a multiple of 8, then the
    tensors' bytes. encode(t) gives (dtype name, little-endian bytes) for each tensor."""
    header, blobs, offset = {"__metadata__": metadata}, [], 0
    for name, t in tensors.items():
        dtype, b = encode(t)
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    h = json.dumps(header, separators=(",", ":")).encode("utf-8")
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))

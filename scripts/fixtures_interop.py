"""The safetensors round trip between rnnlab and torch.nn.RNN / LSTM / GRU, both ways
(test/interop-safetensors.test.ts reads what this writes, without Python).

PyTorch → rnnlab: torch modules' state_dicts (GRU with a head, float32; relu RNN, float64) are written
  as safetensors with the hand-written writer of fixtures_safetensors.py, with torch's outputs on a fixed
  input (torch-gru.safetensors, torch-rnn.safetensors, torch-interop-io.json). The LSTM case is
  fixtures_safetensors.py's torch-lstm.safetensors.
rnnlab → PyTorch: the files rnnlab's encoder wrote (rnnlab-{lstm,gru,rnn}.safetensors, made by
  scripts/interop-rnnlab-weights.ts, committed) are read here and loaded with a strict
  `torch.nn.X.load_state_dict`; torch's outputs must match the outputs rnnlab recorded
  (rnnlab-interop-io.json), and are written to torch-reads-rnnlab.json for the node test.

The `safetensors` Python package is not in Debian (no python3-safetensors), so the format is read and
written by hand here; the reader follows the spec strictly (8-byte little-endian header length, JSON
header, tensors tiling the buffer exactly), which is what `safetensors.torch.load_file` checks too.

A model with a head is loaded into a subclass of the torch module that adds `self.head = nn.Linear`, so
its state_dict has exactly rnnlab's keys (weight_ih_l0, ..., head.weight, head.bias) and one strict
load_state_dict call takes the whole file.

Run from scripts/:  /usr/bin/python3 -c "import fixtures_interop; fixtures_interop.main()"
(after `node --import tsx scripts/interop-rnnlab-weights.ts` when rnnlab's side changed).
"""
import json
import struct

import numpy as np
import torch
from torch import nn

from fixtures_common import FIXTURES, t2j, write
from fixtures_safetensors import save_safetensors

NP_DTYPES = {"F32": np.dtype("<f4"), "F64": np.dtype("<f8")}


def load_safetensors(path):
    """Reads a safetensors file by the spec; returns ({name: tensor}, metadata). Raises ValueError."""
    data = path.read_bytes()
    if len(data) < 8:
        raise ValueError(f"{path}: too short")
    (n,) = struct.unpack("<Q", data[:8])
    if n > len(data) - 8:
        raise ValueError(f"{path}: header length {n} runs past the end")
    header = json.loads(data[8:8 + n].decode("utf-8"))
    buf = data[8 + n:]
    metadata = header.pop("__metadata__", {})
    tensors, spans = {}, []
    for name, spec in header.items():
        begin, end = spec["data_offsets"]
        dt = NP_DTYPES[spec["dtype"]]
        count = int(np.prod(spec["shape"], dtype=np.int64))
        if end - begin != count * dt.itemsize or end > len(buf):
            raise ValueError(f"{path}: tensor {name}: bad data_offsets {spec['data_offsets']}")
        arr = np.frombuffer(buf[begin:end], dtype=dt).reshape(spec["shape"])
        tensors[name] = torch.from_numpy(arr.astype(dt.newbyteorder("=")))
        spans.append((begin, end))
    pos = 0
    for begin, end in sorted(spans):
        if begin != pos:
            raise ValueError(f"{path}: tensors do not tile the buffer at {pos}")
        pos = end
    if pos != len(buf):
        raise ValueError(f"{path}: {len(buf) - pos} trailing bytes")
    return tensors, metadata


def with_head(base):
    """torch.nn.RNN/LSTM/GRU plus a linear `head`, so its state_dict keys are rnnlab's."""

    class WithHead(base):
        def __init__(self, output_size, **kwargs):
            super().__init__(**kwargs)
            self.head = nn.Linear(kwargs["hidden_size"], output_size)

        def forward(self, x, state=None):
            out, hn = super().forward(x, state)
            return self.head(out), hn

    return WithHead


BASES = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}


def build(config):
    kwargs = dict(input_size=config["inputSize"], hidden_size=config["hiddenSize"], num_layers=config["numLayers"],
                  bias=config["bias"], batch_first=config["batchFirst"])
    if config["kind"] == "rnn":
        kwargs["nonlinearity"] = config["nonlinearity"]
    base = BASES[config["kind"]]
    m = base(**kwargs) if config["outputSize"] is None else with_head(base)(config["outputSize"], **kwargs)
    return m.to(torch.float64 if config["dtype"] == "float64" else torch.float32)


def j2t(j, dtype):
    return torch.tensor(j["data"], dtype=torch.float64).reshape(j["shape"]).to(dtype)


def rnnlab_to_torch():
    io = json.loads((FIXTURES / "rnnlab-interop-io.json").read_text())
    result = {}
    for name, case in io.items():
        config = case["config"]
        tensors, metadata = load_safetensors(FIXTURES / case["file"])
        assert metadata.get("format") == "pt", metadata
        model = build(config)
        model.load_state_dict(tensors, strict=True)  # every key and shape exactly as torch's
        dtype = torch.float64 if config["dtype"] == "float64" else torch.float32
        with torch.no_grad():
            out, state = model(j2t(case["x"], dtype))
        h, c = state if isinstance(state, tuple) else (state, None)
        tol = 1e-12 if dtype == torch.float64 else 1e-5
        for what, ours, theirs in [("output", out, case["output"]), ("h", h, case["h"])] + ([("c", c, case["c"])] if c is not None else []):
            ref = j2t(theirs, torch.float64)
            err = (ours.double() - ref).abs().max().item() / max(ref.abs().max().item(), 1e-30)
            assert err < tol, f"{name} {what}: torch vs rnnlab relative error {err}"
            print(f"  rnnlab-{name}.safetensors in torch.nn.{BASES[config['kind']].__name__}: {what} max rel err {err:.2e}")
        result[name] = {"output": t2j(out), "h": t2j(h), **({"c": t2j(c)} if c is not None else {})}
    write("torch-reads-rnnlab", result)


def torch_to_rnnlab():
    g = torch.Generator().manual_seed(321)
    io = {}
    cases = {
        "gru": (with_head(nn.GRU)(3, input_size=4, hidden_size=5, num_layers=2), torch.float32),
        "rnn": (nn.RNN(input_size=4, hidden_size=3, nonlinearity="relu"), torch.float64),
    }
    for name, (model, dtype) in cases.items():
        model = model.to(dtype)
        with torch.no_grad():
            for p in model.parameters():
                p.copy_(torch.empty_like(p).uniform_(-0.7, 0.7, generator=g))
        save_safetensors(FIXTURES / f"torch-{name}.safetensors", dict(model.state_dict()), {"format": "pt"})
        x = torch.randn(6, 2, 4, generator=g, dtype=torch.float64).to(dtype)
        with torch.no_grad():
            out, h = model(x)
        io[name] = {"x": t2j(x), "output": t2j(out), "h": t2j(h)}
        print(f"wrote test/fixtures/torch-{name}.safetensors")
    write("torch-interop-io", io)


def main():
    torch_to_rnnlab()
    rnnlab_to_torch()

"""A safetensors file written from Python, independently of rnnlab's encoder, to check that rnnlab reads
what the Python side writes (test/checkpoint-interop.test.ts).

The writer below follows the safetensors spec by hand (the `safetensors` package is not in Debian):
8-byte little-endian header length, a JSON header {name: {dtype, shape, data_offsets}, __metadata__},
then the raw little-endian tensor bytes. The weights are a torch nn.LSTM's state_dict (2 layers) plus a
head; torch_lstm_io.json holds an input and torch's output for it.

Run from scripts/:  /usr/bin/python3 -c "import fixtures_safetensors; fixtures_safetensors.main()"
"""
import torch
from torch import nn

from fixtures_common import FIXTURES, save_safetensors, t2j, write

DTYPES = {torch.float32: "F32", torch.float64: "F64"}


def native(t):
    """F32 / F64 as stored: the tensor's own little-endian bytes."""
    a = t.detach().contiguous().numpy()
    return DTYPES[t.dtype], a.astype(a.dtype.newbyteorder("<")).tobytes()


def main():
    g = torch.Generator().manual_seed(99)
    lstm = nn.LSTM(input_size=3, hidden_size=4, num_layers=2).double()
    head = nn.Linear(4, 2).double()
    with torch.no_grad():
        for p in list(lstm.parameters()) + list(head.parameters()):
            p.copy_(torch.empty_like(p).uniform_(-0.7, 0.7, generator=g))
    sd = dict(lstm.state_dict())
    sd["head.weight"], sd["head.bias"] = head.weight, head.bias
    save_safetensors(FIXTURES / "torch-lstm.safetensors", sd, {"format": "pt"}, native)
    x = torch.randn(5, 2, 3, generator=g, dtype=torch.float64)
    with torch.no_grad():
        out, _ = lstm(x)
        y = head(out)
    write("torch-lstm-io", {"x": t2j(x), "output": t2j(y)})
    print("wrote test/fixtures/torch-lstm.safetensors")

"""PyTorch's half precision, for rnnlab's F16 / BF16 safetensors (test/safetensors-half.test.ts).

Writes test/fixtures/half.json: float32 values (ties, subnormals, the largest halves, overflow to Inf,
and random ones) with the bits torch gives for .half() and .bfloat16(); and torch-gru-{f16,bf16}.safetensors,
a torch nn.GRU's state dict saved in each format (by hand, as the safetensors spec says: the package is
not in Debian), with the float values torch reads back from them in half.json.

Run from scripts/:  /usr/bin/python3 -c "import fixtures_half; fixtures_half.main()"
"""
import math

import torch
from torch import nn

from fixtures_common import FIXTURES, save_safetensors, t2j, write

NAMES = {torch.float16: "F16", torch.bfloat16: "BF16"}


def save_half(path, tensors, dtype):
    save_safetensors(path, tensors, {"format": "pt"}, lambda t: (NAMES[dtype], t.detach().to(dtype).contiguous().view(torch.int16).numpy().astype("<i2").tobytes()))


def finite_or_name(xs):
    """JSON has no Infinity: non-finite values go as the strings "inf" / "-inf" / "nan"."""
    return [x if math.isfinite(x) else str(x) for x in xs]


def bits(t, dtype):
    return (t.to(dtype).view(torch.int16).to(torch.int32) & 0xFFFF).tolist()


def main():
    g = torch.Generator().manual_seed(7)
    edge = [0.0, -0.0, 1.0, -2.5, 65504.0, 65519.0, 65520.0, 1e5, 6.1e-5, 5.96e-8, 2.98e-8, 2.99e-8, 1e-8,
            1.0 + 2 ** -11, 1.0 + 3 * 2 ** -11, 1.0 + 2 ** -8, 1.0 + 3 * 2 ** -8, 3.4e38, -1e-40, 0.1, 1 / 3]
    values = torch.tensor(edge + (torch.randn(200, generator=g) * 10.0).tolist(), dtype=torch.float32)
    torch.manual_seed(5)
    gru = nn.GRU(input_size=3, hidden_size=4, num_layers=2)
    sd = gru.state_dict()
    files = {}
    for dtype, tag in [(torch.float16, "f16"), (torch.bfloat16, "bf16")]:
        save_half(FIXTURES / f"torch-gru-{tag}.safetensors", sd, dtype)
        files[tag] = {k: t2j(v.to(dtype).float()) for k, v in sd.items()}
    write("half", {
        "values": values.tolist(), "f16": bits(values, torch.float16), "bf16": bits(values, torch.bfloat16),
        "f16Back": finite_or_name(values.half().float().tolist()), "bf16Back": finite_or_name(values.bfloat16().float().tolist()),
        "gru": files,
    })


if __name__ == "__main__":
    main()

"""PyTorch reference fixtures for bidirectional layers and padded batches (test/bidirectional.test.ts).

Writes test/fixtures/bidirectional.json: for nn.RNN (tanh), nn.LSTM and nn.GRU, in float64 and float32,
- two bidirectional layers on a full batch,
- two bidirectional layers on a padded batch, lengths unsorted: pack_padded_sequence(x, lengths,
  enforce_sorted=False) -> layer -> pad_packed_sequence(total_length=T),
- two one-directional layers on the same padded batch, batch_first,
each with non-zero initial states, the output, the final states, and the gradients of
    L = sum(gOut * output) + sum(gH * h_n) (+ sum(gC * c_n))
with respect to every parameter, the input and the initial states.

Run from scripts/:  /usr/bin/python3 -c "import fixtures_bidir; fixtures_bidir.main()"
"""
import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from fixtures_common import t2j, write

T, B, D, H, L = 5, 3, 4, 3, 2
LENGTHS = [3, 5, 2]
SEED = 20261202


def make(kind, bidirectional, batch_first, proj):
    kw = dict(input_size=D, hidden_size=H, num_layers=L, bidirectional=bidirectional, batch_first=batch_first)
    if kind == "rnn":
        return nn.RNN(nonlinearity="tanh", **kw)
    return nn.LSTM(proj_size=proj, **kw) if kind == "lstm" else nn.GRU(**kw)


def case(kind, label, bidirectional, lengths, batch_first, dtype, proj=0):
    torch.manual_seed(SEED)
    m = make(kind, bidirectional, batch_first, proj).to(torch.float64)
    dirs = 2 if bidirectional else 1
    P = proj or H
    x = torch.randn(B, T, D, dtype=torch.float64) if batch_first else torch.randn(T, B, D, dtype=torch.float64)
    h0 = torch.randn(L * dirs, B, P, dtype=torch.float64)
    c0 = torch.randn(L * dirs, B, H, dtype=torch.float64) if kind == "lstm" else None
    g_out = torch.randn(*(x.shape[:2]), dirs * P, dtype=torch.float64)
    g_h = torch.randn(L * dirs, B, P, dtype=torch.float64)
    g_c = torch.randn(L * dirs, B, H, dtype=torch.float64) if kind == "lstm" else None
    sd = {k: v.clone() for k, v in m.state_dict().items()}
    m = m.to(dtype)
    x, h0, g_out, g_h = (t.to(dtype) for t in (x, h0, g_out, g_h))
    if c0 is not None:
        c0, g_c = c0.to(dtype), g_c.to(dtype)
    x.requires_grad_(True)
    h0.requires_grad_(True)
    if c0 is not None:
        c0.requires_grad_(True)
    state = (h0, c0) if kind == "lstm" else h0
    if lengths is None:
        out, hn = m(x, state)
    else:
        packed = pack_padded_sequence(x, torch.tensor(lengths), batch_first=batch_first, enforce_sorted=False)
        out, hn = m(packed, state)
        out, _ = pad_packed_sequence(out, batch_first=batch_first, total_length=T)
    if kind == "lstm":
        hn, cn = hn
    loss = (g_out * out).sum() + (g_h * hn).sum()
    if kind == "lstm":
        loss = loss + (g_c * cn).sum()
    loss.backward()
    c = {
        "label": label, "kind": kind, "dtype": "float64" if dtype == torch.float64 else "float32",
        "bidirectional": bidirectional, "batchFirst": batch_first, "lengths": lengths,
        "T": T, "B": B, "D": D, "H": H, "numLayers": L, "projSize": proj,
        "stateDict": {k: t2j(v) for k, v in sd.items()},
        "x": t2j(x), "h0": t2j(h0), "gOut": t2j(g_out), "gH": t2j(g_h),
        "output": t2j(out), "hN": t2j(hn),
        "grads": {k: t2j(p.grad) for k, p in m.named_parameters()},
        "dx": t2j(x.grad), "dh0": t2j(h0.grad),
    }
    if kind == "lstm":
        c.update({"c0": t2j(c0), "gC": t2j(g_c), "cN": t2j(cn), "dc0": t2j(c0.grad)})
    return c


def main():
    cases = []
    for kind in ["rnn", "lstm", "gru"]:
        for dtype in [torch.float64, torch.float32]:
            cases.append(case(kind, f"{kind} bidirectional", True, None, False, dtype))
            cases.append(case(kind, f"{kind} bidirectional, padded", True, LENGTHS, False, dtype))
            cases.append(case(kind, f"{kind} padded, batchFirst", False, LENGTHS, True, dtype))
    for dtype in [torch.float64, torch.float32]:
        cases.append(case("lstm", "lstm projSize 2", False, None, False, dtype, proj=2))
        cases.append(case("lstm", "lstm projSize 2, bidirectional, padded", True, LENGTHS, False, dtype, proj=2))
    write("bidirectional", {"cases": cases})


if __name__ == "__main__":
    main()

"""PyTorch references for the gradient-flow analysis (test/gradflow.test.ts reads them).

gradflow.json: per-step gradient norms when the only loss is L = <upstream, h_T> on the last layer's
final state. torch's nn.RNN/LSTM/GRU do not expose per-step states of the last layer as separate autograd
nodes from h_n, so the layers are unrolled here with the matching torch cells (same weights) and every
h_t (and c_t) keeps its .grad.

jacobian.json: autograd's Jacobian of one cell step with respect to the previous state:
d h_t / d h_{t-1} ([H, H]), and for the LSTM d(h_t, c_t)/d(h_{t-1}, c_{t-1}) ([2H, 2H], h then c).

Run from scripts/:  /usr/bin/python3 -c "import fixtures_gradflow; fixtures_gradflow.main()"
"""
import torch
from torch import nn

from fixtures_common import t2j, write

SEED = 777
T, B, D, H = 12, 2, 3, 5


def make_cell(kind, nonlinearity, d_in):
    """A float64 torch cell of the given kind."""
    if kind == "rnn":
        return nn.RNNCell(d_in, H, nonlinearity=nonlinearity).double()
    if kind == "lstm":
        return nn.LSTMCell(d_in, H).double()
    return nn.GRUCell(d_in, H).double()


def cell_for(kind, nonlinearity, d_in, layer, k):
    """A torch cell holding layer k's weights of a multi-layer nn.RNN/LSTM/GRU."""
    cell = make_cell(kind, nonlinearity, d_in)
    with torch.no_grad():
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            getattr(cell, name).copy_(getattr(layer, f"{name}_l{k}"))
    return cell


def flow_case(g, kind, nonlinearity, num_layers, batched):
    kw = dict(input_size=D, hidden_size=H, num_layers=num_layers)
    if kind == "rnn":
        layer = nn.RNN(nonlinearity=nonlinearity, **kw)
    elif kind == "lstm":
        layer = nn.LSTM(**kw)
    else:
        layer = nn.GRU(**kw)
    layer = layer.double()
    with torch.no_grad():
        for p in layer.parameters():
            p.copy_(torch.empty_like(p).uniform_(-0.8, 0.8, generator=g))
    b = B if batched else 1
    x = torch.randn(T, b, D, generator=g, dtype=torch.float64).requires_grad_()
    upstream = torch.randn(b, H, generator=g, dtype=torch.float64)
    h0 = torch.zeros(num_layers, b, H, dtype=torch.float64, requires_grad=True)
    c0 = torch.zeros(num_layers, b, H, dtype=torch.float64, requires_grad=True)
    inp = [x[t] for t in range(T)]
    hs, cs = [], []
    for k in range(num_layers):
        cell = cell_for(kind, nonlinearity, D if k == 0 else H, layer, k)
        h, c = h0[k], c0[k]
        hs, cs = [], []
        for t in range(T):
            if kind == "lstm":
                h, c = cell(inp[t], (h, c))
                c.retain_grad()
                cs.append(c)
            else:
                h = cell(inp[t], h)
            h.retain_grad()
            hs.append(h)
        inp = hs
    loss = (upstream * hs[-1]).sum()
    loss.backward()
    norms = lambda ts: [float(t.grad.norm()) for t in ts]
    case = {
        "name": f"{kind}{'-' + nonlinearity if kind == 'rnn' else ''}, {num_layers} layer(s), {'batched' if batched else 'unbatched'}",
        "kind": kind,
        "nonlinearity": nonlinearity,
        "numLayers": num_layers,
        "batched": batched,
        "stateDict": {k: t2j(v) for k, v in layer.state_dict().items()},
        "x": t2j(x if batched else x[:, 0]),
        "upstream": t2j(upstream if batched else upstream[0]),
        "dh": norms(hs),
        "dx": [float(x.grad[t].norm()) for t in range(T)],
        "dhInitial": float(h0.grad[num_layers - 1].norm()),
    }
    if kind == "lstm":
        case["dc"] = norms(cs)
        case["dcInitial"] = float(c0.grad[num_layers - 1].norm())
    return case


def jacobian_case(g, kind, nonlinearity):
    cell = make_cell(kind, nonlinearity, D)
    with torch.no_grad():
        for p in cell.parameters():
            p.copy_(torch.empty_like(p).uniform_(-0.8, 0.8, generator=g))
    x = torch.randn(D, generator=g, dtype=torch.float64)
    h_prev = torch.randn(H, generator=g, dtype=torch.float64)
    c_prev = torch.randn(H, generator=g, dtype=torch.float64)
    if kind == "lstm":
        def f(state):
            h, c = cell(x[None], (state[None, :H], state[None, H:]))
            return torch.cat([h[0], c[0]])
        J = torch.autograd.functional.jacobian(f, torch.cat([h_prev, c_prev]))
    else:
        J = torch.autograd.functional.jacobian(lambda h: cell(x[None], h[None])[0], h_prev)
    case = {
        "name": f"{kind}{'-' + nonlinearity if kind == 'rnn' else ''}",
        "kind": kind,
        "nonlinearity": nonlinearity,
        "stateDict": {k: t2j(v) for k, v in cell.state_dict().items()},
        "x": t2j(x),
        "hPrev": t2j(h_prev),
        "jacobian": t2j(J),
    }
    if kind == "lstm":
        case["cPrev"] = t2j(c_prev)
    return case


def main():
    g = torch.Generator().manual_seed(SEED)
    kinds = [("rnn", "tanh"), ("rnn", "relu"), ("lstm", None), ("gru", None)]
    flows = []
    for kind, nl in kinds:
        for num_layers in (1, 2):
            for batched in (True, False):
                flows.append(flow_case(g, kind, nl, num_layers, batched))
    write("gradflow", flows)
    write("jacobian", [jacobian_case(g, kind, nl) for kind, nl in kinds])

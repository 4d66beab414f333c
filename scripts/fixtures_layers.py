"""PyTorch reference fixtures for the cells and the sequence layers (test/parity.test.ts reads them).

Writes test/fixtures/{rnn,lstm,gru,cells,tbptt}.json, each a list of cases. Every case holds the exact
torch state dict (keys in state_dict order, torch shapes), the inputs and non-zero initial states, the
outputs and final states, and the gradients of a random linear loss

    L = sum(gOut * output) + sum(gH * h_N) (+ sum(gC * c_N))

with respect to every parameter, the input and the initial states. float32 cases use the float64
case's weights, inputs and loss coefficients cast down, and torch computing in float32.

Run from scripts/:  /usr/bin/python3 -c "import fixtures_layers; fixtures_layers.main()"
"""
import copy

import torch
from torch import nn

from fixtures_common import t2j, write

T, B, D, H, O = 5, 3, 4, 6, 2
SEED = 20240611

KINDS = [
    # (file, label, kind, nonlinearity)
    ("rnn", "RNN tanh", "rnn", "tanh"),
    ("rnn", "RNN relu", "rnn", "relu"),
    ("lstm", "LSTM", "lstm", None),
    ("gru", "GRU", "gru", None),
]


def make_layer(kind, nonlinearity, num_layers, bias, batch_first):
    kw = dict(input_size=D, hidden_size=H, num_layers=num_layers, bias=bias, batch_first=batch_first)
    if kind == "rnn":
        return nn.RNN(nonlinearity=nonlinearity, **kw)
    if kind == "lstm":
        return nn.LSTM(**kw)
    return nn.GRU(**kw)


class WithHead(nn.Module):
    """The recurrent layer and, optionally, nn.Linear(H, O) on every step's output; the state dict is
    the layer's own keys followed by head.weight, head.bias (as rnnlab names them)."""

    def __init__(self, rnn, head):
        super().__init__()
        self.rnn = rnn
        self.head = head

    def state_dict_flat(self):
        sd = dict(self.rnn.state_dict())
        if self.head is not None:
            sd["head.weight"] = self.head.weight
            sd["head.bias"] = self.head.bias
        return sd

    def named_params_flat(self):
        out = list(self.rnn.named_parameters())
        if self.head is not None:
            out += [("head.weight", self.head.weight), ("head.bias", self.head.bias)]
        return out

    def forward(self, x, state):
        out, st = self.rnn(x, state)
        if self.head is not None:
            out = self.head(out)
        return out, st


def layer_case(label, kind, nonlinearity, num_layers, batched, batch_first, bias, with_head, g):
    """One float64 case and its float32 twin."""
    rnn = make_layer(kind, nonlinearity, num_layers, bias, batch_first).double()
    head = nn.Linear(H, O).double() if with_head else None
    # Re-draw every weight from our generator (uniform ±1/sqrt(H), torch's default init) so the
    # fixtures do not depend on the global RNG.
    with torch.no_grad():
        k = 1.0 / H ** 0.5
        for _, p in rnn.named_parameters():
            p.copy_(torch.rand(p.shape, generator=g, dtype=torch.float64) * 2 * k - k)
        if head is not None:
            for p in (head.weight, head.bias):
                p.copy_(torch.rand(p.shape, generator=g, dtype=torch.float64) * 2 * k - k)
    model = WithHead(rnn, head)

    if batched:
        x_shape = (B, T, D) if batch_first else (T, B, D)
        st_shape = (num_layers, B, H)
    else:
        x_shape = (T, D)
        st_shape = (num_layers, H)
    W = O if with_head else H
    out_shape = ((B, T, W) if batch_first else (T, B, W)) if batched else (T, W)

    def randn(shape, scale=1.0):
        return torch.randn(shape, generator=g, dtype=torch.float64) * scale

    x = randn(x_shape)
    h0 = randn(st_shape, 0.5)
    c0 = randn(st_shape, 0.5) if kind == "lstm" else None
    g_out = randn(out_shape)
    g_h = randn(st_shape)
    g_c = randn(st_shape) if kind == "lstm" else None

    parts = []
    for dtype, dname in ((torch.float64, "float64"), (torch.float32, "float32")):
        m = copy.deepcopy(model).to(dtype)
        xi = x.detach().to(dtype).clone().requires_grad_(True)
        hi = h0.detach().to(dtype).clone().requires_grad_(True)
        ci = c0.detach().to(dtype).clone().requires_grad_(True) if c0 is not None else None
        state = (hi, ci) if kind == "lstm" else hi
        out, st = m(xi, state)
        hN, cN = (st if kind == "lstm" else (st, None))
        loss = (g_out.to(dtype) * out).sum() + (g_h.to(dtype) * hN).sum()
        if cN is not None:
            loss = loss + (g_c.to(dtype) * cN).sum()
        loss.backward()

        sd = m.state_dict_flat()
        pieces = ["1 layer" if num_layers == 1 else f"{num_layers} layers", "batched" if batched else "unbatched"]
        if batch_first:
            pieces.append("batch_first")
        if not bias:
            pieces.append("bias=False")
        if with_head:
            pieces.append("linear head")
        case = {
            "name": f"{label}, {', '.join(pieces)}, {dname}",
            "config": {
                "kind": kind,
                "nonlinearity": nonlinearity,
                "numLayers": num_layers,
                "inputSize": D,
                "hiddenSize": H,
                "outputSize": O if with_head else None,
                "batchFirst": batch_first,
                "bias": bias,
                "batched": batched,
                "dtype": dname,
            },
            "stateDictKeys": list(sd.keys()),
            "stateDict": {k: t2j(v) for k, v in sd.items()},
            "x": t2j(xi),
            "h0": t2j(hi),
            "output": t2j(out),
            "h": t2j(hN),
            "gOut": t2j(g_out.to(dtype)),
            "gH": t2j(g_h.to(dtype)),
            "grads": {n: t2j(p.grad) for n, p in m.named_params_flat()},
            "dx": t2j(xi.grad),
            "dh": t2j(hi.grad),
            "loss": loss.item(),
        }
        if kind == "lstm":
            case.update(c0=t2j(ci), c=t2j(cN), gC=t2j(g_c.to(dtype)), dc=t2j(ci.grad))
        parts.append(case)
    return parts


def layer_cases(g):
    files = {"rnn": [], "lstm": [], "gru": []}
    for file, label, kind, nl in KINDS:
        variants = []
        for num_layers in (1, 2):
            for batched in (True, False):
                variants.append(dict(num_layers=num_layers, batched=batched, batch_first=False, bias=True, with_head=False))
        variants.append(dict(num_layers=2, batched=True, batch_first=True, bias=True, with_head=False))
        variants.append(dict(num_layers=2, batched=True, batch_first=False, bias=False, with_head=False))
        variants.append(dict(num_layers=2, batched=True, batch_first=False, bias=True, with_head=True))
        for v in variants:
            files[file] += layer_case(label, kind, nl, g=g, **v)
    return files


def cell_cases(g):
    cases = []
    specs = [("RNNCell tanh", "rnn", "tanh"), ("RNNCell relu", "rnn", "relu"), ("LSTMCell", "lstm", None), ("GRUCell", "gru", None)]
    for label, kind, nl in specs:
        for batched, bias in ((True, True), (False, True), (True, False)):
            if kind == "rnn":
                cell = nn.RNNCell(D, H, bias=bias, nonlinearity=nl)
            elif kind == "lstm":
                cell = nn.LSTMCell(D, H, bias=bias)
            else:
                cell = nn.GRUCell(D, H, bias=bias)
            cell = cell.double()
            with torch.no_grad():
                k = 1.0 / H ** 0.5
                for p in cell.parameters():
                    p.copy_(torch.rand(p.shape, generator=g, dtype=torch.float64) * 2 * k - k)
            shp_x = (B, D) if batched else (D,)
            shp_h = (B, H) if batched else (H,)
            x = torch.randn(shp_x, generator=g, dtype=torch.float64)
            h0 = torch.randn(shp_h, generator=g, dtype=torch.float64) * 0.5
            c0 = torch.randn(shp_h, generator=g, dtype=torch.float64) * 0.5 if kind == "lstm" else None
            g_h = torch.randn(shp_h, generator=g, dtype=torch.float64)
            g_c = torch.randn(shp_h, generator=g, dtype=torch.float64) if kind == "lstm" else None
            for dtype, dname in ((torch.float64, "float64"), (torch.float32, "float32")):
                c = copy.deepcopy(cell).to(dtype)
                xi = x.detach().to(dtype).clone().requires_grad_(True)
                hi = h0.detach().to(dtype).clone().requires_grad_(True)
                if kind == "lstm":
                    ci = c0.detach().to(dtype).clone().requires_grad_(True)
                    h, cc = c(xi, (hi, ci))
                    loss = (g_h.to(dtype) * h).sum() + (g_c.to(dtype) * cc).sum()
                else:
                    h = c(xi, hi)
                    loss = (g_h.to(dtype) * h).sum()
                loss.backward()
                pieces = ["batched" if batched else "unbatched"]
                if not bias:
                    pieces.append("bias=False")
                case = {
                    "name": f"{label}, {', '.join(pieces)}, {dname}",
                    "config": {"kind": kind, "nonlinearity": nl, "inputSize": D, "hiddenSize": H,
                               "bias": bias, "batched": batched, "dtype": dname},
                    "stateDictKeys": list(c.state_dict().keys()),
                    "stateDict": {k: t2j(v) for k, v in c.state_dict().items()},
                    "x": t2j(xi),
                    "hPrev": t2j(hi),
                    "h": t2j(h),
                    "gH": t2j(g_h.to(dtype)),
                    "grads": {n: t2j(p.grad) for n, p in c.named_parameters()},
                    "dx": t2j(xi.grad),
                    "dhPrev": t2j(hi.grad),
                }
                if kind == "lstm":
                    case.update(cPrev=t2j(ci), c=t2j(cc), gC=t2j(g_c.to(dtype)), dcPrev=t2j(ci.grad))
                cases.append(case)
    return cases


def tbptt_cases(g):
    """LSTM, 2 layers, batched, with a head: two chunks, the second starting from the first's final
    state detached. Chunk 1's loss is sum(gOut1 * out1); chunk 2's is sum(gOut2 * out2) + sum(gH * h2)
    + sum(gC * c2). One backward per chunk: the parameter grads accumulate over both ("grads"); "grads1"
    is after chunk 1 alone, "grads2" is chunk 2's own (after zero_grad and redoing chunk 2)."""
    num_layers = 2
    rnn = nn.LSTM(D, H, num_layers=num_layers).double()
    head = nn.Linear(H, O).double()
    with torch.no_grad():
        k = 1.0 / H ** 0.5
        for p in list(rnn.parameters()) + [head.weight, head.bias]:
            p.copy_(torch.rand(p.shape, generator=g, dtype=torch.float64) * 2 * k - k)
    model = WithHead(rnn, head)

    def randn(shape, scale=1.0):
        return torch.randn(shape, generator=g, dtype=torch.float64) * scale

    x1, x2 = randn((T, B, D)), randn((T, B, D))
    h0, c0 = randn((num_layers, B, H), 0.5), randn((num_layers, B, H), 0.5)
    g_out1, g_out2 = randn((T, B, O)), randn((T, B, O))
    g_h, g_c = randn((num_layers, B, H)), randn((num_layers, B, H))

    cases = []
    for dtype, dname in ((torch.float64, "float64"), (torch.float32, "float32")):
        m = copy.deepcopy(model).to(dtype)
        params = m.named_params_flat()
        x1i = x1.detach().to(dtype).clone().requires_grad_(True)
        h0i = h0.detach().to(dtype).clone().requires_grad_(True)
        c0i = c0.detach().to(dtype).clone().requires_grad_(True)
        out1, (h1, c1) = m(x1i, (h0i, c0i))
        (g_out1.to(dtype) * out1).sum().backward()
        grads1 = {n: t2j(p.grad) for n, p in params}

        def chunk2():
            x2i = x2.detach().to(dtype).clone().requires_grad_(True)
            h1d = h1.detach().clone().requires_grad_(True)
            c1d = c1.detach().clone().requires_grad_(True)
            out2, (h2, c2) = m(x2i, (h1d, c1d))
            loss2 = (g_out2.to(dtype) * out2).sum() + (g_h.to(dtype) * h2).sum() + (g_c.to(dtype) * c2).sum()
            loss2.backward()
            return x2i, h1d, c1d, out2, h2, c2

        x2i, h1d, c1d, out2, h2, c2 = chunk2()
        grads = {n: t2j(p.grad) for n, p in params}
        m.zero_grad()
        chunk2()
        grads2 = {n: t2j(p.grad) for n, p in params}

        sd = m.state_dict_flat()
        cases.append({
            "name": f"LSTM, 2 layers, batched, linear head, two chunks, {dname}",
            "config": {"kind": "lstm", "nonlinearity": None, "numLayers": num_layers, "inputSize": D,
                       "hiddenSize": H, "outputSize": O, "batchFirst": False, "bias": True, "batched": True,
                       "dtype": dname},
            "stateDictKeys": list(sd.keys()),
            "stateDict": {k: t2j(v) for k, v in sd.items()},
            "x1": t2j(x1i), "x2": t2j(x2i), "h0": t2j(h0i), "c0": t2j(c0i),
            "gOut1": t2j(g_out1.to(dtype)), "gOut2": t2j(g_out2.to(dtype)),
            "gH": t2j(g_h.to(dtype)), "gC": t2j(g_c.to(dtype)),
            "output1": t2j(out1), "h1": t2j(h1), "c1": t2j(c1),
            "output2": t2j(out2), "h2": t2j(h2), "c2": t2j(c2),
            "dx1": t2j(x1i.grad), "dh0": t2j(h0i.grad), "dc0": t2j(c0i.grad),
            "dx2": t2j(x2i.grad), "dh1": t2j(h1d.grad), "dc1": t2j(c1d.grad),
            "grads1": grads1, "grads": grads, "grads2": grads2,
        })
    return cases


def main():
    # Our own generator for every random number, and the global RNG left as it was: the fixtures do
    # not depend on what ran before, and scripts run after this one see the same global state.
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(SEED)
        g = torch.Generator().manual_seed(SEED)
        files = layer_cases(g)
        for name, cases in files.items():
            write(name, cases)
        write("cells", cell_cases(g))
        write("tbptt", tbptt_cases(g))


if __name__ == "__main__":
    main()

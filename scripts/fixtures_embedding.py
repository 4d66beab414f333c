"""PyTorch reference fixtures for nn.Embedding and nn.Linear (test/embedding-linear.test.ts reads them).

Writes test/fixtures/embedding-linear.json: for float64 and float32, an Embedding(V, E, padding_idx)
looked up at ids of shape [T, B] (with repeats and the padding id), then a Linear(E, O) on every vector,
the output, and the gradients of L = sum(g * output) with respect to embedding.weight, fc.weight,
fc.bias and the Linear's input. The state dict is the whole model's, with PyTorch's prefixed keys.

Run from scripts/:  /usr/bin/python3 -c "import fixtures_embedding; fixtures_embedding.main()"
"""
import torch
from torch import nn

from fixtures_common import t2j, write

V, E, O, T, B, PAD = 7, 5, 3, 4, 3, 0
SEED = 20261201


class Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.embedding = nn.Embedding(V, E, padding_idx=PAD)
        self.fc = nn.Linear(E, O)

    def forward(self, ids):
        self.e = self.embedding(ids)
        self.e.retain_grad()
        return self.fc(self.e)


def case(dtype):
    torch.manual_seed(SEED)
    m = Model().to(dtype)
    ids = torch.tensor([[0, 3, 6], [3, 3, 1], [2, 0, 5], [6, 4, 3]])
    g = torch.randn(T, B, O, dtype=torch.float64).to(dtype)
    y = m(ids)
    (g * y).sum().backward()
    return {
        "dtype": "float64" if dtype == torch.float64 else "float32",
        "V": V, "E": E, "O": O, "shape": [T, B], "paddingIdx": PAD,
        "ids": ids.reshape(-1).tolist(),
        "stateDict": {k: t2j(v) for k, v in m.state_dict().items()},
        "g": t2j(g), "output": t2j(y), "dE": t2j(m.e.grad),
        "grads": {k: t2j(p.grad) for k, p in m.named_parameters()},
    }


def main():
    write("embedding-linear", {"cases": [case(torch.float64), case(torch.float32)]})


if __name__ == "__main__":
    main()

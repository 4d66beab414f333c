"""A PyTorch text classifier, trained a few steps in torch and loaded into rnnlab module by module
(test/text-classifier.test.ts, the example of docs/interop.md).

    nn.Embedding(V, E, padding_idx=0) -> nn.LSTM(E, H, bidirectional=True, batch_first=True) on a
    padded batch (pack_padded_sequence, enforce_sorted=False) -> the two directions' final h, concatenated
    -> nn.Linear(2H, C)

Trained 5 Adam steps on random padded batches (cross-entropy), then saved to
test/fixtures/torch-text-classifier.safetensors (F32, PyTorch's prefixed keys: embedding.weight,
lstm.weight_ih_l0, ..., fc.bias); test/fixtures/text-classifier.json holds a fresh batch, torch's logits
for it and the gradients of the mean cross-entropy with respect to every parameter.

Run from scripts/:  /usr/bin/python3 -c "import fixtures_textclf; fixtures_textclf.main()"
"""
import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence

from fixtures_common import FIXTURES, save_safetensors, t2j, write

V, E, H, C, B, T = 20, 8, 6, 3, 4, 7


class TextClassifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.embedding = nn.Embedding(V, E, padding_idx=0)
        self.lstm = nn.LSTM(E, H, bidirectional=True, batch_first=True)
        self.fc = nn.Linear(2 * H, C)

    def forward(self, ids, lengths):
        packed = pack_padded_sequence(self.embedding(ids), lengths, batch_first=True, enforce_sorted=False)
        _, (h, _) = self.lstm(packed)
        return self.fc(torch.cat([h[0], h[1]], dim=1))


def batch(g):
    lengths = torch.randint(1, T + 1, (B,), generator=g)
    lengths[0] = T  # pad_packed / pack need not see T, but a batch usually has a full-length row
    ids = torch.zeros(B, T, dtype=torch.long)
    for b in range(B):
        ids[b, : lengths[b]] = torch.randint(1, V, (int(lengths[b]),), generator=g)
    return ids, lengths, torch.randint(0, C, (B,), generator=g)


def save_f32(path, sd):
    save_safetensors(path, sd, {"format": "pt"}, lambda t: ("F32", t.detach().contiguous().float().numpy().astype("<f4").tobytes()))


def main():
    torch.manual_seed(11)
    g = torch.Generator().manual_seed(12)
    m = TextClassifier()
    opt = torch.optim.Adam(m.parameters(), lr=1e-2)
    for _ in range(5):
        ids, lengths, y = batch(g)
        opt.zero_grad()
        nn.functional.cross_entropy(m(ids, lengths), y).backward()
        opt.step()
    save_f32(FIXTURES / "torch-text-classifier.safetensors", m.state_dict())
    ids, lengths, y = batch(g)
    opt.zero_grad()
    logits = m(ids, lengths)
    nn.functional.cross_entropy(logits, y).backward()
    write("text-classifier", {
        "V": V, "E": E, "H": H, "C": C, "B": B, "T": T,
        "ids": ids.reshape(-1).tolist(), "lengths": lengths.tolist(), "labels": y.tolist(),
        "logits": t2j(logits), "grads": {k: t2j(p.grad) for k, p in m.named_parameters()},
    })


if __name__ == "__main__":
    main()

"""PyTorch CPU peer for `npm run bench`: the same training step and timing loop as bench/measure.ts.

Usage: /usr/bin/python3 bench/peers/torch.py '{"cell":"lstm","B":1,"T":100,"D":8,"H":32,
        "threads":1,"lr":0.001,"protocol":{"warmup":2,"minSteps":5,"minSeconds":2,"capSeconds":20}}'
Prints one line `BENCH_RESULT {json}`: medianMs, n, firstLoss, lastLoss, peakRssMiB, torch version.
With "losses": k it instead prints the loss of k plain steps (for the loss-decrease test).

The step: nn.LSTM/GRU/RNN (tanh) over x [T, B, D] (time-major, PyTorch's default), nn.Linear head at
every step, MSE over all outputs, backward through the whole sequence, one Adam update.
"""
import json
import os
import resource
import statistics
import sys
import time

# This file is named torch.py, and Python puts its folder first on sys.path: drop it, or `import
# torch` would import this file again.
_here = os.path.dirname(os.path.abspath(__file__))
sys.path = [p for p in sys.path if os.path.abspath(p or ".") != _here]

import torch  # noqa: E402
from torch import nn  # noqa: E402


class Model(nn.Module):
    def __init__(self, cell, D, H):
        super().__init__()
        rnn = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}[cell]
        self.rnn = rnn(D, H)
        self.head = nn.Linear(H, D)

    def forward(self, x):
        out, _ = self.rnn(x)
        return self.head(out)


def main():
    a = json.loads(sys.argv[1])
    # Threads before anything else touches the thread pool; interop too, so 1 thread means 1 thread.
    torch.set_num_threads(a["threads"])
    torch.set_num_interop_threads(a["threads"])
    torch.manual_seed(0)
    T, B, D, H = a["T"], a["B"], a["D"], a["H"]
    model = Model(a["cell"], D, H)
    x = torch.rand(T, B, D) * 2 - 1  # uniform [-1, 1), as the Node peers' data
    y = torch.rand(T, B, D) * 2 - 1
    opt = torch.optim.Adam(model.parameters(), lr=a["lr"])
    loss_fn = nn.MSELoss()

    def step():
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss.item()  # .item() is the sync point, as a caller reading its loss has

    if "losses" in a:
        print("BENCH_RESULT " + json.dumps({"losses": [step() for _ in range(a["losses"])]}), flush=True)
        return

    p = a["protocol"]
    cap = p["capSeconds"]
    t0 = time.perf_counter()
    first = step()
    if not (first == first and abs(first) != float("inf")):
        raise SystemExit(f"loss is not finite after one step: {first}")
    i = 1
    while i < p["warmup"] and time.perf_counter() - t0 < cap / 2:
        step()
        i += 1
    times = []
    t0 = time.perf_counter()
    while True:
        s = time.perf_counter()
        last = step()
        now = time.perf_counter()
        times.append((now - s) * 1000)
        if now - t0 >= cap or (len(times) >= p["minSteps"] and now - t0 >= p["minSeconds"]):
            break
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    out = {"medianMs": statistics.median(times), "n": len(times), "unitsPerStep": 1, "firstLoss": first,
           "lastLoss": last, "peakRssMiB": rss, "note": f"torch {torch.__version__}, {torch.get_num_threads()} thread(s)"}
    print("BENCH_RESULT " + json.dumps(out), flush=True)


if __name__ == "__main__":
    main()

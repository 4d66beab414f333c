"""PyTorch references for the learning-rate schedules (test/schedule.test.ts reads them).

schedule.json: for each schedule, the lr torch's scheduler gives after each of 30 step() calls, starting
from lr 0.1. warmup-cosine is torch's SequentialLR of LinearLR then CosineAnnealingLR.

Run from scripts/:  /usr/bin/python3 -c "import fixtures_schedule; fixtures_schedule.main()"
"""
import torch
from torch.optim import SGD, lr_scheduler as S

from fixtures_common import write

STEPS, LR0 = 30, 0.1


def trace(make):
    opt = SGD([torch.nn.Parameter(torch.zeros(1))], lr=LR0)
    sched = make(opt)
    out = []
    for _ in range(STEPS):
        opt.step()
        sched.step()
        out.append(opt.param_groups[0]["lr"])
    return out


def main():
    cases = [
        ({"kind": "step", "stepSize": 7, "gamma": 0.5}, lambda o: S.StepLR(o, step_size=7, gamma=0.5)),
        ({"kind": "cosine", "totalSteps": 20, "lrMin": 0.001}, lambda o: S.CosineAnnealingLR(o, T_max=20, eta_min=0.001)),
        ({"kind": "linear", "startFactor": 0.25, "endFactor": 1.0, "totalSteps": 10},
         lambda o: S.LinearLR(o, start_factor=0.25, end_factor=1.0, total_iters=10)),
        ({"kind": "warmup-cosine", "warmupSteps": 5, "totalSteps": 25, "startFactor": 0.2, "lrMin": 0.0},
         lambda o: S.SequentialLR(o, [S.LinearLR(o, start_factor=0.2, end_factor=1.0, total_iters=5),
                                      S.CosineAnnealingLR(o, T_max=20, eta_min=0.0)], milestones=[5])),
    ]
    write("schedule", [{"spec": spec, "lr0": LR0, "lrs": trace(make)} for spec, make in cases])

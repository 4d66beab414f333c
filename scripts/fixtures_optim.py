"""PyTorch references for the losses, gradient clipping and the optimizers: loss.json, clip.json, optim.json.

Every case is written in float64 and in float32. Float32 inputs are rounded to float32 first and the
rounded values are stored, so the TypeScript side starts from exactly the numbers torch used.
"""
import math

import torch
import torch.nn.functional as F

from fixtures_common import t2j, write

DTYPES = {"float64": torch.float64, "float32": torch.float32}


def randn(gen, *shape, scale=1.0):
    return torch.randn(*shape, generator=gen, dtype=torch.float64) * scale


# ---------------------------------------------------------------------------------------------- losses


def loss_cases(gen):
    cases = []
    for dtype, dt in DTYPES.items():
        for shape in ([4, 3], [2, 3, 5]):
            pred = randn(gen, *shape).to(dt).requires_grad_(True)
            target = randn(gen, *shape).to(dt)
            loss = F.mse_loss(pred, target)
            loss.backward()
            cases.append({"kind": "mse", "dtype": dtype, "pred": t2j(pred), "target": t2j(target),
                          "loss": loss.item(), "grad": t2j(pred.grad)})
        # [N, C], [T, B, C], and [N, C] with big logits (where a naive exp overflows in float32)
        for shape, scale in (([5, 4], 1.0), ([3, 2, 5], 2.0), ([4, 6], 40.0)):
            logits = randn(gen, *shape, scale=scale).to(dt).requires_grad_(True)
            C = shape[-1]
            targets = torch.randint(0, C, shape[:-1], generator=gen)
            # F.cross_entropy wants classes in dim 1; rows of a [T, B, C] tensor are its first two dims
            loss = F.cross_entropy(logits.reshape(-1, C), targets.reshape(-1))
            loss.backward()
            cases.append({"kind": "cross_entropy", "dtype": dtype, "logits": t2j(logits),
                          "targets": targets.reshape(-1).tolist(), "loss": loss.item(), "grad": t2j(logits.grad)})
    return cases


# -------------------------------------------------------------------------------------------- clipping

CLIP_SHAPES = ([3, 4], [5], [2, 2, 3])


def norm_name(p):
    return "inf" if p == math.inf else p  # JSON has no Infinity


def clip_cases(gen):
    norm_cases, value_cases = [], []
    for dtype, dt in DTYPES.items():
        for p in (2.0, 1.0, 3.0, math.inf):
            base = [randn(gen, *s, scale=0.7).to(dt) for s in CLIP_SHAPES]
            true_norm = torch.norm(torch.stack([torch.norm(g, p) for g in base]), p).item()
            # clips hard, clips a little, does not clip, fixed 1.0
            for max_norm in (0.25 * true_norm, 0.9 * true_norm, 2.0 * true_norm, 1.0):
                params = [torch.zeros_like(g, requires_grad=True) for g in base]
                for q, g in zip(params, base):
                    q.grad = g.clone()
                total = torch.nn.utils.clip_grad_norm_(params, max_norm, norm_type=p)
                norm_cases.append({"dtype": dtype, "normType": norm_name(p), "maxNorm": max_norm,
                                   "grads": [t2j(g) for g in base], "norm": total.item(),
                                   "clipped": [t2j(q.grad) for q in params]})
        for clip_value in (0.1, 0.5, 3.0):
            base = [randn(gen, *s).to(dt) for s in CLIP_SHAPES]
            params = [torch.zeros_like(g, requires_grad=True) for g in base]
            for q, g in zip(params, base):
                q.grad = g.clone()
            torch.nn.utils.clip_grad_value_(params, clip_value)
            value_cases.append({"dtype": dtype, "clipValue": clip_value, "grads": [t2j(g) for g in base],
                                "clipped": [t2j(q.grad) for q in params]})
    return {"norm": norm_cases, "value": value_cases}


# ---------------------------------------------------------------------------------------------- optimizers

# (name, torch class, camelCase options as the TypeScript constructors take them)
OPTIM_CASES = [
    ("SGD plain", torch.optim.SGD, {"lr": 0.1}),
    ("SGD momentum", torch.optim.SGD, {"lr": 0.05, "momentum": 0.9}),
    ("SGD nesterov + weight decay", torch.optim.SGD, {"lr": 0.05, "momentum": 0.8, "nesterov": True, "weightDecay": 0.01}),
    ("SGD dampening", torch.optim.SGD, {"lr": 0.05, "momentum": 0.9, "dampening": 0.3}),
    ("SGD maximize", torch.optim.SGD, {"lr": 0.05, "momentum": 0.5, "maximize": True}),
    ("Adam plain", torch.optim.Adam, {}),
    ("Adam weight decay", torch.optim.Adam, {"lr": 0.01, "betas": [0.8, 0.99], "weightDecay": 0.1}),
    ("Adam amsgrad", torch.optim.Adam, {"lr": 0.02, "amsgrad": True, "eps": 1e-6}),
    ("AdamW default decay", torch.optim.AdamW, {"lr": 0.01}),
    ("AdamW amsgrad", torch.optim.AdamW, {"lr": 0.02, "weightDecay": 0.1, "amsgrad": True}),
    ("RMSprop plain", torch.optim.RMSprop, {}),
    ("RMSprop centered + momentum", torch.optim.RMSprop, {"lr": 0.005, "centered": True, "momentum": 0.9, "alpha": 0.9}),
    ("RMSprop weight decay", torch.optim.RMSprop, {"lr": 0.01, "weightDecay": 0.05}),
    ("Adagrad plain", torch.optim.Adagrad, {"lr": 0.1}),
    ("Adagrad lr decay + weight decay + accumulator", torch.optim.Adagrad,
     {"lr": 0.1, "lrDecay": 0.05, "weightDecay": 0.02, "initialAccumulatorValue": 0.1}),
]

TORCH_NAMES = {"weightDecay": "weight_decay", "lrDecay": "lr_decay",
               "initialAccumulatorValue": "initial_accumulator_value"}

STEPS = 5


def optim_cases(gen):
    cases = []
    for name, cls, options in OPTIM_CASES:
        kwargs = {TORCH_NAMES.get(k, k): (tuple(v) if k == "betas" else v) for k, v in options.items()}
        init = [randn(gen, 3, 4), randn(gen, 4)]
        # gradients of mixed scale, so that per-weight normalisation (Adam, RMSprop, Adagrad) matters
        grads = [[randn(gen, 3, 4, scale=0.5 * (k + 1)), randn(gen, 4, scale=0.05)] for k in range(STEPS)]
        for dtype, dt in DTYPES.items():
            params = [p.to(dt).clone().requires_grad_(True) for p in init]
            opt = cls(params, **kwargs)
            after = []
            for step in grads:
                for p, g in zip(params, step):
                    p.grad = g.to(dt).clone()
                opt.step()
                after.append([t2j(p) for p in params])
            cases.append({"name": name, "optimizer": cls.__name__, "options": options, "dtype": dtype,
                          "init": [t2j(p.to(dt)) for p in init],
                          "grads": [[t2j(g.to(dt)) for g in step] for step in grads],
                          "after": after})
    return cases


def main():
    gen = torch.Generator().manual_seed(1234)
    write("loss", {"cases": loss_cases(gen)})
    write("clip", clip_cases(gen))
    write("optim", {"steps": STEPS, "cases": optim_cases(gen)})


if __name__ == "__main__":
    main()

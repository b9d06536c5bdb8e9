# Decorators: torch's grad modes, and functions that wrap functions.
import torch

w = torch.tensor([2.0, -1.0], requires_grad=True)

@torch.no_grad()
def evaluate(x):
    out = (w * x).sum()
    print("inside evaluate: grad enabled?", torch.is_grad_enabled())
    return out

result = evaluate(torch.tensor([1.0, 3.0]))
print(result, result.requires_grad)

@torch.enable_grad()
def forced(x):
    return w * x

with torch.no_grad():
    r = forced(torch.tensor([1.0, 1.0]))
print(r.requires_grad, r.grad_fn)

@torch.inference_mode()
def predict(x):
    return w @ x

p = predict(torch.tensor([0.5, 0.5]))
print(p, p.requires_grad)

calls = []

def logged(fn):
    def wrapper(*args, **kwargs):
        calls.append(fn.__name__)
        print(f"calling {fn.__name__} with {len(args)} args and {sorted(kwargs)}")
        return fn(*args, **kwargs)
    return wrapper

def repeat(times):
    def decorate(fn):
        def wrapper(x):
            for _ in range(times):
                x = fn(x)
            return x
        return wrapper
    return decorate

@logged
def loss_fn(pred, target, *, reduction="mean"):
    diff = (pred - target) ** 2
    return diff.mean() if reduction == "mean" else diff.sum()

print(loss_fn(torch.tensor([1.0, 2.0]), torch.tensor([0.0, 0.0])))
print(loss_fn(torch.tensor([1.0, 2.0]), torch.tensor([0.0, 0.0]), reduction="sum"))

@repeat(3)
@torch.no_grad()
def halve(t):
    return t / 2

print(halve(w))
print(calls)

class Counter:
    total = 0

    @staticmethod
    def describe():
        return "counts calls"

    @classmethod
    def bump(cls, by=1):
        cls.total += by
        return cls.total

    @property
    def doubled(self):
        return Counter.total * 2

print(Counter.describe(), Counter.bump(), Counter.bump(by=5), Counter().doubled)

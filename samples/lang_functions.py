# *args, **kwargs, keyword-only parameters, defaults, global and nonlocal.
import torch

def total(*tensors, scale=1.0, **options):
    out = sum(t.sum() for t in tensors) * scale
    if options.get("verbose"):
        print("options:", options)
    return out

print(total(torch.ones(2), torch.ones(3)))
print(total(torch.ones(2), scale=0.5, verbose=True, tag="x"))
print(total())

def norm(x, *, p=2, keepdim=False):
    return x.norm(p=p) if not keepdim else x.norm(p=p).reshape(1)

print(norm(torch.tensor([3.0, 4.0])), norm(torch.tensor([3.0, 4.0]), p=1, keepdim=True))
try:
    norm(torch.tensor([3.0]), 1)
except TypeError as e:
    print("TypeError:", e)

def append_to(item, bucket=[]):
    bucket.append(item)
    return bucket

print(append_to(1), append_to(2), append_to(3, []))

shapes = [(2, 3), (4,)]
print([torch.zeros(*s).shape for s in shapes])
kwargs = {"dtype": torch.float64, "requires_grad": True}
print(torch.ones(2, **kwargs))
args = (1, 2, 3)
print(*args, sep=" | ", end=" <- end\n")
first, second = [*args, 4][1:3]
print(first, second)

step_count = 0

def train_step():
    global step_count
    step_count += 1
    return step_count

train_step(); train_step()
print("steps:", step_count)

def make_accumulator():
    grads = []
    count = 0
    def hook(g):
        nonlocal count
        count += 1
        grads.append(g.clone())
    def seen():
        return count, grads
    return hook, seen

hook, seen = make_accumulator()
x = torch.tensor([1.0, 2.0], requires_grad=True)
x.register_hook(hook)
(x * 3).sum().backward()
(x ** 2).sum().backward()
print(seen())


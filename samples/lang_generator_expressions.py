# Generator expressions are lazy: any()/next() stop early, items print on demand.
import torch
def check(t):
    print("checking", t)
    return t > 1
print(any(check(t) for t in [1, 2, 3]))
print(next(x * 10 for x in range(5) if x > 2))
g = (print("item", i) or i for i in range(3))
print("made")
print(list(g), list(g))
print(sum(x * y for x in range(3) for y in range(x)))
print(max(t.item() for t in torch.tensor([3.0, 9.0, 2.0])))
print(torch.stack(tuple(torch.ones(2) * i for i in range(3))))
print(type(i for i in []).__name__)
def gen():
    yield from (i * i for i in range(4))
print(list(gen()))
try:
    list(1 / x for x in [1, 0])
except ZeroDivisionError as e:
    print("ZeroDivisionError", e)
print(dict((k, v) for k, v in zip("ab", (1, 2))), " ".join(str(n) for n in range(3)))

# Dicts, sets, comprehensions, str methods, %-formatting, slicing and range.
import torch

params = {"lr": 0.1, "momentum": 0.9}
params["weight_decay"] = 1e-4
print(params, len(params), "lr" in params)
print(list(params.keys()), list(params.values())[:2], params.get("nesterov", False))
for name, value in sorted(params.items()):
    print(f"{name:>14}: {value}")
params.update(lr=0.01)
print(params.pop("momentum"), params.setdefault("dampening", 0), params)
print({k: v for k, v in params.items() if v})
stats = dict(mean=0.5, std=0.1)
print(stats, {**stats, "n": 3})

grads = {name: torch.zeros(n) for name, n in [("w", 2), ("b", 1)]}
print(grads)

seen = {1, 2, 3}
seen.add(2)
seen |= {4}
print(seen, {3, 4, 5} & seen, sorted({x % 3 for x in range(10)}), set(), frozenset({1}))
print(len({t.item() for t in torch.tensor([1, 1, 2, 3, 3])}))

s = "  Loss: 0.25  "
print(s.strip(), s.strip().lower(), s.upper().strip(), s.split(), s.strip().split(": "))
print(", ".join(["a", "b", "c"]), "x".ljust(4, ".") + "|", "x".rjust(4) + "|", "7".zfill(3))
print("epoch {} of {}".format(1, 10), "{:.3f}".format(3.14159), "{name}!".format(name="hi"))
print("%d/%d" % (3, 10), "%.4f" % 0.123456, "%s and %r" % ("a", "b"), "%5.1f%%" % 12.34)
print("%(n)d items" % {"n": 4}, "loss=%.2e" % torch.tensor(0.00123).item())
print("abc".replace("b", "B"), "tensor".startswith("ten"), "a.b.c".rsplit(".", 1), "Ab".swapcase())
print("hello"[1:4], "hello"[::-1], "hello"[-2:], [0, 1, 2, 3, 4][::2], (1, 2, 3)[1:])
print("x".center(5, "*"), "abcabc".count("b"), "abc".find("c"), "A B".title(), "3".isdigit())

r = range(2, 10, 3)
print(r, list(r), len(r), r[1], 5 in r)
print(torch.tensor(range(4)), torch.arange(10)[range(0, 10, 4)])
print(torch.zeros(2, 5)[:, range(3)].shape, list(range(5))[1:-1])
print(torch.tensor([1.0, 2.0, 3.0])[1:], torch.arange(6).view(2, 3)[:, ::2])
print(sep="", end="")
print("a", "b", sep="", end="!\n")
print("no newline", end=" ")
print("then this")

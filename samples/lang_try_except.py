# try/except/else/finally and raise, around errors gradcli and PyTorch raise.
import torch

x = torch.tensor([1.0, 2.0], requires_grad=True)
y = (x * x).sum()
y.backward()
print("first backward:", x.grad)
try:
    y.backward()
except RuntimeError as e:
    print("second backward raised", type(e).__name__)
    print(isinstance(e, Exception), len(str(e)) > 0)
else:
    print("no error?")
finally:
    print("finally runs")

# retain_graph makes the second call legal: the else branch runs
x.grad = None
y = (x ** 3).sum()
try:
    y.backward(retain_graph=True)
    y.backward()
except RuntimeError:
    print("unexpected")
else:
    print("accumulated:", x.grad)

# a tuple of classes, bare except, and errors from Python itself
for thunk in [lambda: torch.ones(2) + torch.ones(3), lambda: [1, 2][5], lambda: {"a": 1}["b"],
              lambda: 1 / 0, lambda: int("x"), lambda: undefined_name]:
    try:
        thunk()
    except (IndexError, KeyError) as e:
        print("lookup:", type(e).__name__, e)
    except (ZeroDivisionError, ValueError) as e:
        print("value:", type(e).__name__, e)
    except RuntimeError:
        print("runtime error")
    except:
        print("something else")

# raise and re-raise, custom exception classes
class ShapeError(ValueError):
    def __init__(self, got, want):
        super().__init__(f"got {got}, want {want}")
        self.got = got

def check(t, want):
    if list(t.shape) != want:
        raise ShapeError(list(t.shape), want)
    return "ok"

print(check(torch.zeros(2, 3), [2, 3]))
try:
    check(torch.zeros(4), [2, 3])
except ValueError as e:
    print(type(e).__name__, e, e.got, isinstance(e, ShapeError), e.args)

def reraise():
    try:
        return torch.ones(2) @ torch.ones(3)
    except RuntimeError:
        print("logging, then re-raising")
        raise

try:
    reraise()
except RuntimeError as e:
    print("caught again")

def finally_wins():
    try:
        return "try"
    finally:
        print("cleanup before return")

print(finally_wins())

count = 0
for i in range(5):
    try:
        if i == 3:
            break
        count += 1
    finally:
        print("leaving", i)
print("count", count)

try:
    raise KeyError("missing")
except LookupError as e:
    print(repr(e), str(e))

try:
    assert x.grad is None, "x.grad should be empty"
except AssertionError as e:
    print("assert:", e)

try:
    raise NotImplementedError
except NotImplementedError as e:
    print("NotImplementedError", repr(str(e)))

raise ShapeError([1], [2])

# A tutorial written as a script: run with `python tutorial_autograd.py`, it
# prints only what print() writes.
import torch

torch.manual_seed(0)
x = torch.ones(2, 2, requires_grad=True)
print(x)
y = x + 2
print(y)
print(y.grad_fn)
z = y * y * 3
out = z.mean()
print(z, out)
a = torch.tensor([[2.0, -1.0], [0.5, 3.0]])
a = ((a * 3) / (a - 1))
print(a.requires_grad)
a.requires_grad_(True)
print(a.requires_grad)
b = (a * a).sum()
print(b.grad_fn)
out.backward()
print(x.grad)
x.grad.zero_()
x.data.add_(1)
v = torch.tensor([0.1, 1.0, 0.0001], dtype=torch.float)
w = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
y = w * 2
while y.data.norm() < 1000:
    y = y * 2
print(y)
y.backward(v)
print(w.grad)
print(x.requires_grad)
print((x ** 2).requires_grad)
with torch.no_grad():
    print((x ** 2).requires_grad)
print(x.requires_grad)
y = x.detach()
print(y.requires_grad)
print(x.eq(y).all())
if __name__ == "__main__":
    print("done")

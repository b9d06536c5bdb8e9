# ctx features: mark_non_differentiable, mark_dirty, set_materialize_grads,
# once_differentiable, setup_context, and a wrong gradient shape.
import torch
from torch.autograd.function import once_differentiable

class SortValues(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        values, indices = x.sort()
        ctx.mark_non_differentiable(indices)
        ctx.save_for_backward(indices)
        return values, indices

    @staticmethod
    def backward(ctx, grad_values, grad_indices):
        (indices,) = ctx.saved_tensors
        grad = torch.zeros_like(grad_values)
        grad[indices] = grad_values
        return grad

x = torch.tensor([3.0, 1.0, 2.0], requires_grad=True)
values, indices = SortValues.apply(x)
print(values, indices, indices.requires_grad)
(values * torch.tensor([1.0, 10.0, 100.0])).sum().backward()
print(x.grad)

class AddOneInPlace(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        x.add_(1)
        ctx.mark_dirty(x)
        return x

    @staticmethod
    def backward(ctx, grad):
        return grad

w = torch.tensor([1.0, 2.0], requires_grad=True)
h = w * 2
out = AddOneInPlace.apply(h)
print(out is h, out, h.grad_fn)
(out * out).sum().backward()
print(w.grad)

class Split(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.set_materialize_grads(False)
        return x * 2, x * 3

    @staticmethod
    def backward(ctx, g1, g2):
        print("grads seen:", g1, g2)
        total = torch.zeros(1)
        if g1 is not None:
            total = total + 2 * g1
        if g2 is not None:
            total = total + 3 * g2
        return total

s = torch.tensor([1.0], requires_grad=True)
first, second = Split.apply(s)
first.backward()
print(s.grad)

class Square(torch.autograd.Function):
    @staticmethod
    def forward(x):
        return x ** 2

    @staticmethod
    def setup_context(ctx, inputs, output):
        (x,) = inputs
        ctx.save_for_backward(x)

    @staticmethod
    @once_differentiable
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return 2 * x * grad

q = torch.tensor([3.0], requires_grad=True)
(g,) = torch.autograd.grad(Square.apply(q), q, create_graph=True)
print(g, g.requires_grad)

class Identity(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return x

    @staticmethod
    def backward(ctx, grad):
        return grad

i = torch.tensor([1.0], requires_grad=True)
j = Identity.apply(i)
print(j is i, j, i)

class BadShape(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return x * 2

    @staticmethod
    def backward(ctx, grad):
        return torch.ones(3)

try:
    BadShape.apply(torch.ones(2, requires_grad=True)).sum().backward()
except RuntimeError as e:
    print("RuntimeError:", "invalid gradient" in str(e))

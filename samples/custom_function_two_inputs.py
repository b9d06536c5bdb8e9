# A custom Function of two inputs: ctx attributes, needs_input_grad, non-tensor
# arguments, and the node's edges.
import torch

class MulAdd(torch.autograd.Function):
    @staticmethod
    def forward(ctx, a, b, alpha):
        ctx.save_for_backward(a, b)
        ctx.alpha = alpha
        print("forward needs_input_grad:", ctx.needs_input_grad)
        return a * b + alpha

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        grad_a = grad * b if ctx.needs_input_grad[0] else None
        grad_b = grad * a if ctx.needs_input_grad[1] else None
        print("backward alpha:", ctx.alpha)
        return grad_a, grad_b, None

a = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
b = torch.tensor([4.0, 5.0, 6.0], requires_grad=True)
out = MulAdd.apply(a, b, 0.5)
print(out)
print(out.grad_fn.next_functions)
out.sum().backward()
print(a.grad, b.grad)

c = torch.tensor([2.0, 2.0, 2.0])
out = MulAdd.apply(a, c, 1.0)
print(out.grad_fn.next_functions)
(out * out).sum().backward()
print(a.grad, c.grad)

# broadcasting inputs: the gradient is summed back to each input's shape
class Outer(torch.autograd.Function):
    @staticmethod
    def forward(ctx, u, v):
        ctx.save_for_backward(u, v)
        return u * v

    @staticmethod
    def backward(ctx, grad):
        u, v = ctx.saved_tensors
        return (grad * v).sum(1, keepdim=True), (grad * u).sum(0)

u = torch.tensor([[1.0], [2.0]], requires_grad=True)
v = torch.tensor([3.0, 4.0, 5.0], requires_grad=True)
Outer.apply(u, v).sum().backward()
print(u.grad, v.grad)

with torch.no_grad():
    quiet = MulAdd.apply(a, b, 0.0)
print(quiet, quiet.requires_grad)
print(MulAdd, type(MulAdd.apply).__name__)

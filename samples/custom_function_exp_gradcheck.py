# A custom autograd.Function checked with gradcheck and gradgradcheck; its
# backward is written with tensor ops, so it can be differentiated again.
import torch

class Exp(torch.autograd.Function):
    @staticmethod
    def forward(ctx, i):
        result = i.exp()
        ctx.save_for_backward(result)
        return result

    @staticmethod
    def backward(ctx, grad_output):
        (result,) = ctx.saved_tensors
        return grad_output * result

x = torch.tensor([0.0, 1.0, -1.0], requires_grad=True)
y = Exp.apply(x)
print(y)
print(y.grad_fn, y.grad_fn.name(), y.grad_fn.next_functions)
y.sum().backward()
print(x.grad)

inputs = (torch.tensor([0.5, -0.25], dtype=torch.float64, requires_grad=True),)
print(torch.autograd.gradcheck(Exp.apply, inputs))
print(torch.autograd.gradgradcheck(Exp.apply, inputs))

# second derivative through the custom backward
z = torch.tensor(0.5, requires_grad=True)
(g,) = torch.autograd.grad(Exp.apply(z), z, create_graph=True)
print(g, g.grad_fn)
(gg,) = torch.autograd.grad(g, z)
print(gg, torch.exp(torch.tensor(0.5)))

class Cube(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 3

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return 3 * x ** 2 * grad

t = torch.tensor([1.0, 2.0], requires_grad=True)
(d1,) = torch.autograd.grad(Cube.apply(t).sum(), t, create_graph=True)
(d2,) = torch.autograd.grad(d1.sum(), t)
print(d1, d2)

class WrongDerivative(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return x.sin()

    @staticmethod
    def backward(ctx, grad):
        return grad        # should be grad * cos(x)

try:
    torch.autograd.gradcheck(WrongDerivative.apply, inputs)
except RuntimeError as e:
    print("gradcheck failed:", type(e).__name__)
print(torch.autograd.gradcheck(WrongDerivative.apply, inputs, raise_exception=False))

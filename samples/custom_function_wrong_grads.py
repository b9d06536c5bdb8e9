# A custom Function whose backward returns the wrong number of gradients: the
# error comes at backward time, as PyTorch raises it.
import torch

class Scale(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, factor):
        ctx.factor = factor
        return x * factor

    @staticmethod
    def backward(ctx, grad):
        return grad * ctx.factor          # forgot the None for `factor`

x = torch.tensor([1.0, 2.0], requires_grad=True)
y = Scale.apply(x, 3.0)
print(y)
y.sum().backward()
print("not reached")

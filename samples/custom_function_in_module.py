# A custom Function inside an nn.Module: three inputs, needs_input_grad, gradcheck,
# gradgradcheck and a short training loop.
import torch
from torch import nn

class MyLinearFn(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, w, b):
        ctx.save_for_backward(x, w)
        return x @ w.t() + b

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_tensors
        gx = g @ w if ctx.needs_input_grad[0] else None
        gw = g.t() @ x if ctx.needs_input_grad[1] else None
        gb = g.sum(0) if ctx.needs_input_grad[2] else None
        return gx, gw, gb

class MyLinear(nn.Module):
    def __init__(self, i, o):
        super().__init__()
        self.weight = nn.Parameter(torch.arange(i * o, dtype=torch.float64).reshape(o, i) / 10)
        self.bias = nn.Parameter(torch.zeros(o, dtype=torch.float64))
    def forward(self, x):
        return MyLinearFn.apply(x, self.weight, self.bias)
    def extra_repr(self):
        return f"in={self.weight.shape[1]}, out={self.weight.shape[0]}"

layer = MyLinear(3, 2)
print(layer)
x = torch.tensor([[1.0, 2.0, 3.0], [0.0, -1.0, 1.0]], dtype=torch.float64, requires_grad=True)
out = layer(x)
print(out)
out.pow(2).sum().backward()
print(layer.weight.grad, layer.bias.grad, x.grad)
inputs = (x.detach().requires_grad_(), layer.weight.detach().requires_grad_(), layer.bias.detach().requires_grad_())
print(torch.autograd.gradcheck(MyLinearFn.apply, inputs))
print(torch.autograd.gradgradcheck(MyLinearFn.apply, inputs))
for step in range(3):
    layer.zero_grad()
    loss = (layer(x.detach()) - 1).pow(2).mean()
    loss.backward()
    with torch.no_grad():
        for p in layer.parameters():
            p -= 0.01 * p.grad
    print(step, f"{loss.item():.6f}")
print(out.grad_fn, out.grad_fn.next_functions)

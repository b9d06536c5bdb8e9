# nn.ModuleList inside an nn.Module subclass: registration, iteration, printing.
import torch
from torch import nn
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])
        self.extra = nn.ModuleList()
        self.extra.append(nn.Tanh())
        self.extra.extend([nn.ReLU(), nn.Linear(2, 1)])
    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        for m in self.extra:
            x = m(x)
        return x
n = Net()
print(n)
print(len(n.layers), type(n.layers[0]).__name__, [type(m).__name__ for m in n.extra], len(list(n.parameters())))
print([name for name, _ in n.named_parameters()])
print(nn.ModuleList([nn.Linear(1, 1), nn.ReLU(), nn.ReLU(), nn.Linear(1, 1)]))
print(n.layers[-1], n.extra[1:])

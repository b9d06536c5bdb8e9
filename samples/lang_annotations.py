# Type annotations are parsed and ignored, as Python ignores them at run time.
import torch
from torch import nn
class Net(nn.Module):
    hidden: int = 3
    note: str
    def __init__(self, n_in: int, n_out: int = 1) -> None:
        super().__init__()
        self.fc: nn.Linear = nn.Linear(n_in, n_out)
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y: torch.Tensor = self.fc(x)
        return y
f = lambda x, y=2: x * y
g = lambda *a, **k: (a, k)
def h(a: int, *args: float, b: "str" = "q", **kw: dict) -> "tuple":
    return a, args, b, kw
total: float = 0.0
print(Net(2).hidden, f(3), g(1, z=2), h(1, 2.0, b="x", c=3), total)

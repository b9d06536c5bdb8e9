# state_dict() and load_state_dict() of an nn.Module subclass.
import torch
from torch import nn
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(2, 1)
        self.scale = nn.Parameter(torch.tensor(2.0))
net = Net()
with torch.no_grad():
    net.fc.weight.copy_(torch.tensor([[1.0, -1.0]]))
    net.fc.bias.fill_(0.5)
sd = net.state_dict()
print(sd)
print(list(sd.keys()), sd["fc.weight"].requires_grad)
other = Net()
r = other.load_state_dict(sd)
print(r)
print(other.fc.weight, other.scale)
try:
    other.load_state_dict({"fc.weight": torch.zeros(1, 2)})
except RuntimeError as e:
    print("RuntimeError")
print(other.load_state_dict({"fc.weight": torch.zeros(1, 2)}, strict=False))

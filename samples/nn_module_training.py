# An nn.Module subclass trained by hand: parameters and submodules register on
# assignment, forward runs through __call__; the weights are set explicitly.
import torch
from torch import nn

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(2, 3)
        self.fc2 = nn.Linear(3, 1)
        self.scale = nn.Parameter(torch.tensor(1.5))

    def forward(self, x):
        return self.fc2(torch.relu(self.fc1(x))) * self.scale

torch.manual_seed(0)
model = Net()
with torch.no_grad():
    model.fc1.weight.copy_(torch.tensor([[0.1, -0.2], [0.3, 0.4], [-0.5, 0.6]]))
    model.fc1.bias.copy_(torch.tensor([0.0, 0.1, -0.1]))
    model.fc2.weight.copy_(torch.tensor([[0.7, -0.8, 0.9]]))
    model.fc2.bias.fill_(0.05)
print(model)
print(type(model), isinstance(model, nn.Module))
for name, p in model.named_parameters():
    print(name, p.shape)
print(len(list(model.parameters())), [type(m).__name__ for m in model.children()])
print([type(m).__name__ for m in model.modules()])
X = torch.tensor([[1.0, 2.0], [3.0, -1.0], [0.5, 0.5], [-1.0, 1.0]])
Y = torch.tensor([[1.0], [0.0], [0.5], [2.0]])
opt_lr = 0.05
for epoch in range(5):
    model.zero_grad()
    loss = ((model(X) - Y) ** 2).mean()
    loss.backward()
    with torch.no_grad():
        for p in model.parameters():
            p -= opt_lr * p.grad
    print(f"epoch {epoch}: loss {loss.item():.6f}")
model.eval()
print(model.training, model.fc1.training)
model.train()
print(model.training)
print(model(X))
print(model.to(torch.float64).fc1.weight.dtype)

# An nn.Module subclass trained with torch.optim.SGD (momentum, weight decay).
import torch
from torch import nn

class Regressor(nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(2, 1)

    def forward(self, x):
        return self.linear(x)

torch.manual_seed(0)
model = Regressor()
with torch.no_grad():
    model.linear.weight.copy_(torch.tensor([[0.5, -0.25]]))
    model.linear.bias.fill_(0.125)
X = torch.tensor([[1.0, 2.0], [2.0, 0.5], [-1.0, 1.0], [0.5, -2.0]])
y = X @ torch.tensor([[2.0], [-1.0]]) + 0.5
for name, optimizer in [("plain", torch.optim.SGD(model.parameters(), lr=0.0625)),
                        ("momentum", torch.optim.SGD(model.parameters(), lr=0.03125, momentum=0.5,
                                                     weight_decay=0.0625))]:
    for epoch in range(10):
        optimizer.zero_grad()
        loss = ((model(X) - y) ** 2).mean()
        loss.backward()
        optimizer.step()
        if epoch % 3 == 0:
            print(name, epoch, f"{loss.item():.6f}")
    print(model.linear.weight.data, model.linear.bias.data)
print(optimizer)

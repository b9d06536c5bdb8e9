# torch.optim.Adam (and AMSGrad, weight decay, maximize) step for step as PyTorch's.
import torch
target = torch.tensor([0.7, -1.3, 2.1, 0.0001, 50.0])
for kw in [dict(lr=0.01), dict(lr=0.05, betas=(0.8, 0.99), weight_decay=0.01), dict(lr=0.003, amsgrad=True, eps=1e-6), dict(lr=0.2, betas=(0.3, 0.9)), dict(lr=0.1, maximize=True)]:
    w = torch.tensor([0.1, 0.2, -0.3, 3.0, 1.0], requires_grad=True)
    opt = torch.optim.Adam([w], **kw)
    for i in range(100):
        opt.zero_grad()
        loss = ((w - target) ** 2 * torch.tensor([1.0, 0.5, 2.0, 3.0, 0.01])).sum()
        loss.backward()
        opt.step()
    print(w.tolist())

# Script semantics: run as `python script_semantics.py` would, only print writes.
import torch
torch.manual_seed(0)
x = torch.ones(2)
x.add_(1)
print(x)

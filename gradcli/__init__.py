"""gradcli: evaluate PyTorch-style tensor expressions and their gradients from the command line."""

__version__ = "0.1.0"

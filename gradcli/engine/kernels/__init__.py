"""Numeric kernels shared by ops: no Tensor, only arrays."""

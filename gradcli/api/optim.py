"""``torch.optim``: ``SGD`` and ``Adam``, for the training loops tutorials write.

Each step follows PyTorch's single-tensor CPU algorithm operation by
operation (same ops, same order, same scalar arguments), so from the same
gradients it produces PyTorch's float32 parameters to the bit. ``Adam``
works on the parameters' arrays directly, reproducing the rounding of
PyTorch's kernels (``lerp_`` and ``addcmul_`` round once, as fused
multiply-adds; ``addcdiv_`` rounds each step).
"""

from __future__ import annotations

import math

from ..engine import autograd as ag
from ..engine import dtypes as dt
from ..engine.backend import xp
from ..engine.tensor import Tensor
from .module import Module


class Optimizer:
    """The base of optimizers: parameter groups, ``zero_grad`` and per-parameter state."""

    _qualified = "torch.optim.optimizer.Optimizer"

    def __init__(self, params, defaults: dict) -> None:
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of "
                            "Tensors or dicts, but got a Tensor")
        groups = list(params)
        if not groups:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        self.defaults = dict(defaults)
        self.param_groups: list[dict] = []
        self.state: dict = {}
        for group in groups:
            group = dict(group)
            group["params"] = list(group["params"])
            for key, value in self.defaults.items():
                group.setdefault(key, value)
            self.param_groups.append(group)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Clears every parameter's gradient (to None, by default)."""
        for group in self.param_groups:
            for p in group["params"]:
                if p._grad is None:
                    continue
                if set_to_none:
                    p._grad = None
                else:
                    p._grad = p._grad.detach()
                    p._grad.zero_()

    def _state(self, p) -> dict:
        return self.state.setdefault(id(p), {})

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for index, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {index}")
            for key in sorted(group):
                if key != "params":
                    lines.append(f"    {key}: {group[key]}")
        lines.append(")")
        return "\n".join(lines)


class SGD(Optimizer):
    """Stochastic gradient descent, with momentum, dampening, weight decay and Nesterov."""

    _qualified = "torch.optim.sgd.SGD"

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0,
                 nesterov=False, *, maximize=False, foreach=None, differentiable=False,
                 fused=None) -> None:
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, {"lr": lr, "momentum": momentum, "dampening": dampening,
                                  "weight_decay": weight_decay, "nesterov": nesterov,
                                  "maximize": maximize, "foreach": foreach,
                                  "differentiable": differentiable, "fused": fused})

    def step(self, closure=None):
        loss = None
        if closure is not None:
            with ag.enable_grad():
                loss = closure()
        with ag.no_grad():
            for group in self.param_groups:
                for p in group["params"]:
                    if p._grad is None:
                        continue
                    d_p = p._grad if not group["maximize"] else -p._grad
                    if group["weight_decay"] != 0:
                        d_p = d_p.add(p, alpha=group["weight_decay"])
                    momentum = group["momentum"]
                    if momentum != 0:
                        state = self._state(p)
                        buf = state.get("momentum_buffer")
                        if buf is None:
                            buf = d_p.clone().detach()
                            state["momentum_buffer"] = buf
                        else:
                            buf.mul_(momentum).add_(d_p, alpha=1 - group["dampening"])
                        d_p = d_p.add(buf, alpha=momentum) if group["nesterov"] else buf
                    p.add_(d_p, alpha=-group["lr"])
        return loss


def _fused(a, b, c, kind):
    """``a + b * c`` rounded once to ``kind`` (float32: exact through float64)."""
    wide = xp.float64 if kind == xp.float32 else kind
    return (xp.asarray(a, dtype=wide) + xp.asarray(b, dtype=wide) * xp.asarray(c, dtype=wide)) \
        .astype(kind)


class Adam(Optimizer):
    """Adam (and AMSGrad), with PyTorch's bias corrections and L2 weight decay."""

    _qualified = "torch.optim.adam.Adam"

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 amsgrad=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False, fused=None) -> None:
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if eps < 0.0:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= betas[0] < 1.0 or not 0.0 <= betas[1] < 1.0:
            raise ValueError(f"Invalid beta parameters: {betas}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        super().__init__(params, {"lr": lr, "betas": betas, "eps": eps,
                                  "weight_decay": weight_decay, "amsgrad": amsgrad,
                                  "maximize": maximize, "foreach": foreach,
                                  "capturable": capturable, "differentiable": differentiable,
                                  "fused": fused, "decoupled_weight_decay": False})

    def step(self, closure=None):
        loss = None
        if closure is not None:
            with ag.enable_grad():
                loss = closure()
        for group in self.param_groups:
            beta1, beta2 = group["betas"]
            for p in group["params"]:
                if p._grad is None:
                    continue
                if p._dtype.category != dt.FLOAT:
                    raise RuntimeError("Adam optimizes floating-point parameters only")
                self._update(p, group, beta1, beta2)
        return loss

    def _update(self, p, group, beta1, beta2) -> None:
        kind = p._data.dtype.type
        scalar = kind       # Python scalars meet a tensor in its own dtype

        param = p._data
        grad = p._grad._data.astype(kind, copy=False)
        if group["maximize"]:
            grad = -grad
        state = self._state(p)
        if not state:     # tensors, as PyTorch keeps them (never raw arrays)
            state["step"] = 0
            for name in ("exp_avg", "exp_avg_sq") + (
                    ("max_exp_avg_sq",) if group["amsgrad"] else ()):
                state[name] = Tensor._make(xp.zeros_like(param), p._dtype)
        state["step"] += 1
        step = state["step"]
        if group["weight_decay"] != 0:
            grad = _fused(grad, param, scalar(group["weight_decay"]), kind)
        exp_avg, exp_avg_sq = state["exp_avg"]._data, state["exp_avg_sq"]._data
        # exp_avg.lerp_(grad, 1 - beta1)
        weight = scalar(1 - beta1)
        diff = (grad - exp_avg).astype(kind)
        if abs(float(weight)) < 0.5:
            exp_avg[...] = _fused(exp_avg, weight, diff, kind)
        else:
            exp_avg[...] = _fused(grad, -diff, kind(1) - weight, kind)
        # exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
        exp_avg_sq[...] = exp_avg_sq * scalar(beta2)
        exp_avg_sq[...] = _fused(exp_avg_sq, (scalar(1 - beta2) * grad).astype(kind), grad,
                                 kind)
        bias_correction1 = 1 - beta1 ** step
        bias_correction2 = 1 - beta2 ** step
        step_size = group["lr"] / bias_correction1
        bias_correction2_sqrt = math.sqrt(bias_correction2)
        second = exp_avg_sq
        if group["amsgrad"]:
            maximum = state["max_exp_avg_sq"]._data
            maximum[...] = xp.maximum(maximum, exp_avg_sq)
            second = maximum
        denom = (xp.sqrt(second) / scalar(bias_correction2_sqrt)).astype(kind)
        denom = (denom + scalar(group["eps"])).astype(kind)
        # param.addcdiv_(exp_avg, denom, value=-step_size)
        update = ((scalar(-step_size) * exp_avg).astype(kind) / denom).astype(kind)
        param[...] = (param + update).astype(kind)
        p._counter.value += 1


def build_optim_module() -> Module:
    """``torch.optim``."""
    return Module("torch.optim", {"Optimizer": Optimizer, "SGD": SGD, "Adam": Adam})

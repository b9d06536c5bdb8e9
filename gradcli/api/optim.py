"""``torch.optim``: SGD, Adam, AdamW, RMSprop, Adagrad and two learning-rate schedulers.

Each ``step()`` follows PyTorch 2.13's single-tensor implementation (the one
PyTorch runs for CPU tensors) operation by operation: the same in-place ops in
the same order, the bias corrections as Python floats, and the fused kernels
of :mod:`gradcli.engine.kernels.pointwise` where ATen fuses (``add`` with
``alpha``, ``lerp``, ``addcmul``, ``addcdiv``), so a training loop prints
PyTorch's losses to the last bit. Updates run on the parameters' arrays
directly (no graph is recorded) and bump their version counters as
``param.add_()`` under ``no_grad`` does.

Example:
    >>> p = Tensor._make(xp.asarray([1.0], dtype=xp.float32), dt.float32, True)
    >>> opt = SGD([p], lr=0.5)
    >>> p.grad = ops.tensor([2.0]); opt.step(); p.tolist()
    [0.0]
"""

from __future__ import annotations

import copy

from ..engine import autograd
from ..engine import dtypes as dt
from ..engine.backend import xp
from ..engine.kernels import pointwise as pw
from ..engine.tensor import Tensor
from .module import Module


class _Required:
    """The default of a hyper-parameter every group must give (PyTorch's ``required``)."""

    def __repr__(self) -> str:
        return "<required parameter>"


required = _Required()


class _OptimType(type):
    """Makes ``type(optimizer)`` print as PyTorch's class (``torch.optim.sgd.SGD``)."""

    def __repr__(cls) -> str:
        return f"<class '{cls._qualified}'>"


class _State(dict):
    """``optimizer.state``: a dict that makes an empty entry for a new key, printed as
    PyTorch's ``defaultdict``."""

    def __missing__(self, key):
        value = self[key] = {}
        return value

    def __repr__(self) -> str:
        return f"defaultdict(<class 'dict'>, {dict.__repr__(self)})"


def _type_name(value) -> str:
    if isinstance(value, Tensor):
        return value.type()
    return type(value).__name__


# ------------------------------------------------------------------ array helpers
def _new_state(like: Tensor, fill: float = 0.0) -> Tensor:
    """A state tensor shaped and typed like the parameter (``zeros_like``)."""
    return Tensor._make(xp.full(like._data.shape, fill, dtype=like._data.dtype), like._dtype)


def _step_tensor() -> Tensor:
    """The ``step`` counter PyTorch keeps in state: a float32 0-dim tensor."""
    return Tensor._make(xp.asarray(0.0, dtype=xp.float32), dt.float32)


def _bump_step(step: Tensor) -> float:
    step._data[...] = step._data + xp.float32(1)
    step._counter.value += 1
    return float(step._data)


def _write(target: Tensor, values) -> None:
    """``target.copy_(values)`` under ``no_grad``: new values, version bumped."""
    xp.copyto(target._data, values, casting="unsafe")
    target._counter.value += 1


def _grad_of(p: Tensor, maximize: bool):
    grad = p._grad._data
    return -grad if maximize else grad


def _scalar(value, name: str) -> float:
    """A hyper-parameter as the kernels use it: a tensor learning rate is its value."""
    if isinstance(value, Tensor):
        if value.numel() != 1:
            raise ValueError(f"a tensor {name} must have a single element, but it has "
                             f"{value.numel()}")
        return value.item()
    return value


def _check_range(value, name: str, low: float = 0.0) -> None:
    v = _scalar(value, name)
    if not v >= low:
        raise ValueError(f"invalid {name} for the optimizer: {value} (it must be at least "
                         f"{low})")


def _check_beta(betas, index: int) -> None:
    beta = _scalar(betas[index], "beta")
    if not 0.0 <= beta < 1.0:
        raise ValueError(f"invalid beta parameter at index {index}: {betas[index]} (each "
                         "beta must lie in [0, 1))")


# ======================================================================= Optimizer
class Optimizer(metaclass=_OptimType):
    """The base class: parameter groups, per-parameter state, ``zero_grad``, state dicts."""

    _qualified = "torch.optim.optimizer.Optimizer"

    def __init__(self, params, defaults: dict) -> None:
        self.defaults = defaults
        self.state = _State()
        self.param_groups = []
        if isinstance(params, Tensor):
            raise TypeError("the optimizer takes an iterable of tensors or of dicts, not a "
                            f"single tensor; wrap it in a list: [{_type_name(params)}]")
        if isinstance(params, dict):
            params = [params]
        try:
            groups = list(params)
        except TypeError:
            raise TypeError("the optimizer takes an iterable of tensors or of dicts, not a "
                            f"value of type {type(params).__name__}") from None
        if not groups:
            raise ValueError("the optimizer got an empty list of parameters")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    # ----------------------------------------------------------------- groups
    def add_param_group(self, param_group: dict) -> None:
        """Adds a group of parameters with its own hyper-parameters (the others default)."""
        if not isinstance(param_group, dict):
            raise TypeError(f"a parameter group must be a dict, not a value of type "
                            f"{type(param_group).__name__}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, (set, frozenset)):
            raise TypeError("optimizer parameters must come in an ordered collection such as "
                            "a list: the order of a set changes from run to run")
        else:
            params = list(params)
        tensors, names = [], []
        for param in params:
            if isinstance(param, tuple) and len(param) == 2:
                names.append(param[0])
                tensors.append(param[1])
            else:
                tensors.append(param)
        param_group["params"] = tensors
        if names:
            if len(names) != len(tensors):
                raise ValueError("either every parameter of an optimizer has a name or none "
                                 "has; some names are missing")
            param_group["param_names"] = names
        for param in tensors:
            if not isinstance(param, Tensor):
                raise TypeError(f"an optimizer can only optimize tensors, but one of the "
                                f"parameters is a {_type_name(param)}")
            if not (param.is_leaf or param.retains_grad):
                raise ValueError("an optimizer cannot optimize a non-leaf tensor; optimize "
                                 "the leaf it was computed from")
        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError(f"the parameter group does not give {name!r}, which this "
                                 "optimizer needs")
            param_group.setdefault(name, default)
        seen = {id(p) for group in self.param_groups for p in group["params"]}
        if any(id(p) in seen for p in tensors):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    # ------------------------------------------------------------- zero_grad
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Clears every parameter's ``.grad`` (to None by default, else to zeros)."""
        for group in self.param_groups:
            for p in group["params"]:
                if p._grad is None:
                    continue
                if set_to_none:
                    p._grad = None
                else:
                    grad = p._grad
                    if grad._grad_fn is not None:
                        grad.detach_()
                    else:
                        grad.requires_grad_(False)
                    grad.zero_()

    # ------------------------------------------------------------------- step
    def step(self, closure=None):
        """One update of every parameter that has a gradient; returns ``closure()``'s loss."""
        loss = None
        if closure is not None:
            with autograd.enable_grad():
                loss = closure()
        with autograd.no_grad():
            for group in self.param_groups:
                self._update(group, [p for p in group["params"] if p._grad is not None])
        return loss

    def _update(self, group: dict, params: list) -> None:
        raise NotImplementedError(f"{type(self).__name__} has no update rule")

    # ------------------------------------------------------------ state dict
    def state_dict(self) -> dict:
        """``{'state': {index: {...}}, 'param_groups': [{..., 'params': [index, ...]}]}``."""
        index: dict[int, int] = {}
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            for p in group["params"]:
                index.setdefault(id(p), len(index))
            packed["params"] = [index[id(p)] for p in group["params"]]
            groups.append(packed)
        state = {index[id(p)]: v for p, v in self.state.items()
                 if isinstance(p, Tensor) and id(p) in index}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict) -> None:
        """Restores hyper-parameters and state saved by :meth:`state_dict`."""
        if not isinstance(state_dict, dict) or "param_groups" not in state_dict \
                or "state" not in state_dict:
            raise ValueError("load_state_dict() takes a dict made by state_dict(), with "
                             "'state' and 'param_groups'")
        saved_groups = copy.deepcopy(state_dict["param_groups"])
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(f"the state dict has {len(saved_groups)} parameter groups, but "
                             f"the optimizer has {len(self.param_groups)}")
        for group, saved in zip(self.param_groups, saved_groups):
            if len(group["params"]) != len(saved["params"]):
                raise ValueError(f"a parameter group of the state dict holds "
                                 f"{len(saved['params'])} parameters, but the optimizer's "
                                 f"holds {len(group['params'])}")
        id_map = {}
        for group, saved in zip(self.param_groups, saved_groups):
            id_map.update(zip(saved["params"], group["params"]))
        state = _State()
        for key, value in state_dict["state"].items():
            if key in id_map:
                param = id_map[key]
                state[param] = {k: _cast_state(param, k, v) for k, v in value.items()}
            else:
                state[key] = value
        groups = []
        for group, saved in zip(self.param_groups, saved_groups):
            saved["params"] = group["params"]
            if "param_names" in group and "param_names" not in saved:
                saved["param_names"] = group["param_names"]
            groups.append(saved)
        self.state = state
        self.param_groups = groups

    # --------------------------------------------------------------- printing
    def __repr__(self) -> str:
        text = f"{type(self).__name__} ("
        for i, group in enumerate(self.param_groups):
            text += f"\nParameter Group {i}\n"
            for key in sorted(group):
                if key != "params":
                    text += f"    {key}: {group[key]}\n"
        return text + ")"

    def __getstate__(self) -> dict:
        return {"defaults": self.defaults, "state": self.state,
                "param_groups": self.param_groups}


def _cast_state(param: Tensor, key, value):
    """A loaded state entry: a copy, in the parameter's dtype (``step`` stays as saved)."""
    if isinstance(value, Tensor):
        if key != "step" and param._dtype.is_floating_point and value._dtype.is_floating_point:
            return Tensor._make(value._data.astype(param._data.dtype), param._dtype)
        return Tensor._make(value._data.copy(), value._dtype)
    if isinstance(value, dict):
        return {k: _cast_state(param, k, v) for k, v in value.items()}
    return copy.deepcopy(value)


def _lr(group: dict) -> float:
    return _scalar(group["lr"], "learning rate")


# ============================================================================ SGD
class SGD(Optimizer):
    """Stochastic gradient descent, with momentum (Nesterov's too) and weight decay."""

    _qualified = "torch.optim.sgd.SGD"

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0,
                 nesterov=False, *, maximize=False, foreach=None, differentiable=False,
                 fused=None) -> None:
        _check_range(lr, "learning rate")
        _check_range(momentum, "momentum value")
        _check_range(weight_decay, "weight_decay value")
        defaults = {"lr": lr, "momentum": momentum, "dampening": dampening,
                    "weight_decay": weight_decay, "nesterov": nesterov, "maximize": maximize,
                    "foreach": foreach, "differentiable": differentiable, "fused": fused}
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum needs a positive momentum and zero dampening")
        super().__init__(params, defaults)

    def _update(self, group: dict, params: list) -> None:
        lr = _lr(group)
        momentum, dampening = group["momentum"], group["dampening"]
        weight_decay, nesterov = group["weight_decay"], group["nesterov"]
        for p in params:
            grad = _grad_of(p, group["maximize"])
            if weight_decay != 0:
                grad = pw.add_scaled(grad, p._data, weight_decay)
            if momentum != 0:
                state = self.state[p]
                buf = state.get("momentum_buffer")
                if buf is None:
                    buf = Tensor._make(xp.array(grad, copy=True), p._dtype)
                    state["momentum_buffer"] = buf
                else:
                    scaled = buf._data * pw.scalar(momentum, buf._data)
                    _write(buf, pw.add_scaled(scaled, grad, 1 - dampening))
                grad = pw.add_scaled(grad, buf._data, momentum) if nesterov else buf._data
            _write(p, pw.add_scaled(p._data, grad, -lr))


# =========================================================================== Adam
class Adam(Optimizer):
    """Adam (and, with ``decoupled_weight_decay=True``, AdamW), with AMSGrad."""

    _qualified = "torch.optim.adam.Adam"

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 amsgrad=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False, fused=None, decoupled_weight_decay=False) -> None:
        _check_range(lr, "learning rate")
        _check_range(eps, "epsilon value")
        _check_beta(betas, 0)
        _check_beta(betas, 1)
        _check_range(weight_decay, "weight_decay value")
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "amsgrad": amsgrad, "maximize": maximize, "foreach": foreach,
                    "capturable": capturable, "differentiable": differentiable,
                    "fused": fused, "decoupled_weight_decay": decoupled_weight_decay}
        super().__init__(params, defaults)

    def _update(self, group: dict, params: list) -> None:
        lr = _lr(group)
        beta1, beta2 = (_scalar(b, "beta") for b in group["betas"])
        eps, weight_decay, amsgrad = group["eps"], group["weight_decay"], group["amsgrad"]
        for p in params:
            state = self.state[p]
            if not state:
                state["step"] = _step_tensor()
                state["exp_avg"] = _new_state(p)
                state["exp_avg_sq"] = _new_state(p)
                if amsgrad:
                    state["max_exp_avg_sq"] = _new_state(p)
            grad = _grad_of(p, group["maximize"])
            exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
            step = _bump_step(state["step"])
            if weight_decay != 0:
                if group["decoupled_weight_decay"]:
                    _write(p, p._data * pw.scalar(1 - lr * weight_decay, p._data))
                else:
                    grad = pw.add_scaled(grad, p._data, weight_decay)
            _write(exp_avg, pw.lerp(exp_avg._data, grad, 1 - beta1))
            decayed = exp_avg_sq._data * pw.scalar(beta2, exp_avg_sq._data)
            _write(exp_avg_sq, pw.addcmul(decayed, grad, grad, 1 - beta2))
            bias_correction1 = 1 - beta1 ** step
            bias_correction2 = 1 - beta2 ** step
            step_size = lr / bias_correction1
            bias_correction2_sqrt = bias_correction2 ** 0.5
            second = exp_avg_sq
            if amsgrad:
                second = state["max_exp_avg_sq"]
                _write(second, xp.maximum(second._data, exp_avg_sq._data))
            data = second._data
            denom = xp.sqrt(data) / pw.scalar(bias_correction2_sqrt, data)
            denom = denom + pw.scalar(eps, data)
            _write(p, pw.addcdiv(p._data, exp_avg._data, denom, -step_size))


class AdamW(Adam):
    """Adam with decoupled weight decay (default 0.01)."""

    _qualified = "torch.optim.adamw.AdamW"

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2,
                 amsgrad=False, *, maximize=False, foreach=None, capturable=False,
                 differentiable=False, fused=None) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach,
                         maximize=maximize, capturable=capturable,
                         differentiable=differentiable, fused=fused,
                         decoupled_weight_decay=True)


# ======================================================================== RMSprop
class RMSprop(Optimizer):
    """RMSprop: steps scaled by a running root mean square of the gradients."""

    _qualified = "torch.optim.rmsprop.RMSprop"

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
                 centered=False, capturable=False, foreach=None, maximize=False,
                 differentiable=False) -> None:
        _check_range(lr, "learning rate")
        _check_range(eps, "epsilon value")
        _check_range(momentum, "momentum value")
        _check_range(weight_decay, "weight_decay value")
        _check_range(alpha, "alpha value")
        defaults = {"lr": lr, "momentum": momentum, "alpha": alpha, "eps": eps,
                    "centered": centered, "weight_decay": weight_decay,
                    "capturable": capturable, "foreach": foreach, "maximize": maximize,
                    "differentiable": differentiable}
        super().__init__(params, defaults)

    def _update(self, group: dict, params: list) -> None:
        lr = _lr(group)
        alpha, eps, momentum = group["alpha"], group["eps"], group["momentum"]
        for p in params:
            state = self.state[p]
            if not state:
                state["step"] = _step_tensor()
                state["square_avg"] = _new_state(p)
                if momentum > 0:
                    state["momentum_buffer"] = _new_state(p)
                if group["centered"]:
                    state["grad_avg"] = _new_state(p)
            grad = _grad_of(p, group["maximize"])
            _bump_step(state["step"])
            if group["weight_decay"] != 0:
                grad = pw.add_scaled(grad, p._data, group["weight_decay"])
            square_avg = state["square_avg"]
            decayed = square_avg._data * pw.scalar(alpha, square_avg._data)
            _write(square_avg, pw.addcmul(decayed, grad, grad, 1 - alpha))
            if group["centered"]:
                grad_avg = state["grad_avg"]
                _write(grad_avg, pw.lerp(grad_avg._data, grad, 1 - alpha))
                avg = xp.sqrt(pw.addcmul(square_avg._data, grad_avg._data, grad_avg._data, -1))
            else:
                avg = xp.sqrt(square_avg._data)
            avg = avg + pw.scalar(eps, avg)
            if momentum > 0:
                buf = state["momentum_buffer"]
                scaled = buf._data * pw.scalar(momentum, buf._data)
                _write(buf, pw.addcdiv(scaled, grad, avg))
                _write(p, pw.add_scaled(p._data, buf._data, -lr))
            else:
                _write(p, pw.addcdiv(p._data, grad, avg, -lr))


# ======================================================================== Adagrad
class Adagrad(Optimizer):
    """Adagrad: steps scaled by the root of the summed squared gradients."""

    _qualified = "torch.optim.adagrad.Adagrad"

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0,
                 initial_accumulator_value=0, eps=1e-10, foreach=None, *, maximize=False,
                 differentiable=False, fused=None) -> None:
        _check_range(lr, "learning rate")
        _check_range(lr_decay, "lr_decay value")
        _check_range(weight_decay, "weight_decay value")
        _check_range(initial_accumulator_value, "initial_accumulator_value")
        _check_range(eps, "epsilon value")
        defaults = {"lr": lr, "lr_decay": lr_decay, "eps": eps, "weight_decay": weight_decay,
                    "initial_accumulator_value": initial_accumulator_value,
                    "foreach": foreach, "maximize": maximize,
                    "differentiable": differentiable, "fused": fused}
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                state = self.state[p]
                state["step"] = _step_tensor()
                state["sum"] = _new_state(p, group["initial_accumulator_value"])

    def _update(self, group: dict, params: list) -> None:
        lr = _lr(group)
        for p in params:
            state = self.state[p]
            step = _bump_step(state["step"])
            grad = _grad_of(p, group["maximize"])
            if group["weight_decay"] != 0:
                grad = pw.add_scaled(grad, p._data, group["weight_decay"])
            clr = lr / (1 + (step - 1) * group["lr_decay"])
            state_sum = state["sum"]
            _write(state_sum, pw.addcmul(state_sum._data, grad, grad, 1))
            std = xp.sqrt(state_sum._data)
            std = std + pw.scalar(group["eps"], std)
            _write(p, pw.addcdiv(p._data, grad, std, -clr))


# ==================================================================== schedulers
class LRScheduler(metaclass=_OptimType):
    """The base of the learning-rate schedulers: ``step()`` sets each group's ``lr``."""

    _qualified = "torch.optim.lr_scheduler.LRScheduler"

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"a scheduler needs an optimizer, not a value of type "
                            f"{type(optimizer).__name__}")
        self.optimizer = optimizer
        if last_epoch == -1:
            for group in optimizer.param_groups:
                initial = group["lr"]
                if isinstance(initial, Tensor):
                    initial = initial.clone()
                group.setdefault("initial_lr", initial)
        else:
            for i, group in enumerate(optimizer.param_groups):
                if "initial_lr" not in group:
                    raise KeyError(f"param 'initial_lr' is not specified in param_groups[{i}] "
                                   "when resuming scheduler with last_epoch >= 0.")
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self._step_count = 0
        self._is_initial = True
        self._get_lr_called_within_step = False
        self.step()
        self._is_initial = False

    def get_lr(self) -> list:
        raise NotImplementedError

    def get_last_lr(self) -> list:
        """The learning rates the last ``step()`` set, one per parameter group."""
        return list(self._last_lr)

    def step(self, epoch=None) -> None:
        """Advances one epoch and sets each group's learning rate."""
        self._step_count += 1
        if epoch is None:
            self.last_epoch += 1
            values = self.get_lr()
        else:
            self.last_epoch = epoch
            values = self._closed_form() if hasattr(self, "_closed_form") else self.get_lr()
        for group, lr in zip(self.optimizer.param_groups, values):
            if isinstance(group["lr"], Tensor):
                group["lr"].fill_(lr)
            else:
                group["lr"] = lr
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def state_dict(self) -> dict:
        """The scheduler's own attributes (not the optimizer's)."""
        return {key: value for key, value in self.__dict__.items() if key != "optimizer"}

    def load_state_dict(self, state_dict: dict) -> None:
        self.__dict__.update(state_dict)

    def __repr__(self) -> str:
        return f"<{self._qualified} object>"


class StepLR(LRScheduler):
    """Multiplies the learning rate by ``gamma`` every ``step_size`` epochs."""

    _qualified = "torch.optim.lr_scheduler.StepLR"

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1,
                 last_epoch: int = -1) -> None:
        self.step_size = step_size
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list:
        groups = self.optimizer.param_groups
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return [group["lr"] for group in groups]
        return [group["lr"] * self.gamma for group in groups]

    def _closed_form(self) -> list:
        return [base * self.gamma ** (self.last_epoch // self.step_size)
                for base in self.base_lrs]


class ExponentialLR(LRScheduler):
    """Multiplies the learning rate by ``gamma`` every epoch."""

    _qualified = "torch.optim.lr_scheduler.ExponentialLR"

    def __init__(self, optimizer: Optimizer, gamma: float, last_epoch: int = -1) -> None:
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list:
        groups = self.optimizer.param_groups
        if self.last_epoch == 0:
            return [group["lr"] for group in groups]
        return [group["lr"] * self.gamma for group in groups]

    def _closed_form(self) -> list:
        return [base * self.gamma ** self.last_epoch for base in self.base_lrs]


OPTIMIZERS = {"Optimizer": Optimizer, "SGD": SGD, "Adam": Adam, "AdamW": AdamW,
              "RMSprop": RMSprop, "Adagrad": Adagrad}
"""What ``torch.optim`` holds by name (``lr_scheduler`` is added by :func:`build`)."""

SCHEDULERS = {"LRScheduler": LRScheduler, "StepLR": StepLR, "ExponentialLR": ExponentialLR}


def build() -> dict[str, Module]:
    """``torch.optim`` and ``torch.optim.lr_scheduler``, by dotted name."""
    lr_scheduler = Module("torch.optim.lr_scheduler", dict(SCHEDULERS))
    optim = Module("torch.optim", {**OPTIMIZERS, "lr_scheduler": lr_scheduler})
    return {"torch.optim": optim, "torch.optim.lr_scheduler": lr_scheduler}


__all__ = ["SGD", "Adagrad", "Adam", "AdamW", "ExponentialLR", "LRScheduler", "Optimizer",
           "RMSprop", "StepLR", "build"]

"""``torch.nn``: ``Parameter``, the ``Module`` base class, ``Linear`` and a few layers.

Modules hold their parameters (and sub-modules) in assignment order, as
PyTorch's do, so ``parameters()`` and the printed form are stable. Initial
weights come from gradcli's own generator with PyTorch's bounds (Kaiming
uniform for ``Linear``), so their values differ from PyTorch's.
"""

from __future__ import annotations

import math
from collections import OrderedDict, namedtuple

from ..engine import dtypes as dt
from ..engine.autograd import no_grad
from ..engine.namespace import ops
from ..engine.ops import FUNCTIONAL
from ..engine.tensor import Tensor
from .module import Module

F = Module("torch.nn.functional", FUNCTIONAL)


class Parameter(Tensor):
    """A leaf tensor that a module owns; prints as ``Parameter containing:``.

    ``Parameter(data)`` shares ``data``'s storage and requires grad by default.

    Example:
        >>> Parameter(ops.tensor([1.0, 2.0])).requires_grad
        True
    """

    _qualified = "torch.nn.parameter.Parameter"
    _is_parameter = True

    def __new__(cls, data=None, requires_grad=True):
        if data is None:
            data = ops.tensor([])
        if not isinstance(data, Tensor):
            raise TypeError(f"Parameter() wraps a tensor, not a value of type "
                            f"{type(data).__name__}")
        base = data if data._base is None else data._base
        parameter = cls._make(data._data, data._dtype, base=base)
        parameter.requires_grad_(bool(requires_grad))
        return parameter

    def __init__(self, data=None, requires_grad=True) -> None:
        pass


class _ModuleType(type):
    """Makes ``type(module)`` print as PyTorch's class, e.g. ``torch.nn.modules.linear.Linear``."""

    def __repr__(cls) -> str:
        return f"<class '{cls._qualified}'>"


class IncompatibleKeys(namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])):
    """What ``load_state_dict`` returns."""

    __slots__ = ()

    def __repr__(self) -> str:
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return (f"_IncompatibleKeys(missing_keys={self.missing_keys!r}, "
                f"unexpected_keys={self.unexpected_keys!r})")


class Module(metaclass=_ModuleType):
    """The base of layers: owns parameters and sub-modules, in assignment order.

    A program may subclass it (and its layers): the interpreter allows it
    because of ``_gradcli_subclassable``.
    """

    _qualified = "torch.nn.modules.module.Module"
    _gradcli_subclassable = True

    def __init__(self) -> None:
        object.__setattr__(self, "_parameters", {})
        object.__setattr__(self, "_modules", {})
        object.__setattr__(self, "training", True)

    def __setattr__(self, name: str, value) -> None:
        if isinstance(value, Parameter):
            self._parameters[name] = value
        elif isinstance(value, Module):
            self._modules[name] = value
        elif value is None and name in self._parameters:
            self._parameters[name] = None
        object.__setattr__(self, name, value)

    def forward(self, *args, **kwargs):
        raise NotImplementedError(f"module {type(self).__name__} has no forward() method; "
                                  "define one to make the module callable")

    def __call__(self, *args, **kwargs):
        return self.forward(*args, **kwargs)

    # ------------------------------------------------------------ parameters
    def named_parameters(self, prefix: str = "", recurse: bool = True):
        """Yields ``(name, parameter)`` pairs, sub-modules' names dotted."""
        seen = set()
        modules = self._named_modules(prefix) if recurse else [(prefix, self)]
        for module_prefix, module in modules:
            for name, p in module._parameters.items():
                if p is None or id(p) in seen:
                    continue
                seen.add(id(p))
                yield (f"{module_prefix}.{name}" if module_prefix else name), p

    def parameters(self, recurse: bool = True):
        """Yields every parameter once (a generator, as in PyTorch)."""
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def _named_modules(self, prefix: str = ""):
        yield prefix, self
        for name, child in self._modules.items():
            yield from child._named_modules(f"{prefix}.{name}" if prefix else name)

    def children(self):
        yield from self._modules.values()

    def named_children(self):
        """Yields ``(name, sub-module)`` pairs of the direct sub-modules."""
        yield from self._modules.items()

    def modules(self):
        for _, module in self._named_modules():
            yield module

    def named_modules(self, memo=None, prefix: str = ""):
        """Yields ``(dotted name, module)`` for this module (named ``''``) and all below."""
        seen = set()
        for name, module in self._named_modules(prefix):
            if id(module) not in seen:
                seen.add(id(module))
                yield name, module

    def state_dict(self, prefix: str = "", keep_vars: bool = False):
        """An ``OrderedDict`` of every parameter by dotted name (detached, sharing storage)."""
        state = OrderedDict()
        for module_prefix, module in self._named_modules(prefix.rstrip(".")):
            for name, p in module._parameters.items():
                if p is not None:
                    key = f"{module_prefix}.{name}" if module_prefix else name
                    state[key] = p if keep_vars else p.detach()
        return state

    def load_state_dict(self, state_dict, strict: bool = True, assign: bool = False):
        """Copies values into the parameters by name; reports missing and unexpected keys."""
        own = self.state_dict(keep_vars=True)
        missing = [key for key in own if key not in state_dict]
        unexpected = [key for key in state_dict if key not in own]
        if strict and (missing or unexpected):
            parts = []
            if missing:
                parts.append("missing keys: " + ", ".join(repr(k) for k in missing))
            if unexpected:
                parts.append("unexpected keys: " + ", ".join(repr(k) for k in unexpected))
            raise RuntimeError(f"Error(s) in loading state_dict for {type(self).__name__}: "
                               + "; ".join(parts))
        with no_grad():
            for key, value in state_dict.items():
                if key in own:
                    target = own[key]
                    if tuple(target.shape) != tuple(value.shape):
                        raise RuntimeError(f"size mismatch for {key}: copying a tensor of "
                                           f"shape {list(value.shape)} into a parameter of "
                                           f"shape {list(target.shape)}")
                    target.copy_(value)
        return IncompatibleKeys(missing, unexpected)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Clears the gradients of every parameter (to None, by default)."""
        for p in self.parameters():
            if p._grad is None:
                continue
            if set_to_none:
                p._grad = None
            else:
                p._grad = p._grad.detach()
                p._grad.zero_()

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def train(self, mode: bool = True) -> Module:
        for module in self.modules():
            object.__setattr__(module, "training", bool(mode))
        return self

    def eval(self) -> Module:
        return self.train(False)

    def to(self, *args, **kwargs) -> Module:
        dtype = kwargs.get("dtype")
        for arg in args:
            if isinstance(arg, dt.DType):
                dtype = arg
        if dtype is not None:
            for p in self.parameters():
                p.data = p.data.to(dtype)
        return self

    def float(self) -> Module:
        return self.to(dt.float32)

    def double(self) -> Module:
        return self.to(dt.float64)

    def half(self) -> Module:
        return self.to(dt.float16)

    # --------------------------------------------------------------- printing
    def extra_repr(self) -> str:
        return ""

    def __repr__(self) -> str:
        if not self._modules:
            return f"{type(self).__name__}({self.extra_repr()})"
        lines = [f"{type(self).__name__}("]
        for name, child in self._modules.items():
            text = repr(child).replace("\n", "\n  ")
            lines.append(f"  ({name}): {text}")
        lines.append(")")
        return "\n".join(lines)


class Linear(Module):
    """``y = x @ weight.T + bias``, with ``weight`` of shape (out, in).

    Example:
        >>> Linear(3, 1)
        Linear(in_features=3, out_features=1, bias=True)
    """

    _qualified = "torch.nn.modules.linear.Linear"

    def __init__(self, in_features: int, out_features: int, bias: bool = True, device=None,
                 dtype=None) -> None:
        super().__init__()
        self.in_features = in_features
        self.out_features = out_features
        target = dtype or dt.get_default_dtype()
        # PyTorch's reset_parameters: kaiming_uniform_(weight, a=sqrt(5)), then the
        # bias uniform in +-1/sqrt(fan_in), each bound computed as PyTorch does.
        gain = math.sqrt(2.0 / (1 + math.sqrt(5) ** 2))
        weight_bound = math.sqrt(3.0) * (gain / math.sqrt(in_features)) if in_features else 0.0
        self.weight = Parameter(ops.uniform_values((out_features, in_features), -weight_bound,
                                                   weight_bound, target))
        if bias:
            bound = 1 / math.sqrt(in_features) if in_features > 0 else 0.0
            self.bias = Parameter(ops.uniform_values((out_features,), -bound, bound, target))
        else:
            self.bias = None
            self._parameters["bias"] = None

    def forward(self, input):
        return F.linear(input, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")


class Sequential(Module):
    """Calls its modules in order, each on the previous one's output."""

    _qualified = "torch.nn.modules.container.Sequential"

    def __init__(self, *modules) -> None:
        super().__init__()
        for index, module in enumerate(modules):
            setattr(self, str(index), module)

    def forward(self, input):
        for module in self._modules.values():
            input = module(input)
        return input

    def __getitem__(self, index: int):
        return list(self._modules.values())[index]

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())


def _activation(name: str, fn, qualified: str, options: tuple = ()):
    """A parameterless layer class applying ``fn`` (``ReLU``, ``Sigmoid``...)."""

    def __init__(self, *args, **kwargs) -> None:
        Module.__init__(self)
        values = dict(zip(options, args))
        values.update(kwargs)
        for option in options:
            object.__setattr__(self, option, values.get(option, _DEFAULTS.get(option)))

    def forward(self, input):
        return fn(input, **{o: getattr(self, o) for o in options})

    def extra_repr(self) -> str:
        shown = [f"{o}={getattr(self, o)}" for o in options
                 if getattr(self, o) != _DEFAULTS.get(o) or o == "dim"]
        return ", ".join(shown)

    return _ModuleType(name, (Module,), {"__init__": __init__, "forward": forward,
                                         "extra_repr": extra_repr,
                                         "_qualified": f"torch.nn.modules.{qualified}.{name}"})


_DEFAULTS = {"inplace": False, "dim": None, "reduction": "mean"}

ReLU = _activation("ReLU", F.relu, "activation", ("inplace",))
Sigmoid = _activation("Sigmoid", F.sigmoid, "activation")
Tanh = _activation("Tanh", F.tanh, "activation")
Softmax = _activation("Softmax", F.softmax, "activation", ("dim",))
LogSoftmax = _activation("LogSoftmax", F.log_softmax, "activation", ("dim",))


def _loss(name: str, fn):
    """A loss layer: ``Loss(reduction='mean')(input, target)``."""

    def __init__(self, *args, reduction="mean", **kwargs) -> None:
        Module.__init__(self)
        object.__setattr__(self, "reduction", reduction)

    def forward(self, input, target):
        return fn(input, target, reduction=self.reduction)

    return _ModuleType(name, (Module,), {"__init__": __init__, "forward": forward,
                                         "_qualified": f"torch.nn.modules.loss.{name}"})


class Dropout(Module):
    """Zeroes each element with probability ``p`` while training (``model.train()``),
    scaling the others by ``1 / (1 - p)``; the identity in ``eval()`` mode."""

    _qualified = "torch.nn.modules.dropout.Dropout"

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        if not 0 <= p <= 1:
            raise ValueError(f"the dropout probability must be between 0 and 1, but got {p}")
        object.__setattr__(self, "p", p)
        object.__setattr__(self, "inplace", inplace)

    def forward(self, input):
        return F.dropout(input, self.p, self.training, self.inplace)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


MSELoss = _loss("MSELoss", F.mse_loss)
L1Loss = _loss("L1Loss", F.l1_loss)
BCELoss = _loss("BCELoss", F.binary_cross_entropy)
BCEWithLogitsLoss = _loss("BCEWithLogitsLoss", F.binary_cross_entropy_with_logits)
NLLLoss = _loss("NLLLoss", F.nll_loss)
CrossEntropyLoss = _loss("CrossEntropyLoss", F.cross_entropy)

def _initializer(name: str, fill):
    def init_(tensor, *args, **kwargs):
        if not isinstance(tensor, Tensor):
            raise TypeError(f"nn.init.{name}() fills a tensor, not a value of type "
                            f"{type(tensor).__name__}")
        with no_grad():
            fill(tensor, *args, **kwargs)
        return tensor
    init_.__name__ = init_.__qualname__ = name
    return init_


def _eye(tensor) -> None:
    if tensor.ndim != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    tensor.copy_(ops.eye(*tensor.shape, dtype=tensor.dtype))


# The deterministic ones; the random initializers need the PyTorch-stream generator.
INIT = {
    "constant_": _initializer("constant_", lambda t, val: t.fill_(val)),
    "zeros_": _initializer("zeros_", lambda t: t.zero_()),
    "ones_": _initializer("ones_", lambda t: t.fill_(1)),
    "eye_": _initializer("eye_", _eye),
}
"""What ``torch.nn.init`` holds, by name."""


MODULES = {
    "Parameter": Parameter, "Module": Module, "Linear": Linear, "Sequential": Sequential,
    "Dropout": Dropout,
    "ReLU": ReLU, "Sigmoid": Sigmoid, "Tanh": Tanh, "Softmax": Softmax,
    "LogSoftmax": LogSoftmax, "MSELoss": MSELoss, "L1Loss": L1Loss, "BCELoss": BCELoss,
    "BCEWithLogitsLoss": BCEWithLogitsLoss, "NLLLoss": NLLLoss,
    "CrossEntropyLoss": CrossEntropyLoss,
}
"""What ``torch.nn`` holds, by name (``functional`` is added by ``api.build``)."""

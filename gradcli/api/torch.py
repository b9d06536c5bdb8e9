"""The ``torch`` module a program sees, assembled from the engine's op table.

:func:`build` returns fresh module objects (``torch``, ``torch.nn``,
``torch.nn.functional``, ``torch.autograd``, ...) whose attributes are the
engine's functions, classes and constants. No state lives here.
"""

from __future__ import annotations

import math

from ..engine import FUNCTIONS, autograd, dtypes, functional, gradcheck
from ..engine.namespace import ops
from ..engine.ops import FUNCTIONAL
from ..engine.printopts import set_printoptions
from ..engine.returntypes import TYPES as RETURN_TYPES
from ..engine.tensor import Device, Size, Tensor, TensorType
from . import layers
from . import nn as nn_modules
from . import optim as optim_modules
from .module import Module
from .numpy import from_numpy


class _LegacyType(TensorType):
    """``torch.FloatTensor`` and friends: calling makes a tensor of that dtype."""

    def __instancecheck__(cls, obj) -> bool:
        return isinstance(obj, Tensor) and obj._dtype is cls._legacy_dtype

    def __call__(cls, *args, **kwargs):
        return ops.legacy_new(Tensor, cls._legacy_dtype, args, kwargs)


def _legacy_class(dtype: dtypes.DType):
    name = dtype.legacy.split(".")[1]
    return _LegacyType(name, (), {"_legacy_dtype": dtype, "_qualified": dtype.legacy,
                                  "__slots__": ()})


LEGACY_CLASSES = {d.legacy.split(".")[1]: _legacy_class(d) for d in dtypes.ALL}


def set_default_tensor_type(t) -> None:
    """``torch.set_default_tensor_type('torch.FloatTensor')`` (or the class)."""
    name = t if isinstance(t, str) else getattr(t, "_qualified", None)
    dtype = dtypes.from_legacy(name) if name else None
    if dtype is None or not dtype.is_floating_point:
        raise TypeError(f"the default tensor type must be a floating-point type such as "
                        f"'torch.FloatTensor', not {t!r}")
    dtypes.set_default_dtype(dtype)


def is_tensor(obj) -> bool:
    return isinstance(obj, Tensor)


def is_floating_point(input) -> bool:
    return input._dtype.is_floating_point


def numel(input) -> int:
    return input.numel()


def result_type(tensor1, tensor2) -> dtypes.DType:
    return dtypes.result_type(tensor1, tensor2)


def can_cast(from_, to) -> bool:
    return from_.category <= to.category


def Variable(data, requires_grad: bool = False, volatile: bool = False):
    """The old wrapper: since PyTorch 0.4 it simply returns a tensor."""
    if not isinstance(data, Tensor):
        raise TypeError(f"Variable() wraps a tensor, not a value of type "
                        f"{type(data).__name__}")
    if requires_grad:
        data.requires_grad_(True)
    return data


def _cuda_is_available() -> bool:
    return False


def _cuda_device_count() -> int:
    return 0


def build() -> dict[str, Module]:
    """All importable modules by dotted name; ``result['torch']`` is the root."""
    functions = dict(FUNCTIONS)
    grad_mode = {
        "no_grad": autograd.no_grad, "enable_grad": autograd.enable_grad,
        "set_grad_enabled": autograd.set_grad_enabled,
        "is_grad_enabled": autograd.is_grad_enabled,
        "inference_mode": autograd.inference_mode,
    }
    autograd_functional = Module("torch.autograd.functional", {
        "jacobian": functional.jacobian, "hessian": functional.hessian,
    })
    autograd_mod = Module("torch.autograd", {
        "grad": autograd.grad, "backward": autograd.backward, "Variable": Variable,
        "functional": autograd_functional, "gradcheck": gradcheck.gradcheck,
        "gradgradcheck": gradcheck.gradgradcheck, **grad_mode,
    })
    nn_functional_mod = Module("torch.nn.functional", dict(FUNCTIONAL))
    nn = Module("torch.nn", {"functional": nn_functional_mod, **nn_modules.MODULES,
                             **layers.MODULES})
    cuda = Module("torch.cuda", {"is_available": _cuda_is_available,
                                 "device_count": _cuda_device_count})
    return_types = Module("torch.return_types", dict(RETURN_TYPES))
    optim = optim_modules.build()
    attrs = {
        **functions,
        **dtypes.ALIASES,
        **grad_mode,
        **LEGACY_CLASSES,
        "Tensor": Tensor, "Size": Size, "device": Device,
        "dtype": dtypes.DType,
        "get_default_dtype": dtypes.get_default_dtype,
        "set_default_dtype": dtypes.set_default_dtype,
        "set_default_tensor_type": set_default_tensor_type,
        "set_printoptions": set_printoptions,
        "is_tensor": is_tensor, "is_floating_point": is_floating_point, "numel": numel,
        "result_type": result_type, "promote_types": dtypes.promote_types,
        "can_cast": can_cast,
        "autograd": autograd_mod, "nn": nn, "cuda": cuda, "return_types": return_types,
        "optim": optim["torch.optim"],
        "Generator": ops.Generator, "default_generator": ops.default_generator,
        "from_numpy": from_numpy,
        "pi": math.pi, "e": math.e, "inf": math.inf, "nan": math.nan,
    }
    torch = Module("torch", attrs)
    return {
        "torch": torch, "torch.nn": nn, "torch.nn.functional": nn_functional_mod,
        "torch.autograd": autograd_mod, "torch.autograd.functional": autograd_functional,
        "torch.cuda": cuda, **optim,
    }

"""The ``torch`` module a program sees, assembled from the engine's op table.

:func:`build` returns fresh module objects (``torch``, ``torch.nn``,
``torch.nn.functional``, ``torch.autograd``, ...) whose attributes are the
engine's functions, classes and constants. No state lives here.
"""

from __future__ import annotations

import math

from ..engine import FUNCTIONS, autograd, dtypes, functional, gradcheck
from ..engine.namespace import ops
from ..engine.ops import FUNCTIONAL, SUBMODULES
from ..engine.ops.linalg import LinAlgError
from ..engine.printopts import set_printoptions
from ..engine.returntypes import TYPES as RETURN_TYPES
from ..engine.tensor import CPU, Device, Size, Tensor, TensorType, check_device
from . import layers
from . import nn as nn_modules
from . import optim as optim_modules
from .function import Function, build_function_module
from .module import Module
from .numpy import NDArray, from_numpy


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


def _tensor_arg(value, function: str) -> Tensor:
    if not isinstance(value, Tensor):
        raise TypeError(f"{function}() expects a tensor for argument 'input', not a value of "
                        f"type {type(value).__name__}")
    return value


def _dtype_arg(value, function: str, arg: str) -> dtypes.DType:
    if not isinstance(value, dtypes.DType):
        raise TypeError(f"{function}() expects a dtype for argument '{arg}', not a value of "
                        f"type {type(value).__name__}")
    return value


def is_floating_point(input) -> bool:
    return _tensor_arg(input, "is_floating_point")._dtype.is_floating_point


def numel(input) -> int:
    return _tensor_arg(input, "numel").numel()


def result_type(tensor1, tensor2) -> dtypes.DType:
    return dtypes.result_type(tensor1, tensor2)


def can_cast(from_, to) -> bool:
    return _dtype_arg(from_, "can_cast", "from_").category <= _dtype_arg(to, "can_cast",
                                                                         "to").category


def promote_types(type1, type2) -> dtypes.DType:
    return dtypes.promote_types(_dtype_arg(type1, "promote_types", "type1"),
                                _dtype_arg(type2, "promote_types", "type2"))


def Variable(data, requires_grad: bool = False, volatile: bool = False):
    """The old wrapper: since PyTorch 0.4 it returns a plain tensor sharing ``data``'s
    storage, a leaf that requires grad when asked."""
    if not isinstance(data, Tensor):
        raise TypeError(f"Variable() wraps a tensor, not a value of type "
                        f"{type(data).__name__}")
    # A new tensor over the same storage (data itself is left as it is).
    result = data.detach()
    if requires_grad:
        result.requires_grad_(True)
    return result


def is_nonzero(input) -> bool:
    """Whether a one-element tensor is non-zero; any other size is an error."""
    if not isinstance(input, Tensor):
        raise TypeError(f"is_nonzero() expects a tensor, not a value of type "
                        f"{type(input).__name__}")
    count = input.numel()
    if count != 1:
        raise RuntimeError(f"is_nonzero() needs a tensor with exactly one element, but this "
                           f"one has {count}, so its truth value is ambiguous")
    return bool(input.item())


def typename(obj) -> str:
    """The type name of ``obj``: ``'torch.FloatTensor'`` for a float32 tensor, else
    ``module.qualname`` (just the name for builtins), as ``torch.typename`` gives it."""
    if isinstance(obj, Tensor):
        return obj.type()
    module = getattr(obj, "__module__", "") or ""
    if hasattr(obj, "__qualname__"):
        qualname = obj.__qualname__
    elif hasattr(obj, "__name__"):
        qualname = obj.__name__
    else:
        module = obj.__class__.__module__ or ""
        qualname = obj.__class__.__qualname__
    return qualname if module in ("", "builtins") else f"{module}.{qualname}"


def torch_range(start=0, end=None, step=1, *, dtype=None, device=None, requires_grad=False,
                layout=None, out=None):
    """``torch.range`` (deprecated in PyTorch for ``arange``): from ``start`` to ``end``
    *inclusive*, default float dtype."""
    if end is None:
        start, end = 0, start
    if step == 0:
        raise RuntimeError("range() needs a non-zero step")
    if (end - start) / step < 0:
        raise RuntimeError(f"range() cannot go from {start} to {end} with step {step}")
    count = math.floor((end - start) / step) + 1
    values = [start + i * step for i in range(count)]
    result = ops.tensor(values, dtype=dtype or dtypes.get_default_dtype())
    if requires_grad:
        result.requires_grad_(True)
    return result if out is None else out.copy_(result)


def asarray(obj, *, dtype=None, device=None, copy=None, requires_grad=False):
    """A tensor from ``obj``, sharing memory where it can: a tensor is returned as it is
    (converted when ``dtype`` differs), a NumPy array is wrapped as ``from_numpy`` does;
    ``copy=True`` always copies."""
    if isinstance(obj, Tensor):
        result = obj
    elif isinstance(obj, NDArray):
        result = from_numpy(obj)
    else:
        result = ops.tensor(obj, dtype=dtype)
    if dtype is not None and result.dtype is not dtype:
        if copy is False:
            raise ValueError("asarray(copy=False) cannot convert to another dtype without "
                             "copying")
        result = result.to(dtype)
    elif copy:
        result = result.clone()
    if requires_grad:
        result.requires_grad_(True)
    return result


def get_default_device() -> Device:
    """The device new tensors go to: always the CPU in gradcli."""
    return CPU


def set_default_device(device) -> None:
    """Accepts the CPU (or None, the default); any other device is an error."""
    check_device(device)


def _current_accelerator(check_available: bool = False):
    """No accelerator: None, as PyTorch answers on a CPU-only machine."""
    return


def _accelerator_index(*args, **kwargs) -> int:
    raise RuntimeError("no accelerator is available: gradcli runs on the CPU only")


def _cuda_is_available() -> bool:
    return False


def _cuda_device_count() -> int:
    return 0


# The in-place ops PyTorch also has as torch functions (``torch.sin_(x)``), as listed
# by ``dir(torch)`` in PyTorch 2.13; each that gradcli's Tensor has becomes one.
INPLACE_FUNCTIONS = ["abs_", "acos_", "acosh_", "addmv_", "arccos_", "arccosh_", "arcsin_", "arcsinh_", "arctan_", "arctanh_", "asin_", "asinh_", "atan_", "atanh_", "ceil_", "celu_", "clamp_", "clamp_max_", "clamp_min_", "clip_", "cos_", "cosh_", "deg2rad_", "detach_", "erf_", "erfc_", "exp2_", "exp_", "expm1_", "fill_", "fix_", "floor_", "frac_", "gcd_", "i0_", "lcm_", "ldexp_", "log10_", "log1p_", "log2_", "log_", "logit_", "nan_to_num_", "neg_", "negative_", "rad2deg_", "reciprocal_", "relu_", "round_", "rsqrt_", "selu_", "sigmoid_", "sin_", "sinc_", "sinh_", "sqrt_", "square_", "tan_", "tanh_", "threshold_", "trunc_", "xlogy_", "zero_"]


def _inplace_function(name: str):
    """``torch.NAME_(input, ...)``: runs ``input.NAME_(...)``."""

    def function(input, *args, **kwargs):
        if not isinstance(input, Tensor):
            raise TypeError(f"{name}() expects a tensor for argument 'input', not a value of "
                            f"type {type(input).__name__}")
        return getattr(input, name)(*args, **kwargs)

    function.__name__ = name
    return function


def build() -> dict[str, Module]:
    """All importable modules by dotted name; ``result['torch']`` is the root."""
    functions = dict(FUNCTIONS)
    functions.update({name: _inplace_function(name) for name in INPLACE_FUNCTIONS
                      if hasattr(Tensor, name) and name not in functions})
    grad_mode = {
        "no_grad": autograd.no_grad, "enable_grad": autograd.enable_grad,
        "set_grad_enabled": autograd.set_grad_enabled,
        "is_grad_enabled": autograd.is_grad_enabled,
        "inference_mode": autograd.inference_mode,
        "is_inference_mode_enabled": autograd.is_inference_mode_enabled,
    }
    autograd_functional = Module("torch.autograd.functional", {
        "jacobian": functional.jacobian, "hessian": functional.hessian,
        "vjp": functional.vjp, "jvp": functional.jvp, "hvp": functional.hvp,
        "vhp": functional.vhp,
    })
    autograd_function = build_function_module()
    autograd_graph = Module("torch.autograd.graph", {
        "Node": autograd.GraphNode, "saved_tensors_hooks": autograd.saved_tensors_hooks,
        "save_on_cpu": autograd.save_on_cpu,
        "disable_saved_tensors_hooks": autograd.disable_saved_tensors_hooks,
        "register_multi_grad_hook": autograd.register_multi_grad_hook,
        "allow_mutation_on_saved_tensors": autograd.allow_mutation_on_saved_tensors,
    })
    autograd_mod = Module("torch.autograd", {
        "grad": autograd.grad, "backward": autograd.backward, "Variable": Variable,
        "Function": Function, "function": autograd_function,
        "functional": autograd_functional, "graph": autograd_graph, "gradcheck": gradcheck.gradcheck,
        "gradgradcheck": gradcheck.gradgradcheck, **grad_mode,
    })
    nn_functional_mod = Module("torch.nn.functional", dict(FUNCTIONAL))
    nn_init = Module("torch.nn.init", dict(nn_modules.INIT))
    nn = Module("torch.nn", {"functional": nn_functional_mod, "init": nn_init,
                             **nn_modules.MODULES, **layers.MODULES})
    cuda = Module("torch.cuda", {"is_available": _cuda_is_available,
                                 "device_count": _cuda_device_count})
    accelerator = Module("torch.accelerator", {
        "is_available": _cuda_is_available, "device_count": _cuda_device_count,
        "current_accelerator": _current_accelerator,
        "current_device_index": _accelerator_index, "current_device_idx": _accelerator_index,
        "set_device_index": _accelerator_index, "set_device_idx": _accelerator_index,
        "synchronize": _accelerator_index,
    })
    return_types = Module("torch.return_types", dict(RETURN_TYPES))
    linalg = Module("torch.linalg", {**SUBMODULES["linalg"], "LinAlgError": LinAlgError})
    special = Module("torch.special", dict(SUBMODULES["special"]))
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
        "is_nonzero": is_nonzero, "typename": typename, "range": torch_range,
        "asarray": asarray,
        "result_type": result_type, "promote_types": promote_types,
        "can_cast": can_cast,
        "autograd": autograd_mod, "nn": nn, "cuda": cuda, "accelerator": accelerator,
        "get_default_device": get_default_device, "set_default_device": set_default_device,
        "is_inference": autograd.is_inference, "return_types": return_types,
        "linalg": linalg, "special": special, "optim": optim["torch.optim"],
        "Generator": ops.Generator, "default_generator": ops.default_generator,
        "from_numpy": from_numpy,
        "pi": math.pi, "e": math.e, "inf": math.inf, "nan": math.nan,
    }
    torch = Module("torch", attrs)
    return {
        "torch": torch, "torch.nn": nn, "torch.nn.functional": nn_functional_mod,
        "torch.nn.init": nn_init,
        "torch.autograd": autograd_mod, "torch.autograd.functional": autograd_functional,
        "torch.autograd.function": autograd_function, "torch.autograd.graph": autograd_graph,
        "torch.cuda": cuda, "torch.accelerator": accelerator, "torch.linalg": linalg, "torch.special": special, **optim,
    }

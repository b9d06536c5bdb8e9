"""More of ``torch.nn``: the activation layers, ``Identity``, ``Flatten``,
``ModuleList``, ``Embedding``, ``LayerNorm``, the distance layers and more losses.

Each class prints as PyTorch's does (``extra_repr``), and initialises its
parameters from the generator exactly as PyTorch does (``Embedding``:
``normal_``; ``LayerNorm``: ones and zeros; ``PReLU``: a constant), so a seeded
program gets PyTorch's numbers. :data:`MODULES` is merged into ``torch.nn``.
"""

from __future__ import annotations

from ..engine import dtypes as dt
from ..engine.namespace import ops
from .nn import F, Module, Parameter, _ModuleType


def _inplace(module) -> str:
    return "inplace=True" if module.inplace else ""


def _joined(*parts: str) -> str:
    return ", ".join(p for p in parts if p)


def _layer(name: str, qualified: str, options: dict, forward, extra_repr=None):
    """A layer class whose constructor takes ``options`` (name -> default) in order."""

    def __init__(self, *args, **kwargs) -> None:
        Module.__init__(self)
        if len(args) > len(options):
            raise TypeError(f"{name}() takes at most {len(options)} arguments "
                            f"({len(args)} given)")
        values = dict(zip(options, args))
        for key, value in kwargs.items():
            if key not in options:
                raise TypeError(f"{name}() got an unexpected keyword argument '{key}'")
            if key in values:
                raise TypeError(f"{name}() got multiple values for argument '{key}'")
            values[key] = value
        for option, default in options.items():
            object.__setattr__(self, option, values.get(option, default))

    attrs = {"__init__": __init__, "forward": forward,
             "_qualified": f"torch.nn.modules.{qualified}.{name}"}
    if extra_repr is not None:
        attrs["extra_repr"] = extra_repr
    return _ModuleType(name, (Module,), attrs)


def _mish(x, inplace: bool):
    """``F.mish(x, inplace)``: the in-place form writes the result into ``x``."""
    return x.copy_(F.mish(x)) if inplace else F.mish(x)


# ==================================================================== activations
Threshold = _layer(
    "Threshold", "activation", {"threshold": None, "value": None, "inplace": False},
    lambda self, x: F.threshold(x, self.threshold, self.value, self.inplace),
    lambda self: _joined(f"threshold={self.threshold}, value={self.value}", _inplace(self)))
Hardtanh = _layer(
    "Hardtanh", "activation", {"min_val": -1.0, "max_val": 1.0, "inplace": False},
    lambda self, x: F.hardtanh(x, self.min_val, self.max_val, inplace=self.inplace),
    lambda self: _joined(f"min_val={self.min_val}, max_val={self.max_val}", _inplace(self)))
ReLU6 = _layer("ReLU6", "activation", {"inplace": False},
               lambda self, x: F.relu6(x, self.inplace), _inplace)
Hardsigmoid = _layer("Hardsigmoid", "activation", {"inplace": False},
                     lambda self, x: F.hardsigmoid(x, inplace=self.inplace))
SiLU = _layer("SiLU", "activation", {"inplace": False},
              lambda self, x: F.silu(x, inplace=self.inplace), _inplace)
Mish = _layer("Mish", "activation", {"inplace": False},
              lambda self, x: _mish(x, self.inplace), _inplace)
Hardswish = _layer("Hardswish", "activation", {"inplace": False},
                   lambda self, x: F.hardswish(x, inplace=self.inplace))
ELU = _layer("ELU", "activation", {"alpha": 1.0, "inplace": False},
             lambda self, x: F.elu(x, self.alpha, inplace=self.inplace),
             lambda self: _joined(f"alpha={self.alpha}", _inplace(self)))
CELU = _layer("CELU", "activation", {"alpha": 1.0, "inplace": False},
              lambda self, x: F.celu(x, self.alpha, inplace=self.inplace),
              lambda self: _joined(f"alpha={self.alpha}", _inplace(self)))
SELU = _layer("SELU", "activation", {"inplace": False},
              lambda self, x: F.selu(x, inplace=self.inplace), _inplace)
GLU = _layer("GLU", "activation", {"dim": -1}, lambda self, x: F.glu(x, self.dim),
             lambda self: f"dim={self.dim}")
GELU = _layer("GELU", "activation", {"approximate": "none"},
              lambda self, x: F.gelu(x, approximate=self.approximate),
              lambda self: f"approximate={self.approximate!r}")
Hardshrink = _layer("Hardshrink", "activation", {"lambd": 0.5},
                    lambda self, x: F.hardshrink(x, self.lambd), lambda self: f"{self.lambd}")
LeakyReLU = _layer(
    "LeakyReLU", "activation", {"negative_slope": 0.01, "inplace": False},
    lambda self, x: F.leaky_relu(x, self.negative_slope, inplace=self.inplace),
    lambda self: _joined(f"negative_slope={self.negative_slope}", _inplace(self)))
LogSigmoid = _layer("LogSigmoid", "activation", {}, lambda self, x: F.logsigmoid(x))
Softplus = _layer("Softplus", "activation", {"beta": 1.0, "threshold": 20.0},
                  lambda self, x: F.softplus(x, self.beta, self.threshold),
                  lambda self: f"beta={self.beta}, threshold={self.threshold}")
Softshrink = _layer("Softshrink", "activation", {"lambd": 0.5},
                    lambda self, x: F.softshrink(x, self.lambd), lambda self: f"{self.lambd}")
Softsign = _layer("Softsign", "activation", {}, lambda self, x: F.softsign(x))
Tanhshrink = _layer("Tanhshrink", "activation", {}, lambda self, x: F.tanhshrink(x))
Softmin = _layer("Softmin", "activation", {"dim": None}, lambda self, x: F.softmin(x, self.dim),
                 lambda self: f"dim={self.dim}")


class PReLU(Module):
    """``max(0, x) + weight * min(0, x)`` with a learnt ``weight`` (one, or one per channel).

    Example:
        >>> PReLU()
        PReLU(num_parameters=1)
    """

    _qualified = "torch.nn.modules.activation.PReLU"

    def __init__(self, num_parameters: int = 1, init: float = 0.25, device=None,
                 dtype=None) -> None:
        super().__init__()
        object.__setattr__(self, "num_parameters", num_parameters)
        object.__setattr__(self, "init", init)
        target = dtype or dt.get_default_dtype()
        self.weight = Parameter(ops.full((num_parameters,), init, dtype=target))

    def forward(self, input):
        return F.prelu(input, self.weight)

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}"


# ========================================================================= layers
class Identity(Module):
    """Returns its input unchanged (its arguments are ignored)."""

    _qualified = "torch.nn.modules.linear.Identity"

    def __init__(self, *args, **kwargs) -> None:
        super().__init__()

    def forward(self, input):
        return input


class Flatten(Module):
    """Flattens dimensions ``start_dim`` to ``end_dim`` into one."""

    _qualified = "torch.nn.modules.flatten.Flatten"

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        object.__setattr__(self, "start_dim", start_dim)
        object.__setattr__(self, "end_dim", end_dim)

    def forward(self, input):
        return ops.flatten(input, self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class ModuleList(Module):
    """A list of modules whose parameters the owner sees (``append``, ``extend``, indexing)."""

    _qualified = "torch.nn.modules.container.ModuleList"

    def __init__(self, modules=None) -> None:
        super().__init__()
        if modules is not None:
            self.extend(modules)

    def _check(self, module):
        if not isinstance(module, Module):
            raise TypeError(f"a ModuleList holds modules, not a value of type "
                            f"{type(module).__name__}")
        return module

    def _index(self, index: int) -> int:
        size = len(self._modules)
        if not -size <= index < size:
            raise IndexError(f"index {index} is out of range for a ModuleList of "
                             f"{size} modules")
        return index % size

    def append(self, module) -> ModuleList:
        setattr(self, str(len(self._modules)), self._check(module))
        return self

    def extend(self, modules) -> ModuleList:
        for module in modules:
            self.append(module)
        return self

    def insert(self, index: int, module) -> None:
        items = list(self._modules.values())
        items.insert(index, self._check(module))
        self._reset(items)

    def _reset(self, items) -> None:
        for key in list(self._modules):
            object.__delattr__(self, key)
        self._modules.clear()
        for module in items:
            self.append(module)

    def pop(self, index: int = -1):
        items = list(self._modules.values())
        module = items.pop(self._index(index))
        self._reset(items)
        return module

    def __getitem__(self, index):
        items = list(self._modules.values())
        if isinstance(index, slice):
            return ModuleList(items[index])
        return items[self._index(index)]

    def __setitem__(self, index: int, module) -> None:
        setattr(self, str(self._index(index)), self._check(module))

    def __delitem__(self, index) -> None:
        items = list(self._modules.values())
        del items[index if isinstance(index, slice) else self._index(index)]
        self._reset(items)

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self):
        return iter(list(self._modules.values()))

    def __iadd__(self, modules):
        return self.extend(modules)

    def __add__(self, other) -> ModuleList:
        return ModuleList([*self, *other])

    def forward(self, *args, **kwargs):
        raise NotImplementedError("a ModuleList has no forward(): call its modules in a loop")

    def __repr__(self) -> str:
        # PyTorch groups runs of modules that print alike: "(0-2): 3 x Linear(...)".
        items = list(self._modules.items())
        if not items:
            return "ModuleList()"
        lines = ["ModuleList("]
        start = 0
        while start < len(items):
            text = repr(items[start][1])
            end = start
            while end + 1 < len(items) and repr(items[end + 1][1]) == text:
                end += 1
            shown = text.replace("\n", "\n  ")
            if end == start:
                lines.append(f"  ({items[start][0]}): {shown}")
            else:
                lines.append(f"  ({items[start][0]}-{items[end][0]}): "
                             f"{end - start + 1} x {shown}")
            start = end + 1
        lines.append(")")
        return "\n".join(lines)


class Embedding(Module):
    """A lookup table: ``weight[input]``, with ``weight`` drawn from N(0, 1)."""

    _qualified = "torch.nn.modules.sparse.Embedding"

    def __init__(self, num_embeddings: int, embedding_dim: int, padding_idx=None,
                 max_norm=None, norm_type: float = 2.0, scale_grad_by_freq: bool = False,
                 sparse: bool = False, _weight=None, _freeze: bool = False, device=None,
                 dtype=None) -> None:
        super().__init__()
        if padding_idx is not None:
            if not -num_embeddings <= padding_idx < num_embeddings:
                raise AssertionError("padding_idx must be within num_embeddings")
            if padding_idx < 0:
                padding_idx += num_embeddings
        for key, value in (("num_embeddings", num_embeddings), ("embedding_dim", embedding_dim),
                           ("padding_idx", padding_idx), ("max_norm", max_norm),
                           ("norm_type", norm_type), ("scale_grad_by_freq", scale_grad_by_freq),
                           ("sparse", sparse)):
            object.__setattr__(self, key, value)
        if _weight is None:
            target = dtype or dt.get_default_dtype()
            weight = ops.empty((num_embeddings, embedding_dim), dtype=target)
            weight.normal_()
            if padding_idx is not None:
                weight[padding_idx].fill_(0)
        else:
            if list(_weight.shape) != [num_embeddings, embedding_dim]:
                raise AssertionError("Shape of weight does not match num_embeddings and "
                                     "embedding_dim")
            weight = _weight
        self.weight = Parameter(weight, requires_grad=not _freeze)

    @classmethod
    def from_pretrained(cls, embeddings, freeze: bool = True, padding_idx=None, max_norm=None,
                        norm_type: float = 2.0, scale_grad_by_freq: bool = False,
                        sparse: bool = False) -> Embedding:
        """An embedding whose table is ``embeddings`` (frozen by default)."""
        if embeddings.ndim != 2:
            raise AssertionError("Embeddings parameter is expected to be 2-dimensional")
        rows, cols = embeddings.shape
        return cls(rows, cols, padding_idx, max_norm, norm_type, scale_grad_by_freq, sparse,
                   _weight=embeddings, _freeze=freeze)

    def forward(self, input):
        return F.embedding(input, self.weight, self.padding_idx, self.max_norm, self.norm_type,
                           self.scale_grad_by_freq, self.sparse)

    def extra_repr(self) -> str:
        text = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.padding_idx is not None:
            text += f", padding_idx={self.padding_idx}"
        if self.max_norm is not None:
            text += f", max_norm={self.max_norm}"
        if self.norm_type != 2:
            text += f", norm_type={self.norm_type}"
        if self.scale_grad_by_freq:
            text += f", scale_grad_by_freq={self.scale_grad_by_freq}"
        if self.sparse:
            text += ", sparse=True"
        return text


class LayerNorm(Module):
    """Normalises over the trailing ``normalized_shape`` dimensions, then scales and shifts."""

    _qualified = "torch.nn.modules.normalization.LayerNorm"

    def __init__(self, normalized_shape, eps: float = 1e-5, elementwise_affine: bool = True,
                 bias: bool = True, device=None, dtype=None) -> None:
        super().__init__()
        if isinstance(normalized_shape, int):
            normalized_shape = (normalized_shape,)
        shape = tuple(normalized_shape)
        object.__setattr__(self, "normalized_shape", shape)
        object.__setattr__(self, "eps", eps)
        object.__setattr__(self, "elementwise_affine", elementwise_affine)
        target = dtype or dt.get_default_dtype()
        if elementwise_affine:
            self.weight = Parameter(ops.ones(shape, dtype=target))
            if bias:
                self.bias = Parameter(ops.zeros(shape, dtype=target))
            else:
                self.bias = None
                self._parameters["bias"] = None
        else:
            for key in ("weight", "bias"):
                object.__setattr__(self, key, None)
                self._parameters[key] = None

    def forward(self, input):
        return F.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}, bias={self.bias is not None}")


class PairwiseDistance(Module):
    """The ``p``-norm distance between rows of two inputs."""

    _qualified = "torch.nn.modules.distance.PairwiseDistance"

    def __init__(self, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False) -> None:
        super().__init__()
        for key, value in (("norm", p), ("eps", eps), ("keepdim", keepdim)):
            object.__setattr__(self, key, value)

    def forward(self, x1, x2):
        return F.pairwise_distance(x1, x2, self.norm, self.eps, self.keepdim)


class CosineSimilarity(Module):
    """The cosine of the angle between two inputs along ``dim``."""

    _qualified = "torch.nn.modules.distance.CosineSimilarity"

    def __init__(self, dim: int = 1, eps: float = 1e-8) -> None:
        super().__init__()
        object.__setattr__(self, "dim", dim)
        object.__setattr__(self, "eps", eps)

    def forward(self, x1, x2):
        return F.cosine_similarity(x1, x2, self.dim, self.eps)


# ========================================================================= losses
def _loss(name: str, options: dict, call):
    """A loss layer; legacy ``size_average``/``reduce`` arguments are accepted."""
    legacy = {"size_average": None, "reduce": None}
    every = {**options, **legacy, "reduction": "mean"} if "reduction" not in options else options

    def forward(self, *inputs):
        reduction = self.reduction
        if getattr(self, "size_average", None) is not None or \
                getattr(self, "reduce", None) is not None:
            size_average = True if self.size_average is None else self.size_average
            reduce = True if self.reduce is None else self.reduce
            reduction = "none" if not reduce else ("mean" if size_average else "sum")
        return call(self, *inputs, reduction)

    return _layer(name, "loss", every, forward)


PoissonNLLLoss = _loss(
    "PoissonNLLLoss", {"log_input": True, "full": False, "size_average": None, "eps": 1e-8,
                       "reduce": None, "reduction": "mean"},
    lambda self, x, t, r: F.poisson_nll_loss(x, t, self.log_input, self.full, eps=self.eps,
                                             reduction=r))
KLDivLoss = _loss(
    "KLDivLoss", {"size_average": None, "reduce": None, "reduction": "mean",
                  "log_target": False},
    lambda self, x, t, r: F.kl_div(x, t, reduction=r, log_target=self.log_target))
HingeEmbeddingLoss = _loss(
    "HingeEmbeddingLoss", {"margin": 1.0, "size_average": None, "reduce": None,
                           "reduction": "mean"},
    lambda self, x, t, r: F.hinge_embedding_loss(x, t, self.margin, reduction=r))
SmoothL1Loss = _loss(
    "SmoothL1Loss", {"size_average": None, "reduce": None, "reduction": "mean", "beta": 1.0},
    lambda self, x, t, r: F.smooth_l1_loss(x, t, reduction=r, beta=self.beta))
HuberLoss = _loss(
    "HuberLoss", {"reduction": "mean", "delta": 1.0},
    lambda self, x, t, r: F.huber_loss(x, t, reduction=r, delta=self.delta))
SoftMarginLoss = _loss(
    "SoftMarginLoss", {"size_average": None, "reduce": None, "reduction": "mean"},
    lambda self, x, t, r: F.soft_margin_loss(x, t, reduction=r))
CosineEmbeddingLoss = _loss(
    "CosineEmbeddingLoss", {"margin": 0.0, "size_average": None, "reduce": None,
                            "reduction": "mean"},
    lambda self, a, b, t, r: F.cosine_embedding_loss(a, b, t, self.margin, reduction=r))
MarginRankingLoss = _loss(
    "MarginRankingLoss", {"margin": 0.0, "size_average": None, "reduce": None,
                          "reduction": "mean"},
    lambda self, a, b, t, r: F.margin_ranking_loss(a, b, t, self.margin, reduction=r))
TripletMarginLoss = _loss(
    "TripletMarginLoss", {"margin": 1.0, "p": 2.0, "eps": 1e-6, "swap": False,
                          "size_average": None, "reduce": None, "reduction": "mean"},
    lambda self, a, p, n, r: F.triplet_margin_loss(a, p, n, self.margin, self.p, self.eps,
                                                   self.swap, reduction=r))


MODULES = {
    "Threshold": Threshold, "Hardtanh": Hardtanh, "ReLU6": ReLU6, "Hardsigmoid": Hardsigmoid,
    "SiLU": SiLU, "Mish": Mish, "Hardswish": Hardswish, "ELU": ELU, "CELU": CELU, "SELU": SELU,
    "GLU": GLU, "GELU": GELU, "Hardshrink": Hardshrink, "LeakyReLU": LeakyReLU,
    "LogSigmoid": LogSigmoid, "Softplus": Softplus, "Softshrink": Softshrink, "PReLU": PReLU,
    "Softsign": Softsign, "Tanhshrink": Tanhshrink, "Softmin": Softmin,
    "Identity": Identity, "Flatten": Flatten, "ModuleList": ModuleList,
    "Embedding": Embedding, "LayerNorm": LayerNorm,
    "PairwiseDistance": PairwiseDistance, "CosineSimilarity": CosineSimilarity,
    "PoissonNLLLoss": PoissonNLLLoss, "KLDivLoss": KLDivLoss,
    "HingeEmbeddingLoss": HingeEmbeddingLoss, "SmoothL1Loss": SmoothL1Loss,
    "HuberLoss": HuberLoss, "SoftMarginLoss": SoftMarginLoss,
    "CosineEmbeddingLoss": CosineEmbeddingLoss, "MarginRankingLoss": MarginRankingLoss,
    "TripletMarginLoss": TripletMarginLoss,
}
"""The layers this module adds to ``torch.nn``, by name."""

__all__ = ["MODULES"]

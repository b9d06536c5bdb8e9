"""Shape ops: values, shapes, strides, memory sharing, grad_fn names, errors and gradients.

Tables:

- ``GOLDEN``: expected values pasted from PyTorch 2.13, so the suite means
  something without torch;
- ``CASES``: expressions run on gradcli and, when torch is installed, on
  PyTorch, comparing values, dtypes, shapes, strides, storage offsets, whether
  the result is a view, grad_fn names and first-order gradients; then a write
  into each result, to check that memory is shared exactly where PyTorch shares it;
- ``ERRORS``: calls that raise, with PyTorch's exception class;
- ``GRADCHECK_CASES``: every op of the shape table that records a backward node,
  checked against finite differences (first and second order).
"""

from __future__ import annotations

import types

import numpy as np
import pytest

from gradcli.engine import FUNCTIONS, Tensor
from gradcli.engine import autograd as ag
from gradcli.engine import dtypes as dt
from gradcli.engine.gradcheck import gradcheck, gradgradcheck

G = types.SimpleNamespace(**FUNCTIONS, **dt.ALIASES)


def node_name(fn) -> str | None:
    """A grad_fn's class name as PyTorch prints it (the same for both libraries)."""
    if fn is None:
        return None
    return fn.name().replace("torch::autograd::", "")


def as_tuple(value) -> tuple:
    return tuple(value) if isinstance(value, (tuple, list)) else (value,)


# ===================================================================== golden
# (id, fn(T) -> result, expected values, expected shape)
GOLDEN = [
    ("view-infer", lambda T: T.arange(6).view(2, -1), [[0, 1, 2], [3, 4, 5]], (2, 3)),
    ("reshape-of-transpose", lambda T: T.arange(6).view(2, 3).t().reshape(-1),
     [0, 3, 1, 4, 2, 5], (6,)),
    ("flatten-range", lambda T: T.arange(24).view(2, 3, 4).flatten(1).shape, None, (2, 12)),
    ("flatten-0d", lambda T: T.tensor(5).flatten(), [5], (1,)),
    ("unflatten", lambda T: T.arange(6).unflatten(0, (2, -1)), [[0, 1, 2], [3, 4, 5]],
     (2, 3)),
    ("squeeze-all", lambda T: T.zeros(1, 3, 1, 2).squeeze().shape, None, (3, 2)),
    ("squeeze-dim-not-one", lambda T: T.zeros(1, 3).squeeze(1).shape, None, (1, 3)),
    ("unsqueeze-neg", lambda T: T.tensor([1.0, 2.0]).unsqueeze(-1), [[1.0], [2.0]], (2, 1)),
    ("expand", lambda T: T.tensor([[1], [2]]).expand(-1, 3), [[1, 1, 1], [2, 2, 2]], (2, 3)),
    ("repeat", lambda T: T.tensor([1, 2]).repeat(2, 2), [[1, 2, 1, 2], [1, 2, 1, 2]], (2, 4)),
    ("permute", lambda T: T.arange(6).view(1, 2, 3).permute(2, 0, 1).shape, None, (3, 1, 2)),
    ("transpose", lambda T: T.arange(6).view(2, 3).transpose(0, 1), [[0, 3], [1, 4], [2, 5]],
     (3, 2)),
    ("cat-promotes", lambda T: T.cat([T.tensor([1]), T.tensor([2.5])]), [1.0, 2.5], (2,)),
    ("cat-skips-empty", lambda T: T.cat([T.ones(2, 2), T.tensor([])]).shape, None, (2, 2)),
    ("stack-dim1", lambda T: T.stack([T.tensor([1, 2]), T.tensor([3, 4])], 1),
     [[1, 3], [2, 4]], (2, 2)),
    ("split-last-smaller", lambda T: [p.tolist() for p in T.arange(5).split(2)],
     [[0, 1], [2, 3], [4]], None),
    ("split-sizes", lambda T: [p.tolist() for p in T.arange(5).split([1, 4])],
     [[0], [1, 2, 3, 4]], None),
    ("chunk-fewer", lambda T: len(T.arange(6).chunk(4)), 3, None),
    ("narrow", lambda T: T.arange(6).narrow(0, -2, 2), [4, 5], (2,)),
    ("flip", lambda T: T.tensor([[1, 2], [3, 4]]).flip(0, 1), [[4, 3], [2, 1]], (2, 2)),
    ("roll-flat", lambda T: T.tensor([[1, 2], [3, 4]]).roll(1), [[4, 1], [2, 3]], (2, 2)),
    ("movedim", lambda T: T.zeros(2, 3, 4).movedim(0, -1).shape, None, (3, 4, 2)),
    ("diagonal", lambda T: T.arange(9).view(3, 3).diagonal(1), [1, 5], (2,)),
    ("diag-embed", lambda T: T.tensor([1, 2]).diag_embed(), [[1, 0], [0, 2]], (2, 2)),
    ("hstack-1d", lambda T: T.hstack([T.tensor([1]), T.tensor([2])]), [1, 2], (2,)),
    ("vstack-1d", lambda T: T.vstack([T.tensor([1]), T.tensor([2])]), [[1], [2]], (2, 1)),
]


@pytest.mark.parametrize("case", GOLDEN, ids=[c[0] for c in GOLDEN])
def test_shape_golden(case):
    _, fn, expected, shape = case
    result = fn(G)
    if isinstance(result, Tensor):
        assert tuple(result.shape) == shape
        assert result.tolist() == expected
    elif shape is not None:
        assert tuple(result) == shape
    else:
        assert result == expected


def test_view_shares_memory_both_ways():
    base = G.zeros(2, 3)
    flat = base.view(6)
    flat[4] = 7.0
    assert base.tolist() == [[0.0, 0.0, 0.0], [0.0, 7.0, 0.0]]
    base[0, 0] = -1.0
    assert flat.tolist()[0] == -1.0
    base.t()[2, 1] = 5.0
    assert base.tolist()[1][2] == 5.0


def test_reshape_copies_when_no_view_is_possible():
    base = G.arange(6.0).view(2, 3)
    copied = base.t().reshape(6)
    copied[0] = 100.0
    assert base.tolist()[0][0] == 0.0
    assert base.reshape(3, 2)._base is base._base


def test_contiguous_returns_self_or_a_copy():
    x = G.ones(2, 3)
    assert x.contiguous() is x
    t = x.t()
    assert not t.is_contiguous()
    c = t.contiguous()
    assert c.is_contiguous() and c.stride() == (2, 1) and c._base is None


def test_strides_follow_pytorch_for_size_one_dims():
    x = G.arange(24.0).view(2, 3, 4).permute(2, 0, 1)
    assert x.unsqueeze(1).stride() == (1, 24, 12, 4)
    assert x.unsqueeze(3).stride() == (1, 12, 4, 1)
    y = G.arange(12.0).view(3, 4)[:, :1]
    assert y.view(3, 1, 1).stride() == (4, 1, 1)
    assert G.zeros(3, 1).expand(3, 4).stride() == (1, 0)


def test_grad_fn_names_of_reshape_paths():
    x = G.arange(6.0).view(2, 3).requires_grad_()
    assert node_name(x.reshape(3, 2).grad_fn) == "ViewBackward0"
    assert node_name(x.t().reshape(3, 1, 2).grad_fn) == "ReshapeAliasBackward0"
    copied = x.t().reshape(6)
    assert node_name(copied.grad_fn) == "UnsafeViewBackward0"
    assert node_name(copied.grad_fn.next_functions[0][0]) == "CloneBackward0"
    assert x.flatten(1, 1) is x


# ==================================================================== cases
def _x(T, grad=True):
    x = T.arange(24.0, dtype=T.float64).reshape(2, 3, 4)
    return x.requires_grad_() if grad else x


# (id, fn(T, x) -> tensor or tuple of tensors), x of shape (2, 3, 4), float64
CASES = [
    ("view", lambda T, x: x.view(6, 4)),
    ("view-infer", lambda T, x: x.view(-1)),
    ("view-size1", lambda T, x: x.view(24, 1, 1)),
    ("view-of-transpose", lambda T, x: x.transpose(1, 2).view(2, 4, 3, 1)),
    ("view-of-slice", lambda T, x: x[:, :, :1].view(2, 3)),
    ("view-as", lambda T, x: x.view_as(T.zeros(4, 6))),
    ("reshape-contiguous", lambda T, x: x.reshape(4, 6)),
    ("reshape-same", lambda T, x: x.reshape(2, 3, 4)),
    ("reshape-alias", lambda T, x: x.transpose(0, 2).reshape(4, 3, 2, 1)),
    ("reshape-copy", lambda T, x: x.transpose(0, 2).reshape(-1)),
    ("reshape-as", lambda T, x: x.reshape_as(T.zeros(6, 4))),
    ("flatten", lambda T, x: x.flatten()),
    ("flatten-range", lambda T, x: x.flatten(0, 1)),
    ("flatten-copy", lambda T, x: x.transpose(0, 1).flatten()),
    ("unflatten", lambda T, x: x.unflatten(2, (2, -1))),
    ("ravel", lambda T, x: x.ravel()),
    ("ravel-copy", lambda T, x: x.transpose(1, 2).ravel()),
    ("permute", lambda T, x: x.permute(2, 0, 1)),
    ("permute-neg", lambda T, x: x.permute(-1, 1, 0)),
    ("movedim", lambda T, x: x.movedim((0, 1), (2, 0))),
    ("moveaxis", lambda T, x: T.moveaxis(x, -1, 0)),
    ("transpose", lambda T, x: x.transpose(0, 2)),
    ("swapaxes", lambda T, x: x.swapaxes(1, 2)),
    ("swapdims", lambda T, x: x.swapdims(0, 1)),
    ("t", lambda T, x: x[0].t()),
    ("t-1d", lambda T, x: x[0, 0].t()),
    ("mT", lambda T, x: x.mT),
    ("contiguous-copy", lambda T, x: x.transpose(0, 1).contiguous()),
    ("unsqueeze", lambda T, x: x.unsqueeze(1)),
    ("unsqueeze-end", lambda T, x: x.unsqueeze(-1)),
    ("unsqueeze-of-permute", lambda T, x: x.permute(2, 0, 1).unsqueeze(1)),
    ("squeeze", lambda T, x: x.view(1, 2, 1, 12).squeeze()),
    ("squeeze-dim", lambda T, x: x.view(1, 2, 1, 12).squeeze(2)),
    ("squeeze-dims", lambda T, x: x.view(1, 2, 1, 12).squeeze((0, 2))),
    ("squeeze-nothing", lambda T, x: x.squeeze(1)),
    ("atleast-2d", lambda T, x: T.atleast_2d(x[0, 0])),
    ("atleast-3d", lambda T, x: T.atleast_3d(x[0])),
    ("expand", lambda T, x: x[:, :1].expand(2, 5, 4)),
    ("expand-new-dims", lambda T, x: x[0, 0].expand(3, 2, 4)),
    ("expand-as", lambda T, x: x[:, :, :1].expand_as(x)),
    ("repeat", lambda T, x: x.repeat(2, 1, 1)),
    ("repeat-more-dims", lambda T, x: x[0].repeat(2, 1, 2)),
    ("tile", lambda T, x: x.tile(2)),
    ("select", lambda T, x: x.select(1, -1)),
    ("narrow", lambda T, x: x.narrow(2, 1, 2)),
    ("narrow-neg", lambda T, x: x.narrow(-1, -3, 3)),
    ("unbind", lambda T, x: x.unbind(1)),
    ("split", lambda T, x: x.split(2, 2)),
    ("split-sizes", lambda T, x: x.split([1, 2], 1)),
    ("chunk", lambda T, x: x.chunk(3, 2)),
    ("tensor-split", lambda T, x: x.tensor_split(3, 2)),
    ("tensor-split-indices", lambda T, x: x.tensor_split([1, 3], 2)),
    ("cat", lambda T, x: T.cat([x, x * 2], 1)),
    ("cat-neg-dim", lambda T, x: T.cat((x[0], x[1]), -1)),
    ("concat", lambda T, x: T.concat([x, x])),
    ("concatenate", lambda T, x: T.concatenate([x, x], axis=2)),
    ("stack", lambda T, x: T.stack([x, x], 1)),
    ("stack-end", lambda T, x: T.stack([x[0], x[1]], -1)),
    ("hstack", lambda T, x: T.hstack([x, x])),
    ("vstack", lambda T, x: T.vstack([x[0], x[1, 0]])),
    ("dstack", lambda T, x: T.dstack([x[0], x[1]])),
    ("column-stack", lambda T, x: T.column_stack([x[0, 0], x[1, 1]])),
    ("flip", lambda T, x: x.flip(0, 2)),
    ("fliplr", lambda T, x: x.fliplr()),
    ("flipud", lambda T, x: x.flipud()),
    ("roll", lambda T, x: x.roll(5)),
    ("roll-dims", lambda T, x: x.roll((1, -2), (0, 2))),
    ("diagonal", lambda T, x: x[0].diagonal()),
    ("diagonal-offset", lambda T, x: x.diagonal(1, 1, 2)),
    ("diagonal-neg", lambda T, x: x.diagonal(-1, 2, 1)),
    ("diag-embed", lambda T, x: x[0].diag_embed()),
    ("diag-embed-offset", lambda T, x: x[0].diag_embed(1, 0, 2)),
]


def _describe(T, result) -> dict:
    return {
        "values": result.tolist(),
        "dtype": str(result.dtype),
        "shape": tuple(result.shape),
        "stride": result.stride(),
        "contiguous": result.is_contiguous(),
        "offset": result.storage_offset(),
        "view": result._base is not None,
        "grad_fn": node_name(result.grad_fn),
    }


def _run(T, fn):
    x = _x(T)
    results = as_tuple(fn(T, x))
    described = [_describe(T, r) for r in results]
    total = None
    for i, r in enumerate(results):
        weights = T.arange(1.0, r.numel() + 1, dtype=T.float64).reshape(r.shape) * (i + 1)
        term = (r * weights).sum()
        total = term if total is None else total + term
    total.backward()
    return described, x.grad.tolist()


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_shape_matches_torch(case):
    torch = pytest.importorskip("torch")
    _, fn = case
    expected = _run(torch, fn)
    assert _run(G, fn) == expected


def _write_through(T, fn):
    x = _x(T, grad=False)
    results = as_tuple(fn(T, x))
    try:
        results[0].fill_(-1.0)
    except Exception as error:  # noqa: BLE001 - the class is what is compared
        return type(error).__name__
    return x.tolist()


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_shape_shares_memory_like_torch(case):
    torch = pytest.importorskip("torch")
    _, fn = case
    assert _write_through(G, fn) == _write_through(torch, fn)


# =================================================================== errors
ERRORS = [
    ("view-bad-size", lambda T: T.ones(2, 3).view(4, 2)),
    ("view-needs-copy", lambda T: T.ones(2, 3).t().view(-1)),
    ("view-two-inferred", lambda T: T.ones(6).view(-1, -1)),
    ("view-float-size", lambda T: T.ones(6).view(2.0, 3)),
    ("reshape-negative", lambda T: T.ones(6).reshape(-2, 3)),
    ("view-empty-ambiguous", lambda T: T.ones(0).view(0, -1)),
    ("expand-fewer-sizes", lambda T: T.ones(2, 3).expand(3)),
    ("expand-bad-size", lambda T: T.ones(2, 3).expand(2, 4)),
    ("expand-new-dim-minus-one", lambda T: T.ones(3).expand(-1, 3)),
    ("repeat-fewer", lambda T: T.ones(2, 3).repeat(2)),
    ("repeat-negative", lambda T: T.ones(2).repeat(-1)),
    ("permute-count", lambda T: T.ones(2, 3).permute(0)),
    ("permute-duplicate", lambda T: T.ones(2, 3).permute(0, 0)),
    ("cat-0d", lambda T: T.cat([T.tensor(1.0), T.tensor(2.0)])),
    ("cat-empty-list", lambda T: T.cat([])),
    ("cat-ndim", lambda T: T.cat([T.ones(2, 3), T.ones(3)])),
    ("cat-non-tensor", lambda T: T.cat([T.ones(2), 1])),
    ("cat-dim-range", lambda T: T.cat([T.ones(2), T.ones(2)], dim=1)),
    ("cat-sizes", lambda T: T.cat([T.ones(2, 3), T.ones(1, 2)])),
    ("cat-tensor-arg", lambda T: T.cat(T.ones(2, 3))),
    ("stack-sizes", lambda T: T.stack([T.ones(3), T.ones(2)])),
    ("stack-dim-range", lambda T: T.stack([T.ones(3), T.ones(3)], dim=2)),
    ("stack-empty", lambda T: T.stack([])),
    ("split-negative", lambda T: T.ones(3).split(-1)),
    ("split-zero", lambda T: T.ones(3).split(0)),
    ("split-sizes-sum", lambda T: T.ones(3).split([1, 1])),
    ("split-sizes-negative", lambda T: T.ones(3).split([-1, 4])),
    ("split-0d", lambda T: T.tensor(1.0).split(1)),
    ("chunk-zero", lambda T: T.ones(3).chunk(0)),
    ("chunk-0d", lambda T: T.tensor(1.0).chunk(1)),
    ("unbind-0d", lambda T: T.tensor(1.0).unbind()),
    ("flip-duplicate", lambda T: T.ones(3).flip(0, 0)),
    ("fliplr-1d", lambda T: T.ones(3).fliplr()),
    ("roll-mismatch", lambda T: T.ones(2, 3).roll((1, 1), 0)),
    ("select-range", lambda T: T.ones(3).select(0, 3)),
    ("select-0d", lambda T: T.tensor(1.0).select(0, 0)),
    ("narrow-start", lambda T: T.ones(3).narrow(0, 5, 1)),
    ("narrow-length", lambda T: T.ones(3).narrow(0, 2, 2)),
    ("narrow-negative-length", lambda T: T.ones(3).narrow(0, 0, -1)),
    ("t-3d", lambda T: T.ones(2, 3, 4).t()),
    ("unsqueeze-range", lambda T: T.ones(2).unsqueeze(3)),
    ("squeeze-range", lambda T: T.ones(2).squeeze(1)),
    ("flatten-order", lambda T: T.ones(2, 3).flatten(1, 0)),
    ("unflatten-sizes", lambda T: T.ones(2, 3).unflatten(1, (2, 2))),
    ("movedim-count", lambda T: T.ones(2, 3).movedim((0, 1), (0,))),
    ("diagonal-same-dims", lambda T: T.ones(2, 2).diagonal(0, 1, 1)),
    ("transpose-range", lambda T: T.ones(2, 3).transpose(0, 2)),
]

# The classes PyTorch raises, pasted so the table means something without torch.
ERROR_CLASSES = {
    "cat-empty-list": ValueError, "view-float-size": TypeError, "cat-non-tensor": TypeError,
    "cat-tensor-arg": TypeError, "cat-dim-range": IndexError, "stack-dim-range": IndexError,
    "unbind-0d": IndexError, "select-range": IndexError, "select-0d": IndexError,
    "narrow-start": IndexError, "unsqueeze-range": IndexError, "squeeze-range": IndexError,
    "transpose-range": IndexError,
}


@pytest.mark.parametrize("case", ERRORS, ids=[c[0] for c in ERRORS])
def test_shape_errors(case):
    name, fn = case
    expected = ERROR_CLASSES.get(name, RuntimeError)
    with pytest.raises(Exception) as info:
        fn(G)
    assert type(info.value) is expected


@pytest.mark.parametrize("case", ERRORS, ids=[c[0] for c in ERRORS])
def test_shape_error_classes_match_torch(case):
    torch = pytest.importorskip("torch")
    name, fn = case
    with pytest.raises(Exception) as info:
        fn(torch)
    assert type(info.value) is ERROR_CLASSES.get(name, RuntimeError)


# ============================================================ double backward
DOUBLE = [
    ("select", lambda T, x: x[0]),
    ("slice", lambda T, x: x[:, 1:]),
    ("view", lambda T, x: x.view(4)),
    ("expand", lambda T, x: x.expand(2, 2, 2)),
    ("repeat", lambda T, x: x.repeat(2, 1)),
    ("cat", lambda T, x: T.cat([x, x])),
    ("stack", lambda T, x: T.stack([x, x])),
    ("split", lambda T, x: x.split(1)[0]),
    ("unbind", lambda T, x: x.unbind()[0]),
    ("flip", lambda T, x: x.flip(0)),
    ("unsqueeze", lambda T, x: x.unsqueeze(0).squeeze()),
    ("narrow", lambda T, x: x.narrow(1, 0, 1)),
    ("diagonal", lambda T, x: x.diagonal()),
]


def _double(T, fn):
    x = T.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    y = fn(T, x)
    (g1,) = T.autograd.grad((y * y).sum(), x, create_graph=True)
    (g2,) = T.autograd.grad((g1 * g1).sum(), x)
    return node_name(g1.grad_fn), g1.tolist(), g2.tolist()


@pytest.mark.parametrize("case", DOUBLE, ids=[c[0] for c in DOUBLE])
def test_double_backward_matches_torch(case):
    torch = pytest.importorskip("torch")
    _, fn = case
    T = types.SimpleNamespace(**vars(G), autograd=ag)
    assert _double(T, fn) == _double(torch, fn)


# ================================================================ gradcheck
def _input(shape, seed):
    rng = np.random.default_rng(seed)
    return Tensor._make(rng.standard_normal(shape), dt.float64, requires_grad=True)


# (op name, fn(*inputs), input shapes)
GRADCHECK_CASES = [
    ("broadcast_to", lambda x: G.broadcast_to(x, (4, 2, 3)), [(2, 1)]),
    ("broadcast_tensors", lambda x, y: G.broadcast_tensors(x, y), [(2, 1), (3,)]),
    ("meshgrid", lambda x, y: G.meshgrid(x, y, indexing="xy"), [(2,), (3,)]),
    ("view", lambda x: x.view(3, 2), [(2, 3)]),
    ("alias_view", lambda x: x[...], [(2, 3)]),
    ("view_as", lambda x: x.view_as(G.zeros(6)), [(2, 3)]),
    ("reshape", lambda x: x.t().reshape(6), [(2, 3)]),
    ("reshape", lambda x: x.t().reshape(3, 1, 2), [(2, 3)]),
    ("reshape_as", lambda x: x.reshape_as(G.zeros(3, 2)), [(2, 3)]),
    ("flatten", lambda x: x.transpose(0, 1).flatten(), [(2, 3, 2)]),
    ("unflatten", lambda x: x.unflatten(1, (3, 1)), [(2, 3)]),
    ("ravel", lambda x: x.t().ravel(), [(2, 3)]),
    ("permute", lambda x: x.permute(2, 0, 1), [(2, 3, 2)]),
    ("movedim", lambda x: x.movedim(0, -1), [(2, 3, 2)]),
    ("transpose", lambda x: x.transpose(0, 1), [(2, 3)]),
    ("t", lambda x: x.t(), [(2, 3)]),
    ("contiguous", lambda x: x.t().contiguous(), [(2, 3)]),
    ("unsqueeze", lambda x: x.unsqueeze(1), [(2, 3)]),
    ("squeeze", lambda x: x.squeeze(), [(2, 1, 3)]),
    ("squeeze", lambda x: x.squeeze(1), [(2, 1, 3)]),
    ("squeeze", lambda x: x.squeeze((0, 1)), [(1, 1, 3)]),
    ("atleast_1d", lambda x: G.atleast_1d(x), [()]),
    ("atleast_2d", lambda x: G.atleast_2d(x), [(3,)]),
    ("atleast_3d", lambda x: G.atleast_3d(x), [(2, 3)]),
    ("expand", lambda x: x.expand(2, 2, 3), [(2, 1)]),
    ("expand_as", lambda x: x.expand_as(G.zeros(4, 3)), [(3,)]),
    ("repeat", lambda x: x.repeat(2, 1, 3), [(2, 2)]),
    ("tile", lambda x: x.tile(2), [(2, 2)]),
    ("select", lambda x: x.select(1, -1), [(2, 3)]),
    ("narrow", lambda x: x.narrow(1, 1, 2), [(2, 3)]),
    ("unbind", lambda x: x.unbind(1), [(2, 3)]),
    ("split", lambda x: x.split(2, 1), [(2, 3)]),
    ("split", lambda x: x.split([1, 2], 1), [(2, 3)]),
    ("chunk", lambda x: x.chunk(2), [(3, 2)]),
    ("tensor_split", lambda x: x.tensor_split(2), [(3, 2)]),
    ("cat", lambda x, y: G.cat([x, y], 1), [(2, 1), (2, 3)]),
    ("concatenate", lambda x, y: G.concatenate([x, y]), [(1, 2), (2, 2)]),
    ("stack", lambda x, y: G.stack([x, y], 1), [(2, 2), (2, 2)]),
    ("hstack", lambda x, y: G.hstack([x, y]), [(2,), (3,)]),
    ("vstack", lambda x, y: G.vstack([x, y]), [(2,), (2, 2)]),
    ("dstack", lambda x, y: G.dstack([x, y]), [(2, 2), (2, 2)]),
    ("column_stack", lambda x, y: G.column_stack([x, y]), [(2,), (2, 2)]),
    ("flip", lambda x: x.flip(0, 1), [(2, 3)]),
    ("fliplr", lambda x: x.fliplr(), [(2, 3)]),
    ("flipud", lambda x: x.flipud(), [(2, 3)]),
    ("roll", lambda x: x.roll((1, 2), (0, 1)), [(2, 3)]),
    ("diagonal", lambda x: x.diagonal(1), [(3, 3)]),
    ("diag_embed", lambda x: x.diag_embed(-1), [(2, 2)]),
]


def copied_outputs(fn):
    """``fn`` with its outputs cloned: finite differences must not see views of the inputs."""
    def run(*inputs):
        return tuple(o.clone() for o in as_tuple(fn(*inputs)))
    return run


@pytest.mark.parametrize("case", GRADCHECK_CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(GRADCHECK_CASES)])
def test_shape_gradcheck(case):
    _, fn, shapes = case
    inputs = tuple(_input(shape, seed) for seed, shape in enumerate(shapes))
    assert gradcheck(copied_outputs(fn), inputs)
    assert gradgradcheck(copied_outputs(fn), inputs)

"""torch.nn, torch.nn.functional and torch.autograd.functional.

Golden values from PyTorch (no torch needed), first- and second-order
gradchecks of every ``nn`` op with a backward node (``GRADCHECK_CASES``), the
module classes, and parity with PyTorch where it is installed.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from graph_helpers import assert_same, run_both
from test_elementwise import _inputs
from test_nn_more import GRADCHECK_CASES as MORE_GRADCHECK_CASES

from gradcli.api import torch as api
from gradcli.engine.gradcheck import gradcheck, gradgradcheck
from gradcli.engine.namespace import ops as namespace
from gradcli.engine.ops import FUNCTIONAL, nn_functional

TORCH = api.build()["torch"]
F = TORCH.nn.functional
nn = TORCH.nn


def _eval(expression: str):
    return eval(expression, {"torch": TORCH, "F": F, "nn": nn})


# ================================================================ golden
GOLDEN = [
    ('F.relu(torch.tensor([-1.0, 0.0, 2.0]))', [0.0, 0.0, 2.0], 'torch.float32'),
    ('F.relu(torch.tensor([-1, 3]))', [0, 3], 'torch.int64'),
    ('F.relu6(torch.tensor([-1.0, 3.0, 7.0]))', [0.0, 3.0, 6.0], 'torch.float32'),
    ('F.leaky_relu(torch.tensor([-1.0, 2.0]), 0.1)', [-0.10000000149011612, 2.0],
     'torch.float32'),
    ('F.elu(torch.tensor([-1.0, 2.0]))', [-0.6321205496788025, 2.0], 'torch.float32'),
    ('F.gelu(torch.tensor([-1.0, 0.5, 2.0]))',
     [-0.15865525603294373, 0.3457312285900116, 1.9544997215270996], 'torch.float32'),
    ("F.gelu(torch.tensor([-1.0, 0.5, 2.0]), approximate='tanh')",
     [-0.15880799293518066, 0.3457140028476715, 1.9545977115631104], 'torch.float32'),
    ('F.silu(torch.tensor([-1.0, 2.0]))', [-0.2689414322376251, 1.7615940570831299],
     'torch.float32'),
    ('F.softplus(torch.tensor([-2.0, 0.0, 2.0]))',
     [0.12692800164222717, 0.6931471824645996, 2.1269280910491943], 'torch.float32'),
    ('F.softplus(torch.tensor([-1.0, 2.0, 30.0]), beta=2, threshold=10)',
     [0.06346400082111359, 2.0090749263763428, 30.0], 'torch.float32'),
    ('F.softmax(torch.tensor([[1.0, 2.0, 3.0], [1.0, 1.0, 1.0]]), dim=1)',
     [[0.09003057330846786, 0.2447284758090973, 0.6652409434318542],
      [0.3333333432674408, 0.3333333432674408, 0.3333333432674408]], 'torch.float32'),
    ('torch.softmax(torch.tensor([[1.0, 2.0], [3.0, 5.0]]), dim=0)',
     [[0.11920291930437088, 0.04742587357759476], [0.8807970285415649, 0.9525741338729858]],
     'torch.float32'),
    ('F.log_softmax(torch.tensor([1.0, 2.0, 3.0]), dim=0)',
     [-2.4076058864593506, -1.4076058864593506, -0.40760594606399536], 'torch.float32'),
    ('F.mse_loss(torch.tensor([1.0, 2.0, 3.0]), torch.tensor([1.5, 2.0, 5.0]))',
     1.4166666269302368, 'torch.float32'),
    ("F.mse_loss(torch.tensor([1.0, 2.0, 3.0]), torch.tensor([1.5, 2.0, 5.0]), reduction='sum')",
     4.25, 'torch.float32'),
    (("F.mse_loss(torch.tensor([1.0, 2.0, 3.0]), torch.tensor([1.5, 2.0, 5.0]), "
     "reduction='none')"), [0.25, 0.0, 4.0], 'torch.float32'),
    ('F.l1_loss(torch.tensor([1.0, 2.0, 3.0]), torch.tensor([1.5, 2.0, 5.0]))',
     0.8333333134651184, 'torch.float32'),
    ('F.binary_cross_entropy(torch.tensor([0.2, 0.9]), torch.tensor([0.0, 1.0]))',
     0.16425205767154694, 'torch.float32'),
    ('F.binary_cross_entropy(torch.tensor([0.0, 1.0]), torch.tensor([1.0, 1.0]))', 50.0,
     'torch.float32'),
    ('F.binary_cross_entropy_with_logits(torch.tensor([-1.0, 2.0]), torch.tensor([0.0, 1.0]))',
     0.22009488940238953, 'torch.float32'),
    (('F.binary_cross_entropy_with_logits(torch.tensor([-1.0, 2.0]), torch.tensor([0.0, 1.0]), '
     'pos_weight=torch.tensor([2.0, 3.0]))'), 0.3470228910446167, 'torch.float32'),
    ('F.nll_loss(torch.tensor([[-0.5, -1.0, -2.0], [-0.1, -3.0, -0.2]]), torch.tensor([2, 0]))',
     1.0499999523162842, 'torch.float32'),
    ('F.cross_entropy(torch.tensor([[1.0, 2.0, 3.0], [0.5, 0.1, 0.2]]), torch.tensor([2, 0]))',
     0.6438524723052979, 'torch.float32'),
    (('F.cross_entropy(torch.tensor([[1.0, 2.0, 3.0], [0.5, 0.1, 0.2]]), '
     'torch.tensor([2, -100]))'), 0.40760594606399536, 'torch.float32'),
    (("F.cross_entropy(torch.tensor([[1.0, 2.0, 3.0], [0.5, 0.1, 0.2]]), torch.tensor([2, 0]), "
     "reduction='none')"), [0.40760594606399536, 0.8800989389419556], 'torch.float32'),
    (('F.cross_entropy(torch.tensor([[1.0, 2.0, 3.0], [0.5, 0.1, 0.2]]), torch.tensor([2, 0]), '
     'label_smoothing=0.1)'), 0.7055191397666931, 'torch.float32'),
    ('F.cross_entropy(torch.tensor([[1.0, 2.0, 3.0]]), torch.tensor([[0.2, 0.3, 0.5]]))',
     1.1076059341430664, 'torch.float32'),
    ('F.one_hot(torch.tensor([0, 2, 1]))', [[1, 0, 0], [0, 0, 1], [0, 1, 0]], 'torch.int64'),
    ('F.one_hot(torch.tensor([1]), 3)', [[0, 1, 0]], 'torch.int64'),
    (('F.linear(torch.tensor([[1.0, 2.0]]), torch.tensor([[1.0, 0.5], [2.0, -1.0]]), '
     'torch.tensor([0.5, 0.0]))'), [[2.5, 0.0]], 'torch.float32'),
    ('F.dropout(torch.tensor([1.0, 2.0]), 1.0)', [0.0, 0.0], 'torch.float32'),
    ('F.threshold(torch.tensor([0.5, 1.5]), 1.0, -2.0)', [-2.0, 1.5], 'torch.float32'),
    ('F.hardtanh(torch.tensor([-2.0, 0.5, 3.0]))', [-1.0, 0.5, 1.0], 'torch.float32'),
    ('F.selu(torch.tensor([-1.0, 1.0]))', [-1.1113307476043701, 1.0507010221481323],
     'torch.float32'),
]


@pytest.mark.parametrize(("expression", "expected", "dtype"), GOLDEN,
                         ids=[g[0] for g in GOLDEN])
def test_golden_values(expression, expected, dtype):
    # Transcendental results may differ from PyTorch's in the last bit.
    result = _eval(expression)
    assert str(result.dtype) == dtype
    assert np.allclose(result.tolist(), expected, rtol=2e-7, atol=0)


# ============================================================== gradcheck
def _centered(x):
    return x * 2 - 1


_TARGET = TORCH.tensor([2, 0, 1])
_WEIGHT = TORCH.tensor([0.5, 2.0, 1.5], dtype=TORCH.float64)

GRADCHECK_CASES = [
    ("relu", lambda a: _centered(a).relu(), ((2, 3),)),
    ("threshold", lambda a: TORCH.threshold(a, 0.5, -1.0), ((4,),)),
    ("hardtanh", lambda a: F.hardtanh(_centered(a) * 2), ((4,),)),
    ("hardtanh", lambda a: F.relu6(_centered(a) * 8), ((4,),)),
    ("leaky_relu", lambda a: F.leaky_relu(_centered(a), 0.2), ((4,),)),
    ("elu", lambda a: F.elu(_centered(a), alpha=0.7), ((4,),)),
    ("selu", lambda a: F.selu(_centered(a)), ((4,),)),
    ("gelu", lambda a: F.gelu(_centered(a) * 3), ((4,),)),
    ("gelu", lambda a: F.gelu(_centered(a) * 3, approximate="tanh"), ((4,),)),
    ("silu", lambda a: F.silu(_centered(a) * 3), ((4,),)),
    ("softplus", lambda a: F.softplus(_centered(a) * 3), ((4,),)),
    ("softplus", lambda a: F.softplus(_centered(a) * 3, beta=2, threshold=1), ((4,),)),
    ("softmax", lambda a: F.softmax(a, dim=1), ((2, 3),)),
    ("softmax", lambda a: a.softmax(0), ((2, 3),)),
    ("log_softmax", lambda a: F.log_softmax(a, dim=1), ((2, 3),)),
    ("log_softmax", lambda a: a.log_softmax(0), ((3,),)),
    ("mse_loss", lambda a, b: F.mse_loss(a, b), ((2, 3), (2, 3))),
    ("mse_loss", lambda a, b: F.mse_loss(a, b, reduction="none"), ((3,), (3,))),
    ("mse_loss", lambda a, b: F.mse_loss(a, b, reduction="sum"), ((3,), (3,))),
    ("binary_cross_entropy", lambda a, b: F.binary_cross_entropy(a, b), ((3,), (3,))),
    ("binary_cross_entropy",
     lambda a, b: F.binary_cross_entropy(a, b, weight=_WEIGHT, reduction="none"),
     ((3,), (3,))),
    ("binary_cross_entropy_with_logits",
     lambda a, b: F.binary_cross_entropy_with_logits(_centered(a) * 3, b), ((2, 3), (2, 3))),
    ("binary_cross_entropy_with_logits",
     lambda a, b: F.binary_cross_entropy_with_logits(a, b, pos_weight=_WEIGHT,
                                                     reduction="sum"), ((3,), (3,))),
    ("nll_loss", lambda a: F.nll_loss(a, _TARGET), ((3, 3),)),
    ("nll_loss", lambda a: F.nll_loss(a, _TARGET, weight=_WEIGHT, reduction="none"),
     ((3, 3),)),
    ("cross_entropy", lambda a: F.cross_entropy(a, _TARGET), ((3, 3),)),
    ("cross_entropy", lambda a: F.cross_entropy(a, _TARGET, label_smoothing=0.2), ((3, 3),)),
    ("cross_entropy", lambda a, b: F.cross_entropy(a, b.softmax(1)), ((3, 3), (3, 3))),
    ("l1_loss", lambda a, b: F.l1_loss(a, b), ((3,), (3,))),
    ("linear", lambda x, w, b: F.linear(x, w, b), ((4, 3), (2, 3), (2,))),
    ("linear", lambda x, w: F.linear(x, w), ((3,), (2, 3))),
]


@pytest.mark.parametrize(("name", "fn", "shapes"), GRADCHECK_CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(GRADCHECK_CASES)])
def test_gradcheck(name, fn, shapes):
    inputs = _inputs(shapes, seed=len(name))
    assert gradcheck(fn, inputs)
    assert gradgradcheck(fn, inputs)


def test_every_differentiable_op_is_gradchecked():
    checked = {case[0] for case in GRADCHECK_CASES + MORE_GRADCHECK_CASES}
    declared = {op.name for table in nn_functional.TABLES for op in table.ops if op.grad_fns}
    assert declared <= checked, sorted(declared - checked)


# The names torch.nn.functional offered when they were listed by hand in one dict.
FUNCTIONAL_NAMES = {
    "relu", "relu6", "hardtanh", "leaky_relu", "elu", "selu", "gelu", "silu", "sigmoid", "tanh",
    "softplus", "threshold", "softmax", "log_softmax", "mse_loss", "l1_loss",
    "binary_cross_entropy", "binary_cross_entropy_with_logits", "nll_loss", "cross_entropy",
    "linear", "dropout", "normalize", "one_hot",
    # gates.py and normalization.py
    "hardsigmoid", "hardswish", "mish", "celu", "hardshrink", "softshrink", "logsigmoid",
    "glu", "prelu", "softsign", "tanhshrink", "softmin", "embedding", "layer_norm", "pad",
    "cosine_similarity", "pairwise_distance", "gumbel_softmax",
    # more_losses.py
    "smooth_l1_loss", "huber_loss", "soft_margin_loss", "poisson_nll_loss", "kl_div",
    "hinge_embedding_loss", "cosine_embedding_loss", "margin_ranking_loss",
    "triplet_margin_loss"}

# Names whose F form is the op itself; the others are F-only wrappers (inplace=, legacy
# reduction arguments, _stacklevel).
FUNCTIONAL_IS_THE_OP = {
    "gelu", "sigmoid", "tanh", "softplus", "mse_loss", "l1_loss", "binary_cross_entropy",
    "nll_loss", "cross_entropy", "linear", "normalize", "one_hot",
    "mish", "hardshrink", "softshrink", "logsigmoid", "glu", "prelu", "embedding",
    "layer_norm", "pad", "cosine_similarity", "pairwise_distance", "gumbel_softmax",
    "smooth_l1_loss", "huber_loss", "soft_margin_loss", "poisson_nll_loss", "kl_div",
    "hinge_embedding_loss", "cosine_embedding_loss", "margin_ranking_loss",
    "triplet_margin_loss"}


def test_functional_names_come_from_the_op_entries():
    assert set(FUNCTIONAL) == FUNCTIONAL_NAMES
    assert {name: fn for name, fn in vars(F).items() if not name.startswith("_")} == FUNCTIONAL
    for name in sorted(FUNCTIONAL_NAMES):
        # the function form wraps the op (a number for a tensor is a TypeError)
        fn = getattr(FUNCTIONAL[name], "__wrapped__", FUNCTIONAL[name])
        is_op = fn is getattr(namespace, name, None)
        assert is_op == (name in FUNCTIONAL_IS_THE_OP), name


def test_double_backward_graph_names():
    x = TORCH.tensor([0.5, -1.5], requires_grad=True)
    for fn, node in ((lambda v: v.relu(), "ThresholdBackwardBackward0"),
                     (lambda v: F.softplus(v), "SoftplusBackwardBackward0"),
                     (lambda v: v.softmax(0), "SoftmaxBackwardDataBackward0"),
                     (lambda v: v.log_softmax(0), "LogSoftmaxBackwardDataBackward0"),
                     (lambda v: F.elu(v), "EluBackwardBackward0"),
                     (lambda v: F.gelu(v), "GeluBackwardBackward0"),
                     (lambda v: F.mse_loss(v, TORCH.tensor([0.3, 0.6])),
                      "MseLossBackwardBackward0")):
        (grad,) = TORCH.autograd.grad(fn(x).sum(), x, create_graph=True)
        assert grad.grad_fn.name() == node


# ================================================================ modules
def test_parameter():
    p = nn.Parameter(TORCH.tensor([1.0, 2.0]))
    assert p.requires_grad and p.is_leaf and p.grad_fn is None
    assert isinstance(p, TORCH.Tensor) and isinstance(p, nn.Parameter)
    assert repr(type(p)) == "<class 'torch.nn.parameter.Parameter'>"
    assert type(p * 2) is TORCH.Tensor and (p * 2).grad_fn.name() == "MulBackward0"
    assert type(p.data) is TORCH.Tensor
    assert p.float() is p
    assert not nn.Parameter(TORCH.tensor([1.0]), requires_grad=False).requires_grad
    assert nn.Parameter().shape == (0,)
    with pytest.raises(RuntimeError):
        nn.Parameter(TORCH.tensor([1, 2]))


def test_parameter_shares_storage():
    data = TORCH.tensor([1.0, 2.0])
    p = nn.Parameter(data)
    data.add_(1)
    assert p.tolist() == [2.0, 3.0]


def test_linear():
    TORCH.manual_seed(0)
    layer = nn.Linear(3, 2)
    assert repr(layer) == "Linear(in_features=3, out_features=2, bias=True)"
    assert repr(type(layer)) == "<class 'torch.nn.modules.linear.Linear'>"
    assert layer.weight.shape == (2, 3) and layer.bias.shape == (2,)
    bound = 1 / math.sqrt(3)
    assert np.all(np.abs(np.array(layer.weight.tolist())) <= bound)
    params = layer.parameters()
    assert not isinstance(params, list)
    assert [p is q for p, q in zip(params, (layer.weight, layer.bias))] == [True, True]
    assert [name for name, _ in layer.named_parameters()] == ["weight", "bias"]
    x = TORCH.ones(4, 3)
    out = layer(x)
    assert out.shape == (4, 2) and out.grad_fn.name() == "AddmmBackward0"
    assert layer(TORCH.ones(3)).grad_fn.name() == "ViewBackward0"
    assert layer(TORCH.ones(5, 4, 3)).shape == (5, 4, 2)
    out.sum().backward()
    assert layer.weight.grad.tolist() == [[4.0, 4.0, 4.0], [4.0, 4.0, 4.0]]
    assert layer.bias.grad.tolist() == [4.0, 4.0]
    layer.zero_grad()
    assert layer.weight.grad is None and layer.bias.grad is None


def test_linear_without_bias():
    layer = nn.Linear(3, 1, bias=False)
    assert repr(layer) == "Linear(in_features=3, out_features=1, bias=False)"
    assert layer.bias is None
    assert len(list(layer.parameters())) == 1
    assert layer(TORCH.ones(4, 3)).grad_fn.name() == "MmBackward0"


def test_sequential_and_layers():
    model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    assert repr(model) == ("Sequential(\n  (0): Linear(in_features=2, out_features=3, bias=True)"
                           "\n  (1): ReLU()\n  (2): Linear(in_features=3, out_features=1, "
                           "bias=True)\n)")
    assert [n for n, _ in model.named_parameters()] == ["0.weight", "0.bias", "2.weight",
                                                        "2.bias"]
    assert model(TORCH.ones(5, 2)).shape == (5, 1)
    assert len(model) == 3 and repr(model[1]) == "ReLU()"
    assert repr(nn.ReLU(inplace=True)) == "ReLU(inplace=True)"
    assert repr(nn.Softmax(dim=1)) == "Softmax(dim=1)"
    loss = nn.MSELoss()(TORCH.tensor([1.0, 2.0]), TORCH.tensor([0.0, 0.0]))
    assert loss.item() == 2.5
    assert repr(nn.CrossEntropyLoss()) == "CrossEntropyLoss()"
    assert not model.eval().training and not model[0].training


def test_dropout():
    x = TORCH.ones(1000)
    assert F.dropout(x, 0.5, training=False) is x
    assert F.dropout(x, 0.0) is x
    TORCH.manual_seed(0)
    kept = F.dropout(x, 0.25)
    values = set(kept.tolist())
    assert values <= {0.0, float(np.float32(1 / 0.75))}
    assert 650 < sum(v > 0 for v in kept.tolist()) < 850
    TORCH.manual_seed(0)
    assert F.dropout(x, 0.25).tolist() == kept.tolist()
    with pytest.raises(ValueError):
        F.dropout(x, 1.5)


@pytest.mark.parametrize(("expression", "error"), [
    ("F.one_hot(torch.tensor([1], dtype=torch.int32))", RuntimeError),
    ("F.one_hot(torch.tensor([-1]))", RuntimeError),
    ("F.one_hot(torch.tensor([3]), 2)", RuntimeError),
    ("F.cross_entropy(torch.ones(2, 3), torch.tensor([3, 0]))", IndexError),
    ("F.nll_loss(torch.ones(2, 3), torch.tensor([1.0, 0.0]))", RuntimeError),
    ("F.binary_cross_entropy(torch.tensor([1.5]), torch.tensor([1.0]))", RuntimeError),
    ("F.binary_cross_entropy(torch.tensor([0.5]), torch.tensor([[1.0], [0.0]]))", ValueError),
    ("F.mse_loss(torch.ones(2), torch.ones(2), reduction='bad')", ValueError),
    ("F.softmax(torch.tensor([1, 2]), 0)", NotImplementedError),
    ("F.softmax(torch.ones(2, 2), dim=2)", IndexError),
    ("torch.relu(torch.tensor([True]))", RuntimeError),
])
def test_errors(expression, error):
    with pytest.raises(error):
        _eval(expression)


# ============================================================== functional
def test_jacobian_and_hessian_structure():
    jacobian = TORCH.autograd.functional.jacobian
    hessian = TORCH.autograd.functional.hessian
    a, b = TORCH.tensor([1.0, 2.0]), TORCH.tensor([3.0, 4.0, 5.0])
    assert jacobian(lambda v: v ** 2, a).tolist() == [[2.0, 0.0], [0.0, 4.0]]
    blocks = jacobian(lambda u, v: u.sum() * v, (a, b))
    assert isinstance(blocks, tuple) and [t.shape for t in blocks] == [(3, 2), (3, 3)]
    nested = jacobian(lambda u, v: (u * 2, v.exp()), (a, b))
    assert [[t.shape for t in row] for row in nested] == [[(2, 2), (2, 3)], [(3, 2), (3, 3)]]
    assert hessian(lambda v: (v ** 3).sum(), a).tolist() == [[6.0, 0.0], [0.0, 12.0]]
    assert hessian(lambda v: v[0] * v[1], a).tolist() == [[0.0, 1.0], [1.0, 0.0]]
    pairs = hessian(lambda u, v: (u ** 2).sum() * v.sum(), (a, b))
    assert pairs[0][1].tolist() == [[2.0, 2.0, 2.0], [4.0, 4.0, 4.0]]
    assert pairs[1][1].tolist() == [[0.0] * 3] * 3
    assert not jacobian(lambda v: v ** 2, a).requires_grad
    assert jacobian(lambda v: v ** 2, a, create_graph=True).requires_grad
    with pytest.raises(RuntimeError):
        jacobian(lambda u, v: u * 2, (a, b), strict=True)
    with pytest.raises(RuntimeError):
        hessian(lambda v: v, a)


def test_gradcheck_is_exposed():
    x = TORCH.tensor([0.3, 0.7], dtype=TORCH.float64, requires_grad=True)
    assert TORCH.autograd.gradcheck(lambda v: v.sin(), (x,))
    assert TORCH.autograd.gradgradcheck(lambda v: v.sin(), (x,))


# ======================================================= parity with torch
_SETUP = ("x = torch.tensor([[0.5, -1.5, 2.0], [0.1, 0.2, -0.3]], requires_grad=True); "
          "t = torch.tensor([2, 0]); p = torch.tensor([0.3, 0.6, 0.9], requires_grad=True); "
          "q = torch.tensor([0.0, 1.0, 0.5]); jac = torch.autograd.functional; "
          "a = torch.tensor([1.0, 2.0]); b = torch.tensor([3.0, 4.0, 5.0])")

TORCH_EXPRESSIONS = [
    "F.relu(x)", "torch.relu(x)", "x.relu()", "F.relu6(x)", "F.hardtanh(x)", "F.leaky_relu(x)",
    "F.elu(x)", "F.selu(x)", "F.gelu(x)", "F.gelu(x, approximate='tanh')", "F.silu(x)",
    "F.sigmoid(x)", "F.tanh(x)", "F.softplus(x)", "F.softplus(x, beta=2, threshold=1)",
    "F.threshold(x, 0.2, -1.0)", "F.softmax(x, dim=1)", "F.softmax(x, 0)", "torch.softmax(x, 1)",
    "x.softmax(dim=0)", "F.log_softmax(x, dim=1)", "x.log_softmax(0)",
    "F.softmax(x, 1, dtype=torch.float64)", "F.softmax(x)",
    "F.mse_loss(x, x.detach() * 2)", "F.mse_loss(x, x.detach() * 2, reduction='sum')",
    "F.mse_loss(x, x.detach() * 2, reduction='none')", "F.l1_loss(x, x.detach() * 2)",
    "F.l1_loss(x, x.detach() * 2, reduction='none')", "F.binary_cross_entropy(p, q)",
    "F.binary_cross_entropy(p, q, reduction='none')",
    "F.binary_cross_entropy_with_logits(x[0], q)",
    "F.binary_cross_entropy_with_logits(x[0], q, pos_weight=q + 1)",
    "torch.binary_cross_entropy_with_logits(x[0], q)",
    "torch.binary_cross_entropy_with_logits(x[0], q, None, None, 2)",
    "F.nll_loss(x, t)", "F.nll_loss(x, t, reduction='none')", "F.nll_loss(x, t, ignore_index=0)",
    "F.cross_entropy(x, t)", "F.cross_entropy(x, t, reduction='sum')",
    "F.cross_entropy(x, t, label_smoothing=0.1)", "F.cross_entropy(x[0], t[0])",
    "F.cross_entropy(x, x.detach().softmax(1))", "F.one_hot(t)", "F.one_hot(t, 4)",
    "F.dropout(x, 0.5, training=False)", "F.dropout(x, 1.0)",
    "torch.autograd.grad(F.softmax(x, 1)[:, 0].sum(), x, create_graph=True)",
    "torch.autograd.grad(F.cross_entropy(x, t), x, create_graph=True)",
    "torch.autograd.grad(F.nll_loss(x, t), x, create_graph=True)",
    "torch.autograd.grad(F.binary_cross_entropy(p, q), p, create_graph=True)",
    "torch.autograd.grad(F.silu(x).sum(), x, create_graph=True)",
    "jac.jacobian(lambda v: v ** 2, a)", "jac.jacobian(lambda v: v.sum(), a)",
    "jac.jacobian(lambda u, v: u.sum() * v, (a, b))",
    "jac.jacobian(lambda u, v: (u * 2, v.exp()), (a, b))",
    "jac.jacobian(lambda u: (u * 2, u.sum()), a)", "jac.jacobian(lambda u: u ** 2, (a,))",
    "jac.jacobian(lambda u: torch.ones(2), a)", "jac.jacobian(lambda u: u ** 2, a, create_graph=True)",
    "jac.hessian(lambda v: (v ** 3).sum(), a)", "jac.hessian(lambda v: (v ** 3).sum(), (a,))",
    "jac.hessian(lambda u, v: (u ** 2).sum() * v.sum(), (a, b))",
    "jac.hessian(lambda v: v.sum().view(1), a)", "jac.jacobian(lambda u: 3, a)",
    "F.linear(x, torch.ones(4, 3), torch.ones(4))", "F.linear(x, torch.ones(4, 3))",
    "F.linear(x[0], torch.ones(4, 3), torch.ones(4))",
    "nn.Linear(3, 2)(torch.ones(4, 3)).grad_fn", "nn.Linear(3, 2)(torch.ones(3)).grad_fn",
    "nn.Linear(3, 2, bias=False)(torch.ones(5, 4, 3)).grad_fn",
    "nn.Linear(3, 2)", "nn.Parameter(torch.tensor([1.0, 2.0]))", "nn.Parameter()",
    "type(nn.Parameter(torch.tensor([1.0])))", "type(nn.Linear(1, 1))",
    "nn.Sequential(nn.Linear(2, 3), nn.ReLU())", "nn.MSELoss()", "nn.Softmax(dim=0)",
]


@pytest.mark.parametrize("expression", TORCH_EXPRESSIONS)
def test_matches_torch(expression):
    assert_same(*run_both(_SETUP, expression))

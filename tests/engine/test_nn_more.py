"""The second batch of ``torch.nn.functional`` ops (gates.py, normalization.py):
gradchecks at first and second order, and parity with PyTorch (values, grad_fn
names, gradients, errors) where it is installed."""

from __future__ import annotations

import pytest
from test_elementwise import _inputs, assert_same, run_both

from gradcli.api import torch as api
from gradcli.engine.gradcheck import gradcheck, gradgradcheck

TORCH = api.build()["torch"]
F = TORCH.nn.functional


def _centered(x, scale=1.0):
    return (x * 2 - 1) * scale


_INDEX = TORCH.tensor([[0, 2], [2, 3]])
_SIGNS = TORCH.tensor([1.0, -1.0, -1.0, 1.0], dtype=TORCH.float64)

GRADCHECK_CASES = [
    ("hardsigmoid", lambda a: F.hardsigmoid(a), ((2, 3),)),
    ("hardswish", lambda a: F.hardswish(_centered(a, 5)), ((2, 3),)),
    ("mish", lambda a: F.mish(_centered(a, 3)), ((4,),)),
    ("celu", lambda a: F.celu(_centered(a, 3), alpha=0.7), ((4,),)),
    ("hardshrink", lambda a: F.hardshrink(_centered(a, 3), 0.4), ((4,),)),
    ("softshrink", lambda a: F.softshrink(_centered(a, 3), 0.4), ((4,),)),
    ("logsigmoid", lambda a: F.logsigmoid(_centered(a, 4)), ((2, 3),)),
    ("glu", lambda a: F.glu(_centered(a, 3), 1), ((2, 4),)),
    ("glu", lambda a: F.glu(a, 0), ((2, 3),)),
    ("prelu", lambda a, w: F.prelu(_centered(a, 2), w), ((2, 3, 2), (3,))),
    ("prelu", lambda a, w: F.prelu(_centered(a, 2), w), ((4,), (1,))),
    ("embedding", lambda w: F.embedding(_INDEX, w), ((4, 3),)),
    ("embedding", lambda w: F.embedding(_INDEX, w, padding_idx=1), ((4, 3),)),
    ("layer_norm", lambda a: F.layer_norm(a, (3,)), ((2, 3),)),
    ("layer_norm", lambda a, w, b: F.layer_norm(a, (2, 3), w, b), ((2, 2, 3), (2, 3), (2, 3))),
    ("pad", lambda a: F.pad(a, (1, 2, 0, 1), value=0.5), ((2, 3),)),
    ("pad", lambda a: F.pad(a, (-1, 1)), ((2, 3),)),
    ("pairwise_distance", lambda a, b: F.pairwise_distance(a, b), ((2, 3), (2, 3))),
    ("pairwise_distance", lambda a, b: F.pairwise_distance(a, b, p=3.0, keepdim=True),
     ((2, 3), (3,))),
    ("pairwise_distance", lambda a, b: F.pairwise_distance(a, b, p=1.0), ((2, 3), (2, 3))),
    ("smooth_l1_loss", lambda a, b: F.smooth_l1_loss(_centered(a, 3), b), ((2, 3), (2, 3))),
    ("smooth_l1_loss", lambda a, b: F.smooth_l1_loss(a, b, beta=0.2, reduction="none"),
     ((4,), (4,))),
    ("huber_loss", lambda a, b: F.huber_loss(_centered(a, 3), b, delta=0.5), ((2, 3), (2, 3))),
    ("huber_loss", lambda a, b: F.huber_loss(a, b, reduction="sum"), ((4,), (4,))),
    ("soft_margin_loss", lambda a: F.soft_margin_loss(_centered(a, 2), _SIGNS), ((4,),)),
    ("soft_margin_loss", lambda a: F.soft_margin_loss(a, _SIGNS, reduction="none"), ((4,),)),
    ("poisson_nll_loss", lambda a, t: F.poisson_nll_loss(a, t), ((2, 3), (2, 3))),
    ("kl_div", lambda a, t: F.kl_div(a.log(), t, reduction="batchmean"), ((2, 3), (2, 3))),
    ("hinge_embedding_loss", lambda a: F.hinge_embedding_loss(a, _SIGNS), ((4,),)),
    ("cosine_embedding_loss",
     lambda a, b: F.cosine_embedding_loss(a, b, _SIGNS[:2], margin=0.9), ((2, 3), (2, 3))),
    ("margin_ranking_loss", lambda a, b: F.margin_ranking_loss(a, b, _SIGNS), ((4,), (4,))),
    ("triplet_margin_loss", lambda a, b, c: F.triplet_margin_loss(a, b, c, swap=True),
     ((2, 3), (2, 3), (2, 3))),
]

# PyTorch does not differentiate hardsigmoid's gradient (its node is NotImplemented).
FIRST_ORDER_ONLY = {"hardsigmoid"}


@pytest.mark.parametrize(("name", "fn", "shapes"), GRADCHECK_CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(GRADCHECK_CASES)])
def test_gradcheck(name, fn, shapes):
    inputs = _inputs(shapes, seed=len(name))
    assert gradcheck(fn, inputs)
    if name in FIRST_ORDER_ONLY:
        (grad,) = TORCH.autograd.grad(fn(*inputs).sum(), inputs, create_graph=True)
        assert grad.grad_fn.name() == "torch::autograd::NotImplemented"  # as PyTorch names it
        with pytest.raises(RuntimeError):
            grad.sum().backward()
    else:
        assert gradgradcheck(fn, inputs)


# ======================================================= parity with PyTorch
_SETUP = """
g = torch.Generator().manual_seed(7)
x = (torch.rand(3, 4, generator=g, dtype=torch.float64) * 8 - 4).requires_grad_()
y = (torch.rand(3, 4, generator=g, dtype=torch.float64) * 2 - 1).requires_grad_()
w = torch.tensor([0.2, -0.3, 0.5, 0.1], dtype=torch.float64, requires_grad=True)
table = torch.rand(5, 4, generator=g, dtype=torch.float64).requires_grad_()
idx = torch.tensor([[1, 4], [0, 1]])

def grads(out, *inputs):
    return torch.autograd.grad((out * out).sum(), inputs)

def second(out, x):
    (g1,) = torch.autograd.grad(out.sum(), x, create_graph=True)
    return (g1.grad_fn.name(), torch.autograd.grad((g1 * g1).sum(), x))
"""

EXPRESSIONS = [
    f"{call}" for name in ("hardsigmoid", "hardswish", "mish", "celu", "hardshrink",
                           "softshrink", "logsigmoid", "softsign", "tanhshrink", "glu")
    for call in (f"F.{name}(x)", f"grads(F.{name}(x), x)")
] + [
    f"second(F.{name}(x), x)" for name in ("hardswish", "mish", "celu", "hardshrink",
                                           "softshrink", "logsigmoid", "glu")
] + [
    "F.celu(x, 2.0)", "torch.celu(x, 0.5)", "x.hardshrink(1.0)", "torch.hardshrink(x)",
    "F.softshrink(x, 1.5)", "F.glu(x, 0).grad_fn.name()", "F.glu(x[:, :3])",
    "F.softmin(x, 1)", "F.softmin(x, 0, dtype=torch.float32)",
    "F.prelu(x, w)", "grads(F.prelu(x, w), x, w)", "F.prelu(x, w[:3])",
    "torch.prelu(x, w[:1])", "grads(torch.prelu(x[0], w[:1]), x, w)",
    "F.hardsigmoid(x.float())", "F.hardswish(torch.tensor([1, 2]))",
    "F.embedding(idx, table)", "grads(F.embedding(idx, table), table)",
    "grads(F.embedding(idx, table, padding_idx=1), table)",
    "grads(F.embedding(idx, table, scale_grad_by_freq=True), table)",
    "F.embedding(idx, table).grad_fn.name()", "F.embedding(torch.tensor([5]), table)",
    "F.embedding(idx.float(), table)",
    "F.layer_norm(x, (4,))", "grads(F.layer_norm(x, (4,)), x)",
    "F.layer_norm(x, (3, 4), y, y)", "grads(F.layer_norm(x, (4,), w, w), x, w)",
    "F.layer_norm(x, (4,)).grad_fn.next_functions", "F.layer_norm(x, (3,))",
    "F.pad(x, (1, 2))", "F.pad(x, (1, 1, 2, 0), value=-1.0)", "F.pad(x, (-1, 1))",
    "grads(F.pad(x, (2, -1, 1, 1)), x)", "F.pad(x, (1,))", "F.pad(x, (1, 1)).grad_fn.name()",
    "F.cosine_similarity(x, y)", "F.cosine_similarity(x, y, dim=0)",
    "grads(F.cosine_similarity(x, y), x, y)", "F.cosine_similarity(x, y).grad_fn.name()",
    "F.pairwise_distance(x, y)", "F.pairwise_distance(x, y, p=1.0, keepdim=True)",
    "grads(F.pairwise_distance(x, y), x, y)", "grads(F.pairwise_distance(x, y, 3.0), x, y)",
    "second(F.pairwise_distance(x, y), x)", "grads(F.pairwise_distance(x, y, 1.0), x, y)", "F.pairwise_distance(x, y).grad_fn.name()",
]


@pytest.mark.parametrize("expression", EXPRESSIONS)
def test_matches_torch(expression):
    assert_same(*run_both(_SETUP, expression))


_MODULE_SETUP = """
torch.manual_seed(3)
x = torch.randn(2, 6)
"""

MODULE_EXPRESSIONS = [
    "repr(nn.Sequential(nn.Flatten(), nn.Linear(6, 4), nn.PReLU(), nn.LayerNorm(4)))",
    "nn.Embedding(6, 3).weight", "nn.Embedding(6, 3, padding_idx=-1).weight",
    "repr(nn.Embedding(6, 3, padding_idx=-1))", "nn.LayerNorm(6)(x)",
    "nn.LayerNorm(6, elementwise_affine=False)(x)", "nn.PReLU(6, init=0.1)(x)",
    "nn.Identity(3, k=4)(x)", "nn.Flatten(0)(x)", "nn.Softmin(dim=1)(x)",
    "repr(nn.ModuleList([nn.ReLU(), nn.ReLU(), nn.Tanh()])[1:])",
    "len(nn.ModuleList([nn.ReLU()]).extend([nn.Tanh()]))",
    "nn.ModuleList([nn.ReLU()])[3]", "nn.ModuleList([1])",
    "list(nn.LayerNorm(2).state_dict().keys())",
    "nn.Embedding.from_pretrained(torch.eye(3))(torch.tensor([1]))",
    "nn.Embedding.from_pretrained(torch.eye(3)).weight.requires_grad",
]


@pytest.mark.parametrize("expression", MODULE_EXPRESSIONS)
def test_modules_match_torch(expression):
    assert_same(*run_both(_MODULE_SETUP, expression))


_PAD_SETUP = """
g = torch.Generator().manual_seed(5)
x = torch.rand(2, 3, 4, 5, generator=g, dtype=torch.float64).requires_grad_()

def grads(out, *inputs):
    return torch.autograd.grad((out * out).sum(), inputs)
"""

PAD_EXPRESSIONS = [
    f"{form}" for mode in ("reflect", "replicate")
    for form in (f"F.pad(x, (1, 2), mode='{mode}')", f"F.pad(x[0], (2, 1, 1, 0), mode='{mode}')",
                 f"F.pad(x, (1, 1, 2, 1, 0, 1), mode='{mode}')",
                 f"grads(F.pad(x, (1, 2, 1, 1), mode='{mode}'), x)",
                 f"F.pad(x, (1, 2), mode='{mode}').grad_fn.name()",
                 f"F.pad(x[0, 0], (2, 2), mode='{mode}').grad_fn.name()",
                 f"F.pad(x, (1, 1, 1, 1, 1, 1), mode='{mode}').grad_fn.name()")
] + ["F.pad(x, (5, 1), mode='reflect')", "F.pad(x[0, 0, 0], (1, 1), mode='reflect')"]


@pytest.mark.parametrize("expression", PAD_EXPRESSIONS)
def test_pad_modes_match_torch(expression):
    assert_same(*run_both(_PAD_SETUP, expression))


@pytest.mark.parametrize("mode", ["reflect", "replicate"])
def test_pad_modes_gradcheck(mode):
    inputs = _inputs(((2, 3, 4),), seed=3)
    fn = lambda a: F.pad(a, (2, 1, 1, 2), mode=mode)
    assert gradcheck(fn, inputs)
    assert gradgradcheck(fn, inputs)


@pytest.mark.parametrize("shape, normalized", [((50, 4), (4,)), ((30, 40), (40,)),
                                               ((5, 3, 64), (64,)), ((9, 128), (128,)),
                                               ((6, 4, 5), (4, 5))])
def test_layer_norm_float32_bits(shape, normalized):
    """ATen's Welford cascade: PyTorch's float32 bits for rows of up to 128 elements."""
    torch = pytest.importorskip("torch")
    gen = torch.Generator().manual_seed(1)
    x = torch.randn(*shape, generator=gen) * 3 + 1
    w, b = torch.randn(*normalized, generator=gen), torch.randn(*normalized, generator=gen)
    ours = [TORCH.tensor(v.tolist()) for v in (x, w, b)]
    for args, theirs in (((), torch.nn.functional.layer_norm(x, normalized)),
                         ((ours[1], ours[2]), torch.nn.functional.layer_norm(x, normalized, w, b))):
        result = F.layer_norm(ours[0], normalized, *args)
        assert result.tolist() == theirs.tolist()

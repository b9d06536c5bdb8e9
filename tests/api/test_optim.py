"""``torch.optim``: updates bit for bit as PyTorch's, printed forms, state dicts, errors."""

import numpy as np
import pytest

from gradcli.engine.kernels import pointwise as pw
from gradcli.runtime import run_program


def run(source: str):
    out = []
    error = run_program(source, "<test>", out.append)
    return "".join(out), error


def torch_run(source: str, exact_sqrt: bool = False):
    """What real PyTorch prints for ``source`` (``print`` only) and the class it raises.

    With ``exact_sqrt``, PyTorch's ``Tensor.sqrt`` is replaced by a correctly rounded
    one: PyTorch 2.13's CPU sqrt is off by one ulp for about 0.6% of float32 inputs
    (those whose root lies next to a rounding midpoint), gradcli's is exact, and the
    comparison is about the optimizers' arithmetic around it.
    """
    torch = pytest.importorskip("torch")
    import contextlib
    import io

    buffer = io.StringIO()
    kind = None
    original = torch.Tensor.sqrt

    def sqrt(self):
        return torch.from_numpy(np.sqrt(self.detach().numpy()))

    if exact_sqrt:
        torch.Tensor.sqrt = sqrt
    try:
        with contextlib.redirect_stdout(buffer):
            try:
                exec(source, {"torch": torch})  # noqa: S102 - the test's own program
            except Exception as exc:  # noqa: BLE001 - the class is what we compare
                kind = type(exc).__name__
    finally:
        torch.Tensor.sqrt = original
    return buffer.getvalue(), kind


# ===================================================================== kernels
def test_add_scaled_is_one_fused_rounding():
    a, b = np.float32([-1.0]), np.float32([1 + 2.0 ** -12])
    alpha = 1 + 2.0 ** -12  # b * alpha = 1 + 2**-11 + 2**-24: rounding it first loses 2**-24
    assert pw.add_scaled(a, b, alpha).tolist() == [2.0 ** -11 + 2.0 ** -24]
    assert (a + b * np.float32(alpha)).tolist() == [2.0 ** -11]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_kernels_match_torch(dtype):
    torch = pytest.importorskip("torch")
    gen = torch.Generator().manual_seed(3)
    tdt = getattr(torch, dtype)
    for n in (5, 70):
        for _ in range(20):
            a, b = torch.randn(n, generator=gen, dtype=tdt), torch.randn(n, generator=gen,
                                                                           dtype=tdt)
            c = torch.rand(n, generator=gen, dtype=tdt) + 0.1
            an, bn, cn = a.numpy(), b.numpy(), c.numpy()
            s = float(torch.randn(1, generator=gen)) * 0.1
            for w in (0.1, 0.999, s):
                assert (a.lerp(b, w).numpy() == pw.lerp(an, bn, w)).all()
            assert (a.add(b, alpha=s).numpy() == pw.add_scaled(an, bn, s)).all()
            assert (a.addcmul(b, c, value=s).numpy() == pw.addcmul(an, bn, cn, s)).all()
            assert (a.addcdiv(b, c, value=s).numpy() == pw.addcdiv(an, bn, cn, s)).all()


# ======================================================= updates against PyTorch
OPTIMIZERS = [
    "optim.SGD(params, lr=0.05)",
    "optim.SGD(params, lr=0.05, momentum=0.9)",
    "optim.SGD(params, lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01)",
    "optim.SGD(params, lr=0.05, momentum=0.5, dampening=0.1, maximize=True, weight_decay=1e-3)",
    "optim.Adam(params, lr=0.01)",
    "optim.Adam(params, lr=0.01, amsgrad=True, weight_decay=0.01, betas=(0.8, 0.99))",
    "optim.Adam(params, lr=0.01, maximize=True, eps=1e-6)",
    "optim.AdamW(params, lr=0.01)",
    "optim.AdamW(params, lr=0.01, amsgrad=True, maximize=True)",
    "optim.RMSprop(params, lr=0.01)",
    "optim.RMSprop(params, lr=0.01, momentum=0.9, weight_decay=0.01)",
    "optim.RMSprop(params, lr=0.01, centered=True, alpha=0.9)",
    "optim.Adagrad(params, lr=0.1)",
    ("optim.Adagrad(params, lr=0.1, lr_decay=0.01, initial_accumulator_value=0.1, "
     "weight_decay=0.01)"),
    ("optim.SGD([{'params': params[:1]}, {'params': params[1:], 'lr': 0.5}], lr=0.01, "
     "momentum=0.8)"),
]

FIXED_GRADS = """
import torch
import torch.optim as optim
_ = torch.manual_seed(0)
w = torch.randn(40, 3, requires_grad=True)
b = torch.randn(5, requires_grad=True, dtype=torch.float64)
params = [w, b]
optimizer = {optimizer}
for t in range(25):
    optimizer.zero_grad()
    w.grad = torch.randn(40, 3) * (t + 1) * 0.1
    b.grad = torch.randn(5, dtype=torch.float64) * 0.01
    optimizer.step()
    print(w.sum().item(), b.tolist())
print(w.view(-1).tolist())
print(optimizer)
print(optimizer.state_dict())
"""


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_updates_are_pytorchs_bits(optimizer):
    """25 steps on fixed gradients: every parameter value identical to PyTorch's."""
    source = FIXED_GRADS.format(optimizer=optimizer)
    expected, kind = torch_run(source, exact_sqrt=True)
    assert kind is None
    out, error = run(source)
    assert error is None, error.message
    assert out == expected


# Real training loops (a small network, one sample per step): every loss's digits.
TRAINING = """
import torch
from torch import nn, optim
_ = torch.manual_seed({seed})
xs = [-2.0, -1.0, -0.5, 0.25, 0.5, 1.0, 2.0, 4.0]
model = nn.Sequential(nn.Linear(1, 3), nn.ReLU(), nn.Linear(3, 1))
optimizer = {optimizer}
for epoch in range(3):
    for v in xs:
        x = torch.tensor([[v]])
        loss = nn.MSELoss()(model(x), torch.tensor([[v * v / 4]]))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        print(loss.item())
"""


@pytest.mark.parametrize("seed, optimizer", [
    (0, "optim.SGD(model.parameters(), lr=0.05)"),
    (0, "optim.SGD(model.parameters(), lr=0.05, momentum=0.9, nesterov=True)"),
    (0, "optim.Adam(model.parameters(), lr=0.02)"),
    (0, "optim.AdamW(model.parameters(), lr=0.02, weight_decay=0.1)"),
])
def test_training_losses_are_pytorchs(seed, optimizer):
    source = TRAINING.format(seed=seed, optimizer=optimizer)
    expected, _ = torch_run(source)
    out, error = run(source)
    assert error is None, error.message
    assert out == expected
    assert len(out.splitlines()) == 24


# ======================================================================= surface
def test_import_forms():
    out, error = run("import torch.optim as optim\nfrom torch import optim as o2\n"
                     "from torch.optim import SGD, lr_scheduler\n"
                     "from torch.optim.lr_scheduler import StepLR\n"
                     "print(optim.SGD is SGD, o2.Adam is torch.optim.Adam, "
                     "lr_scheduler.StepLR is StepLR)\nprint(type(optim.SGD([torch.ones(1)])))")
    assert error is None, error.message
    assert out == "True True True\n<class 'torch.optim.sgd.SGD'>\n"


def test_zero_grad_keeps_zeros_when_asked():
    out, error = run("w = torch.ones(2, requires_grad=True)\nopt = torch.optim.SGD([w])\n"
                     "(w * 2).sum().backward()\nopt.zero_grad(set_to_none=False)\n"
                     "print(w.grad)\nopt.zero_grad()\nprint(w.grad)")
    assert error is None
    assert out == "tensor([0., 0.])\nNone\n"


def test_a_parameter_without_grad_is_skipped():
    out, error = run("w = torch.ones(2, requires_grad=True)\nopt = torch.optim.Adam([w])\n"
                     "opt.step()\nprint(w, opt.state_dict()['state'])")
    assert error is None
    assert out == "tensor([1., 1.], requires_grad=True) {}\n"


def test_step_records_no_graph_and_bumps_version():
    out, error = run("w = torch.ones(2, requires_grad=True)\nopt = torch.optim.SGD([w], lr=1)\n"
                     "w.sum().backward()\nv = w._version\nopt.step()\n"
                     "print(w, w.grad_fn, w._version - v)")
    assert error is None
    assert out == "tensor([0., 0.], requires_grad=True) None 1\n"


ERRORS = [
    "torch.optim.SGD(torch.ones(2, requires_grad=True))",
    "torch.optim.SGD([])",
    "torch.optim.SGD([torch.ones(1)], lr=-1)",
    "torch.optim.SGD([torch.ones(1)], momentum=-0.5)",
    "torch.optim.SGD([torch.ones(1)], nesterov=True)",
    "torch.optim.Adam([torch.ones(1)], betas=(1.0, 0.9))",
    "torch.optim.Adam([torch.ones(1)], eps=-1.0)",
    "torch.optim.Adam([torch.ones(1, requires_grad=True) * 2])",
    "torch.optim.SGD([1.0, 2.0])",
    "w = torch.ones(1)\ntorch.optim.SGD([{'params': [w]}, {'params': [w]}])",
    "o = torch.optim.SGD([torch.ones(1)])\no.load_state_dict({'state': {}, 'param_groups': []})",
    ("o = torch.optim.SGD([torch.ones(1)])\n"
     "o.load_state_dict({'state': {}, 'param_groups': [{'params': [0, 1]}]})"),
    "torch.optim.lr_scheduler.StepLR(torch.optim.SGD([torch.ones(1)]), 2, last_epoch=3)",
]


@pytest.mark.parametrize("source", ERRORS)
def test_errors_have_pytorchs_class(source):
    _, expected = torch_run(source)
    assert expected is not None
    _, error = run(source)
    assert error is not None and error.kind == expected


def test_scheduler_steps_like_pytorch():
    source = """
import torch
w = torch.ones(1, requires_grad=True)
opt = torch.optim.SGD([{'params': [w]}, {'params': [torch.ones(1)], 'lr': 1.0}], lr=0.1)
s = torch.optim.lr_scheduler.StepLR(opt, step_size=3, gamma=0.5)
e = torch.optim.lr_scheduler.ExponentialLR(opt, gamma=0.9)
for i in range(7):
    opt.step()
    s.step()
    e.step()
    print(s.get_last_lr(), e.get_last_lr(), s.last_epoch, opt.param_groups[0]['initial_lr'])
print(opt)
"""
    expected, kind = torch_run(source)
    assert kind is None
    out, error = run(source)
    assert error is None, error.message
    assert out == expected


def test_state_and_scheduler_state_dict_print_as_pytorchs():
    source = """
import torch
w = torch.tensor([1.0, 2.0], requires_grad=True)
opt = torch.optim.SGD([w], lr=0.1, momentum=0.9)
print(opt.state)
(w * w).sum().backward()
opt.step()
print(opt.state)
print(opt.state[w], opt.param_groups[0]['params'])
s = torch.optim.lr_scheduler.StepLR(opt, 2)
print(s.state_dict(), s.get_last_lr(), s.last_epoch, s.base_lrs)
a = torch.optim.Adam([w], lr=torch.tensor(0.01))
print(a)
w.grad = torch.ones(2)
a.step()
print(w, list(a.state_dict()['state'][0].keys()))
print(torch.optim.SGD([{'params': w, 'lr': 0.5}], momentum=0.1).param_groups[0]['lr'])
"""
    expected, kind = torch_run(source)
    assert kind is None
    out, error = run(source)
    assert error is None, error.message
    assert out == expected
